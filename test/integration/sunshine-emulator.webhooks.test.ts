/**
 * Sunshine emulator: custom integrations with their webhook, the switchboard, attachments, and
 * webhook deliveries (payload shapes against the spec's x-webhooks, X-API-Key, the retry rules on a
 * clock scaled 1000× faster, the 20 s timeout).
 */
import { startSunshineEmulator } from '../../emulators/sunshine';
import type { SunshineEmulator } from '../../emulators/sunshine';
import { startWebhookReceiver } from '../../emulators/sunshine/receiver';
import type { WebhookReceiver } from '../../emulators/sunshine/receiver';
import { RETRY_INTERVALS_MS } from '../../emulators/sunshine/webhooks';
import { specGuard } from '../harness/specGuard';
import { sunshineWebhookProblems } from '../harness/sunshineSpec';

type Body = ReturnType<typeof JSON.parse>;

let emu: SunshineEmulator;
let hook: WebhookReceiver;

async function call(
	method: string,
	path: string,
	body?: unknown,
	headers: Record<string, string> = {},
): Promise<{ status: number; body: Body }> {
	const response = await fetch(`${emu.apiUrl}${path.replace('{app}', emu.fixtures.appId)}`, {
		method,
		headers: {
			Authorization: `Bearer ${emu.appJwt()}`,
			...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
			...headers,
		},
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : {} };
}

const ALL = [
	'conversation:message',
	'switchboard:passControl',
	'switchboard:releaseControl',
	'conversation:message:delivery:failure',
];

async function integration(triggers = ALL): Promise<Body> {
	const answer = await call('POST', '/v2/apps/{app}/integrations', {
		type: 'custom',
		displayName: 'Slack bridge',
		webhooks: [{ target: hook.url, triggers, includeFullUser: true }],
	});
	expect(answer.status).toBe(201);
	return answer.body.integration;
}

function conversation(): { userId: string; conversationId: string } {
	const user = emu.messaging.createUser({ externalId: `u-${Math.random()}`, profile: { givenName: 'Ada' } });
	const conv = emu.messaging.createConversation({ type: 'personal', participants: [{ userId: user.id }] });
	return { userId: user.id, conversationId: conv.id };
}

async function userSays(ids: { userId: string; conversationId: string }, text: string): Promise<Body> {
	const answer = await call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/messages`, {
		author: { type: 'user', userId: ids.userId },
		content: { type: 'text', text },
	});
	expect(answer.status).toBe(201);
	return answer.body.messages[0];
}

beforeAll(async () => {
	emu = await startSunshineEmulator({ webhookTimeScale: 0.001, webhookTimeoutMs: 5_000 }); // retries fast, but no spurious timeout on a busy machine
	hook = await startWebhookReceiver();
});

afterAll(async () => {
	await emu.close();
	await hook.close();
});

beforeEach(async () => {
	await emu.flushWebhooks();
	emu.reset();
	hook.clear();
});

describe('integrations and webhooks', () => {
	it('creates a custom integration with its webhook and secret, lists, reads and deletes them', async () => {
		const created = await integration();
		expect(created).toMatchObject({
			type: 'custom',
			status: 'active',
			displayName: 'Slack bridge',
			webhooks: [{ target: hook.url, triggers: ALL, version: 'v2', includeFullUser: true }],
		});
		expect(created.webhooks[0].secret).toMatch(/^[0-9a-f]{32}$/);
		expect((await call('GET', '/v2/apps/{app}/integrations')).body.integrations.map((i: Body) => i.id)).toEqual([
			created.id,
		]);
		expect((await call('GET', `/v2/apps/{app}/integrations/${created.id}`)).body.integration.webhooks[0].secret).toBe(
			created.webhooks[0].secret,
		);
		const second = await call('POST', `/v2/apps/{app}/integrations/${created.id}/webhooks`, {
			target: `${hook.url}/2`,
			triggers: ['conversation:message'],
		});
		expect(second.status).toBe(201);
		expect((await call('GET', `/v2/apps/{app}/integrations/${created.id}/webhooks`)).body.webhooks).toHaveLength(2);
		expect(
			(await call('GET', `/v2/apps/{app}/integrations/${created.id}/webhooks/${second.body.webhook.id}`)).body.webhook
				.target,
		).toBe(`${hook.url}/2`);
		expect(
			(await call('DELETE', `/v2/apps/{app}/integrations/${created.id}/webhooks/${second.body.webhook.id}`)).status,
		).toBe(200);
		expect((await call('DELETE', `/v2/apps/{app}/integrations/${created.id}`)).status).toBe(200);
		expect((await call('GET', `/v2/apps/{app}/integrations/${created.id}`)).status).toBe(404);
	});

	it('refuses other integration types and a custom integration without exactly one webhook', async () => {
		expect((await call('POST', '/v2/apps/{app}/integrations', { type: 'custom', webhooks: [] })).status).toBe(400);
		expect(
			(
				await call('POST', '/v2/apps/{app}/integrations', {
					type: 'custom',
					webhooks: [{ target: 'not a url', triggers: ['conversation:message'] }],
				})
			).status,
		).toBe(400);
		const unknownTrigger = await call('POST', '/v2/apps/{app}/integrations', {
			type: 'custom',
			webhooks: [{ target: hook.url, triggers: ['Conversation:Message'] }],
		});
		expect(unknownTrigger.status).toBe(400);
		expect(unknownTrigger.body.errors[0].title).toMatch(/Conversation:Message/);
		expect((await call('POST', '/v2/apps/{app}/integrations', { type: 'whatsapp' })).status).toBe(400);
		expect((await call('GET', '/v2/apps/{app}/integrations')).body.integrations).toEqual([]);
	});
});

describe('webhook deliveries', () => {
	it('delivers conversation:message with the secret in X-API-Key, shaped as the spec says', async () => {
		const created = await integration();
		const ids = conversation();
		const message = await userSays(ids, 'hello');
		const [delivery] = await hook.waitFor(1);
		expect(delivery.headers['x-api-key']).toBe(created.webhooks[0].secret);
		expect(sunshineWebhookProblems(delivery.body)).toEqual([]);
		expect(delivery.body).toMatchObject({
			app: { id: emu.fixtures.appId },
			webhook: { id: created.webhooks[0].id, version: 'v2' },
		});
		const event = (delivery.body.events as Body[])[0];
		expect(event).toMatchObject({
			type: 'conversation:message',
			payload: {
				conversation: { id: ids.conversationId, type: 'personal' },
				message: {
					id: message.id,
					author: { type: 'user', userId: ids.userId, user: { id: ids.userId, profile: { givenName: 'Ada' } } },
					content: { type: 'text', text: 'hello' },
				},
			},
		});
		expect(event.id).toMatch(/^[0-9a-f]{24}$/);
	});

	it('retries a failing target 5 times over 15 minutes, at growing intervals', async () => {
		await integration(['conversation:message']);
		hook.script(500, 500, 500, 500, 500, 500);
		await userSays(conversation(), 'retry me');
		await emu.flushWebhooks();
		const [delivery] = emu.deliveries;
		expect(delivery.attempts.map((a) => a.status)).toEqual([500, 500, 500, 500, 500]);
		expect(delivery.attempts.map((a) => a.afterMs)).toEqual([0, ...RETRY_INTERVALS_MS]);
		expect(RETRY_INTERVALS_MS.reduce((a, b) => a + b, 0)).toBe(15 * 60_000);
		expect(delivery).toMatchObject({ delivered: false, done: true });
		expect(hook.received).toHaveLength(5);
	});

	it('stops at the first success', async () => {
		await integration(['conversation:message']);
		hook.script(503, 200);
		await userSays(conversation(), 'second time lucky');
		await emu.flushWebhooks();
		expect(emu.deliveries[0].attempts.map((a) => a.status)).toEqual([503, 200]);
		expect(emu.deliveries[0].delivered).toBe(true);
	});

	it.each([400, 401, 403, 404, 406])('never retries a non-recoverable %i', async (status) => {
		await integration(['conversation:message']);
		hook.script(status);
		await userSays(conversation(), 'no retry');
		await emu.flushWebhooks();
		expect(emu.deliveries[0].attempts.map((a) => a.status)).toEqual([status]);
	});

	it('retries 409 and 429 (only the listed statuses are final)', async () => {
		await integration(['conversation:message']);
		hook.script(409, 429, 200);
		await userSays(conversation(), 'x');
		await emu.flushWebhooks();
		expect(emu.deliveries[0].attempts.map((a) => a.status)).toEqual([409, 429, 200]);
	});

	it('counts no answer within the timeout as a failure and retries', async () => {
		const impatient = await startSunshineEmulator({ webhookTimeScale: 0.001, webhookTimeoutMs: 150 });
		try {
			const user = impatient.messaging.createUser({ externalId: 'slow' });
			const conv = impatient.messaging.createConversation({ type: 'personal', participants: [{ userId: user.id }] });
			impatient.store.integrations.set('i1', { id: 'i1', type: 'custom', displayName: null });
			impatient.store.webhooks.set('w1', {
				id: 'w1',
				integrationId: 'i1',
				target: hook.url,
				triggers: ['conversation:message'],
				secret: 's',
				includeFullUser: false,
				includeFullSource: false,
			});
			hook.delay(400); // always later than the 150 ms timeout
			impatient.messaging.postMessage(
				conv,
				impatient.messaging.messageInputOf(conv, {
					author: { type: 'user', userId: user.id },
					content: { type: 'text', text: 'slow' },
				}),
			);
			await impatient.flushWebhooks();
			expect(impatient.deliveries[0].attempts.map((a) => a.error)).toEqual([
				'timeout',
				'timeout',
				'timeout',
				'timeout',
				'timeout',
			]);
		} finally {
			await impatient.close();
		}
	});

	it('scales the 20 s timeout with the clock: no answer within 20 s × scale is a failure, the retry succeeds', async () => {
		const scaled = await startSunshineEmulator({ webhookTimeScale: 0.02 }); // 20 s → 400 ms; first retry after 1.2 s
		try {
			scaled.messaging.createUser({ externalId: 'slow' });
			const created = await fetch(`${scaled.apiUrl}/v2/apps/${scaled.fixtures.appId}/integrations`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${scaled.appJwt()}`, 'Content-Type': 'application/json' },
				body: JSON.stringify({ type: 'custom', webhooks: [{ target: hook.url, triggers: ['conversation:message'] }] }),
			});
			expect(created.status).toBe(201);
			const user = scaled.store.userByIdOrExternalId('slow')!;
			const conv = scaled.messaging.createConversation({ type: 'personal', participants: [{ userId: user.id }] });
			hook.delay(1_500);
			scaled.messaging.postMessage(
				conv,
				scaled.messaging.messageInputOf(conv, {
					author: { type: 'user', userId: user.id },
					content: { type: 'text', text: 'x' },
				}),
			);
			await hook.waitFor(1);
			hook.delay(0);
			await scaled.flushWebhooks();
			expect(scaled.deliveries[0].attempts.map((a) => a.error ?? a.status)).toEqual(['timeout', 200]);
		} finally {
			await scaled.close();
		}
	});

	it('fires conversation:message:delivery:failure for a business message a channel could not deliver', async () => {
		await integration(['conversation:message:delivery:failure']);
		const ids = conversation();
		const reply = await call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/messages`, {
			author: { type: 'business' },
			content: { type: 'text', text: 'hi' },
		});
		emu.reportDeliveryFailure(ids.conversationId, reply.body.messages[0].id, {
			code: 'uploaded_file_too_large',
			message: 'too big',
		});
		const [delivery] = await hook.waitFor(1);
		expect(sunshineWebhookProblems(delivery.body)).toEqual([]);
		expect((delivery.body.events as Body[])[0]).toMatchObject({
			type: 'conversation:message:delivery:failure',
			payload: {
				message: { id: reply.body.messages[0].id },
				error: { code: 'uploaded_file_too_large' },
				isFinalEvent: true,
			},
		});
	});
});

describe('switchboard', () => {
	it('lists the switchboard with the agent workspace, adds a switchboard integration and makes it the default', async () => {
		const created = await integration(['conversation:message']);
		const switchboards = await call('GET', '/v2/apps/{app}/switchboards');
		const [board] = switchboards.body.switchboards;
		expect(board).toMatchObject({
			enabled: true,
			defaultSwitchboardIntegrationId: emu.fixtures.agentWorkspaceSwitchboardIntegrationId,
		});
		const sis = `/v2/apps/{app}/switchboards/${board.id}/switchboardIntegrations`;
		expect((await call('GET', sis)).body.switchboardIntegrations).toEqual([
			expect.objectContaining({
				name: 'zd-agentWorkspace',
				integrationType: 'zd:agentWorkspace',
				deliverStandbyEvents: false,
			}),
		]);
		const bridge = await call('POST', sis, {
			name: 'slack-bridge',
			integrationId: created.id,
			deliverStandbyEvents: false,
			nextSwitchboardIntegrationId: emu.fixtures.agentWorkspaceSwitchboardIntegrationId,
		});
		expect(bridge.status).toBe(201);
		expect(bridge.body.switchboardIntegration).toMatchObject({ integrationType: 'custom', integrationId: created.id });
		expect((await call('POST', sis, { name: 'bad name!', integrationType: 'x' })).status).toBe(400);
		const patched = await call('PATCH', `/v2/apps/{app}/switchboards/${board.id}`, {
			defaultSwitchboardIntegrationId: bridge.body.switchboardIntegration.id,
		});
		expect(patched.body.switchboard.defaultSwitchboardIntegrationId).toBe(bridge.body.switchboardIntegration.id);
		const si = await call('PATCH', `${sis}/${bridge.body.switchboardIntegration.id}`, { deliverStandbyEvents: true });
		expect(si.body.switchboardIntegration.deliverStandbyEvents).toBe(true);
		expect((await call('DELETE', `${sis}/${bridge.body.switchboardIntegration.id}`)).status).toBe(400);
		await call('PATCH', `/v2/apps/{app}/switchboards/${board.id}`, {
			defaultSwitchboardIntegrationId: emu.fixtures.agentWorkspaceSwitchboardIntegrationId,
		});
		expect((await call('DELETE', `${sis}/${bridge.body.switchboardIntegration.id}`)).status).toBe(200);
		expect((await call('GET', sis)).body.switchboardIntegrations.map((si: Body) => si.name)).toEqual([
			'zd-agentWorkspace',
		]);
	});

	it('passControl / releaseControl move control, fire their events, and standby integrations hear nothing', async () => {
		const created = await integration();
		const board = emu.store.switchboard;
		const sis = `/v2/apps/{app}/switchboards/${board.id}/switchboardIntegrations`;
		const bridge = (
			await call('POST', sis, { name: 'slack-bridge', integrationId: created.id, deliverStandbyEvents: false })
		).body.switchboardIntegration;
		const ids = conversation(); // the agent workspace (default) is in control; the bridge is on standby
		await userSays(ids, 'unheard');
		await emu.flushWebhooks();
		expect(hook.received).toHaveLength(0);
		const passed = await call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/passControl`, {
			switchboardIntegration: 'slack-bridge',
			metadata: { reason: 'test' },
		});
		expect(passed).toEqual({ status: 200, body: {} });
		await userSays(ids, 'heard');
		const released = await call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/releaseControl`, {});
		expect(released.status).toBe(200);
		const received = await hook.waitFor(3);
		for (const r of received) expect(sunshineWebhookProblems(r.body)).toEqual([]);
		expect(received.map((r) => (r.body.events as Body[])[0].type)).toEqual([
			'switchboard:passControl',
			'conversation:message',
			'switchboard:releaseControl',
		]);
		expect((received[0].body.events as Body[])[0].payload).toMatchObject({
			conversation: { activeSwitchboardIntegration: { id: bridge.id, name: 'slack-bridge' } },
			metadata: { reason: 'test' },
		});
		expect((received[2].body.events as Body[])[0].payload.conversation.activeSwitchboardIntegration).toBeUndefined();
		expect(
			(await call('GET', `/v2/apps/{app}/conversations/${ids.conversationId}`)).body.conversation
				.activeSwitchboardIntegration,
		).toBeNull();
		expect(
			(
				await call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/passControl`, {
					switchboardIntegration: 'nobody',
				})
			).status,
		).toBe(404);
		expect(
			(
				await call('POST', `/v2/apps/{app}/conversations/000000000000000000000000/passControl`, {
					switchboardIntegration: 'next',
				})
			).status,
		).toBe(404);
	});
});

