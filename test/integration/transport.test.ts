import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resetTransportCallCounts, transportCallCounts } from '../../nodes/shared/transport/callStats';
import { callSlack } from '../../nodes/shared/transport/slackTransport';
import { sendWithRetry } from '../../nodes/shared/transport/http';
import { callZendesk } from '../../nodes/shared/transport/zendeskTransport';
import { executeNode } from '../harness/inProcess';

type Script = Array<(res: http.ServerResponse, req: http.IncomingMessage) => void>;
let script: Script = [];
const requests: Array<{ url: string; at: number }> = [];
let server: http.Server;
let base: string;

const json =
	(status: number, body: unknown, headers: Record<string, string> = {}) =>
	(res: http.ServerResponse) => {
		res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
		res.end(JSON.stringify(body));
	};

beforeAll(async () => {
	server = http.createServer((req, res) => {
		requests.push({ url: req.url ?? '', at: Date.now() });
		const step = script.shift() ?? json(200, { ok: true });
		step(res, req);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
	server.closeAllConnections();
	return new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
	script = [];
	requests.length = 0;
	resetTransportCallCounts();
});

/** Calls the transport from inside a real n8n-core execute context. */
const transportProbe: INodeType = {
	description: {
		displayName: 'Transport Probe',
		name: 'transportProbe',
		group: ['transform'],
		version: 1,
		description: 'test probe',
		defaults: { name: 'Transport Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'slackDmApi', required: false },
			{ name: 'zendeskDmApi', required: false },
		],
		properties: [{ displayName: 'Call', name: 'call', type: 'string', default: 'slack' }],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const call = this.getNodeParameter('call', 0) as string;
		if (call === 'timeout') {
			const result = await sendWithRetry(this, {
				service: 'zendesk',
				route: 'GET /tickets/{id}.json',
				credentialType: 'zendeskDmApi',
				timeoutMs: 300,
				request: { method: 'GET', url: `${base}/api/v2/tickets/7.json`, json: true },
			});
			return [[{ json: { status: result.statusCode }, pairedItem: { item: 0 } }]];
		}
		if (call === 'slack') {
			const body = await callSlack(this, 'users.info', { user: 'U1' }, { allowErrors: ['user_not_found'] });
			return [[{ json: body as IDataObject, pairedItem: { item: 0 } }]];
		}
		const result = await callZendesk(this, 'zendeskDmApi', {
			method: 'GET',
			path: '/tickets/42.json',
			acceptStatuses: [404],
		});
		return [[{ json: { status: result.statusCode, body: result.body as object }, pairedItem: { item: 0 } }]];
	},
};

const credentials = {
	slackDmApi: { accessToken: 'xoxb-secret-token', baseUrl: `` },
	zendeskDmApi: { subdomain: 'acme', email: 'bridge@acme.test', apiToken: 'zd-secret-token', baseUrl: '' },
};
const run = (call: 'slack' | 'zendesk' | 'timeout') =>
	executeNode(transportProbe, {
		parameters: { call },
		credentials: {
			slackDmApi: { ...credentials.slackDmApi, baseUrl: `${base}/api` },
			zendeskDmApi: { ...credentials.zendeskDmApi, baseUrl: base },
		},
		items: [{ json: {} }],
	});

describe('transport', () => {
	it('waits Retry-After on a 429 and then succeeds, counting both calls', async () => {
		script = [
			json(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '1' }),
			json(200, { ok: true, user: { id: 'U1' } }),
		];
		const { outputs } = await run('slack');
		expect(outputs[0][0].json).toMatchObject({ ok: true, user: { id: 'U1' } });
		expect(requests).toHaveLength(2);
		expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(950);
		expect(requests[0].url).toBe('/api/users.info?user=U1');
		expect(transportCallCounts()).toEqual({ 'slack users.info': 2 });
	});

	it('retries 5xx and connection resets on Zendesk calls', async () => {
		script = [json(503, { error: 'busy' }), (res) => res.socket?.destroy(), json(200, { ticket: { id: 42 } })];
		const { outputs } = await run('zendesk');
		expect(outputs[0][0].json).toEqual({ status: 200, body: { ticket: { id: 42 } } });
		expect(transportCallCounts()).toEqual({ 'zendesk GET /tickets/{id}.json': 3 });
	});

	it('gives up on an attempt that gets no answer in time and retries it', async () => {
		script = [() => undefined, json(200, { ticket: { id: 7 } })];
		const started = Date.now();
		const { outputs } = await run('timeout');
		expect(outputs[0][0].json).toEqual({ status: 200 });
		expect(requests).toHaveLength(2);
		expect(Date.now() - started).toBeGreaterThanOrEqual(300);
		expect(transportCallCounts()).toEqual({ 'zendesk GET /tickets/{id}.json': 2 });
	});

	it('returns accepted statuses and allowed Slack errors instead of throwing', async () => {
		script = [json(404, { error: 'RecordNotFound', description: 'Not found' })];
		expect((await run('zendesk')).outputs[0][0].json).toMatchObject({ status: 404 });
		script = [json(200, { ok: false, error: 'user_not_found' })];
		expect((await run('slack')).outputs[0][0].json).toEqual({ ok: false, error: 'user_not_found' });
	});

	it("throws Slack's error code and Zendesk's message without leaking tokens", async () => {
		script = [json(200, { ok: false, error: 'invalid_auth' })];
		const slackError = await run('slack').catch((error: Error) => error);
		expect(String(slackError)).toContain('invalid_auth');
		script = [json(422, { error: 'RecordInvalid', description: 'Status: closed prevents ticket update' })];
		const zendeskError = await run('zendesk').catch((error: Error) => error);
		expect((zendeskError as Error).message).toContain('closed prevents ticket update');
		for (const error of [slackError, zendeskError]) {
			const serialised = JSON.stringify(error) + String((error as Error).stack) + (error as Error).message;
			expect(serialised).not.toContain('secret-token');
			expect(serialised).not.toContain(Buffer.from('bridge@acme.test/token:zd-secret-token').toString('base64'));
		}
	});
});
