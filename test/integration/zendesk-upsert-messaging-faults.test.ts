/**
 * Zendesk Messaging mode against the Sunshine emulator: lost answers (reset, 5xx) read the latest
 * messages back and the marker decides (never a duplicate, never a loss); 429 waits Retry-After;
 * a full conversation (423) is followed by a successor; files in Slack's order; edits and
 * deletions; Thread Replies; the agent workspace as the switchboard's default.
 */
import type { INodeParameters } from 'n8n-workflow';

import { startSunshineEmulator } from '../../emulators/sunshine';
import type { SunshineEmulator } from '../../emulators/sunshine';
import { startWebhookReceiver } from '../../emulators/sunshine/receiver';
import type { WebhookReceiver } from '../../emulators/sunshine/receiver';
import { startZendeskEmulator } from '../../emulators/zendesk';
import type { ZendeskEmulator } from '../../emulators/zendesk';
import { resetUpsertState, setUpsertEnvironment } from '../../nodes/ZendeskMessagingUpsert/upsertState';
import { linkedDmItems } from '../harness/items';
import { messagingHarness, POST_MESSAGE, SUNSHINE_ROUTE } from '../harness/messagingUpsert';

let zendesk: ZendeskEmulator;
let sunshine: SunshineEmulator;
let hook: WebhookReceiver;

const h = messagingHarness(
	() => sunshine,
	() => zendesk,
);
const items = () => linkedDmItems(zendesk);
const ERROR_500 = { errors: [{ code: 'internal_error', title: 'Internal error' }] };

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
	sunshine.server.clearFaults();
	sunshine.reset();
	zendesk.reset();
	hook.clear();
	resetUpsertState();
	(sunshine.messaging.limits as { maxMessagesPerConversation: number }).maxMessagesPerConversation = 30_000;
	// Backoffs of lost answers pass in no real time.
	setUpsertEnvironment({ sleep: async () => await new Promise((resolve) => setImmediate(resolve)) });
	await h.bridgeAsDefault(hook.url);
});

afterEach(() => {
	expect(sunshine.agentWorkspace?.problems).toEqual([]);
});

function textsOf(conversationId: string): unknown[] {
	return sunshine.store.messagesOf(conversationId).map((m) => m.content.text ?? m.content.type);
}

describe('a post whose answer is lost', () => {
	it('that landed is found by its marker and not sent again (no duplicate)', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'first')));
		const message = h.linked(item(channel, 'landed, answer lost'));
		// The write reached Sunshine; its answer did not reach n8n.
		await h.call('POST', `/conversations/${first.conversationId}/messages`, {
			author: { type: 'user', userExternalId: 'slack:T0ACME:UERIN' },
			content: { type: 'text', text: 'landed, answer lost' },
			metadata: { slack_message: message.idempotencyKey },
		});
		sunshine.server.injectFault(POST_MESSAGE, { kind: 'reset' });
		const out = await h.send(message);
		expect(out).toMatchObject({ outcome: 'appended', conversationId: first.conversationId });
		expect(textsOf(first.conversationId)).toEqual(['first', 'landed, answer lost']);
		expect(sunshine.server.countCalls(SUNSHINE_ROUTE.listMessages)).toBe(1);
	});

	it.each([
		['no answer (reset)', { kind: 'reset' as const }],
		['5xx', { kind: 'status' as const, status: 503, body: ERROR_500 }],
	])('that did not land (%s) is read back and sent once (no loss)', async (_, fault) => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'first')));
		sunshine.server.injectFault(POST_MESSAGE, fault);
		const out = await h.send(h.linked(item(channel, 'second')));
		expect(out).toMatchObject({ outcome: 'appended' });
		expect(textsOf(first.conversationId)).toEqual(['first', 'second']);
		expect(h.ticketsOf(first.conversationId)[0].comments.map((c) => c.body)).toEqual(['Erin Example: first', 'second']);
	});

	it('fails the item after four lost answers, with nothing posted twice', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'first')));
		sunshine.server.injectFault(POST_MESSAGE, { kind: 'status', status: 500, body: ERROR_500 }, 5);
		const failing: INodeParameters = { waitOutOutages: false };
		await expect(h.send(h.linked(item(channel, 'never')), failing)).rejects.toThrow(/HTTP 500/);
		expect(sunshine.server.countCalls(POST_MESSAGE)).toBe(6);
		expect(textsOf(first.conversationId)).toEqual(['first']);
	});

	it('a 429 waits Retry-After and posts once', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'first')));
		sunshine.server.injectFault(POST_MESSAGE, { kind: 'rateLimit', retryAfterSeconds: 1 });
		const started = Date.now();
		await h.send(h.linked(item(channel, 'after the limit')));
		expect(Date.now() - started).toBeGreaterThanOrEqual(900);
		expect(textsOf(first.conversationId)).toEqual(['first', 'after the limit']);
		expect(sunshine.server.countCalls(POST_MESSAGE)).toBe(3);
	});
});

describe('a full conversation (423)', () => {
	it('is followed by a successor conversation with the same key, handed to the agent workspace', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'one')));
		(sunshine.messaging.limits as { maxMessagesPerConversation: number }).maxMessagesPerConversation = 1;
		const next = await h.send(h.linked(item(channel, 'two')));
		expect(next.outcome).toBe('created');
		expect(next.conversationId).not.toBe(first.conversationId);
		expect(sunshine.store.conversations.get(next.conversationId)!.metadata).toMatchObject({
			slack_conversation: `slack-dm:T0ACME:${channel}`,
			slack_previous_conversation: first.conversationId,
		});
		expect(h.ticketsOf(next.conversationId)).toHaveLength(1);
		resetUpsertState();
		(sunshine.messaging.limits as { maxMessagesPerConversation: number }).maxMessagesPerConversation = 30_000;
		expect((await h.send(h.linked(item(channel, 'three')))).conversationId).toBe(next.conversationId);
	});
});

