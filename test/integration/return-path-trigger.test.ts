/**
 * Zendesk Reply Trigger against the Zendesk emulator, through real n8n-core contexts:
 * lifecycle (create / checkExists / delete, two workflows side by side), signed deliveries the
 * emulator makes when an agent replies, filtering, redelivery, forged and stale requests.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import axios from 'axios';
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { startZendeskEmulator, signWebhook, type ZendeskEmulator } from '../../emulators/zendesk';
import { ZendeskReplyTrigger } from '../../nodes/ZendeskReplyTrigger/ZendeskReplyTrigger.node';
import { resetTransportCallCounts, transportCallCounts } from '../../nodes/shared/transport/callStats';
import { resetSecretState } from '../../nodes/ZendeskReplyTrigger/secretState';
import { invokeWebhook, runWebhookLifecycle } from '../harness/inProcess';
import { expectSecretFoundAgain } from '../harness/lostSecret';

const trigger = new ZendeskReplyTrigger();

interface Receiver {
	url: string;
	received: Array<{ status: number; items: INodeExecutionData[]; body?: unknown }>;
	close(): Promise<void>;
}

let zendesk: ZendeskEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;

/** Plays n8n's webhook endpoint for one workflow: every POST goes through the node's webhook(). */
async function startReceiver(
	workflowId: string,
	staticData: IDataObject,
	parameters: IDataObject = {},
): Promise<Receiver> {
	const received: Receiver['received'] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
			invokeWebhook(trigger, {
				workflowId,
				parameters: parameters as never,
				credentials,
				staticData,
				headers,
				rawBody: Buffer.concat(chunks),
			})
				.then((result) => {
					received.push({ status: result.status, items: result.workflowData?.[0] ?? [], body: result.body });
					const retryAfter = (result.headers as Record<string, string> | undefined)?.['retry-after'];
					res.writeHead(result.status, {
						'Content-Type': 'application/json',
						...(retryAfter ? { 'Retry-After': retryAfter } : {}),
					});
					res.end(JSON.stringify(result.body ?? {}));
				})
				.catch((error: Error) => {
					received.push({ status: 500, items: [] });
					res.writeHead(500);
					res.end(error.message);
				});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}/webhook/zendesk-reply`,
		received,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

/** Runs `use` with one receiver per workflow id (fresh static data), and closes them all afterwards. */
async function withReceivers(workflowIds: string[], use: (...receivers: Receiver[]) => Promise<void>): Promise<void> {
	const receivers: Receiver[] = [];
	try {
		for (const workflowId of workflowIds) receivers.push(await startReceiver(workflowId, {}));
		await use(...receivers);
	} finally {
		for (const receiver of receivers) await receiver.close();
	}
}

function lifecycle(
	workflowId: string,
	staticData: IDataObject,
	webhookUrl: string,
	method: 'checkExists' | 'create' | 'delete',
	mode: 'trigger' | 'manual' = 'trigger',
) {
	return runWebhookLifecycle(
		trigger,
		{ workflowId, parameters: {}, credentials, staticData, webhookUrl, mode },
		method,
	);
}

function nodeData(staticData: IDataObject): IDataObject {
	const key = Object.keys(staticData).find((k) => k.startsWith('node:'));
	return (key ? staticData[key] : {}) as IDataObject;
}

const api = () =>
	axios.create({
		baseURL: `${zendesk.url}/api/v2`,
		auth: { username: `${zendesk.fixtures.bridge.email}/token`, password: zendesk.fixtures.bridge.apiToken },
		validateStatus: () => true,
	});

/** A ticket as the inbound pipeline makes it: requester with a Slack external id, our external id and tag. */
async function createSlackTicket(threadTs?: string): Promise<{ ticketId: number; requesterId: number }> {
	const suffix = Math.random().toString(36).slice(2, 8).toUpperCase();
	const user = await api().post('/users.json', {
		user: { name: `Slack User ${suffix}`, external_id: `slack:T1:U${suffix}`, role: 'end-user' },
	});
	expect(user.status).toBe(201);
	const requesterId = user.data.user.id as number;
	const ticket = await api().post('/tickets.json', {
		ticket: {
			subject: 'Printer on fire',
			requester_id: requesterId,
			external_id: `slack-dm:T1:D${suffix}${threadTs ? `:${threadTs}` : ''}`,
			tags: ['slack_dm'],
			comment: { body: 'Help, the printer is on fire', author_id: requesterId, public: true },
		},
	});
	expect(ticket.status).toBe(201);
	return { ticketId: ticket.data.ticket.id as number, requesterId };
}

/** Signs and sends one delivery naming a ticket and comment, as Zendesk would, to the node with this static data. */
async function deliverSigned(input: {
	workflowId: string;
	staticData: IDataObject;
	ticketId: number;
	commentId: number;
	parameters?: IDataObject;
}) {
	const body = JSON.stringify({ ticket_id: String(input.ticketId), comment_id: String(input.commentId) });
	const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
	const secret = nodeData(input.staticData).signingSecret as string;
	return await invokeWebhook(trigger, {
		workflowId: input.workflowId,
		...(input.parameters ? { parameters: input.parameters as never } : {}),
		credentials,
		staticData: input.staticData,
		rawBody: body,
		headers: {
			'content-type': 'application/json',
			'x-zendesk-webhook-signature': signWebhook(secret, timestamp, body),
			'x-zendesk-webhook-signature-timestamp': timestamp,
		},
	});
}

async function ownObjects() {
	const webhooks = (await api().get('/webhooks')).data.webhooks as Array<{
		id: string;
		name: string;
		endpoint: string;
	}>;
	const triggers = (await api().get('/triggers.json')).data.triggers as Array<{ id: number; title: string }>;
	return { webhooks, triggers };
}

/** Zendesk holds exactly the webhook and trigger of the node with this static data, no other of ours. */
async function expectOnlyObjectsOf(staticData: IDataObject): Promise<void> {
	const objects = await ownObjects();
	expect(objects.webhooks.map((w) => w.id)).toEqual([nodeData(staticData).webhookId]);
	expect(objects.triggers.map((t) => t.id)).toEqual([nodeData(staticData).triggerId]);
}

beforeAll(async () => {
	// Retry-After waits scaled down 100x, so a redelivery the node asks for comes within the test.
	zendesk = await startZendeskEmulator({ rateLimits: false, webhookRetryDelayMs: 50, webhookRetryAfterScale: 0.01 });
	credentials = {
		zendeskDmApi: {
			subdomain: 'acme',
			email: zendesk.fixtures.bridge.email,
			apiToken: zendesk.fixtures.bridge.apiToken,
			baseUrl: zendesk.url,
		},
	};
});

afterAll(async () => {
	await zendesk.close();
});

beforeEach(() => {
	zendesk.reset();
	resetSecretState();
});

describe('lifecycle', () => {
	it('creates its webhook and trigger, finds them after a restart, deletes only its own', async () => {
		await withReceivers(['wf-a', 'wf-b'], async (a, b) => {
			const dataA: IDataObject = {};
			const dataB: IDataObject = {};
			expect(await lifecycle('wf-a', dataA, a.url, 'checkExists')).toBe(false);
			expect(await lifecycle('wf-a', dataA, a.url, 'create')).toBe(true);
			expect(await lifecycle('wf-b', dataB, b.url, 'create')).toBe(true);

			const stored = nodeData(dataA);
			expect(stored).toMatchObject({
				webhookId: expect.any(String),
				triggerId: expect.any(Number),
				signingSecret: expect.any(String),
			});
			let objects = await ownObjects();
			expect(objects.webhooks).toHaveLength(2);
			expect(objects.triggers).toHaveLength(2);
			const webhookA = objects.webhooks.find((w) => w.id === stored.webhookId)!;
			expect(webhookA.name).toContain('wf-a/');
			expect(webhookA.endpoint.startsWith(new URL(a.url).origin)).toBe(true);

			// The trigger Zendesk stores: our conditions and an ids-only body for our webhook.
			const storedTrigger = (await api().get(`/triggers/${stored.triggerId}.json`)).data.trigger;
			expect(storedTrigger.conditions.all).toEqual(
				expect.arrayContaining([
					expect.objectContaining({ field: 'comment_is_public', value: 'true' }),
					expect.objectContaining({ field: 'current_via_id', operator: 'is_not', value: '5' }),
					expect.objectContaining({ field: 'current_tags', operator: 'includes', value: 'slack_dm' }),
				]),
			);
			expect(storedTrigger.actions[0].value[0]).toBe(stored.webhookId);
			expect(zendesk.warnings).toEqual([]);

			expect(await lifecycle('wf-a', dataA, a.url, 'checkExists')).toBe(true);
			// A restart that lost static data finds the same objects again (and the secret).
			const restarted: IDataObject = {};
			expect(await lifecycle('wf-a', restarted, a.url, 'checkExists')).toBe(true);
			expect(nodeData(restarted)).toMatchObject({
				webhookId: stored.webhookId,
				triggerId: stored.triggerId,
				signingSecret: stored.signingSecret,
			});

			// Another workflow's node never claims them.
			expect(await lifecycle('wf-c', {}, a.url, 'checkExists')).toBe(false);

			expect(await lifecycle('wf-a', dataA, a.url, 'delete')).toBe(true);
			objects = await ownObjects();
			expect(objects.webhooks.map((w) => w.name)).toEqual([expect.stringContaining('wf-b/')]);
			expect(objects.triggers.map((t) => t.title)).toEqual([expect.stringContaining('wf-b/')]);
			expect(nodeData(dataA).webhookId).toBeUndefined();
			expect(await lifecycle('wf-a', dataA, a.url, 'checkExists')).toBe(false);

			// Deleting twice is harmless; b still works.
			expect(await lifecycle('wf-a', dataA, a.url, 'delete')).toBe(true);
			expect(await lifecycle('wf-b', dataB, b.url, 'checkExists')).toBe(true);
		});
	});

	it('delete with lost static data removes its own objects found by name and endpoint', async () => {
		await withReceivers(['wf-a'], async (a) => {
			await lifecycle('wf-a', {}, a.url, 'create');
			await lifecycle('wf-b', {}, a.url, 'create');
			expect(await lifecycle('wf-a', {}, a.url, 'delete')).toBe(true);
			const objects = await ownObjects();
			expect(objects.webhooks.map((w) => w.name)).toEqual([expect.stringContaining('wf-b/')]);
			expect(objects.triggers.map((t) => t.title)).toEqual([expect.stringContaining('wf-b/')]);
		});
	});

	it('create after an interrupted set-up leaves exactly one webhook and trigger', async () => {
		await withReceivers(['wf-a'], async (a) => {
			await lifecycle('wf-a', {}, a.url, 'create');
			await lifecycle('wf-a', {}, a.url, 'create');
			const objects = await ownObjects();
			expect(objects.webhooks).toHaveLength(1);
			expect(objects.triggers).toHaveLength(1);
		});
	});
});

describe("lifecycle: never another instance's objects (audit, issue 7 item 2)", () => {
	const clone = (data: IDataObject) => JSON.parse(JSON.stringify(data)) as IDataObject;

	it('two n8n instances imported from one template (same workflow and node ids) keep their own trigger', async () => {
		await withReceivers(['wf-a', 'wf-a'], async (prod, staging) => {
			const prodData: IDataObject = {};
			const stagingData: IDataObject = {};
			await lifecycle('wf-a', prodData, prod.url, 'create');
			await lifecycle('wf-a', stagingData, staging.url, 'create');
			// Staging re-activates (create again), then is deactivated after losing its static data.
			await lifecycle('wf-a', stagingData, staging.url, 'create');
			await lifecycle('wf-a', {}, staging.url, 'delete');
			await expectOnlyObjectsOf(prodData);
			expect(await lifecycle('wf-a', prodData, prod.url, 'checkExists')).toBe(true);
		});
	});

	it("n8n's test webhook on the active workflow (create and delete with the test URL) leaves production alone", async () => {
		await withReceivers(['wf-a', 'wf-a'], async (prod, test) => {
			const prodData: IDataObject = {};
			await lifecycle('wf-a', prodData, prod.url, 'create');
			// n8n runs the test webhook with the workflow's static data as stored (the production ids).
			const testData = clone(prodData);
			expect(await lifecycle('wf-a', testData, test.url, 'checkExists', 'manual')).toBe(false);
			expect(await lifecycle('wf-a', testData, test.url, 'create', 'manual')).toBe(true);
			expect((await ownObjects()).triggers).toHaveLength(2);
			expect(await lifecycle('wf-a', testData, test.url, 'delete', 'manual')).toBe(true);
			// Even a test delete that still holds the production ids (its create failed) leaves them.
			expect(await lifecycle('wf-a', clone(prodData), test.url, 'delete', 'manual')).toBe(true);
			await expectOnlyObjectsOf(prodData);
			expect(await lifecycle('wf-a', prodData, prod.url, 'checkExists')).toBe(true);
		});
	});

	it('checkExists treats a deactivated trigger or webhook as missing; create then restores a working pair', async () => {
		await withReceivers(['wf-a'], async (a) => {
			const data: IDataObject = {};
			await lifecycle('wf-a', data, a.url, 'create');
			zendesk.store.triggers.get(nodeData(data).triggerId as number)!.active = false;
			expect(await lifecycle('wf-a', data, a.url, 'checkExists')).toBe(false);
			await lifecycle('wf-a', data, a.url, 'create');
			expect(await lifecycle('wf-a', data, a.url, 'checkExists')).toBe(true);
			zendesk.store.webhooks.get(nodeData(data).webhookId as string)!.status = 'inactive';
			expect(await lifecycle('wf-a', data, a.url, 'checkExists')).toBe(false);
			await lifecycle('wf-a', data, a.url, 'create');
			const objects = await ownObjects();
			expect(objects.webhooks).toHaveLength(1);
			expect(objects.triggers).toHaveLength(1);
			expect(zendesk.store.webhooks.get(nodeData(data).webhookId as string)!.status).toBe('active');
			expect(zendesk.store.triggers.get(nodeData(data).triggerId as number)!.active).toBe(true);
		});
	});

	it('after a WEBHOOK_URL change, activation removes the old webhook and trigger named ours', async () => {
		await withReceivers(['wf-a', 'wf-a'], async (before, after) => {
			const data: IDataObject = {};
			await lifecycle('wf-a', data, before.url, 'create');
			const oldWebhookId = nodeData(data).webhookId;
			expect(await lifecycle('wf-a', data, after.url, 'checkExists')).toBe(false);
			await lifecycle('wf-a', data, after.url, 'create');
			const objects = await ownObjects();
			expect(objects.webhooks.map((w) => new URL(w.endpoint).origin)).toEqual([new URL(after.url).origin]);
			expect(objects.webhooks[0].id).not.toBe(oldWebhookId);
			expect(objects.triggers).toHaveLength(1);
		});
	});

	it('a webhook created before trigger creation failed is deleted again, and a failing clean-up does not hide why', async () => {
		await withReceivers(['wf-a'], async (a) => {
			zendesk.server.injectFault('POST /api/v2/triggers.json', {
				kind: 'status',
				status: 422,
				body: { error: 'RecordInvalid', description: 'Title: is too long' },
			});
			await expect(lifecycle('wf-a', {}, a.url, 'create')).rejects.toThrow(/422|RecordInvalid|too long/);
			expect((await ownObjects()).webhooks).toEqual([]);
			expect((await ownObjects()).triggers).toEqual([]);

			zendesk.server.injectFault('POST /api/v2/triggers.json', {
				kind: 'status',
				status: 422,
				body: { error: 'RecordInvalid', description: 'Title: is too long' },
			});
			zendesk.server.injectFault('DELETE /api/v2/webhooks/:id', {
				kind: 'status',
				status: 403,
				body: { error: 'Forbidden' },
			});
			const failure = await lifecycle('wf-a', {}, a.url, 'create').then(
				() => undefined,
				(error: Error) => error,
			);
			expect(failure?.message).toMatch(/422|RecordInvalid|too long/);
			expect(failure?.message).not.toMatch(/403|Forbidden/);
			// The left-over webhook is ours (name and endpoint): the next activation removes it.
			expect((await ownObjects()).webhooks).toHaveLength(1);
			await lifecycle('wf-a', {}, a.url, 'create');
			expect((await ownObjects()).webhooks).toHaveLength(1);
			expect((await ownObjects()).triggers).toHaveLength(1);
		});
	});
});

describe('deliveries', () => {
	let receiver: Receiver;
	let staticData: IDataObject;

	beforeEach(async () => {
		staticData = {};
		receiver = await startReceiver('wf-a', staticData);
		expect(await lifecycle('wf-a', staticData, receiver.url, 'create')).toBe(true);
	});

	afterEach(async () => {
		await receiver.close();
	});

	const emitted = () => receiver.received.flatMap((r) => r.items.map((i) => i.json));

	it('emits a public agent reply, read from the API, with attachments and the Slack destination', async () => {
		const { ticketId } = await createSlackTicket();
		await zendesk.flushWebhooks();
		expect(receiver.received).toHaveLength(0);

		await zendesk.agentReply(ticketId, {
			public: true,
			htmlBody: '<p>Have you tried <strong>turning it off</strong>?</p>',
			attachments: [{ filename: 'steps.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 steps') }],
		});
		await zendesk.flushWebhooks();
		expect(receiver.received.map((r) => r.status)).toEqual([200]);
		const [item] = emitted();
		const ticket = (await api().get(`/tickets/${ticketId}.json`)).data.ticket;
		const requester = (await api().get(`/users/${ticket.requester_id}.json`)).data.user;
		expect(item).toMatchObject({
			ticketId,
			ticketStatus: 'open',
			ticketExternalId: ticket.external_id,
			comment: {
				htmlBody: expect.stringContaining('<strong>turning it off</strong>'),
				author: { id: zendesk.fixtures.anna.id, name: zendesk.fixtures.anna.name },
			},
			attachments: [
				{
					fileName: 'steps.pdf',
					contentType: 'application/pdf',
					size: 14,
					contentUrl: expect.stringContaining('/attachments/token/'),
				},
			],
			slack: { teamId: 'T1', channelId: ticket.external_id.split(':')[2], userId: requester.external_id.split(':')[2] },
		});
	});

	it("sends nothing for internal notes or for the requester's own messages posted by the bridge", async () => {
		const { ticketId, requesterId } = await createSlackTicket();
		await zendesk.agentReply(ticketId, { public: false, body: 'internal: check the toner' });
		// The inbound pipeline appends the requester's follow-up through the API.
		const followUp = await api().put(`/tickets/${ticketId}.json`, {
			ticket: { comment: { body: 'still burning', author_id: requesterId, public: true } },
		});
		expect(followUp.status).toBe(200);
		await zendesk.flushWebhooks();
		expect(emitted()).toEqual([]);
	});

	it("skips the requester's comment even when a signed delivery names it", async () => {
		const { ticketId } = await createSlackTicket();
		const comments = (await api().get(`/tickets/${ticketId}/comments.json`)).data.comments;
		const result = await deliverSigned({
			workflowId: 'wf-a',
			staticData,
			ticketId,
			commentId: comments[0].id as number,
		});
		expect(result.status).toBe(200);
		expect(result.workflowData).toBeUndefined();
		expect(result.body).toMatchObject({ skipped: 'authorIsRequester' });
	});

	it('a transient Zendesk API failure answers 503 + Retry-After, so Zendesk redelivers and the reply arrives', async () => {
		const { ticketId } = await createSlackTicket();
		// Reading the comment fails once in a way the transport does not retry itself (a long Retry-After).
		zendesk.server.injectFault('GET /api/v2/tickets/:id/comments.json', { kind: 'rateLimit', retryAfterSeconds: 120 });
		await zendesk.agentReply(ticketId, { public: true, body: 'On it.' });
		await zendesk.flushWebhooks();
		expect(receiver.received.map((r) => r.status)).toEqual([503, 200]);
		const delivery = zendesk.deliveries.find((d) => d.ticketId === ticketId)!;
		expect(delivery.delivered).toBe(true);
		expect(emitted()).toEqual([
			expect.objectContaining({
				ticketId,
				comment: expect.objectContaining({ body: expect.stringContaining('On it.') }),
			}),
		]);
	});

	it('emits a redelivered comment once', async () => {
		const { ticketId } = await createSlackTicket();
		await zendesk.agentReply(ticketId, { public: true, body: 'On it.' });
		await zendesk.flushWebhooks();
		const delivery = zendesk.deliveries.find((d) => d.ticketId === ticketId)!;
		await zendesk.redeliver(delivery.invocationId);
		await zendesk.redeliver(delivery.invocationId);
		await zendesk.flushWebhooks();
		expect(receiver.received.map((r) => r.status)).toEqual([200, 200, 200]);
		expect(emitted()).toHaveLength(1);
		expect(nodeData(staticData).deliveredCommentIds).toHaveLength(1);
	});

	it('static data that lost the signing secret (a queue-mode worker saved over it): found again at Zendesk and written back', async () => {
		const { ticketId } = await createSlackTicket();
		await zendesk.agentReply(ticketId, { public: true, body: 'On it.' });
		await zendesk.flushWebhooks();
		const [item] = emitted();
		const secret = nodeData(staticData).signingSecret as string;
		const body = JSON.stringify({ ticket_id: String(ticketId), comment_id: String((item.comment as IDataObject).id) });
		resetSecretState();
		const wiped: IDataObject = {}; // what n8n loads after a worker's save replaced the static data
		const deliver = async (signingSecret: string) => {
			const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
			return await invokeWebhook(trigger, {
				workflowId: 'wf-a',
				credentials,
				staticData: wiped,
				rawBody: body,
				headers: {
					'content-type': 'application/json',
					'x-zendesk-webhook-signature': signWebhook(signingSecret, timestamp, body),
					'x-zendesk-webhook-signature-timestamp': timestamp,
				},
				webhookBaseUrl: new URL('/', receiver.url).toString(),
			});
		};
		const admitted = await expectSecretFoundAgain(deliver, secret);
		expect(admitted.body).toEqual({ ok: true, skipped: 'duplicate' }); // this process emitted the comment before
		expect(nodeData(wiped)).toMatchObject({ signingSecret: secret, webhookId: nodeData(staticData).webhookId });
	});

	it('refuses forged and stale requests with 401 and starts nothing', async () => {
		const { ticketId } = await createSlackTicket();
		const body = JSON.stringify({ ticket_id: String(ticketId), comment_id: '1' });
		const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
		const stale = new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
		const secret = nodeData(staticData).signingSecret as string;
		const attempts = [
			{ signature: signWebhook('wrong-secret', now, body), timestamp: now },
			{ signature: signWebhook(secret, stale, body), timestamp: stale },
			{ signature: signWebhook(secret, now, `${body} `), timestamp: now },
		];
		for (const attempt of attempts) {
			const result = await invokeWebhook(trigger, {
				workflowId: 'wf-a',
				credentials,
				staticData,
				rawBody: body,
				headers: {
					'content-type': 'application/json',
					'x-zendesk-webhook-signature': attempt.signature,
					'x-zendesk-webhook-signature-timestamp': attempt.timestamp,
				},
			});
			expect(result.status).toBe(401);
			expect(result.workflowData).toBeUndefined();
		}
		const unsigned = await invokeWebhook(trigger, {
			workflowId: 'wf-a',
			credentials,
			staticData,
			rawBody: body,
			headers: { 'content-type': 'application/json' },
		});
		expect(unsigned.status).toBe(401);
	});
});

describe('with "Include Replies Made Through the API" on (audit, issue 7 item 6)', () => {
	const parameters = { options: { includeApiComments: true } };
	let receiver: Receiver;
	let staticData: IDataObject;

	beforeEach(async () => {
		staticData = {};
		receiver = await startReceiver('wf-api', staticData, parameters);
		expect(
			await runWebhookLifecycle(
				trigger,
				{ workflowId: 'wf-api', parameters: parameters as never, credentials, staticData, webhookUrl: receiver.url },
				'create',
			),
		).toBe(true);
	});

	afterEach(async () => {
		await receiver.close();
	});

	const emitted = () => receiver.received.flatMap((r) => r.items.map((i) => i.json));

	it('never echoes what the inbound pipeline posted, even for a group-DM participant who is an agent', async () => {
		const { ticketId } = await createSlackTicket();
		// The Upsert writes a participant's Slack message as that participant (an agent here), through the API, with its marker.
		const bridged = await api().put(`/tickets/${ticketId}.json`, {
			ticket: {
				comment: { body: 'from Slack: it is still on fire', author_id: zendesk.fixtures.anna.id, public: true },
				metadata: { slack_dm_keys: 'T1:D1:1700000000.000100' },
			},
		});
		expect(bridged.status).toBe(200);
		await zendesk.flushWebhooks();
		expect(receiver.received.length).toBeGreaterThan(0);
		expect(emitted()).toEqual([]);

		// An agent app's API comment (no marker) is still sent, as the option says.
		const fromApp = await api().put(`/tickets/${ticketId}.json`, {
			ticket: { comment: { body: 'Macro via app: please restart', author_id: zendesk.fixtures.anna.id, public: true } },
		});
		expect(fromApp.status).toBe(200);
		await zendesk.flushWebhooks();
		expect(emitted()).toEqual([
			expect.objectContaining({ comment: expect.objectContaining({ body: expect.stringContaining('Macro via app') }) }),
		]);
	});

	/** The Zendesk calls the trigger made since the last reset, audit reads among them. */
	const auditReads = () => Object.entries(transportCallCounts()).filter(([route]) => route.includes('/audits'));

	/** Signs and sends one delivery naming a ticket and comment, as Zendesk would. */
	async function deliver(ticketId: number, commentId: number) {
		return await deliverSigned({ workflowId: 'wf-api', staticData, ticketId, commentId, parameters });
	}

	it("a comment the cheap rules drop costs no audit read: the requester's own message, a private note, a ticket not ours", async () => {
		const { ticketId, requesterId } = await createSlackTicket();
		await zendesk.flushWebhooks();
		resetTransportCallCounts();
		// The inbound pipeline posts the requester's Slack message through the API: Zendesk notifies us.
		const followUp = await api().put(`/tickets/${ticketId}.json`, {
			ticket: { comment: { body: 'still burning', author_id: requesterId, public: true } },
		});
		expect(followUp.status).toBe(200);
		await zendesk.flushWebhooks();
		expect(receiver.received.map((r) => r.body)).toEqual([expect.objectContaining({ skipped: 'authorIsRequester' })]);
		// The ticket and the comment decide it: no users, no audits.
		expect(transportCallCounts()).toEqual({
			'zendesk GET /tickets/{id}.json': 1,
			'zendesk GET /tickets/{id}/comments.json': 1,
		});

		resetTransportCallCounts();
		const note = await api().put(`/tickets/${ticketId}.json`, {
			ticket: { comment: { body: 'internal via app', author_id: zendesk.fixtures.anna.id, public: false } },
		});
		expect(note.status).toBe(200);
		expect(
			await deliver(ticketId, note.data.audit.events.find((e: { type: string }) => e.type === 'Comment').id),
		).toMatchObject({ body: { skipped: 'privateComment' } });
		expect(auditReads()).toEqual([]);

		resetTransportCallCounts();
		const crm = await api().post('/tickets.json', {
			ticket: {
				subject: 'CRM',
				external_id: 'CRM-1',
				tags: ['slack_dm'],
				comment: { body: 'from the CRM', public: true },
			},
		});
		expect(crm.status).toBe(201);
		const crmTicketId = crm.data.ticket.id as number;
		await zendesk.flushWebhooks();
		const onCrm = await api().put(`/tickets/${crmTicketId}.json`, {
			ticket: { comment: { body: 'app reply', author_id: zendesk.fixtures.anna.id, public: true } },
		});
		expect(onCrm.status).toBe(200);
		await zendesk.flushWebhooks();
		expect(receiver.received.at(-1)?.body).toMatchObject({ skipped: 'notOurTicket' });
		// Decided from the ticket alone.
		expect(transportCallCounts()).toEqual({ 'zendesk GET /tickets/{id}.json': 1 });
		expect(emitted()).toEqual([]);
	});

	/** The inbound pipeline's comment (with its marker) on the ticket, its audit reads counted from zero: the trigger skips it. */
	async function bridgedComment(ticketId: number, key: string): Promise<void> {
		resetTransportCallCounts();
		const bridged = await api().put(`/tickets/${ticketId}.json`, {
			ticket: {
				comment: { body: 'from Slack', author_id: zendesk.fixtures.anna.id, public: true },
				metadata: { slack_dm_keys: key },
			},
		});
		expect(bridged.status).toBe(200);
		await zendesk.flushWebhooks();
		expect(receiver.received.at(-1)?.body).toMatchObject({ skipped: 'postedByBridge' });
	}

	it('a comment of the bridge on a ticket with less than a page of audits costs one audit read', async () => {
		const { ticketId } = await createSlackTicket();
		await zendesk.flushWebhooks();
		await bridgedComment(ticketId, 'T1:D1:1700000000.000300');
		// Until 2026-12-07 the audit count came first (two requests).
		expect(Object.fromEntries(auditReads())).toEqual({ 'zendesk GET /tickets/{id}/audits.json': 1 });
		expect(emitted()).toEqual([]);
	});

	it('reads the audits only for a comment every other rule lets through, across audit pages', async () => {
		const { ticketId } = await createSlackTicket();
		// More than a page of audits (private notes do not notify the trigger).
		for (let i = 0; i < 110; i++) {
			const note = await api().put(`/tickets/${ticketId}.json`, {
				ticket: { comment: { body: `note ${i}`, author_id: zendesk.fixtures.anna.id, public: false } },
			});
			expect(note.status).toBe(200);
		}
		await zendesk.flushWebhooks();
		await bridgedComment(ticketId, 'T1:D1:1700000000.000200');
		// The first page (its answer counts the audits), then the short last page; the page before
		// it, which holds the rest of the newest 100, is the first one, already read.
		expect(Object.fromEntries(auditReads())).toEqual({ 'zendesk GET /tickets/{id}/audits.json': 2 });
		expect(emitted()).toEqual([]);
	});
});
