/**
 * The agent workspace joined to the Zendesk emulator: passControl to zd:agentWorkspace opens a
 * messaging ticket (via native_messaging, linked requester, data capture, first_message_id); user
 * messages join it; an agent's public reply comes back as a business message and fires
 * conversation:message; internal notes do not; solving releases control (ticketClosed) and the
 * next handover opens a new ticket.
 */
import { startSunshineEmulator } from '../../emulators/sunshine';
import type { SunshineEmulator } from '../../emulators/sunshine';
import { startWebhookReceiver } from '../../emulators/sunshine/receiver';
import type { WebhookReceiver } from '../../emulators/sunshine/receiver';
import { startZendeskEmulator } from '../../emulators/zendesk';
import type { ZendeskEmulator } from '../../emulators/zendesk';
import { sunshineWebhookProblems } from '../harness/sunshineSpec';

type Body = ReturnType<typeof JSON.parse>;

let zendesk: ZendeskEmulator;
let emu: SunshineEmulator;
let hook: WebhookReceiver;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
	const response = await fetch(`${emu.apiUrl}${path.replace('{app}', emu.fixtures.appId)}`, {
		method,
		headers: {
			Authorization: `Basic ${Buffer.from(`${emu.fixtures.appKey.id}:${emu.fixtures.appKey.secret}`).toString('base64')}`,
			'Content-Type': 'application/json',
		},
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/** A channel integration (the bridge) in front of the agent workspace, default for new conversations. */
async function bridge(): Promise<void> {
	const integration = (
		await call('POST', '/v2/apps/{app}/integrations', {
			type: 'custom',
			webhooks: [
				{
					target: hook.url,
					triggers: ['conversation:message', 'switchboard:releaseControl', 'switchboard:passControl'],
				},
			],
		})
	).body.integration;
	const board = emu.store.switchboard.id;
	const si = (
		await call('POST', `/v2/apps/{app}/switchboards/${board}/switchboardIntegrations`, {
			name: 'slack-bridge',
			integrationId: integration.id,
			deliverStandbyEvents: true,
			nextSwitchboardIntegrationId: emu.fixtures.agentWorkspaceSwitchboardIntegrationId,
		})
	).body.switchboardIntegration;
	expect(
		(await call('PATCH', `/v2/apps/{app}/switchboards/${board}`, { defaultSwitchboardIntegrationId: si.id })).status,
	).toBe(200);
}

async function startConversation(
	externalId: string,
	profile: Record<string, string>,
): Promise<{ userId: string; conversationId: string }> {
	const user = (await call('POST', '/v2/apps/{app}/users', { externalId, profile })).body.user;
	const conversation = (
		await call('POST', '/v2/apps/{app}/conversations', { type: 'personal', participants: [{ userId: user.id }] })
	).body.conversation;
	return { userId: user.id, conversationId: conversation.id };
}

async function say(ids: { userId: string; conversationId: string }, text: string): Promise<Body> {
	const answer = await call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/messages`, {
		author: { type: 'user', userId: ids.userId },
		content: { type: 'text', text },
	});
	expect(answer.status).toBe(201);
	return answer.body.messages[0];
}

const handover = (ids: { conversationId: string }, metadata: Record<string, unknown> = {}) =>
	call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/passControl`, {
		switchboardIntegration: 'zd:agentWorkspace',
		metadata,
	});

function ticketsOf(conversationId: string): number[] {
	return (emu.agentWorkspace?.tickets ?? []).filter((t) => t.conversationId === conversationId).map((t) => t.ticketId);
}

beforeAll(async () => {
	zendesk = await startZendeskEmulator({ rateLimits: false });
	emu = await startSunshineEmulator({ zendesk, webhookTimeScale: 0.001, webhookTimeoutMs: 5_000 }); // retries fast, but no spurious timeout on a busy machine
	hook = await startWebhookReceiver();
});

afterAll(async () => {
	await emu.close();
	await zendesk.close();
	await hook.close();
});

beforeEach(async () => {
	await emu.flushWebhooks();
	emu.reset();
	zendesk.reset();
	hook.clear();
	await bridge();
});

afterEach(() => {
	expect(emu.agentWorkspace?.problems).toEqual([]);
});

describe('handover to the agent workspace', () => {
	it('passControl opens a messaging ticket with the linked requester, data capture and first_message_id', async () => {
		const erin = zendesk.fixtures.erin;
		const ids = await startConversation('slack:T1:U9', { givenName: 'Erin', email: erin.email });
		await say(ids, 'earlier chatter');
		const first = await say(ids, 'my laptop is broken');
		await say(ids, 'it will not boot');
		const f = zendesk.fixtures;
		const passed = await handover(ids, {
			first_message_id: first.id,
			'dataCapture.systemField.tags': 'vip,laptop',
			'dataCapture.systemField.brand_id': f.brands.hr.id,
			'dataCapture.systemField.group_id': String(f.groups.hr.id),
			[`dataCapture.ticketField.${f.ticketFields.slackChannelId}`]: 'D123',
		});
		expect(passed.status).toBe(200);
		const [ticketId] = ticketsOf(ids.conversationId);
		const { ticket, comments } = zendesk.tickets().find((t) => t.ticket.id === ticketId)!;
		expect(ticket).toMatchObject({
			via: { channel: 'native_messaging' },
			requester_id: erin.id,
			brand_id: f.brands.hr.id,
			group_id: f.groups.hr.id,
			tags: ['vip', 'laptop'],
			subject: `Conversation with ${erin.name}`,
		});
		expect(ticket.custom_fields).toContainEqual({ id: f.ticketFields.slackChannelId, value: 'D123' });
		expect(comments).toHaveLength(1);
		expect(comments[0].body).toBe('Erin: my laptop is broken\nErin: it will not boot');
		expect((await call('GET', `/v2/apps/{app}/users/${ids.userId}`)).body.user.zendeskId).toBe(String(erin.id));
		expect(
			(await call('GET', `/v2/apps/{app}/conversations/${ids.conversationId}`)).body.conversation
				.activeSwitchboardIntegration,
		).toMatchObject({ name: 'zd-agentWorkspace', integrationType: 'zd:agentWorkspace' });
	});

	it('without first_message_id the ticket shows the last 10 messages; a new messaging user becomes a new end user with the external id', async () => {
		const ids = await startConversation('slack:T1:NEW', { givenName: 'Nia', surname: 'New', email: 'nia@example.com' });
		for (let i = 1; i <= 12; i++) await say(ids, `m${i}`);
		await handover(ids);
		const [ticketId] = ticketsOf(ids.conversationId);
		const { ticket, comments } = zendesk.tickets().find((t) => t.ticket.id === ticketId)!;
		expect(comments[0].body).toBe(Array.from({ length: 10 }, (_, i) => `Nia New: m${i + 3}`).join('\n'));
		const requester = zendesk.store.users.get(Number(ticket.requester_id))!;
		expect(requester).toMatchObject({
			name: 'Nia New',
			email: 'nia@example.com',
			external_id: 'slack:T1:NEW',
			role: 'end-user',
		});
	});

	it('passControl "next" from the bridge hands over to the agent workspace (its next integration)', async () => {
		const ids = await startConversation('slack:T1:NEXT', { givenName: 'Nex' });
		await say(ids, 'escalate me');
		expect(
			(
				await call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/passControl`, {
					switchboardIntegration: 'next',
				})
			).status,
		).toBe(200);
		expect(ticketsOf(ids.conversationId)).toHaveLength(1);
		// The agent workspace has no next integration: "next" from there finds nothing.
		expect(
			(
				await call('POST', `/v2/apps/{app}/conversations/${ids.conversationId}/passControl`, {
					switchboardIntegration: 'next',
				})
			).status,
		).toBe(404);
	});

	it('a handover Zendesk cannot turn into a ticket still answers 200 and is reported, not thrown', async () => {
		const ids = await startConversation('slack:T1:BAD', { givenName: 'Bad' });
		await say(ids, 'x');
		const passed = await handover(ids, { 'dataCapture.systemField.requester.email': 'not an email' });
		expect(passed.status).toBe(200);
		expect(ticketsOf(ids.conversationId)).toEqual([]);
		expect(emu.agentWorkspace?.problems).toEqual([expect.stringMatching(/Record/)]);
		emu.agentWorkspace?.problems.splice(0);
	});

	it('links by external id before email', async () => {
		const core = zendesk.store.insertUser({ name: 'Known By Id', email: 'id@example.com', external_id: 'slack:T1:ID' });
		const ids = await startConversation('slack:T1:ID', { email: zendesk.fixtures.erin.email });
		await say(ids, 'hi');
		await handover(ids);
		expect(zendesk.tickets().find((t) => t.ticket.id === ticketsOf(ids.conversationId)[0])!.ticket.requester_id).toBe(
			core.id,
		);
	});
});

describe('the conversation while the ticket is open', () => {
	it('user messages join the ticket; an agent public reply is a business message that fires conversation:message; an internal note is not a message', async () => {
		const ids = await startConversation('slack:T1:U1', { givenName: 'Ada' });
		await say(ids, 'help');
		await handover(ids);
		const [ticketId] = ticketsOf(ids.conversationId);
		await say(ids, 'any news?');
		expect(
			zendesk
				.tickets()
				.find((t) => t.ticket.id === ticketId)!
				.comments.map((c) => c.body),
		).toEqual(['Ada: help', 'any news?']);
		await emu.flushWebhooks();
		hook.clear();
		await zendesk.agentReply(ticketId, { body: 'Looking into it', public: true });
		await zendesk.agentReply(ticketId, { body: 'internal: check the asset db', public: false });
		const messages = (await call('GET', `/v2/apps/{app}/conversations/${ids.conversationId}/messages`)).body.messages;
		expect(messages.map((m: Body) => m.content.text)).toEqual(['help', 'any news?', 'Looking into it']);
		expect(messages[2]).toMatchObject({
			author: { type: 'business', subtypes: ['agent'], displayName: zendesk.fixtures.anna.name },
			source: { type: 'zd:agentWorkspace' },
		});
		await emu.flushWebhooks();
		const events = hook.received.map((r) => (r.body.events as Body[])[0]);
		expect(events.map((e) => [e.type, e.payload.message?.content.text])).toEqual([
			['conversation:message', 'Looking into it'],
		]);
		expect(events[0].payload.message.author).toEqual({ type: 'business' });
		for (const r of hook.received) expect(sunshineWebhookProblems(r.body)).toEqual([]);
	});
});

describe('solving and closing', () => {
	it('solving releases control with reason ticketClosed; the next message stays out of the old ticket; the next handover opens a new ticket', async () => {
		const ids = await startConversation('slack:T1:U2', { givenName: 'Bo' });
		await say(ids, 'first problem');
		await handover(ids);
		const [firstTicket] = ticketsOf(ids.conversationId);
		await emu.flushWebhooks();
		hook.clear();
		await zendesk.agentReply(firstTicket, { body: 'Fixed, closing', public: true, status: 'solved' });
		await emu.flushWebhooks();
		const events = hook.received.map((r) => (r.body.events as Body[])[0]);
		expect(events.map((e) => e.type)).toEqual(['conversation:message', 'switchboard:releaseControl']);
		expect(events[1].payload).toMatchObject({ reason: 'ticketClosed', conversation: { id: ids.conversationId } });
		expect(events[1].payload.conversation.activeSwitchboardIntegration).toBeUndefined();
		for (const r of hook.received) expect(sunshineWebhookProblems(r.body)).toEqual([]);
		await say(ids, 'second problem');
		expect(
			zendesk
				.tickets()
				.find((t) => t.ticket.id === firstTicket)!
				.comments.map((c) => c.body),
		).not.toContain('second problem');
		expect(ticketsOf(ids.conversationId)).toEqual([firstTicket]);
		const second = await say(ids, 'really');
		await handover(ids, { first_message_id: second.id });
		const tickets = ticketsOf(ids.conversationId);
		expect(tickets).toHaveLength(2);
		expect(zendesk.tickets().find((t) => t.ticket.id === tickets[1])!.comments[0].body).toBe('Bo: really');
	});

	it('closing an open ticket (automation) releases control too, once', async () => {
		const ids = await startConversation('slack:T1:U3', { givenName: 'Cy' });
		await say(ids, 'x');
		await handover(ids);
		await emu.flushWebhooks();
		hook.clear();
		await zendesk.closeTicket(ticketsOf(ids.conversationId)[0]);
		await emu.flushWebhooks();
		expect(hook.received.map((r) => (r.body.events as Body[])[0].type)).toEqual(['switchboard:releaseControl']);
	});
});

describe('the agent workspace as the default integration', () => {
	it('opens a ticket on the user’s first message, with the conversation’s metadata as data capture', async () => {
		expect(
			(
				await call('PATCH', `/v2/apps/{app}/switchboards/${emu.store.switchboard.id}`, {
					defaultSwitchboardIntegrationId: emu.fixtures.agentWorkspaceSwitchboardIntegrationId,
				})
			).status,
		).toBe(200);
		const user = (
			await call('POST', '/v2/apps/{app}/users', { externalId: 'slack:T1:U4', profile: { givenName: 'Di' } })
		).body.user;
		const conversation = (
			await call('POST', '/v2/apps/{app}/conversations', {
				type: 'personal',
				participants: [{ userId: user.id }],
				metadata: { 'dataCapture.systemField.tags': 'from_widget' },
			})
		).body.conversation;
		await say({ userId: user.id, conversationId: conversation.id }, 'hello?');
		const [ticketId] = ticketsOf(conversation.id);
		const { ticket, comments } = zendesk.tickets().find((t) => t.ticket.id === ticketId)!;
		expect(ticket.tags).toEqual(['from_widget']);
		expect(comments.map((c) => c.body)).toEqual(['Di: hello?']);
	});
});
