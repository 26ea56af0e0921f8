/**
 * The one-time "your message is queued" notice while Zendesk is unavailable (docs/outages.md):
 * sent for an item that just parked for the first time (the Service Unavailable output's
 * `retry.attempt` is 1, and not parked behind an earlier message), once per conversation per
 * outage. Pure: the node keeps when it last told each conversation.
 */
import { isWaitingBehind } from '../../shared/n8n/outageRetry';

export const DEFAULT_QUEUED_NOTICE =
	'Our help desk cannot be reached right now. Your message is saved and will reach the team as soon as it is back: no need to send it again.';

/** A conversation told within this is not told again (one outage; the Upsert's default give-up time). */
export const QUEUED_NOTICE_QUIET_MS = 60 * 60_000;

export type QueuedNoticeDecision =
	| { send: true }
	| { send: false; reason: 'notParked' | 'notFirstAttempt' | 'alreadyTold' };

export function queuedNoticeDecision(
	json: Record<string, unknown>,
	toldAtMs: number | undefined,
	nowMs: number,
): QueuedNoticeDecision {
	const retry = json.retry as { attempt?: unknown; reason?: unknown } | undefined;
	if (!retry || typeof retry !== 'object') return { send: false, reason: 'notParked' };
	if (Number(retry.attempt) !== 1 || isWaitingBehind(retry.reason)) return { send: false, reason: 'notFirstAttempt' };
	if (toldAtMs !== undefined && nowMs - toldAtMs < QUEUED_NOTICE_QUIET_MS)
		return { send: false, reason: 'alreadyTold' };
	return { send: true };
}
