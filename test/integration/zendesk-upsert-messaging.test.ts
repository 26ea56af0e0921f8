/**
 * Zendesk Messaging Upsert, mode "Zendesk Messaging", against the Sunshine emulator joined to the
 * Zendesk emulator (the agent workspace), through real n8n-core contexts: the first DM becomes a
 * messaging ticket (requester = the linked user, tags and routing as data capture), later DMs cost
 * one request each, a solved ticket is followed by a new one through passControl, the conversation
 * is recovered from Sunshine after a restart, lost answers never duplicate nor lose a message.
 */
import type { INodeParameters } from 'n8n-workflow';

import { startSunshineEmulator } from '../../emulators/sunshine';
import type { SunshineEmulator } from '../../emulators/sunshine';
import { startWebhookReceiver } from '../../emulators/sunshine/receiver';
import type { WebhookReceiver } from '../../emulators/sunshine/receiver';
import { startZendeskEmulator } from '../../emulators/zendesk';
import type { ZendeskEmulator } from '../../emulators/zendesk';
import { resetUpsertState, setUpsertEnvironment } from '../../nodes/ZendeskMessagingUpsert/upsertState';
import { EARLIER_WAIT_MS } from '../../nodes/ZendeskMessagingUpsert/lane/earlierGate';
import type { LinkedDmItem } from '../harness/items';
import { linkedDmItems } from '../harness/items';
import { messagingHarness, POST_MESSAGE, SUNSHINE_ROUTE } from '../harness/messagingUpsert';

let zendesk: ZendeskEmulator;
let sunshine: SunshineEmulator;
let hook: WebhookReceiver;
let now = Date.now();
const SC_APP = '/sc/v2/apps/:appId';

const h = messagingHarness(
	() => sunshine,
	() => zendesk,
);

beforeAll(async () => {
	zendesk = await startZendeskEmulator({ rateLimits: false });
	sunshine = await startSunshineEmulator({ zendesk, webhookTimeScale: 0.001, webhookTimeoutMs: 5_000 });
	hook = await startWebhookReceiver();
});

afterAll(async () => {
	setUpsertEnvironment();
	await sunshine.close();
	await zendesk.close();
	await hook.close();
});

beforeEach(async () => {
	await sunshine.flushWebhooks();
	sunshine.reset();
	zendesk.reset();
	hook.clear();
	resetUpsertState();
	now = Date.now();
	setUpsertEnvironment({
		now: () => now,
		sleep: async (ms) => {
			now += ms;
			await new Promise((resolve) => setImmediate(resolve));
		},
	});
	await h.bridgeAsDefault(hook.url);
});

afterEach(() => {
	expect(sunshine.agentWorkspace?.problems).toEqual([]);
});

const items = () => linkedDmItems(zendesk);

