/**
 * Zendesk Reply Trigger, source "Zendesk Messaging", against the Sunshine emulator joined to the
 * Zendesk emulator (the agent workspace), through real n8n-core contexts: activation creates its
 * own integration and webhook and deactivation removes only those; X-API-Key before any work;
 * agent messages emitted once with the conversation's Slack destination; notes, users' and bots'
 * messages dropped; a solved ticket as the optional solved item.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { startSunshineEmulator, type SunshineEmulator } from '../../emulators/sunshine';
import { startZendeskEmulator, type ZendeskEmulator } from '../../emulators/zendesk';
import { ZendeskReplyTrigger } from '../../nodes/ZendeskReplyTrigger/ZendeskReplyTrigger.node';
import { resetMessagingState } from '../../nodes/ZendeskReplyTrigger/messaging/messagingState';
import { resetSecretState } from '../../nodes/ZendeskReplyTrigger/secretState';
import { resetTransportCallCounts, totalTransportCalls } from '../../nodes/shared/transport/callStats';
import { invokeWebhook, runWebhookLifecycle } from '../harness/inProcess';
import { expectSecretFoundAgain } from '../harness/lostSecret';

const trigger = new ZendeskReplyTrigger();

interface Receiver {
	url: string;
	received: Array<{ status: number; items: INodeExecutionData[]; body?: unknown; raw: string }>;
	close(): Promise<void>;
}

let zendesk: ZendeskEmulator;
let sunshine: SunshineEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;

const PARAMETERS: IDataObject = {
	source: 'zendeskMessaging',
	messagingOptions: { solvedEvents: true },
	handles: { handle: [{ name: 'IT', userId: 'U0ITHANDLE' }] },
};

/** Plays n8n's webhook endpoint for one workflow: every POST goes through the node's webhook(). */
async function startReceiver(workflowId: string, staticData: IDataObject, parameters = PARAMETERS): Promise<Receiver> {
	const received: Receiver['received'] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
			const raw = Buffer.concat(chunks);
			invokeWebhook(trigger, {
				workflowId,
				parameters: parameters as never,
				credentials,
				staticData,
				headers,
				rawBody: raw,
			})
				.then((result) => {
					received.push({
						status: result.status,
						items: result.workflowData?.[0] ?? [],
						body: result.body,
						raw: raw.toString(),
					});
					res.writeHead(result.status, { 'Content-Type': 'application/json' });
					res.end(JSON.stringify(result.body ?? {}));
				})
				.catch((error: Error) => {
					received.push({ status: 500, items: [], raw: raw.toString() });
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

function lifecycle(
	workflowId: string,
	staticData: IDataObject,
	webhookUrl: string,
	method: 'checkExists' | 'create' | 'delete',
	mode: 'trigger' | 'manual' = 'trigger',
) {
	return runWebhookLifecycle(
		trigger,
		{ workflowId, parameters: PARAMETERS as never, credentials, staticData, webhookUrl, mode },
		method,
	);
}

function nodeData(staticData: IDataObject): IDataObject {
	const key = Object.keys(staticData).find((k) => k.startsWith('node:'));
	return (key ? staticData[key] : {}) as IDataObject;
}

type Body = ReturnType<typeof JSON.parse>;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
	const { appKey, appId } = sunshine.fixtures;
	const response = await fetch(`${sunshine.apiUrl}/v2/apps/${appId}${path}`, {
		method,
		headers: {
			Authorization: `Basic ${Buffer.from(`${appKey.id}:${appKey.secret}`).toString('base64')}`,
			'Content-Type': 'application/json',
		},
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : {} };
}

interface Conversation {
	userId: string;
	conversationId: string;
	channelId: string;
	ticketId: number;
}

/**
 * A messaging conversation as the Upsert's messaging mode makes it (written here through the API):
 * a user with the Slack external id, a conversation whose metadata names the Slack DM and handle,
 * the user's first message (the agent workspace is the switchboard's default: it opens the ticket).
 */
async function startConversation(metadata: Record<string, string> = {}): Promise<Conversation> {
	const suffix = Math.random().toString(36).slice(2, 8).toUpperCase();
	const channelId = `D${suffix}`;
	const user = (await call('POST', '/users', { externalId: `slack:T1:U${suffix}`, profile: { givenName: 'Erin' } }))
		.body.user;
	const conversation = (
		await call('POST', '/conversations', {
			type: 'personal',
			participants: [{ userId: user.id }],
			metadata: { slack_conversation: `slack-dm:T1:${channelId}`, slack_handle: 'slack_handle_it', ...metadata },
		})
	).body.conversation;
	expect(
		(
			await call('POST', `/conversations/${conversation.id}/messages`, {
				author: { type: 'user', userId: user.id },
				content: { type: 'text', text: 'my laptop is broken' },
			})
		).status,
	).toBe(201);
	const ticket = sunshine.agentWorkspace?.tickets.find((t) => t.conversationId === conversation.id);
	expect(ticket).toBeDefined();
	await sunshine.flushWebhooks();
	return { userId: user.id, conversationId: conversation.id, channelId, ticketId: ticket!.ticketId };
}

const itemsOf = (receiver: Receiver) => receiver.received.flatMap((r) => r.items.map((item) => item.json));
const skippedOf = (receiver: Receiver) =>
	receiver.received.flatMap((r) => ((r.body as { skipped?: string[] } | undefined)?.skipped ?? []) as string[]);

/** Activates a trigger for one workflow and runs `use`; deactivates and closes afterwards. */
async function withActiveTrigger(
	use: (receiver: Receiver, staticData: IDataObject) => Promise<void>,
	parameters = PARAMETERS,
): Promise<void> {
	const staticData: IDataObject = {};
	const receiver = await startReceiver('wf-m', staticData, parameters);
	try {
		expect(await lifecycle('wf-m', staticData, receiver.url, 'create')).toBe(true);
		await use(receiver, staticData);
	} finally {
		await sunshine.flushWebhooks();
		await lifecycle('wf-m', staticData, receiver.url, 'delete');
		await receiver.close();
	}
}

beforeAll(async () => {
	zendesk = await startZendeskEmulator({ rateLimits: false });
	sunshine = await startSunshineEmulator({ zendesk, webhookTimeScale: 0.001, webhookTimeoutMs: 5_000 });
	const { appId, appKey } = sunshine.fixtures;
	credentials = {
		zendeskMessagingApi: {
			subdomain: 'acme',
			appId,
			keyId: appKey.id,
			secret: appKey.secret,
			authMethod: 'basic',
			baseUrl: sunshine.url,
		},
	};
});

afterAll(async () => {
	await sunshine.close();
	await zendesk.close();
});

beforeEach(async () => {
	await sunshine.flushWebhooks();
	sunshine.reset();
	zendesk.reset();
	resetMessagingState();
	resetSecretState();
});

afterEach(() => {
	expect(sunshine.agentWorkspace?.problems).toEqual([]);
});

describe('activation', () => {
	it('creates its own integration with one webhook, finds it again, and deletes only it', async () => {
		const other = await call('POST', '/integrations', {
			type: 'custom',
			displayName: 'someone else',
			webhooks: [{ target: 'http://127.0.0.1:9/other', triggers: ['conversation:message'] }],
		});
		expect(other.status).toBe(201);
		const staticData: IDataObject = {};
		const receiver = await startReceiver('wf-a', staticData);
		try {
			expect(await lifecycle('wf-a', staticData, receiver.url, 'checkExists')).toBe(false);
			expect(await lifecycle('wf-a', staticData, receiver.url, 'create')).toBe(true);
			const data = nodeData(staticData);
			const integration = (await call('GET', `/integrations/${String(data.sunshineIntegrationId)}`)).body.integration;
			expect(integration).toMatchObject({ type: 'custom', displayName: expect.stringContaining('wf-a/') });
			expect(String(data.sunshineTarget).startsWith(new URL('/', receiver.url).toString())).toBe(true);
			expect(integration.webhooks).toEqual([
				expect.objectContaining({
					id: data.sunshineWebhookId,
					target: data.sunshineTarget,
					triggers: ['conversation:message', 'switchboard:releaseControl'],
					secret: data.sunshineSecret,
				}),
			]);
			expect(await lifecycle('wf-a', staticData, receiver.url, 'checkExists')).toBe(true);
			// Static data lost (e.g. a restored workflow): found again by name and URL, not created twice.
			const lost: IDataObject = {};
			expect(await lifecycle('wf-a', lost, receiver.url, 'checkExists')).toBe(true);
			expect(nodeData(lost)).toMatchObject({
				sunshineIntegrationId: data.sunshineIntegrationId,
				sunshineSecret: data.sunshineSecret,
			});

			expect(await lifecycle('wf-a', staticData, receiver.url, 'delete')).toBe(true);
			const left = (await call('GET', '/integrations')).body.integrations as Array<{ id: string }>;
			expect(left.map((i) => i.id)).toEqual([other.body.integration.id]);
			expect(nodeData(staticData).sunshineIntegrationId).toBeUndefined();
			expect(await lifecycle('wf-a', staticData, receiver.url, 'checkExists')).toBe(false);
		} finally {
			await receiver.close();
		}
	});

	it('a test run (manual) never deletes the production integration of the same node', async () => {
		const staticData: IDataObject = {};
		const production = await startReceiver('wf-t', staticData);
		const test = await startReceiver('wf-t', {});
		try {
			expect(await lifecycle('wf-t', staticData, production.url, 'create')).toBe(true);
			const productionId = nodeData(staticData).sunshineIntegrationId;
			// n8n runs the test webhook with the workflow's static data as stored (the production ids).
			const testData = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			expect(await lifecycle('wf-t', testData, test.url, 'checkExists', 'manual')).toBe(false);
			expect(await lifecycle('wf-t', testData, test.url, 'create', 'manual')).toBe(true);
			expect((await call('GET', '/integrations')).body.integrations).toHaveLength(2);
			expect(await lifecycle('wf-t', testData, test.url, 'delete', 'manual')).toBe(true);
			// Even a test delete that still holds the production ids leaves them.
			expect(await lifecycle('wf-t', JSON.parse(JSON.stringify(staticData)), test.url, 'delete', 'manual')).toBe(true);
			const left = (await call('GET', '/integrations')).body.integrations as Array<{ id: string }>;
			expect(left.map((i) => i.id)).toEqual([productionId]);
			expect(await lifecycle('wf-t', staticData, production.url, 'checkExists')).toBe(true);
			await lifecycle('wf-t', staticData, production.url, 'delete');
		} finally {
			await production.close();
			await test.close();
		}
	});
});

/** An agent's reply as Sunshine delivered it to the active trigger (the raw body to send again). */
async function firstGenuineDelivery(receiver: Receiver): Promise<Receiver['received'][number]> {
	const conversation = await startConversation();
	await zendesk.agentReply(conversation.ticketId, { body: 'Looking into it', public: true });
	await sunshine.flushWebhooks();
	const genuine = receiver.received.find((r) => r.items.length === 1);
	if (!genuine) throw new Error('Sunshine delivered no agent reply');
	return genuine;
}

describe('X-API-Key', () => {
	it('a missing or forged key is 401 and starts no work (no API call, no item)', async () => {
		await withActiveTrigger(async (receiver, staticData) => {
			const genuine = await firstGenuineDelivery(receiver);
			resetMessagingState();
			resetTransportCallCounts();
			const secret = String(nodeData(staticData).sunshineSecret);
			const forged = `${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`;
			const attempts: Array<Record<string, string>> = [
				{},
				{ 'x-api-key': forged },
				{ 'x-api-key': '' },
				{ 'x-api-key': `${secret}x` },
				{ 'X-API-KEY': secret.toUpperCase() },
			];
			for (const headers of attempts) {
				const result = await invokeWebhook(trigger, {
					workflowId: 'wf-m',
					parameters: PARAMETERS as never,
					credentials,
					staticData,
					rawBody: genuine.raw,
					headers: { 'content-type': 'application/json', ...headers },
				});
				expect(result.status).toBe(401);
				expect(result.workflowData).toBeUndefined();
			}
			expect(totalTransportCalls()).toBe(0);
		});
	});
});

describe('static data that lost the secret (a queue-mode worker saved over it)', () => {
	it('a genuine delivery is admitted with the secret found again at Sunshine and written back; forged ones cost one look-up', async () => {
		await withActiveTrigger(async (receiver, staticData) => {
			const genuine = await firstGenuineDelivery(receiver);
			const secret = String(nodeData(staticData).sunshineSecret);
			resetMessagingState();
			resetSecretState();
			const wiped: IDataObject = {}; // what n8n loads after a worker's save replaced the static data
			const deliver = async (apiKey: string) =>
				await invokeWebhook(trigger, {
					workflowId: 'wf-m',
					parameters: PARAMETERS as never,
					credentials,
					staticData: wiped,
					rawBody: genuine.raw,
					headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
					webhookBaseUrl: new URL('/', receiver.url).toString(),
				});
			const admitted = await expectSecretFoundAgain(deliver, secret);
			expect(admitted.workflowData?.[0]).toHaveLength(1);
			expect(nodeData(wiped)).toMatchObject({
				sunshineSecret: secret,
				sunshineWebhookId: nodeData(staticData).sunshineWebhookId,
				sunshineIntegrationId: nodeData(staticData).sunshineIntegrationId,
			});
		});
	});
});

describe('agent messages', () => {
	it('an agent public comment is one item with the Slack destination and handle; an internal note is nothing', async () => {
		await withActiveTrigger(async (receiver) => {
			const conversation = await startConversation();
			await zendesk.agentReply(conversation.ticketId, { body: 'Looking **into** it', public: true });
			await zendesk.agentReply(conversation.ticketId, { body: 'internal: check the asset db', public: false });
			await sunshine.flushWebhooks();
			const items = itemsOf(receiver);
			expect(items).toHaveLength(1);
			expect(items[0]).toMatchObject({
				event: 'agentReply',
				ticketStatus: 'open',
				ticketExternalId: `slack-dm:T1:${conversation.channelId}`,
				comment: { body: 'Looking **into** it', htmlBody: '', author: { name: zendesk.fixtures.anna.name } },
				attachments: [],
				slack: { teamId: 'T1', channelId: conversation.channelId },
				handle: { name: 'IT', slug: 'it', userId: 'U0ITHANDLE' },
				messaging: { conversationId: conversation.conversationId, appId: sunshine.fixtures.appId },
			});
			expect(receiver.received.every((r) => r.status === 200)).toBe(true);
		});
	});

	it("the user's own messages, activities and bots' messages are dropped with a reason", async () => {
		await withActiveTrigger(async (receiver) => {
			const conversation = await startConversation();
			const post = (body: unknown) => call('POST', `/conversations/${conversation.conversationId}/messages`, body);
			expect(
				(
					await post({
						author: { type: 'user', userId: conversation.userId },
						content: { type: 'text', text: 'hello?' },
					})
				).status,
			).toBe(201);
			expect(
				(
					await post({
						author: { type: 'business', subtypes: ['AI'] },
						content: { type: 'text', text: 'I am an AI agent' },
					})
				).status,
			).toBe(201);
			expect(
				(
					await post({
						author: { type: 'business', subtypes: ['activity'] },
						content: { type: 'text', text: 'ticket closed' },
					})
				).status,
			).toBe(201);
			expect(
				(
					await post({
						author: { type: 'business', displayName: 'Some app' },
						content: { type: 'text', text: 'from an API app' },
					})
				).status,
			).toBe(201);
			await sunshine.flushWebhooks();
			expect(itemsOf(receiver)).toEqual([]);
			expect(skippedOf(receiver).sort()).toEqual(
				['activity', 'botMessage', 'notAgent', 'userMessage', 'userMessage'].sort(),
			);
		});
	});

	it('a conversation without our metadata is not ours: nothing', async () => {
		await withActiveTrigger(async (receiver) => {
			const conversation = await startConversation({ slack_conversation: 'something-else' });
			await zendesk.agentReply(conversation.ticketId, { body: 'Hi', public: true });
			await sunshine.flushWebhooks();
			expect(itemsOf(receiver)).toEqual([]);
			expect(skippedOf(receiver)).toContain('notOurConversation');
		});
	});

	it('a retried delivery (Sunshine redelivers after a failure, or twice) is one item', async () => {
		await withActiveTrigger(async (receiver, staticData) => {
			const conversation = await startConversation();
			await zendesk.agentReply(conversation.ticketId, { body: 'Once only', public: true });
			await sunshine.flushWebhooks();
			const delivered = receiver.received.find((r) => r.items.length === 1)!;
			const again = await invokeWebhook(trigger, {
				workflowId: 'wf-m',
				parameters: PARAMETERS as never,
				credentials,
				staticData,
				rawBody: delivered.raw,
				headers: { 'content-type': 'application/json', 'x-api-key': String(nodeData(staticData).sunshineSecret) },
			});
			expect(again.status).toBe(200);
			expect(again.workflowData).toBeUndefined();
			expect(again.body).toEqual({ ok: true, skipped: ['duplicate'] });
			expect(itemsOf(receiver)).toHaveLength(1);
		});
	});

	it("a delivery the API cannot complete is answered 503 and Sunshine's retry brings the item once", async () => {
		await withActiveTrigger(async (receiver) => {
			const conversation = await startConversation();
			sunshine.server.injectFault(
				'GET /sc/v2/apps/:appId/conversations/:conversationId/messages',
				{
					kind: 'status',
					status: 503,
					body: { errors: [{ code: 'service_unavailable', title: 'Service Unavailable' }] },
				},
				5,
			);
			await zendesk.agentReply(conversation.ticketId, { body: 'After an outage', public: true });
			await sunshine.flushWebhooks();
			expect(receiver.received.some((r) => r.status === 503)).toBe(true);
			expect(itemsOf(receiver)).toHaveLength(1);
			expect((itemsOf(receiver)[0] as IDataObject).comment).toMatchObject({ body: 'After an outage' });
		});
	});
});

describe('solved tickets', () => {
	it('solving the ticket emits the solved item when the option is on, and nothing when it is off', async () => {
		await withActiveTrigger(async (receiver) => {
			const conversation = await startConversation();
			await zendesk.agentReply(conversation.ticketId, { body: 'Fixed', public: true, status: 'solved' });
			await sunshine.flushWebhooks();
			// Two deliveries, two executions: Sunshine promises no order between them (docs: "Zendesk messaging").
			const items = itemsOf(receiver);
			expect(items.map((item) => item.event).sort()).toEqual(['agentReply', 'ticketSolved']);
			const solved = items.find((item) => item.event === 'ticketSolved')!;
			expect(solved).toMatchObject({
				ticketStatus: 'solved',
				slack: { channelId: conversation.channelId },
				handle: { name: 'IT' },
				attachments: [],
			});
			expect(solved.comment).toBeUndefined();
		});
		await withActiveTrigger(
			async (receiver) => {
				const conversation = await startConversation();
				await zendesk.agentReply(conversation.ticketId, { body: 'Fixed', public: true, status: 'solved' });
				await sunshine.flushWebhooks();
				expect(itemsOf(receiver).map((item) => item.event)).toEqual(['agentReply']);
				expect(skippedOf(receiver)).toContain('controlReleased');
			},
			{ ...PARAMETERS, messagingOptions: {} },
		);
	});
});
