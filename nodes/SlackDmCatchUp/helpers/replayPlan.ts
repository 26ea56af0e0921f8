/**
 * The Slack DM Catch-up's decisions, pure: whether an item asks for a catch-up, the time window,
 * which DM messages are handed to the Slack DM Trigger again and as what envelope, and what the
 * trigger's answer means (docs/scaling.md, A worker dies; shared/slack/catchUp.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import { isWorkerStoppedError } from '../../shared/n8n/workerStopped';
import { CATCH_UP_FIELD, type CatchUpMark, catchUpEventId } from '../../shared/slack/catchUp';
import type { SelfIdentity } from '../../shared/slack/identity';
import type { HistoryMessage } from '../../shared/transport/slackHistory';
import { recordOrEmpty, textOrNumber } from '../../shared/values';

/** Default and bounds of Look Back (minutes). */
export const DEFAULT_LOOK_BACK_MINUTES = 10;
export const MAX_LOOK_BACK_MINUTES = 120;

export type CatchUpStart = { run: true; mark: CatchUpMark } | { run: false; reason: 'notAStoppedWorker' };

/**
 * Whether the item asks for a catch-up. With `onlyAfterStoppedWorker` only an Error Trigger item
 * of n8n's "worker stopped" error does: other failures keep their execution's data (n8n's Retry
 * runs them again), so reading every DM for them would only cost calls.
 */
export function catchUpStart(json: IDataObject, onlyAfterStoppedWorker: boolean): CatchUpStart {
	const execution = recordOrEmpty(json.execution);
	const error = recordOrEmpty(execution.error);
	const mark = { executionId: textOrNumber(execution.id) ?? '' };
	if (onlyAfterStoppedWorker && !isWorkerStoppedError(textOrNumber(error.message)))
		return { run: false, reason: 'notAStoppedWorker' };
	return { run: true, mark };
}

/** Look Back as a whole number of minutes within bounds. */
export function lookBackMinutes(value: unknown): number {
	const minutes = Math.round(Number(value));
	if (!Number.isFinite(minutes) || minutes < 1) return DEFAULT_LOOK_BACK_MINUTES;
	return Math.min(minutes, MAX_LOOK_BACK_MINUTES);
}

/** Slack's `oldest` / `latest` (seconds, as conversations.history takes them) of the window ending now. */
export function catchUpWindow(nowMs: number, minutes: number): { oldest: string; latest: string } {
	const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(6);
	return { oldest: seconds(nowMs - minutes * 60_000), latest: seconds(nowMs) };
}

/**
 * Why the Trigger URL cannot be used, or undefined: it must be an http(s) URL, since the signed
 * events go there. The URL is the user's own n8n; nothing but the signed event is sent to it.
 */
export function triggerUrlProblem(url: string): string | undefined {
	if (url.trim() === '') return 'Trigger URL is empty';
	try {
		const parsed = new URL(url.trim());
		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'Trigger URL must start with https://';
		return undefined;
	} catch {
		return 'Trigger URL is not a URL';
	}
}

/**
 * The messages to hand over, oldest first (history answers newest first): the DM's top-level
 * messages with a ts, not the handle's own (the trigger would drop them as echoes anyway).
 */
export function messagesToHandOver(
	history: HistoryMessage[],
	self: Pick<SelfIdentity, 'userId' | 'botId'>,
): HistoryMessage[] {
	return history
		.filter((message) => typeof message.ts === 'string' && message.ts !== '')
		.filter((message) => message.user !== self.userId && !(self.botId && message.bot_id === self.botId))
		.sort((a, b) => Number(a.ts) - Number(b.ts));
}

/**
 * The threads of a DM with replies inside the window: their parents' ts. Slack lists a thread in
 * the history under its parent, so a thread whose parent is older than the window is not found.
 */
export function threadsWithNewReplies(history: HistoryMessage[], oldest: string): string[] {
	return history
		.filter((message) => typeof message.ts === 'string' && (message.reply_count ?? 0) > 0)
		.filter((message) => Number(message.latest_reply ?? 0) >= Number(oldest))
		.map((message) => String(message.ts));
}

/** A thread's replies inside the window, without its parent (conversations.replies answers the parent first). */
export function repliesInWindow(replies: HistoryMessage[], oldest: string): HistoryMessage[] {
	return replies.filter(
		(message) =>
			typeof message.thread_ts === 'string' && message.ts !== message.thread_ts && Number(message.ts) >= Number(oldest),
	);
}

/**
 * The Events API envelope Slack would have sent for a DM message (message.im, message.mpim), with the catch-up
 * mark. Slack's envelope also carries `api_app_id` and `token`: the history does not give them,
 * and the trigger needs neither (it knows its app by its bot id from auth.test).
 */
export function replayEnvelope(input: {
	self: SelfIdentity;
	channel: string;
	/** A 1:1 DM (message.im) or a group DM (message.mpim). */
	channelType?: 'im' | 'mpim';
	message: HistoryMessage;
	mark: CatchUpMark;
}): IDataObject {
	const { self, channel, message } = input;
	const channelType = input.channelType ?? 'im';
	const ts = String(message.ts);
	return {
		type: 'event_callback',
		team_id: self.teamId,
		event_id: catchUpEventId(channel, ts),
		event_time: Math.floor(Number(ts)),
		event: { ...(message as IDataObject), type: 'message', channel, channel_type: channelType, event_ts: ts },
		authorizations: [{ team_id: self.teamId, user_id: self.userId, is_bot: self.botId !== undefined }],
		[CATCH_UP_FIELD]: { executionId: input.mark.executionId },
	};
}

export type HandOverOutcome = 'handedOver' | 'duplicate' | 'ignored' | 'refused';

/**
 * What the trigger's answer says: a 2xx is a new execution unless the trigger named the event a
 * duplicate or ignored it (why); anything else is a refusal (a 401: the signing secret of this
 * credential is not the trigger's). Retryable answers (429, 5xx) are the transport's.
 */
export function handOverOutcome(statusCode: number, body: unknown): { outcome: HandOverOutcome; detail?: string } {
	if (statusCode < 200 || statusCode >= 300) return { outcome: 'refused', detail: `HTTP ${statusCode}` };
	const answer = recordOrEmpty(body);
	if (answer.duplicate === true) return { outcome: 'duplicate' };
	const ignored = textOrNumber(answer.ignored);
	if (ignored) return { outcome: 'ignored', detail: ignored };
	return { outcome: 'handedOver' };
}
