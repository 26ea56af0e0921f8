/**
 * The Slack DM Trigger through real n8n-core webhook contexts (in-process runner), with the
 * Slack emulator answering auth.test: signature handling, url_verification, identity caching,
 * dedupe across retries (sequential, concurrent, another process) and handle routing.
 */
import {
	FIXTURE_IDS as F,
	appMessage,
	appRateLimited,
	messageIm,
	messageMpim,
	signSlackRequest,
	startSlackEmulator,
	urlVerification,
	userAuthorization,
} from '../../emulators/slack';
import type { SlackEmulatorInstance } from '../../emulators/slack';
import { SlackDmTrigger } from '../../nodes/SlackDmTrigger/SlackDmTrigger.node';
import { eventOrderOf, orderScopeOf } from '../../nodes/shared/slack/messageOrder';
import { identityCache, resetSlackTriggerState } from '../../nodes/SlackDmTrigger/triggerState';
import { messagesInFlight } from '../../nodes/shared/state/messagesInFlight';
import type { SlackDmItem } from '../../nodes/shared/types';
import { invokeWebhook, runWebhookLifecycle } from '../harness/inProcess';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { PROCESS_TOKEN } from '../../nodes/shared/state/processToken';

const DM = 'D0EMPDM';
const trigger = new SlackDmTrigger();
let slack: SlackEmulatorInstance;

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
});

afterAll(async () => {
	await slack.close();
});

beforeEach(() => {
	resetSlackTriggerState();
	slack.server.resetCalls();
	slack.server.clearFaults();
});

function credentials(token: string = F.botToken, signingSecret: string = slack.signingSecret) {
	return { slackDmApi: { accessToken: token, signingSecret, baseUrl: slack.apiUrl } };
}

function signedHeaders(rawBody: string, extra: Record<string, string> = {}, timestamp = Math.floor(Date.now() / 1000)) {
	return {
		'content-type': 'application/json',
		'x-slack-request-timestamp': String(timestamp),
		'x-slack-signature': signSlackRequest(slack.signingSecret, timestamp, rawBody),
		...extra,
	};
}

interface DeliverOptions {
	headers?: Record<string, string>;
	parameters?: INodeParameters;
	staticData?: IDataObject;
	token?: string;
	rawBody?: string;
	/** How n8n's start of the execution goes (see invokeWebhook). */
	executionStartMs?: number;
	executionStartFails?: boolean;
}

async function deliver(payload: unknown, options: DeliverOptions = {}) {
	const rawBody = options.rawBody ?? JSON.stringify(payload);
	return await invokeWebhook(trigger, {
		parameters: options.parameters ?? {},
		credentials: credentials(options.token),
		headers: { ...signedHeaders(rawBody), ...(options.headers ?? {}) },
		rawBody,
		staticData: options.staticData,
		executionStartMs: options.executionStartMs,
		executionStartFails: options.executionStartFails,
	});
}

function emittedItems(result: Awaited<ReturnType<typeof deliver>>): SlackDmItem[] {
	return (result.workflowData?.[0] ?? []).map((i) => i.json as unknown as SlackDmItem);
}