describe('files', () => {
	it('are uploaded and posted as image / file messages after the text, in order', async () => {
		const { newChannel, item } = items();
		const message = h.linked(item(newChannel(), 'screenshots attached'));
		const json = {
			...message,
			acceptedFiles: [
				{ id: 'F1', name: 'screen.png', mimetype: 'image/png', size: 4, binaryKey: 'attachment_0' },
				{ id: 'F2', name: 'log.txt', mimetype: 'text/plain', size: 5, binaryKey: 'attachment_1' },
			],
		};
		const binary = {
			attachment_0: { data: Buffer.from('\x89PNG').toString('base64'), mimeType: 'image/png', fileName: 'screen.png' },
			attachment_1: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain', fileName: 'log.txt' },
		};
		const [out] = await h.run([{ json: json as never, binary }]);
		expect(out.messageIds).toHaveLength(3);
		const messages = sunshine.store.messagesOf(out.conversationId);
		expect(messages.map((m) => m.content.type)).toEqual(['text', 'image', 'file']);
		expect(messages.map((m) => m.metadata)).toEqual([
			{ slack_message: message.idempotencyKey },
			{ slack_message: message.idempotencyKey, slack_part: 1 },
			{ slack_message: message.idempotencyKey, slack_part: 2 },
		]);
		const file = await fetch(String(messages[2].content.mediaUrl));
		expect(await file.text()).toBe('hello');
		expect(sunshine.server.countCalls(SUNSHINE_ROUTE.upload)).toBe(2);
	});
});

describe('edits and deletions', () => {
	it('become a marked user message by default; Skip writes nothing', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const first = await h.send(h.linked(item(channel, 'VPN down')));
		const ts = sunshine.store.messagesOf(first.conversationId).length;
		const original = item(channel, 'VPN down since 9:00', { kind: 'edit', previousText: 'VPN down' });
		const edited = await h.send(h.linked(original));
		expect(edited.outcome).toBe('noted');
		const text = String(sunshine.store.messagesOf(first.conversationId).at(-1)!.content.text);
		expect(text).toContain('✏️ Edited in Slack');
		expect(text).toContain('> VPN down since 9:00');
		const skip: INodeParameters = { options: { editsAndDeletions: 'skip' } };
		const deleted = await h.send(h.linked(item(channel, 'gone', { kind: 'delete', previousText: 'gone' })), skip);
		expect(deleted).toMatchObject({ outcome: 'skipped' });
		expect(sunshine.store.messagesOf(first.conversationId)).toHaveLength(ts + 1);
	});

	it('open nothing: an edit without a conversation is skipped', async () => {
		const { newChannel, item } = items();
		const out = await h.send(h.linked(item(newChannel(), 'edited', { kind: 'edit', previousText: 'x' })));
		expect(out).toMatchObject({ outcome: 'skipped' });
		expect(sunshine.store.conversations.size).toBe(0);
	});
});

describe('Thread Replies', () => {
	it("joins the DM's conversation by default, marked as a thread reply", async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const root = h.linked(item(channel, 'two problems'));
		const dm = await h.send(root);
		const reply = await h.send(h.linked(item(channel, 'the headset', { threadTs: root.message.ts })));
		expect(reply.conversationId).toBe(dm.conversationId);
		expect(textsOf(dm.conversationId).at(-1)).toBe('↳ Reply in a Slack thread:\nthe headset');
	});

	it('One Ticket per Thread: the thread gets its own conversation and ticket, tagged slack_thread', async () => {
		const { newChannel, item } = items();
		const channel = newChannel();
		const perThread: INodeParameters = { options: { threadReplies: 'ticketPerThread' } };
		const root = h.linked(item(channel, 'two problems'));
		const dm = await h.send(root, perThread);
		const reply = await h.send(h.linked(item(channel, 'the headset', { threadTs: root.message.ts })), perThread);
		expect(reply.conversationId).not.toBe(dm.conversationId);
		expect(sunshine.store.conversations.get(reply.conversationId)!.metadata).toMatchObject({
			slack_conversation: `slack-dm:T0ACME:${channel}:${root.message.ts}`,
		});
		expect(h.ticketsOf(reply.conversationId)[0].ticket.tags).toContain('slack_thread');
		expect(h.ticketsOf(dm.conversationId)[0].ticket.tags).not.toContain('slack_thread');
	});
});

describe('the agent workspace as the switchboard default', () => {
	it('opens the ticket on the first message with the conversation’s data capture, without passControl', async () => {
		const board = sunshine.store.switchboard.id;
		await h.call('PATCH', `/switchboards/${board}`, {
			defaultSwitchboardIntegrationId: sunshine.fixtures.agentWorkspaceSwitchboardIntegrationId,
		});
		sunshine.server.resetCalls();
		const { newChannel, item } = items();
		const out = await h.send(h.linked(item(newChannel(), 'hello')), { tags: 'vip' });
		expect(out.outcome).toBe('created');
		expect(sunshine.server.countCalls(SUNSHINE_ROUTE.passControl)).toBe(0);
		const [ticket] = h.ticketsOf(out.conversationId);
		expect(ticket.ticket).toMatchObject({ requester_id: zendesk.fixtures.erin.id });
		expect(ticket.ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_handle_it', 'vip']));
	});
});