describe('the first DM', () => {
	it('opens a messaging ticket whose requester is the linked user, with the tags and routing as data capture', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const f = zendesk.fixtures;
		const out = await h.send(h.linked(item(channel, 'My *laptop* is broken')), {
			tags: 'vip',
			brandId: { mode: 'id', value: String(f.brands.hr.id) },
			groupId: { mode: 'id', value: String(f.groups.hr.id) },
			priority: 'high',
			customFields: { field: [{ id: { mode: 'id', value: String(f.ticketFields.slackChannelId) }, value: channel }] },
		});
		expect(out).toMatchObject({ outcome: 'created', ticketId: null });
		expect(out.conversationId).toMatch(/^[0-9a-f]{24}$/);
		expect(out.messageIds).toHaveLength(1);
		const [ticket] = h.ticketsOf(out.conversationId);
		expect(ticket.ticket).toMatchObject({
			via: { channel: 'native_messaging' },
			requester_id: f.erin.id,
			brand_id: f.brands.hr.id,
			group_id: f.groups.hr.id,
			priority: 'high',
		});
		expect(ticket.ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_handle_it', 'vip']));
		expect(ticket.ticket.tags).not.toContain('slack_connect');
		expect(ticket.ticket.custom_fields).toContainEqual({ id: f.ticketFields.slackChannelId, value: channel });
		expect(ticket.comments[0].body).toContain('My laptop is broken');
		const conversation = sunshine.store.conversations.get(out.conversationId)!;
		expect(conversation.metadata).toMatchObject({
			slack_conversation: `slack-dm:T0ACME:${channel}`,
			slack_handle: 'slack_handle_it',
		});
		const user = sunshine.store.users.get(conversation.userId)!;
		expect(user).toMatchObject({ externalId: 'slack:T0ACME:UERIN', zendeskId: String(f.erin.id) });
		expect(user.profile).toMatchObject({ givenName: 'Erin', surname: 'Example', email: f.erin.email });
		const [message] = sunshine.store.messagesOf(out.conversationId);
		expect(message.author).toMatchObject({ type: 'user' });
		expect(message.metadata).toEqual({ slack_message: expect.stringMatching(/^slack:T0ACME:/) });
		expect(sunshine.server.countCalls(SUNSHINE_ROUTE.passControl)).toBe(1);
		expect(sunshine.server.callsTo(SUNSHINE_ROUTE.passControl)[0].request.body).toMatchObject({
			switchboardIntegration: 'zd:agentWorkspace',
			metadata: { first_message_id: message.id, 'dataCapture.systemField.requester.email': f.erin.email },
		});
	});

	it('tags a Slack Connect partner slack_connect', async () => {
		const { newChannel, item } = items();
		const partner = item(newChannel(), 'Hello from a partner', {
			user: { id: 'UERIN', teamId: 'T0ACME', isExternal: true },
		});
		const out = await h.send(h.linked(partner));
		expect(h.ticketsOf(out.conversationId)[0].ticket.tags).toContain('slack_connect');
	});

	it('fails clearly, before any request, without the Profile Linker', async () => {
		const { newChannel, item } = items();
		const bare = { ...item(newChannel(), 'no link'), zendeskUser: undefined } as unknown as LinkedDmItem;
		await expect(h.send(bare)).rejects.toThrow(/Profile Linker/);
		expect(sunshine.server.countCalls()).toBe(0);
	});
});

describe('later DMs', () => {
	it('join the same ticket with ONE Sunshine request each, in order', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'first')));
		sunshine.server.resetCalls();
		for (const text of ['second', 'third', 'fourth']) {
			const out = await h.send(h.linked(item(channel, text)));
			expect(out).toMatchObject({ outcome: 'appended', conversationId: first.conversationId });
		}
		expect(sunshine.server.countCalls()).toBe(3);
		expect(sunshine.server.countCalls(POST_MESSAGE)).toBe(3);
		const [ticket] = h.ticketsOf(first.conversationId);
		expect(h.ticketsOf(first.conversationId)).toHaveLength(1);
		expect(ticket.comments.map((c) => c.body)).toEqual(['Erin Example: first', 'second', 'third', 'fourth']);
	});

	it('a Slack retry of a handled message costs no request (duplicate)', async () => {
		const { newChannel, item } = items();
		const message = h.linked(item(newChannel(), 'once'));
		await h.send(message);
		sunshine.server.resetCalls();
		expect(await h.send(message)).toMatchObject({ outcome: 'duplicate' });
		expect(sunshine.server.countCalls()).toBe(0);
	});
});