describe('Slack DM Trigger (in-process, Slack emulator)', () => {
	it('a signed DM starts one execution with the documented item', async () => {
		const payload = messageIm({ user: F.employeeId, channel: DM, text: 'My VPN is down', ts: '1700000100.000100' });
		const result = await deliver(payload);
		const items = emittedItems(result);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			eventId: payload.event_id,
			idempotencyKey: `slack:${F.teamId}:${DM}:1700000100.000100`,
			teamId: F.teamId,
			handle: { name: 'bridge', userId: F.botUserId, botId: F.botId, appId: F.appId, teamId: F.teamId },
			user: { id: F.employeeId, teamId: F.teamId, isExternal: false },
			channel: { id: DM, type: 'im', isExtShared: false },
			message: { ts: '1700000100.000100', text: 'My VPN is down', files: [] },
			kind: 'message',
			// Which process announced it: a queue-mode worker sees another token (docs/scaling.md).
			announcedIn: PROCESS_TOKEN,
		});
		expect(items[0].slackRetry).toBeUndefined();
		expect(Date.parse(items[0].receivedAt)).not.toBeNaN();
		expect(JSON.stringify(items[0])).not.toContain(F.botToken);
		expect(JSON.stringify(items[0])).not.toContain(slack.signingSecret);
	});

	it('answers url_verification with the challenge, without calling Slack', async () => {
		const result = await deliver(urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'));
		expect(result.workflowData).toBeUndefined();
		expect(result.body).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
		expect(slack.server.countCalls('auth.test')).toBe(0);
	});

	describe('the credential across requests', () => {
		/** A DM signed with `secret`, delivered with the credential `store` n8n would read now. */
		const signedWith = async (secret: string, text: string, store: ReturnType<typeof credentials>) => {
			const rawBody = JSON.stringify(messageIm({ user: F.employeeId, channel: DM, text }));
			const ts = Math.floor(Date.now() / 1000);
			return await invokeWebhook(trigger, {
				parameters: {},
				credentials: store,
				rawBody,
				headers: {
					'content-type': 'application/json',
					'x-slack-request-timestamp': String(ts),
					'x-slack-signature': signSlackRequest(secret, ts, rawBody),
				},
			});
		};

		it('is read by the first request and not again by the next ones (each read costs n8n an isolate)', async () => {
			const first = await signedWith(slack.signingSecret, 'first', credentials());
			expect(emittedItems(first)).toHaveLength(1);
			expect(first.credentialReads).toBe(2); // the trigger's own, and auth.test's
			for (const text of ['second', 'third']) {
				const next = await signedWith(slack.signingSecret, text, credentials());
				expect(emittedItems(next)).toHaveLength(1);
				expect(next.credentialReads).toBe(0);
			}
		});

		it('a changed signing secret takes effect at once: the first request signed with it re-reads, the old one is refused after', async () => {
			expect(emittedItems(await signedWith(slack.signingSecret, 'before the change', credentials()))).toHaveLength(1);
			const changed = credentials(F.botToken, 'the-new-signing-secret');
			expect(emittedItems(await signedWith('the-new-signing-secret', 'after the change', changed))).toHaveLength(1);
			expect((await signedWith(slack.signingSecret, 'old secret', changed)).status).toBe(401);
		});

		it('a stale request is refused without reading the credential again; a forged one re-reads once', async () => {
			await signedWith(slack.signingSecret, 'warm up', credentials());
			const rawBody = JSON.stringify(messageIm({ user: F.employeeId, channel: DM, text: 'replayed' }));
			const old = Math.floor(Date.now() / 1000) - 6 * 60;
			const stale = await invokeWebhook(trigger, {
				parameters: {},
				credentials: credentials(),
				rawBody,
				headers: signedHeaders(rawBody, {}, old),
			});
			expect([stale.status, stale.credentialReads]).toEqual([401, 0]);
			const forged = await signedWith('not-the-secret', 'forged', credentials());
			expect([forged.status, forged.credentialReads]).toEqual([401, 1]);
		});
	});

	describe('refused requests start nothing and never reach Slack', () => {
		const payload = () => messageIm({ user: F.employeeId, channel: DM, text: 'hello' });

		afterEach(() => {
			expect(slack.server.countCalls('auth.test')).toBe(0);
		});

		it('forged signature → 401', async () => {
			const result = await deliver(payload(), { headers: { 'x-slack-signature': `v0=${'ab'.repeat(32)}` } });
			expect(result.status).toBe(401);
			expect(result.workflowData).toBeUndefined();
		});

		it('signed with another secret → 401', async () => {
			const rawBody = JSON.stringify(payload());
			const ts = Math.floor(Date.now() / 1000);
			const result = await deliver(undefined, {
				rawBody,
				headers: {
					'x-slack-signature': signSlackRequest('not-the-secret', ts, rawBody),
					'x-slack-request-timestamp': String(ts),
				},
			});
			expect(result.status).toBe(401);
			expect(result.workflowData).toBeUndefined();
		});

		it('stale timestamp (replay) → 401', async () => {
			const rawBody = JSON.stringify(payload());
			const old = Math.floor(Date.now() / 1000) - 6 * 60;
			const result = await deliver(undefined, { rawBody, headers: signedHeaders(rawBody, {}, old) });
			expect(result.status).toBe(401);
			expect(result.workflowData).toBeUndefined();
		});

		it('missing signature headers → 401', async () => {
			const rawBody = JSON.stringify(payload());
			const result = await invokeWebhook(trigger, {
				credentials: credentials(),
				headers: { 'content-type': 'application/json' },
				rawBody,
			});
			expect(result.status).toBe(401);
			expect(result.workflowData).toBeUndefined();
		});

		it('a credential without signing secret refuses everything → 401', async () => {
			const rawBody = JSON.stringify(payload());
			const result = await invokeWebhook(trigger, {
				credentials: credentials(F.botToken, ''),
				headers: signedHeaders(rawBody),
				rawBody,
			});
			expect(result.status).toBe(401);
			expect(result.workflowData).toBeUndefined();
		});

		it('signed but malformed JSON → 400', async () => {
			const result = await deliver(undefined, { rawBody: '{"type":"event_callback",' });
			expect(result.status).toBe(400);
			expect(result.workflowData).toBeUndefined();
		});
	});

	it('calls auth.test once for many events, concurrent and sequential', async () => {
		const burst = Array.from({ length: 12 }, (_, i) =>
			messageIm({ user: F.employeeId, channel: DM, text: `message ${i}` }),
		);
		const results = await Promise.all(burst.map(async (payload) => await deliver(payload)));
		expect(results.every((r) => emittedItems(r).length === 1)).toBe(true);
		for (let i = 0; i < 5; i++) await deliver(messageIm({ user: F.employeeId, channel: DM, text: `later ${i}` }));
		expect(slack.server.countCalls('auth.test')).toBe(1);
	});

	it('activation (checkExists) primes the identity: the first event needs no auth.test', async () => {
		expect(await runWebhookLifecycle(trigger, { credentials: credentials() }, 'checkExists')).toBe(true);
		expect(await runWebhookLifecycle(trigger, { credentials: credentials() }, 'create')).toBe(true);
		expect(await runWebhookLifecycle(trigger, { credentials: credentials() }, 'delete')).toBe(true);
		expect(slack.server.countCalls('auth.test')).toBe(1);
		await deliver(messageIm({ user: F.employeeId, channel: DM, text: 'hi' }));
		expect(slack.server.countCalls('auth.test')).toBe(1);
	});

	it('activation fails clearly for a token Slack refuses', async () => {
		await expect(
			runWebhookLifecycle(trigger, { credentials: credentials('xoxb-revoked') }, 'checkExists'),
		).rejects.toThrow(/auth\.test/);
	});

	describe('auth.test inside the webhook (identity cache miss)', () => {
		it('a failed hourly refresh goes on with the last known identity, quickly', async () => {
			expect(emittedItems(await deliver(messageIm({ user: F.employeeId, channel: DM, text: 'first' })))).toHaveLength(
				1,
			);
			identityCache.clear(); // the hour is over
			slack.server.injectFault('auth.test', { kind: 'timeout' }, 5);
			const started = Date.now();
			const items = emittedItems(await deliver(messageIm({ user: F.employeeId, channel: DM, text: 'after the hour' })));
			expect(items).toHaveLength(1);
			expect(items[0].handle.userId).toBe(F.botUserId);
			expect(Date.now() - started).toBeLessThan(2_900);
		});

		it('without any known identity a failing auth.test answers an error fast, so Slack retries', async () => {
			slack.server.injectFault('auth.test', { kind: 'rateLimit', retryAfterSeconds: 20 }, 5);
			const started = Date.now();
			const outcome = await deliver(messageIm({ user: F.employeeId, channel: DM, text: 'cold start' })).then(
				(result) => ({ status: result.status, items: emittedItems(result) }),
				() => ({ status: 500, items: [] }),
			);
			expect(outcome.items).toHaveLength(0);
			expect(outcome.status).toBeGreaterThanOrEqual(500);
			expect(Date.now() - started).toBeLessThan(2_900);
			expect(slack.server.countCalls('auth.test')).toBe(1); // a 20 s Retry-After is not waited for
			slack.server.clearFaults();
			// Slack's retry, once auth.test answers again, is emitted.
			const retry = await deliver(messageIm({ user: F.employeeId, channel: DM, text: 'cold start' }), {
				headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' },
			});
			expect(emittedItems(retry)).toHaveLength(1);
		});
	});

	describe('Slack retries never emit twice', () => {
		it('sequential retries of the same event (at once, 1 and 5 minutes later)', async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'retry me' });
			const staticData: IDataObject = {};
			expect(emittedItems(await deliver(payload, { staticData }))).toHaveLength(1);
			for (const retryNum of ['1', '2', '3']) {
				const result = await deliver(payload, {
					staticData,
					headers: { 'x-slack-retry-num': retryNum, 'x-slack-retry-reason': 'http_timeout' },
				});
				expect(result.workflowData).toBeUndefined();
				expect(result.body).toEqual({ ok: true, duplicate: true });
			}
		});

		it('concurrent deliveries of one event: exactly one execution', async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'race' });
			const results = await Promise.all(
				[0, 1, 1, 0, 2].map(
					async (n) =>
						await deliver(payload, {
							headers: n ? { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } : {},
						}),
				),
			);
			expect(results.flatMap(emittedItems)).toHaveLength(1);
		});

		it('a retry whose first delivery never arrived emits once', async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'first attempt lost' });
			const headers = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'connection_failed' };
			const emitted = emittedItems(await deliver(payload, { headers }));
			expect(emitted).toHaveLength(1);
			// Its first delivery may have reached another webhook process: the Upsert of another process
			// waits for that write first (lane/earlierGate.ts).
			expect(emitted[0].slackRetry).toBe(1);
			expect(emittedItems(await deliver(payload, { headers: { ...headers, 'x-slack-retry-num': '2' } }))).toHaveLength(
				0,
			);
		});

		it('with "Remember Deliveries Across Restarts", the workflow static data still knows the event after a restart', async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'before restart' });
			const staticData: IDataObject = {};
			const parameters = { options: { rememberAcrossRestarts: true } };
			expect(emittedItems(await deliver(payload, { staticData, parameters }))).toHaveLength(1);
			resetSlackTriggerState();
			const retry = await deliver(payload, {
				staticData,
				parameters,
				headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' },
			});
			expect(retry.workflowData).toBeUndefined();
		});

		it('by default it writes no static data, so n8n answers Slack without a database write', async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'no static data' });
			const staticData: IDataObject = {};
			expect(emittedItems(await deliver(payload, { staticData }))).toHaveLength(1);
			expect(staticData).toEqual({});
		});

		it('a process with no shared state emits the same idempotency key, for the Zendesk side to dedupe', async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'queue mode' });
			const first = emittedItems(await deliver(payload, { staticData: {} }));
			resetSlackTriggerState();
			const second = emittedItems(
				await deliver(payload, {
					staticData: {},
					headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
				}),
			);
			expect(second).toHaveLength(1);
			expect(second[0].idempotencyKey).toBe(first[0].idempotencyKey);
		});

		it('a retry after a failed run (respond after the workflow, n8n answered 500) is emitted again, with the same idempotency key', async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'workflow failed' });
			const staticData: IDataObject = {};
			const lastNode = { responseMode: 'lastNode', options: { rememberAcrossRestarts: true } };
			const first = await deliver(payload, { staticData, parameters: lastNode, executionStartFails: true });
			expect(first.status).toBe(500);
			const again = emittedItems(
				await deliver(payload, {
					staticData,
					parameters: lastNode,
					headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' },
				}),
			);
			expect(again).toHaveLength(1);
			expect(again[0].idempotencyKey).toBe(`slack:${F.teamId}:${DM}:${payload.event.ts}`);
			// Once n8n took it, any later retry is a duplicate, whatever Slack's reason.
			const later = await deliver(payload, {
				staticData,
				parameters: lastNode,
				headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' },
			});
			expect(later.body).toEqual({ ok: true, duplicate: true });
		});

		it('a retry that arrives while the original waits for n8n waits too: a duplicate if n8n took the original', async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'slow start' });
			const original = deliver(payload, { executionStartMs: 400 });
			await new Promise((resolve) => setTimeout(resolve, 100));
			const retry = await deliver(payload, {
				headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
			});
			expect(emittedItems(await original)).toHaveLength(1);
			expect(retry.body).toEqual({ ok: true, duplicate: true });
			expect(retry.workflowData).toBeUndefined();
		});

		it('a retry that arrives while the original waits for n8n is emitted when n8n then fails to start the original', async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'start fails late' });
			const original = deliver(payload, { executionStartMs: 400, executionStartFails: true });
			await new Promise((resolve) => setTimeout(resolve, 100));
			const retry = await deliver(payload, {
				headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
			});
			expect((await original).status).toBe(500);
			expect(emittedItems(retry).map((item) => item.message.text)).toEqual(['start fails late']);
		});

		it("while the original is still undecided when Slack's deadline nears, the retry answers 503 so Slack tries again later", async () => {
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'very slow start' });
			const original = deliver(payload, { executionStartMs: 3_500 });
			await new Promise((resolve) => setTimeout(resolve, 100));
			const started = Date.now();
			const retry = await deliver(payload, {
				headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
			});
			expect(Date.now() - started).toBeLessThan(2_900);
			expect(retry.status).toBe(503);
			expect(retry.body).toEqual({ ok: false, error: 'earlier_delivery_pending' });
			expect(emittedItems(await original)).toHaveLength(1);
			// By Slack's next retry the original is known to be delivered.
			const next = await deliver(payload, {
				headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' },
			});
			expect(next.body).toEqual({ ok: true, duplicate: true });
		});
	});

	describe('"Group Messages Under Load"', () => {
		const grouped = { options: { groupUnderLoad: true } };
		const payloads = new Map<string, string>();
		/** The same text is the same Slack event (same event_id and ts): a second send is Slack's retry. */
		const send = async (
			text: string,
			extra: Partial<Parameters<typeof invokeWebhook>[1]> = {},
			parameters: INodeParameters = grouped,
		) => {
			if (!payloads.has(text)) payloads.set(text, JSON.stringify(messageIm({ user: F.employeeId, channel: DM, text })));
			const rawBody = payloads.get(text) as string;
			return await invokeWebhook(trigger, {
				parameters,
				credentials: credentials(),
				rawBody,
				...extra,
				headers: { ...signedHeaders(rawBody), ...extra.headers },
			});
		};
		const texts = (result: Awaited<ReturnType<typeof send>>) => emittedItems(result).map((item) => item.message.text);

		it('an idle trigger starts each message at once, alone', async () => {
			expect(texts(await send('one'))).toEqual(['one']);
			expect(texts(await send('two'))).toEqual(['two']);
		});

		it('messages arriving while n8n starts an execution go together into the next one, each acknowledged once it exists', async () => {
			const first = send('first', { executionStartMs: 300 });
			await new Promise((resolve) => setTimeout(resolve, 100));
			const later = await Promise.all(['a', 'b', 'c'].map(async (text) => await send(text, { executionStartMs: 50 })));
			expect(texts(await first)).toEqual(['first']);
			// One of the later requests leads the group; the other two answer 200 without an execution of their own.
			const leaders = later.filter((result) => result.workflowData !== undefined);
			expect(leaders).toHaveLength(1);
			expect(texts(leaders[0]).sort()).toEqual(['a', 'b', 'c']);
			for (const result of later) expect(result.status).toBe(200);
			expect(later.filter((result) => result.workflowData === undefined).map((result) => result.body)).toEqual([
				{ ok: true },
				{ ok: true },
			]);
		});

		it('when n8n cannot start the group, every message of it fails (Slack retries) and its retry is emitted', async () => {
			const first = send('first', { executionStartMs: 300 });
			await new Promise((resolve) => setTimeout(resolve, 100));
			const later = await Promise.all(['x', 'y'].map(async (text) => await send(text, { executionStartFails: true })));
			await first;
			expect(later.map((result) => result.status).sort()).toEqual([500, 503]);
			expect(later.flatMap(emittedItems)).toEqual([]);
			const member = later.find((result) => result.status === 503);
			expect(member?.body).toEqual({ ok: false, error: 'workflow_not_started' });
			// A retry without an error answer before would be a duplicate; these follow our errors (http_error).
			expect(
				texts(await send('first', { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })),
			).toEqual([]);
			const retried = await Promise.all(
				['x', 'y'].map(
					async (text) =>
						await send(text, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } }),
				),
			);
			expect(retried.flatMap(texts).sort()).toEqual(['x', 'y']);
		});

		it("a group whose leading request Slack hung up on while it waited still goes: n8n's answer decides, not the connection", async () => {
			const first = send('first', { executionStartMs: 300 });
			await new Promise((resolve) => setTimeout(resolve, 100));
			const lead = send('gone', { clientHangsUpAfterMs: 50 });
			await new Promise((resolve) => setTimeout(resolve, 10));
			const member = send('member');
			expect(texts(await first)).toEqual(['first']);
			const [gone, waited] = await Promise.all([lead, member]);
			expect(texts(gone)).toEqual(['gone', 'member']);
			expect(waited.status).toBe(200);
			expect(waited.workflowData).toBeUndefined();
			// The lane is free again, and Slack's retry of the hung-up request is a duplicate.
			expect(texts(await send('after'))).toEqual(['after']);
			const retry = await send('gone', {
				headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
			});
			expect(retry.body).toEqual({ ok: true, duplicate: true });
		});

		it('is off by default, and never applies when Slack is answered after the workflow', async () => {
			const first = send('first', { executionStartMs: 300 }, {});
			await new Promise((resolve) => setTimeout(resolve, 100));
			const plain = await Promise.all(['p', 'q'].map(async (text) => await send(text, {}, {})));
			const afterWorkflow = await Promise.all(
				['r', 's'].map(
					async (text) => await send(text, {}, { responseMode: 'lastNode', options: { groupUnderLoad: true } }),
				),
			);
			await first;
			expect([...plain, ...afterWorkflow].map(texts)).toEqual([['p'], ['q'], ['r'], ['s']]);
		});
	});

	describe("announces each emitted message, so the Zendesk node of the workflow keeps Slack's order", () => {
		/** What the Zendesk Messaging Upsert does when the message reaches it: its place, if announced. */
		const reachesUpsert = (item: SlackDmItem, workflowId = 'wf-inproc') =>
			messagesInFlight.arrived(orderScopeOf(workflowId, item), item.idempotencyKey);

		it("an emitted message is announced for its workflow and channel, in Slack's order", async () => {
			const [first] = emittedItems(await deliver(messageIm({ user: F.employeeId, channel: DM, text: 'first' })));
			const [second] = emittedItems(await deliver(messageIm({ user: F.employeeId, channel: DM, text: 'second' })));
			expect(reachesUpsert(second, 'another-workflow')).toBeUndefined();
			const place = reachesUpsert(second)!;
			expect(place.order).toBe(eventOrderOf(second));
			// The first is still on its way: the second waits for it, and no longer once it arrived.
			expect(messagesInFlight.waitUntil(orderScopeOf('wf-inproc', second), place)).toBeGreaterThan(Date.now());
			expect(reachesUpsert(first)).toBeDefined();
			expect(messagesInFlight.waitUntil(orderScopeOf('wf-inproc', second), place)).toBeUndefined();
		});

		it('a message n8n did not take is withdrawn at once; what starts nothing is never announced', async () => {
			const lastNode = { responseMode: 'lastNode' };
			const payload = messageIm({ user: F.employeeId, channel: DM, text: 'start fails' });
			const failed = await deliver(payload, { parameters: lastNode, executionStartFails: true });
			expect(failed.status).toBe(500);
			expect(messagesInFlight.size).toBe(0);
			expect((await deliver(appMessage({ channel: DM, text: 'our own reply' }))).workflowData).toBeUndefined();
			expect(messagesInFlight.size).toBe(0);
			// Slack's retry of the failed one is announced again.
			const [retried] = emittedItems(
				await deliver(payload, {
					parameters: lastNode,
					headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' },
				}),
			);
			expect(reachesUpsert(retried)).toBeDefined();
		});
	});

	it('the process memory is per trigger: two workflows each emit the event once', async () => {
		const payload = messageIm({ user: F.employeeId, channel: DM, text: 'two workflows' });
		const rawBody = JSON.stringify(payload);
		const send = async (workflowId: string) =>
			emittedItems(
				await invokeWebhook(trigger, {
					workflowId,
					credentials: credentials(),
					headers: signedHeaders(rawBody),
					rawBody,
				}),
			);
		expect(await send('wfA')).toHaveLength(1);
		expect(await send('wfB')).toHaveLength(1);
		expect(await send('wfA')).toHaveLength(0);
	});

	it('app_rate_limited is recognised and starts nothing', async () => {
		const result = await deliver(appRateLimited({ minuteRateLimited: 1700000040 }));
		expect(result.workflowData).toBeUndefined();
		expect(result.body).toEqual({ ok: true, rateLimited: true });
	});

	it("the app's own reply in the DM is an echo and starts nothing", async () => {
		const result = await deliver(appMessage({ channel: DM, text: 'Thanks, an agent will reply soon' }));
		expect(result.workflowData).toBeUndefined();
		expect(result.body).toEqual({ ok: true, ignored: 'echoHandle' });
	});

	it("user-token mode: the handle account's identity and a configured handle name", async () => {
		const payload = messageIm(
			{ user: F.employeeId, channel: 'D0ITDM', text: 'laptop broken' },
			{ authorizations: [userAuthorization(F.handleUserId)] },
		);
		const parameters = { handles: { handle: [{ name: 'IT', userId: F.handleUserId }] } };
		const items = emittedItems(await deliver(payload, { token: F.handleToken, parameters }));
		expect(items).toHaveLength(1);
		expect(items[0].handle).toMatchObject({ name: 'IT', userId: F.handleUserId, appId: F.appId });
		expect(items[0].handle.botId).toBeUndefined();
		// The same app delivers the HR handle's DMs to this URL too: this trigger is not for HR.
		const toHr = messageIm(
			{ user: F.employeeId, channel: 'D0HRDM', text: 'payslip' },
			{ authorizations: [userAuthorization(F.hrHandleUserId)] },
		);
		expect((await deliver(toHr, { token: F.handleToken, parameters })).body).toEqual({
			ok: true,
			ignored: 'notForThisHandle',
		});
	});

	it('version 3: a handle picked from the list (a resource locator in the row) routes like a typed ID', async () => {
		const payload = messageIm(
			{ user: F.employeeId, channel: 'D0ITDM3', text: 'laptop broken' },
			{ authorizations: [userAuthorization(F.handleUserId)] },
		);
		const parameters = {
			handles: { handle: [{ name: 'IT', userId: { __rl: true, mode: 'list', value: F.handleUserId } }] },
		};
		const items = emittedItems(await deliver(payload, { token: F.handleToken, parameters }));
		expect(items.map((item) => item.handle)).toEqual([expect.objectContaining({ name: 'IT', userId: F.handleUserId })]);
	});

	describe('several handles on one app, Slack naming one installation user only', () => {
		const parameters = {
			handles: {
				handle: [
					{ name: 'IT', userId: F.handleUserId },
					{ name: 'HR', userId: F.hrHandleUserId },
				],
			},
		};

		it("an envelope naming the sender (who installed the app too) is routed by the DM's members", async () => {
			const dm = slack.openDm(F.employeeId, F.hrHandleUserId);
			const payload = messageIm(
				{ user: F.employeeId, channel: dm, text: 'payslip?' },
				{ authorizations: [userAuthorization(F.employeeId)] },
			);
			const items = emittedItems(await deliver(payload, { token: F.hrHandleToken, parameters }));
			expect(items).toHaveLength(1);
			expect(items[0].handle).toMatchObject({ name: 'HR', userId: F.hrHandleUserId });
			expect(slack.server.countCalls('conversations.members')).toBe(1);
			// The next message of the conversation is known: no second lookup.
			const next = messageIm(
				{ user: F.employeeId, channel: dm, text: 'and my contract' },
				{ authorizations: [userAuthorization(F.employeeId)] },
			);
			expect(emittedItems(await deliver(next, { token: F.hrHandleToken, parameters }))[0].handle.name).toBe('HR');
			expect(slack.server.countCalls('conversations.members')).toBe(1);
		});

		it("a DM the credential cannot see is not guessed (handleUnknown, logged) until the handle's own reply shows whose it is", async () => {
			const dm = slack.openDm(F.employeeId, F.handleUserId);
			const first = messageIm(
				{ user: F.employeeId, channel: dm, text: 'laptop' },
				{ authorizations: [userAuthorization(F.employeeId)] },
			);
			expect((await deliver(first, { token: F.hrHandleToken, parameters })).body).toEqual({
				ok: true,
				ignored: 'handleUnknown',
			});
			// IT answers in the DM (an echo, dropped) ...
			const reply = messageIm(
				{ user: F.handleUserId, channel: dm, text: 'Which model?' },
				{ authorizations: [userAuthorization(F.employeeId)] },
			);
			expect((await deliver(reply, { token: F.hrHandleToken, parameters })).body).toEqual({
				ok: true,
				ignored: 'echoHandle',
			});
			// ... and from then on the conversation is IT's.
			const again = messageIm(
				{ user: F.employeeId, channel: dm, text: 'A ThinkPad' },
				{ authorizations: [userAuthorization(F.employeeId)] },
			);
			expect(emittedItems(await deliver(again, { token: F.hrHandleToken, parameters }))[0].handle.name).toBe('IT');
		});
	});

	it('filters follow the options', async () => {
		const reply = messageIm({ user: F.employeeId, channel: DM, text: 'in thread', threadTs: '1700000000.000001' });
		expect((await deliver(reply)).body).toEqual({ ok: true, ignored: 'threadReply' });
		const items = emittedItems(await deliver(reply, { parameters: { options: { includeThreadReplies: true } } }));
		expect(items[0].message.threadKey).toBe(`${DM}:1700000000.000001`);
	});

	describe('group DMs (conversations.members)', () => {
		const groupOptions = { options: { includeGroupDms: true } };

		it('emits a group DM with its human participants, without the handle', async () => {
			const group = slack.openGroupDm([F.employeeId, F.employee2Id, F.botUserId]);
			const payload = messageMpim({ user: F.employeeId, channel: group, text: 'We both cannot log in' });
			const items = emittedItems(await deliver(payload, { parameters: groupOptions }));
			expect(items).toHaveLength(1);
			expect(items[0].channel).toMatchObject({ id: group, type: 'mpim' });
			expect([...(items[0].channel.participants ?? [])].sort()).toEqual([F.employeeId, F.employee2Id].sort());
			const calls = slack.server.callsTo('conversations.members');
			expect(calls).toHaveLength(1);
			expect(calls[0].response.body).toMatchObject({ ok: true, response_metadata: { next_cursor: '' } });
			// a second message of the same group uses the cached member list
			await deliver(messageMpim({ user: F.employee2Id, channel: group, text: 'me too' }), { parameters: groupOptions });
			expect(slack.server.countCalls('conversations.members')).toBe(1);
		});

		it('without mpim:read the message still comes through, without participants', async () => {
			slack.issueToken('xoxb-no-mpim', {
				kind: 'bot',
				userId: F.botUserId,
				teamId: F.teamId,
				appId: F.appId,
				botId: F.botId,
				scopes: ['chat:write', 'im:history', 'mpim:history', 'im:read'],
			});
			const group = slack.openGroupDm([F.employeeId, F.employee2Id, F.botUserId]);
			const items = emittedItems(
				await deliver(messageMpim({ user: F.employeeId, channel: group, text: 'no scope' }), {
					parameters: groupOptions,
					token: 'xoxb-no-mpim',
				}),
			);
			expect(items).toHaveLength(1);
			expect(items[0].channel.participants ?? []).toEqual([]);
			expect(slack.server.callsTo('conversations.members')[0].response.body).toMatchObject({
				ok: false,
				error: 'missing_scope',
				needed: 'mpim:read',
			});
			// The refusal is remembered: the next messages of the group cost no Slack call.
			for (const text of ['still no scope', 'and again']) {
				expect(
					emittedItems(
						await deliver(messageMpim({ user: F.employee2Id, channel: group, text }), {
							parameters: groupOptions,
							token: 'xoxb-no-mpim',
						}),
					),
				).toHaveLength(1);
			}
			expect(slack.server.countCalls('conversations.members')).toBe(1);
		});

		it('a conversation this token cannot see (channel_not_found) still comes through, without participants', async () => {
			const items = emittedItems(
				await deliver(messageMpim({ user: F.employeeId, channel: 'G0NOTOURS', text: 'other handle' }), {
					parameters: groupOptions,
				}),
			);
			expect(items).toHaveLength(1);
			expect(items[0].channel.participants).toBeUndefined();
			expect(slack.server.callsTo('conversations.members')[0].response.body).toMatchObject({
				ok: false,
				error: 'channel_not_found',
			});
		});

		it.each([
			['Slack down (HTTP 500 on every attempt)', { kind: 'status', status: 500 } as const],
			['rate limited with a long Retry-After', { kind: 'rateLimit', retryAfterSeconds: 30 } as const],
			['no answer at all', { kind: 'timeout' } as const],
		])("%s: the message comes through without participants, well within Slack's 3 seconds", async (_name, fault) => {
			await runWebhookLifecycle(trigger, { credentials: credentials() }, 'checkExists');
			const group = slack.openGroupDm([F.employeeId, F.employee2Id, F.botUserId]);
			slack.server.injectFault('conversations.members', fault, 5);
			const started = Date.now();
			const items = emittedItems(
				await deliver(messageMpim({ user: F.employeeId, channel: group, text: 'slack trouble' }), {
					parameters: groupOptions,
				}),
			);
			const took = Date.now() - started;
			expect(items).toHaveLength(1);
			expect(items[0].channel.participants).toBeUndefined();
			expect(took).toBeLessThan(2_900);
			expect(slack.server.countCalls('conversations.members')).toBeLessThanOrEqual(2);
		});

		it('a failed lookup is not cached: the next message of the group gets its participants', async () => {
			const group = slack.openGroupDm([F.employeeId, F.employee2Id, F.botUserId]);
			slack.server.injectFault('conversations.members', { kind: 'status', status: 503 }, 2);
			expect(
				emittedItems(
					await deliver(messageMpim({ user: F.employeeId, channel: group, text: 'one' }), { parameters: groupOptions }),
				)[0].channel.participants,
			).toBeUndefined();
			const later = emittedItems(
				await deliver(messageMpim({ user: F.employeeId, channel: group, text: 'two' }), { parameters: groupOptions }),
			);
			expect([...(later[0].channel.participants ?? [])].sort()).toEqual([F.employeeId, F.employee2Id].sort());
		});

		it('group DMs stay off by default', async () => {
			const group = slack.openGroupDm([F.employeeId, F.employee2Id, F.botUserId]);
			const result = await deliver(messageMpim({ user: F.employeeId, channel: group, text: 'off' }));
			expect(emittedItems(result)).toHaveLength(0);
			expect(slack.server.countCalls('conversations.members')).toBe(0);
		});
	});
});
