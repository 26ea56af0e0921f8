/**
 * Slack DM Reply waiting out a Slack outage (docs/outages.md, *The return path*): where a reply
 * stands in its conversation (later agent replies wait for an earlier parked one), why a failure
 * is an outage, what the give-up error names, and, for a reply that comes back from a wait, which
 * of its posts already reached Slack (so a post whose answer was lost is not posted twice). Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import { firstWords } from '../../shared/n8n/outageRetry';
import { unavailableReason } from '../../shared/transport/serviceAvailability';
import { POST_MAY_HAVE_LANDED } from '../transport/slackPosts';
import { nonEmptyString as stringOf } from '../../shared/values';
import type { HistoryMessage } from '../../shared/transport/slackHistory';
import { announcedElsewhere } from '../../shared/state/processToken';

/** Set on a post error with no clear answer when the post went into a thread: conversations.history does not show it. */
export const POSTED_IN_THREAD = 'postedInThread';

/**
 * How far before an item's first failure its posts are looked for in the conversation: the in-node
 * retries (429 after Retry-After) and the request timeout of the attempt that failed.
 * ASSUMPTION: no attempt spends more than 2 minutes in the node before it parks.
 */
export const HISTORY_LOOKBACK_MS = 2 * 60_000;

const obj = (value: unknown): Record<string, unknown> =>
	value && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/** The Slack conversation a reply item goes to: `team:channel` (or `team:user` before its DM is known). */
export function replyConversation(json: IDataObject): string | undefined {
	const slack = obj(json.slack);
	const where = stringOf(slack.channelId) ?? stringOf(slack.userId);
	return where ? `${stringOf(slack.teamId) ?? ''}:${where}` : undefined;
}

/**
 * Where an agent reply stands: its conversation, key (ticket and comment) and order (Zendesk comment
 * ids grow with time within an account). Items without a comment (a solved event) keep no place.
 */
export function replyPlace(json: IDataObject): { conversation: string; key: string; order: number } | undefined {
	const conversation = replyConversation(json);
	const commentId = Number(obj(json.comment).id);
	if (!conversation || !Number.isSafeInteger(commentId) || commentId <= 0) return undefined;
	return { conversation, key: `${String(json.ticketId ?? '')}:${commentId}`, order: commentId };
}

/** `the reply to ticket #42 by Anna in Slack conversation D0123 (team T1): "first words …"`. */
export function describeReply(json: IDataObject): string {
	const slack = obj(json.slack);
	const comment = obj(json.comment);
	const author = stringOf(obj(comment.author).name);
	const where = stringOf(slack.channelId) ?? (stringOf(slack.userId) ? `DM of ${String(slack.userId)}` : '?');
	const team = stringOf(slack.teamId) ? ` (team ${String(slack.teamId)})` : '';
	const ticket = json.ticketId !== undefined ? ` to ticket #${String(json.ticketId)}` : '';
	const words = firstWords(stringOf(comment.body) ?? '');
	const what = json.event === 'ticketSolved' && !json.comment ? 'the solved notice' : `the reply${ticket}`;
	return `${what}${author ? ` by ${author}` : ''} in Slack conversation ${where}${team}${words ? `: "${words}"` : ''}`;
}

/**
 * Why a failed reply may wait for Slack: a post with no clear answer (it may have landed; the next
 * attempt looks for it before posting again) or anything transport/serviceAvailability calls an outage.
 */
export function replyUnavailableReason(error: unknown): string | undefined {
	const context = obj(obj(error).context);
	const method = stringOf(context[POST_MAY_HAVE_LANDED]);
	// A thread reply cannot be looked for in the history: it is not resent (fails as before).
	if (method && context[POSTED_IN_THREAD] === true) return undefined;
	const reason = unavailableReason(error);
	if (method)
		return `${method}: ${reason ?? 'no clear answer'} (it may have been posted: checked before posting again)`;
	return reason;
}

/** `oldest` for conversations.history: seconds, a little before the item's first failure. */
export function historyOldest(firstFailedAt: string): string {
	const ms = Date.parse(firstFailedAt) - HISTORY_LOOKBACK_MS;
	return (Math.max(0, ms) / 1000).toFixed(6);
}

/**
 * `oldest` for the history a reply is checked against before it is posted, or undefined when it
 * needs none: back from a wait, since its first failure; taken by a trigger in another n8n process
 * (queue mode: a webhook redelivered to the other webhook process runs on another worker, whose
 * memory of delivered comments is its own), since the comment was written (docs/scaling.md).
 */
export function replyHistoryOldest(
	json: { announcedIn?: unknown; comment?: { createdAt?: unknown } },
	previous: { firstFailedAt: string } | undefined,
	processToken: string,
	nowMs: number,
): string | undefined {
	if (previous) return historyOldest(previous.firstFailedAt);
	if (!announcedElsewhere(json.announcedIn, processToken)) return undefined;
	const created = Date.parse(String(json.comment?.createdAt ?? ''));
	return historyOldest(new Date(Number.isNaN(created) ? nowMs - FOREIGN_LOOKBACK_MS : created).toISOString());
}

/** Without the comment's time: how far back a reply from another process is looked for. */
const FOREIGN_LOOKBACK_MS = 60 * 60_000;

const normal = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

/**
 * The posts of this reply found in the conversation since its first failure. A planned message is
 * taken as posted when a message with the same text (whitespace aside), not from the DM's user, is
 * there; each found message answers for one planned message only. Files: a message sharing files of
 * the same names. ASSUMPTION: Slack keeps a posted text as sent (it does for mrkdwn text without
 * links it would unfurl: the node posts with unfurling off); an identical text from this node to the
 * same DM within minutes is this reply's (a second reply with the very same text is taken as posted).
 */
export class PostedInConversation {
	private readonly unused: HistoryMessage[];

	constructor(messages: readonly HistoryMessage[], excludeUser?: string) {
		this.unused = messages
			.filter((message) => !excludeUser || message.user !== excludeUser)
			.sort((a, b) => Number(a.ts) - Number(b.ts));
	}

	/** The ts of the earliest unused message with this text, now used; undefined when none. */
	takeText(text: string): string | undefined {
		const wanted = normal(text);
		const index = this.unused.findIndex((message) => !message.files?.length && normal(message.text) === wanted);
		return index < 0 ? undefined : this.unused.splice(index, 1)[0].ts;
	}

	/** The file ids of the earliest unused message sharing files of exactly these names; undefined when none. */
	takeFiles(names: readonly string[]): string[] | undefined {
		const wanted = [...names].sort().join('\n');
		const index = this.unused.findIndex(
			(message) =>
				(message.files?.length ?? 0) > 0 &&
				(message.files ?? [])
					.map((file) => file.name ?? '')
					.sort()
					.join('\n') === wanted,
		);
		if (index < 0) return undefined;
		return (this.unused.splice(index, 1)[0].files ?? []).map((file) => String(file.id ?? ''));
	}
}