describe('a solved ticket', () => {
	it('is followed by a new ticket through passControl once the control check sees the release', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'printer jammed')));
		const [old] = h.ticketsOf(first.conversationId);
		h.solve(old.ticket.id as number);
		now += 61_000;
		sunshine.server.resetCalls();
		const next = await h.send(h.linked(item(channel, 'now the scanner')));
		expect(next).toMatchObject({ outcome: 'created', conversationId: first.conversationId });
		expect(sunshine.server.countCalls(SUNSHINE_ROUTE.getConversation)).toBe(1);
		expect(sunshine.server.countCalls(SUNSHINE_ROUTE.passControl)).toBe(1);
		const tickets = h.ticketsOf(first.conversationId);
		expect(tickets).toHaveLength(2);
		expect(tickets[1].ticket.requester_id).toBe(zendesk.fixtures.erin.id);
		expect(tickets[1].comments[0].body).toContain('now the scanner');
		expect(tickets[1].ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_handle_it']));
	});

	it('with the agent workspace as the switchboard default: no control check, the next message opens the new ticket by itself', async () => {
		const board = sunshine.store.switchboard.id;
		await h.call('PATCH', `/switchboards/${board}`, {
			defaultSwitchboardIntegrationId: sunshine.fixtures.agentWorkspaceSwitchboardIntegrationId,
		});
		const { newChannel, item } = items();
		const channel = newChannel();
		sunshine.server.resetCalls();
		const first = await h.send(h.linked(item(channel, 'printer jammed')));
		for (let minute = 1; minute <= 3; minute++) {
			now += 61_000;
			await h.send(h.linked(item(channel, `still jammed ${minute}`)));
		}
		// One read of the switchboard (its default and its integrations) for the whole hour, no GET of the conversation.
		expect(sunshine.server.countCalls(`GET ${SC_APP}/switchboards`)).toBe(1);
		expect(sunshine.server.countCalls(`GET ${SC_APP}/switchboards/:switchboardId/switchboardIntegrations`)).toBe(1);
		expect(sunshine.server.countCalls(SUNSHINE_ROUTE.getConversation)).toBe(0);
		expect(sunshine.server.countCalls(POST_MESSAGE)).toBe(4);

		h.solve(h.ticketsOf(first.conversationId)[0].ticket.id as number);
		now += 61_000;
		sunshine.server.resetCalls();
		const next = await h.send(h.linked(item(channel, 'now the scanner')));
		expect(next.conversationId).toBe(first.conversationId);
		expect(sunshine.server.callsTo().map((call) => call.route)).toEqual([POST_MESSAGE]);
		const tickets = h.ticketsOf(first.conversationId);
		expect(tickets).toHaveLength(2);
		expect(tickets[1].ticket.requester_id).toBe(zendesk.fixtures.erin.id);
		expect(tickets[1].comments[0].body).toContain('now the scanner');
		expect(tickets[1].ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_handle_it']));
	});

	it('with Control Check Interval 0, the next message reads the controller first', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const options: INodeParameters = { options: { controlCheckSeconds: 0 } };
		const first = await h.send(h.linked(item(channel, 'one')), options);
		h.solve(h.ticketsOf(first.conversationId)[0].ticket.id as number);
		await h.send(h.linked(item(channel, 'two')), options);
		expect(h.ticketsOf(first.conversationId)).toHaveLength(2);
	});
});

describe('after a restart', () => {
	it('recovers the same conversation from Sunshine (not from memory) and posts once', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'before the restart')));
		resetUpsertState();
		sunshine.server.resetCalls();
		const next = await h.send(h.linked(item(channel, 'after the restart')));
		expect(next).toMatchObject({ outcome: 'appended', conversationId: first.conversationId });
		expect(sunshine.server.countCalls(SUNSHINE_ROUTE.createConversation)).toBe(0);
		expect(sunshine.server.countCalls(SUNSHINE_ROUTE.listConversations)).toBe(1);
		expect(h.ticketsOf(first.conversationId)).toHaveLength(1);
	});

	it('recognises a Slack retry of a message posted before the restart by its marker', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const message = h.linked(item(channel, 'retried by Slack'));
		const first = await h.send(message);
		resetUpsertState();
		expect(await h.send(message)).toMatchObject({ outcome: 'duplicate', messageIds: first.messageIds });
		expect(sunshine.store.messagesOf(first.conversationId)).toHaveLength(1);
	});
});

