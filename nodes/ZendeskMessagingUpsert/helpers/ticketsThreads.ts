/**
 * Where a Slack thread reply goes (the Upsert's "Thread Replies" option). Pure: no HTTP, no n8n.
 *
 * - `joinConversation` (default): a reply in a thread of a DM is one more message of the DM, so
 *   it goes into the DM's ticket (marked as a thread reply). The ticket key has no thread, so agent
 *   replies come back into the DM itself, not into the thread.
 * - `ticketPerThread`: the thread is its own conversation (external id with the thread ts), its
 *   ticket mentions the DM's ticket on creation, and agent replies go into the thread.
 * A channel @-mention is always its thread's own conversation: a channel has no DM ticket.
 */
import type { SlackTextOptions } from '../../shared/slack/slackTextToZendesk';
import type { SlackDmItem } from '../../shared/types';
import { ticketExternalId } from '../../shared/externalIds';
import { deriveSubject } from './tickets';

export type ThreadReplyMode = 'joinConversation' | 'ticketPerThread';

export const DEFAULT_THREAD_REPLY_MODE: ThreadReplyMode = 'joinConversation';

export function threadReplyModeOf(value: unknown): ThreadReplyMode {
	return value === 'ticketPerThread' ? 'ticketPerThread' : DEFAULT_THREAD_REPLY_MODE;
}

/** The ticket side of one Slack event. */
export interface ConversationPlan {
	/** External id of the conversation's ticket. */
	conversationKey: string;
	/** Join mode: the message is a thread reply written into the DM's ticket. */
	threadReply?: { rootTs: string };
	/** Per-thread mode, inside a DM: the thread's ticket, whose creation mentions the DM's ticket (this key). */
	thread?: { rootTs: string; dmConversationKey: string };
	/** A thread in a channel (@-mention): its own ticket, with no DM ticket to mention. */
	channelThread?: { rootTs: string };
}

function isDirectConversation(item: SlackDmItem): boolean {
	return item.channel?.type === 'im' || item.channel?.type === 'mpim';
}

export function conversationPlanOf(item: SlackDmItem, mode: ThreadReplyMode): ConversationPlan {
	const dmKey = ticketExternalId({ teamId: item.teamId, channelId: item.channel.id });
	// The trigger sets threadKey only when threads are its business (opt-in, or a channel mention).
	const rootTs = item.message.threadKey ? item.message.threadTs : undefined;
	if (!rootTs) return { conversationKey: dmKey };
	const threadKey = ticketExternalId({ teamId: item.teamId, channelId: item.channel.id, threadTs: rootTs });
	if (!isDirectConversation(item)) return { conversationKey: threadKey, channelThread: { rootTs } };
	if (mode === 'ticketPerThread') return { conversationKey: threadKey, thread: { rootTs, dmConversationKey: dmKey } };
	// The root itself (its ts is the thread's) is a plain message of the DM.
	if (rootTs === item.message.ts) return { conversationKey: dmKey };
	return { conversationKey: dmKey, threadReply: { rootTs } };
}

/** Tag of tickets that hold one Slack thread (per-thread mode, channel mentions). */
export const SLACK_THREAD_TAG = 'slack_thread';

/** Routing tags of a new ticket for this plan: thread tickets are tagged so views can tell them apart. */
export function tagsForPlan(tags: string[], plan: ConversationPlan): string[] {
	if (!plan.thread && !plan.channelThread) return tags;
	return tags.includes(SLACK_THREAD_TAG) ? tags : [...tags, SLACK_THREAD_TAG];
}

export const THREAD_ROOT_EXCERPT_LENGTH = 80;

/** A short plain-text excerpt of a thread root (its first line), or undefined without text. */
export function threadRootExcerpt(
	text: string | undefined,
	options: SlackTextOptions = {},
	maxLength = THREAD_ROOT_EXCERPT_LENGTH,
): string | undefined {
	const excerpt = deriveSubject(text ?? '', '', maxLength, options);
	return excerpt === '' ? undefined : excerpt;
}

/**
 * The thread root's text when the event carries it: Slack's `thread_broadcast` messages ("also
 * send to the conversation") include the root as `root` (visible when the trigger includes the raw
 * event). Plain thread replies carry no root text.
 */
export function rootTextInEvent(item: SlackDmItem, rootTs: string): string | undefined {
	const root = (item.raw as { event?: { root?: { ts?: unknown; text?: unknown } } } | undefined)?.event?.root;
	if (!root || root.ts !== rootTs || typeof root.text !== 'string') return undefined;
	return root.text;
}

/** Key of a message in the process's memory of written messages (thread-root excerpts). */
export function messageMemoryKey(
	account: string,
	item: Pick<SlackDmItem, 'teamId'> & { channel: { id: string } },
	ts: string,
): string {
	return `${account}|${item.teamId}:${item.channel.id}:${ts}`;
}