describe('attachments', () => {
	async function upload(query: string, data: Buffer, name = 'report.pdf'): Promise<{ status: number; body: Body }> {
		const form = new FormData();
		form.append('source', new Blob([data], { type: 'application/pdf' }), name);
		const response = await fetch(`${emu.apiUrl}/v2/apps/${emu.fixtures.appId}/attachments${query}`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${emu.appJwt()}` },
			body: form,
		});
		return { status: response.status, body: await response.json() };
	}

	it('uploads public and private files; the mediaUrl serves a public one to anyone, a private one only with the app key', async () => {
		const bytes = Buffer.from('%PDF-1.4 emulator');
		const pub = await upload('?access=public', bytes);
		expect(pub.status).toBe(201);
		expect(pub.body.attachment.mediaType).toBe('application/pdf');
		expect(Buffer.from(await (await fetch(pub.body.attachment.mediaUrl)).arrayBuffer())).toEqual(bytes);
		const ids = conversation();
		const priv = await upload(`?access=private&for=message&conversationId=${ids.conversationId}`, bytes);
		expect(priv.status).toBe(201);
		expect((await fetch(priv.body.attachment.mediaUrl)).status).toBe(401);
		const authed = await fetch(priv.body.attachment.mediaUrl, { headers: { Authorization: `Bearer ${emu.appJwt()}` } });
		expect(Buffer.from(await authed.arrayBuffer())).toEqual(bytes);
		const message = await call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/messages`, {
			author: { type: 'business' },
			content: { type: 'file', mediaUrl: priv.body.attachment.mediaUrl },
		});
		expect(message.status).toBe(201);
	});

	it('refuses a missing access, a message upload without conversation, and a file over 50 MB', async () => {
		specGuard.expectViolations(1, /attachments/, 'the request leaves out the required access parameter on purpose');
		expect((await upload('', Buffer.from('x'))).status).toBe(400);
		expect((await upload('?access=public&for=message', Buffer.from('x'))).status).toBe(400);
		const huge = await upload('?access=public', Buffer.alloc(50 * 1024 * 1024 + 1));
		expect(huge.status).toBe(413);
	});
});
