/** Where thread replies go (Upsert option "Thread Replies") and how their comments are marked. */
import { parseTicketExternalId } from '../../../../../nodes/shared/externalIds';
import type { SlackDmItem } from '../../../../../nodes/shared/types';
import {
	conversationPlanOf,
	rootTextInEvent,
	SLACK_THREAD_TAG,
	tagsForPlan,
	threadReplyModeOf,
	threadRootExcerpt,
} from '../../../../../nodes/ZendeskMessagingUpsert/helpers/ticketsThreads';

const ROOT = '1714557601.000100';
const REPLY = '1714557700.000200';

function item(
	options: { type?: SlackDmItem['channel']['type']; ts?: string; threadTs?: string; raw?: unknown } = {},
): SlackDmItem {
	const channelId = options.type === 'channel' ? 'C1' : 'D1';
	const ts = options.ts ?? REPLY;
	return {
		eventId: 'Ev1',
		idempotencyKey: `slack:T1:${channelId}:${ts}`,
		teamId: 'T1',
		handle: { name: 'IT', userId: 'UH', teamId: 'T1' },
		user: { id: 'U1', teamId: 'T1', isExternal: false },
		channel: { id: channelId, type: options.type ?? 'im', isExtShared: false },
		message: {
			ts,
			text: 'reply',
			files: [],
			...(options.threadTs ? { threadTs: options.threadTs, threadKey: `${channelId}:${options.threadTs}` } : {}),
		},
		kind: 'message',
		receivedAt: '2024-05-01T10:00:00Z',
		...(options.raw ? { raw: options.raw } : {}),
	};
}

describe('threadReplyModeOf', () => {
	it('defaults to joining the conversation ticket and reads the per-thread value', () => {
		expect(threadReplyModeOf(undefined)).toBe('joinConversation');
		expect(threadReplyModeOf('something else')).toBe('joinConversation');
		expect(threadReplyModeOf('ticketPerThread')).toBe('ticketPerThread');
	});
});

describe('conversationPlanOf', () => {
	it('keys a top-level DM message by team and channel in both modes', () => {
		for (const mode of ['joinConversation', 'ticketPerThread'] as const) {
			expect(conversationPlanOf(item({ ts: ROOT }), mode)).toEqual({ conversationKey: 'slack-dm:T1:D1' });
		}
	});

	it('join: a DM thread reply goes to the DM ticket, marked with its root; the return path sees no thread', () => {
		const plan = conversationPlanOf(item({ threadTs: ROOT }), 'joinConversation');
		expect(plan).toEqual({ conversationKey: 'slack-dm:T1:D1', threadReply: { rootTs: ROOT } });
		expect(parseTicketExternalId(plan.conversationKey)).toEqual({ teamId: 'T1', channelId: 'D1' });
	});

	it('join: group DM thread replies join the group DM ticket too', () => {
		expect(conversationPlanOf(item({ type: 'mpim', threadTs: ROOT }), 'joinConversation')).toEqual({
			conversationKey: 'slack-dm:T1:D1',
			threadReply: { rootTs: ROOT },
		});
	});

	it('join: the thread root itself (ts equals thread ts) is a plain DM message', () => {
		expect(conversationPlanOf(item({ ts: ROOT, threadTs: ROOT }), 'joinConversation')).toEqual({
			conversationKey: 'slack-dm:T1:D1',
		});
	});

	it('per thread: the thread key names the thread, so agent replies go into it, and the DM ticket key is kept for the mention', () => {
		const plan = conversationPlanOf(item({ threadTs: ROOT }), 'ticketPerThread');
		expect(plan).toEqual({
			conversationKey: `slack-dm:T1:D1:${ROOT}`,
			thread: { rootTs: ROOT, dmConversationKey: 'slack-dm:T1:D1' },
		});
		expect(parseTicketExternalId(plan.conversationKey)).toEqual({ teamId: 'T1', channelId: 'D1', threadTs: ROOT });
	});

	it("channel mentions always get their thread's own ticket, with no DM ticket to mention", () => {
		for (const mode of ['joinConversation', 'ticketPerThread'] as const) {
			expect(conversationPlanOf(item({ type: 'channel', threadTs: ROOT }), mode)).toEqual({
				conversationKey: `slack-dm:T1:C1:${ROOT}`,
				channelThread: { rootTs: ROOT },
			});
		}
	});

	it("ignores a threadTs without the trigger's threadKey (threads not enabled upstream)", () => {
		const unkeyed = item();
		unkeyed.message.threadTs = ROOT;
		expect(conversationPlanOf(unkeyed, 'ticketPerThread')).toEqual({ conversationKey: 'slack-dm:T1:D1' });
	});
});

describe('tagsForPlan', () => {
	it('adds slack_thread to thread tickets only, once', () => {
		const tags = ['slack_dm', 'slack_handle_it'];
		expect(tagsForPlan(tags, conversationPlanOf(item({ threadTs: ROOT }), 'joinConversation'))).toEqual(tags);
		expect(tagsForPlan(tags, conversationPlanOf(item({ threadTs: ROOT }), 'ticketPerThread'))).toEqual([
			...tags,
			SLACK_THREAD_TAG,
		]);
		expect(
			tagsForPlan(
				[...tags, SLACK_THREAD_TAG],
				conversationPlanOf(item({ type: 'channel', threadTs: ROOT }), 'joinConversation'),
			),
		).toEqual([...tags, SLACK_THREAD_TAG]);
	});
});

describe('thread root excerpts', () => {
	it('takes the first line as plain text, shortened at a word', () => {
		expect(threadRootExcerpt('*Printer* on floor 2\nsecond line')).toBe('Printer on floor 2');
		expect(threadRootExcerpt('word '.repeat(40), {}, 30)?.length).toBeLessThanOrEqual(30);
		expect(threadRootExcerpt('')).toBeUndefined();
		expect(threadRootExcerpt(undefined)).toBeUndefined();
	});

	it('reads the root a thread broadcast carries in the raw event, only for the same root', () => {
		const raw = { event: { subtype: 'thread_broadcast', root: { ts: ROOT, text: 'Original question' } } };
		expect(rootTextInEvent(item({ threadTs: ROOT, raw }), ROOT)).toBe('Original question');
		expect(rootTextInEvent(item({ threadTs: ROOT, raw }), '1.2')).toBeUndefined();
		expect(rootTextInEvent(item({ threadTs: ROOT }), ROOT)).toBeUndefined();
	});
});
