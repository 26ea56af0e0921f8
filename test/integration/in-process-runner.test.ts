import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IExecuteFunctions, INodeExecutionData, INodeType, IWebhookFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { executeNode, invokeWebhook, runWorkflow } from '../harness/inProcess';

/** A probe node that calls a URL with a credential, to prove the runner authenticates like n8n. */
const probeNode: INodeType = {
	description: {
		displayName: 'Probe',
		name: 'probe',
		group: ['transform'],
		version: 1,
		description: 'test probe',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'slackDmApi', required: false },
			{ name: 'zendeskDmApi', required: false },
			{ name: 'zendeskDmOAuth2Api', required: false },
		],
		properties: [
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Credential', name: 'credential', type: 'string', default: 'slackDmApi' },
			{ displayName: 'Label', name: 'label', type: 'string', default: '' },
		],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const response = await this.helpers.httpRequestWithAuthentication.call(
				this,
				this.getNodeParameter('credential', i) as string,
				{
					method: 'GET',
					url: this.getNodeParameter('url', i) as string,
					json: true,
				},
			);
			out.push({ json: { response, label: this.getNodeParameter('label', i) }, pairedItem: { item: i } });
		}
		return [out];
	},
	webhook: async function (this: IWebhookFunctions) {
		const req = this.getRequestObject() as unknown as { rawBody: Buffer };
		if (req.rawBody.toString() === 'refuse') {
			this.getResponseObject().status(401).send('no');
			return { noWebhookResponse: true };
		}
		return { workflowData: [[{ json: { got: this.getBodyData() } }]] };
	},
};
probeNode.description.webhooks = [{ name: 'default', httpMethod: 'POST', path: 'webhook', responseMode: 'onReceived' }];

/** A trigger-only node: WorkflowExecute passes its items through, as for real webhook triggers. */
const startNode: INodeType = {
	description: { ...probeNode.description, name: 'start', displayName: 'Start', inputs: [], credentials: [] },
	webhook: probeNode.webhook,
};

let server: http.Server;
let url: string;
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
	server = http.createServer((req, res) => {
		seen.push(req.headers);
		res.setHeader('Content-Type', 'application/json');
		res.end(JSON.stringify({ ok: true, path: req.url }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (seen.length = 0));

describe('in-process runner', () => {
	it('sends HTTP with the Slack credential as a Bearer token and resolves expressions', async () => {
		const { outputs } = await executeNode(probeNode, {
			parameters: { url: `${url}/api/auth.test`, label: '={{ $json.name + "!" }}' },
			credentials: { slackDmApi: { accessToken: 'xoxb-abc', signingSecret: 's' } },
			items: [{ json: { name: 'erin' } }],
		});
		expect(seen[0].authorization).toBe('Bearer xoxb-abc');
		expect(outputs[0][0].json).toEqual({ response: { ok: true, path: '/api/auth.test' }, label: 'erin!' });
	});

	it('applies the Zendesk API-token credential as email/token Basic auth', async () => {
		await executeNode(probeNode, {
			parameters: { url: `${url}/api/v2/users/me.json`, credential: 'zendeskDmApi' },
			credentials: { zendeskDmApi: { subdomain: 'acme', email: 'bridge@acme.test', apiToken: 'tok' } },
			items: [{ json: {} }],
		});
		const expected = `Basic ${Buffer.from('bridge@acme.test/token:tok').toString('base64')}`;
		expect(seen[0].authorization).toBe(expected);
	});

	it('signs OAuth2 credentials with the stored access token', async () => {
		await executeNode(probeNode, {
			parameters: { url: `${url}/api/v2/users/me.json`, credential: 'zendeskDmOAuth2Api' },
			credentials: {
				zendeskDmOAuth2Api: {
					subdomain: 'acme',
					clientId: 'id',
					clientSecret: 'secret',
					oauthTokenData: { access_token: 'zd-oauth', token_type: 'Bearer' },
				},
			},
			items: [{ json: {} }],
		});
		expect(seen[0].authorization).toBe('Bearer zd-oauth');
	});

	it('invokes webhooks with the raw body and captures node-written responses', async () => {
		const started = await invokeWebhook(probeNode, {
			rawBody: '{"a":1}',
			headers: { 'content-type': 'application/json' },
		});
		expect(started.workflowData?.[0][0].json).toEqual({ got: { a: 1 } });
		const refused = await invokeWebhook(probeNode, { rawBody: 'refuse', headers: { 'content-type': 'text/plain' } });
		expect(refused).toMatchObject({ status: 401, body: 'no', nodeResponded: true, workflowData: undefined });
	});

	it('runs a connected workflow through WorkflowExecute', async () => {
		const run = await runWorkflow(
			{
				nodes: [
					{ name: 'Start', type: 'start', parameters: {} },
					{ name: 'Call', type: 'probe', parameters: { url: `${url}/x`, label: '={{ $json.got.a }}' } },
				],
				connections: { Start: { main: [[{ node: 'Call', type: 'main', index: 0 }]] } },
			},
			{
				startNode: 'Start',
				startItems: [{ json: { got: { a: 7 } } }],
				extraNodeTypes: { probe: probeNode, start: startNode },
				credentials: { slackDmApi: { accessToken: 'xoxb-abc' } },
			},
		);
		const callRun = run.data.resultData.runData.Call[0];
		expect(callRun.error).toBeUndefined();
		expect(callRun.data?.main[0]?.[0].json).toMatchObject({ label: 7, response: { path: '/x' } });
	});
});