describe("Slack's order across processes (docs/scaling.md)", () => {
	it('a message announced in another process waits until its earlier message is in the conversation', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'first')));
		const two = h.linked(item(channel, 'second'));
		const three = {
			...h.linked(item(channel, 'third')),
			announcedIn: 'webhook-process-2',
			earlierMessages: [two.idempotencyKey],
		} as LinkedDmItem;
		// Each look at the conversation takes real time, so the wait spans the other worker's post.
		sunshine.server.injectFault(SUNSHINE_ROUTE.listMessages, { kind: 'latency', ms: 150 }, 1_000);
		const third = h.send(three);
		await new Promise((resolve) => setTimeout(resolve, 600));
		expect(sunshine.store.messagesOf(first.conversationId)).toHaveLength(1);
		// Another worker's Upsert posts the second message, with the marker every Upsert writes.
		const posted = await h.call('POST', `/conversations/${first.conversationId}/messages`, {
			author: { type: 'user', userExternalId: `slack:${two.user.teamId}:${two.user.id}` },
			content: { type: 'text', text: 'second' },
			metadata: { slack_message: two.idempotencyKey },
		});
		expect(posted.status).toBe(201);
		expect(await third).toMatchObject({ outcome: 'appended' });
		const [ticket] = h.ticketsOf(first.conversationId);
		expect(ticket.comments.map((c) => c.body)).toEqual(['Erin Example: first', 'second', 'third']);
	});

	it("a Slack retry that another process's trigger emitted as new waits for its first delivery's post and is a duplicate", async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'first')));
		const second = h.linked(item(channel, 'second'));
		// This worker knows the conversation (warm cache): without the wait it would post at once.
		const retry = { ...second, announcedIn: 'webhook-process-2', slackRetry: 1 } as LinkedDmItem;
		sunshine.server.injectFault(SUNSHINE_ROUTE.listMessages, { kind: 'latency', ms: 150 }, 1_000);
		const again = h.send(retry);
		await new Promise((resolve) => setTimeout(resolve, 600));
		// The first delivery went to the other webhook process; another worker's Upsert posts it now.
		const posted = await h.call('POST', `/conversations/${first.conversationId}/messages`, {
			author: { type: 'user', userExternalId: `slack:${second.user.teamId}:${second.user.id}` },
			content: { type: 'text', text: 'second' },
			metadata: { slack_message: second.idempotencyKey },
		});
		expect(posted.status).toBe(201);
		expect(await again).toMatchObject({ outcome: 'duplicate' });
		expect(sunshine.store.messagesOf(first.conversationId).map((m) => m.content.text)).toEqual(['first', 'second']);
	});

	it('such a retry whose first delivery is never written is posted once after the wait', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'first')));
		const started = now;
		const retry = {
			...h.linked(item(channel, 'lost first delivery')),
			announcedIn: 'webhook-process-2',
			slackRetry: 2,
		};
		expect(await h.send(retry as LinkedDmItem)).toMatchObject({ outcome: 'appended' });
		expect(now - started).toBeGreaterThanOrEqual(EARLIER_WAIT_MS);
		expect(sunshine.store.messagesOf(first.conversationId).map((m) => m.content.text)).toEqual([
			'first',
			'lost first delivery',
		]);
	});

	it('a message the Slack DM Catch-up handed over again: a duplicate when posted before, posted once when not', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const firstItem = h.linked(item(channel, 'first'));
		const first = await h.send(firstItem);
		// This worker posted it and knows it; the catch-up's copy, from this very process, is a duplicate.
		expect(await h.send({ ...firstItem, caughtUpFor: '4711' } as LinkedDmItem)).toMatchObject({ outcome: 'duplicate' });
		const lost = { ...h.linked(item(channel, 'lost with the worker')), caughtUpFor: '4711' };
		const started = now;
		expect(await h.send(lost as LinkedDmItem)).toMatchObject({ outcome: 'appended' });
		expect(now - started).toBeGreaterThanOrEqual(EARLIER_WAIT_MS);
		// Posted by another worker before it stopped: read back from Sunshine.
		const elsewhere = h.linked(item(channel, 'posted elsewhere'));
		const posted = await h.call('POST', `/conversations/${first.conversationId}/messages`, {
			author: { type: 'user', userExternalId: `slack:${elsewhere.user.teamId}:${elsewhere.user.id}` },
			content: { type: 'text', text: 'posted elsewhere' },
			metadata: { slack_message: elsewhere.idempotencyKey },
		});
		expect(posted.status).toBe(201);
		expect(await h.send({ ...elsewhere, caughtUpFor: '4712' } as LinkedDmItem)).toMatchObject({ outcome: 'duplicate' });
		expect(sunshine.store.messagesOf(first.conversationId).map((m) => m.content.text)).toEqual([
			'first',
			'lost with the worker',
			'posted elsewhere',
		]);
	});
});
