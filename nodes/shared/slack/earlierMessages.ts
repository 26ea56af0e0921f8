/**
 * A message's earlier messages when its trigger ran in another n8n process (docs/scaling.md,
 * Order across processes): the Profile Linker reads the DM's history just before the message
 * (conversations.history) and puts the earlier people's messages of the last minute on the item
 * (`earlierMessages`, their idempotency keys); the Zendesk Messaging Upsert writes the message
 * only once those are in the ticket (or the wait runs out). Pure.
 */
import { messageIdempotencyKey } from '../externalIds';
import { announcedElsewhere } from '../state/processToken';
import type { HistoryMessage } from '../transport/slackHistory';
import type { SlackDmItem } from '../types';
import { slackTsMicros } from './messageOrder';

/** How far back: a message older than this before the next one has long been handed over. */
export const EARLIER_HORIZON_SECONDS = 60;

/** Slackbot's user id: its posts are never delivered (the trigger drops them too). */
const SLACKBOT = 'USLACKBOT';

/** Subtypes of messages people type that the trigger delivers (others are joins, bot posts, changes). */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

/**
 * Whether the item's earlier messages must be looked up: a new message announced by a trigger in
 * another process (a top-level one in conversations.history, a thread reply in its thread,
 * conversations.replies); edits and deletions carry the time they happened and wait for nothing.
 */
export function needsEarlierLookup(item: Pick<SlackDmItem, 'kind' | 'announcedIn'>, token: string): boolean {
	return item.kind === 'message' && announcedElsewhere(item.announcedIn, token);
}

/** The thread a reply is in (not for a thread's parent, which is a top-level message). Pure. */
export function threadOfReply(
	item: Pick<SlackDmItem, 'channel' | 'message'>,
): { channel: string; threadTs: string } | undefined {
	const threadTs = item.message.threadTs;
	if (!threadTs || threadTs === item.message.ts) return undefined;
	return { channel: item.channel.id, threadTs };
}

/** conversations.history's `oldest` and `latest` (seconds) for the item's earlier messages. */
export function earlierWindow(ts: string): { oldest: string; latest: string } {
	const micros = slackTsMicros(ts) ?? 0;
	const oldest = Math.max(0, micros - EARLIER_HORIZON_SECONDS * 1_000_000);
	return { oldest: (oldest / 1_000_000).toFixed(6), latest: ts };
}

/**
 * The messages people sent before the item, oldest first: not the handle's or a bot's posts, not
 * Slackbot's. For a top-level message the conversation's top-level messages; for a thread reply
 * the earlier replies of its thread (the parent is a top-level message, which may be in another
 * ticket: *One Ticket per Thread*).
 */
function peoplesMessagesBefore(
	item: Pick<SlackDmItem, 'channel' | 'message' | 'handle'>,
	history: readonly HistoryMessage[],
): HistoryMessage[] {
	const own = slackTsMicros(item.message.ts);
	if (own === undefined) return [];
	const thread = threadOfReply(item);
	return history
		.filter((message) => {
			const at = slackTsMicros(message.ts);
			if (at === undefined || at >= own) return false;
			const reply = !!message.thread_ts && message.thread_ts !== message.ts;
			if (thread ? !reply || message.thread_ts !== thread.threadTs : reply) return false;
			if (message.bot_id || !message.user || message.user === SLACKBOT) return false;
			return message.user !== item.handle.userId && PERSON_SUBTYPES.has(message.subtype);
		})
		.sort((a, b) => (slackTsMicros(a.ts) ?? 0) - (slackTsMicros(b.ts) ?? 0));
}

function keyOf(item: Pick<SlackDmItem, 'teamId' | 'channel'>, message: HistoryMessage): string {
	return messageIdempotencyKey({
		teamId: item.teamId,
		channelId: item.channel.id,
		ts: String(message.ts),
		kind: 'message',
	});
}

/** Whether a message is within the horizon before the item (EARLIER_HORIZON_SECONDS). */
function withinHorizon(item: Pick<SlackDmItem, 'message'>, message: HistoryMessage): boolean {
	const own = slackTsMicros(item.message.ts) ?? 0;
	return (slackTsMicros(message.ts) ?? 0) > own - EARLIER_HORIZON_SECONDS * 1_000_000;
}

/** The idempotency keys of the people's messages of the last minute before the item, oldest first. */
export function earlierMessageKeys(
	item: Pick<SlackDmItem, 'teamId' | 'channel' | 'message' | 'handle'>,
	history: readonly HistoryMessage[],
): string[] {
	return peoplesMessagesBefore(item, history)
		.filter((message) => withinHorizon(item, message))
		.map((message) => keyOf(item, message));
}

/**
 * The key of the people's last message before the item when it is older than the minute (so not
 * among `earlierMessages`): a worker holding the conversation's ticket from before that message
 * was written elsewhere reads the ticket again before its update (previousMessage on the item).
 */
export function previousMessageKey(
	item: Pick<SlackDmItem, 'teamId' | 'channel' | 'message' | 'handle'>,
	history: readonly HistoryMessage[],
): string | undefined {
	const before = peoplesMessagesBefore(item, history);
	const last = before[before.length - 1];
	return last && !withinHorizon(item, last) ? keyOf(item, last) : undefined;
}

/**
 * Whether a page of the newest messages before the item (newest first) reaches back past the
 * minute, or holds all there is: then it holds every earlier message of the minute, and the
 * previous one. Pure.
 */
export function pageCoversHorizon(
	item: Pick<SlackDmItem, 'message'>,
	page: { messages: readonly HistoryMessage[]; hasMore: boolean },
): boolean {
	const last = page.messages[page.messages.length - 1];
	return !page.hasMore || (last !== undefined && !withinHorizon(item, last));
}
