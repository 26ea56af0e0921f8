/**
 * Zendesk's own JavaScript client (`sunshine-conversations-client` v14), unchanged, pointed at the
 * Sunshine emulator (basePath = the emulator's `/sc`): every emulated route a channel integration
 * uses works with it, with Basic and with a JWT, and its errors arrive as the client expects them.
 * Every call is also checked against the OpenAPI spec by the spec guard.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as SunCo from 'sunshine-conversations-client';

import { startSunshineEmulator } from '../../emulators/sunshine';
import type { SunshineEmulator } from '../../emulators/sunshine';
import { startWebhookReceiver } from '../../emulators/sunshine/receiver';
import type { WebhookReceiver } from '../../emulators/sunshine/receiver';
import { startZendeskEmulator } from '../../emulators/zendesk';
import type { ZendeskEmulator } from '../../emulators/zendesk';

type Body = ReturnType<typeof JSON.parse>;

let zendesk: ZendeskEmulator;
let emu: SunshineEmulator;
let hook: WebhookReceiver;
let client: Body;
let appId: string;

function apiClient(auth: 'basic' | 'jwt', secret?: string): Body {
	const c = new SunCo.ApiClient();
	c.basePath = emu.apiUrl;
	if (auth === 'basic') {
		c.authentications.basicAuth.username = emu.fixtures.appKey.id;
		c.authentications.basicAuth.password = secret ?? emu.fixtures.appKey.secret;
	} else {
		c.authentications.bearerAuth.accessToken = emu.appJwt();
	}
	return c;
}

async function failure(promise: Promise<unknown>): Promise<{ status: number; body: Body }> {
	try {
		await promise;
	} catch (error) {
		const e = error as { status: number; body: Body };
		return { status: e.status, body: e.body };
	}
	throw new Error('expected the client to reject');
}

beforeAll(async () => {
	zendesk = await startZendeskEmulator({ rateLimits: false });
	emu = await startSunshineEmulator({
		zendesk,
		webhookTimeScale: 0.001,
		webhookTimeoutMs: 5_000,
		maxMessagesPerConversation: 3,
	});
	hook = await startWebhookReceiver();
	client = apiClient('basic');
	appId = emu.fixtures.appId;
});

afterAll(async () => {
	await emu.close();
	await zendesk.close();
	await hook.close();
});

describe('the official client against the emulator', () => {
	it('reads the app with Basic and with a JWT; a wrong secret is a 401 the client reports', async () => {
		expect((await new SunCo.AppsApi(client).getApp(appId)).app.id).toBe(appId);
		expect((await new SunCo.AppsApi(apiClient('jwt')).getApp(appId)).app.id).toBe(appId);
		const refused = await failure(new SunCo.AppsApi(apiClient('basic', 'wrong')).getApp(appId));
		expect(refused.status).toBe(401);
		expect(refused.body.errors[0].code).toBe('unauthorized');
	});

	it('runs a channel integration’s whole flow: integration, switchboard, user, conversation, messages, attachment, handover, agent reply', async () => {
		const integration = (
			await new SunCo.IntegrationsApi(client).createIntegration(appId, {
				type: 'custom',
				displayName: 'Bridge',
				webhooks: [{ target: hook.url, triggers: ['conversation:message', 'switchboard:releaseControl'] }],
			})
		).integration;
		// The client's Integration model keeps only the base fields; the webhook (and its secret) is read through WebhooksApi.
		const [webhook] = (await new SunCo.WebhooksApi(client).listWebhooks(appId, integration.id)).webhooks;
		expect(webhook).toMatchObject({
			target: hook.url,
			triggers: ['conversation:message', 'switchboard:releaseControl'],
		});
		expect(webhook.secret).toMatch(/^[0-9a-f]{32}$/);
		const [board] = (await new SunCo.SwitchboardsApi(client).listSwitchboards(appId)).switchboards;
		const sis = new SunCo.SwitchboardIntegrationsApi(client);
		const bridge = (
			await sis.createSwitchboardIntegration(appId, board.id, {
				name: 'bridge',
				integrationId: integration.id,
				deliverStandbyEvents: true,
			})
		).switchboardIntegration;
		expect(
			(await sis.listSwitchboardIntegrations(appId, board.id)).switchboardIntegrations.map((si: Body) => si.name),
		).toEqual(['zd-agentWorkspace', 'bridge']);
		await new SunCo.SwitchboardsApi(client).updateSwitchboard(appId, board.id, {
			defaultSwitchboardIntegrationId: bridge.id,
		});

		const users = new SunCo.UsersApi(client);
		const user = (
			await users.createUser(appId, {
				externalId: 'slack:T1:UC',
				profile: { givenName: 'Cleo', email: 'cleo@example.com' },
			})
		).user;
		expect((await users.getUser(appId, 'slack:T1:UC')).user.id).toBe(user.id);
		const conflict = await failure(users.createUser(appId, { externalId: 'slack:T1:UC' }));
		expect(conflict.status).toBe(409);

		const conversations = new SunCo.ConversationsApi(client);
		const conversation = (
			await conversations.createConversation(appId, { type: 'personal', participants: [{ userId: user.id }] })
		).conversation;
		expect(
			(await conversations.getConversation(appId, conversation.id)).conversation.activeSwitchboardIntegration.name,
		).toBe('bridge');
		expect(
			(await conversations.listConversations(appId, { userId: user.id })).conversations.map((c: Body) => c.id),
		).toEqual([conversation.id]);

		const messages = new SunCo.MessagesApi(client);
		const posted = (
			await messages.postMessage(appId, conversation.id, {
				author: { type: 'user', userId: user.id },
				content: { type: 'text', text: 'printer on fire' },
				metadata: { slackTs: '1700000000.000100' },
			})
		).messages[0];
		expect(posted.metadata).toEqual({ slackTs: '1700000000.000100' });
		const gif = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sunco-')), 'pixel.gif');
		fs.writeFileSync(gif, 'GIF89a');
		const file = (
			await new SunCo.AttachmentsApi(client).uploadAttachment(appId, 'public', fs.createReadStream(gif), {
				_for: 'message',
				conversationId: conversation.id,
			})
		).attachment;
		expect(file).toMatchObject({ mediaType: 'image/gif' });
		expect(await (await fetch(file.mediaUrl)).text()).toBe('GIF89a');
		fs.rmSync(path.dirname(gif), { recursive: true, force: true });

		await new SunCo.SwitchboardActionsApi(client).passControl(appId, conversation.id, {
			switchboardIntegration: 'zd:agentWorkspace',
			metadata: { first_message_id: posted.id },
		});
		const [ticket] = zendesk.tickets();
		expect(ticket.ticket.via).toMatchObject({ channel: 'native_messaging' });
		await zendesk.agentReply(Number(ticket.ticket.id), { body: 'On my way', public: true });
		const listed = (await messages.listMessages(appId, conversation.id, {})).messages;
		expect(listed.map((m: Body) => [m.author.type, m.content.text])).toEqual([
			['user', 'printer on fire'],
			['business', 'On my way'],
		]);
		expect(listed[1].author.subtypes).toEqual(['agent']);
		const older = await messages.listMessages(appId, conversation.id, { page: { before: listed[1].id } });
		expect(older.messages.map((m: Body) => m.id)).toEqual([listed[0].id]);

		const locked = await failure(
			messages
				.postMessage(appId, conversation.id, { author: { type: 'business' }, content: { type: 'text', text: 'a' } })
				.then(() =>
					messages.postMessage(appId, conversation.id, {
						author: { type: 'business' },
						content: { type: 'text', text: 'b' },
					}),
				),
		);
		expect(locked.status).toBe(423);

		await new SunCo.SwitchboardActionsApi(client).releaseControl(appId, conversation.id, {});
		expect(
			(await conversations.getConversation(appId, conversation.id)).conversation.activeSwitchboardIntegration,
		).toBeNull();
		await emu.flushWebhooks();
		expect(hook.received.length).toBeGreaterThan(0);
	});
});
