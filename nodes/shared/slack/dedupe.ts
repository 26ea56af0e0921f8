/**
 * Exactly-once delivery of Slack events, in layers:
 * 1. `DeliveryLedger`: in-process memory of what this process emitted. Check-and-mark is
 *    synchronous, so concurrent duplicates (Slack's immediate retry racing the original)
 *    coalesce: the first marks, the others see the mark.
 * 2. `StaticDataLedger` helpers: the same record kept in the workflow's static data, which n8n
 *    saves with the workflow; it survives a restart and is shared by webhook processes that
 *    handle sequential retries (1 and 5 minutes later).
 * 3. The item's `idempotencyKey`, which the Zendesk node dedupes on, for what still slips
 *    through (two processes racing in queue mode).
 */
import { ClaimLedger } from '../state/ttlCache';

/** Slack retries up to three times within about six minutes; keep records well past that. */
export const DEDUPE_TTL_MS = 15 * 60 * 1000;
export const DEDUPE_MAX_ENTRIES = 10_000;
/** Static data is saved with the workflow: keep it small. */
export const STATIC_DEDUPE_MAX_ENTRIES = 500;

export interface RetryInfo {
	/** `X-Slack-Retry-Num`: 0 for a first delivery. */
	retryNum: number;
	/** `X-Slack-Retry-Reason`: http_timeout, http_error, connection_failed, ssl_error, too_many_redirects, unknown_error. */
	retryReason?: string;
}

export function retryInfoFromHeaders(headers: Record<string, string | string[] | undefined>): RetryInfo {
	const pick = (name: string): string | undefined => {
		const value = headers[name];
		return Array.isArray(value) ? value[0] : value;
	};
	const num = Number(pick('x-slack-retry-num') ?? '0');
	const reason = pick('x-slack-retry-reason');
	return { retryNum: Number.isInteger(num) && num > 0 ? num : 0, retryReason: reason || undefined };
}

/**
 * Whether a delivery whose keys were already emitted must be emitted again. Only when Slack
 * says our previous answer was an error (`http_error`): n8n then either failed to start the
 * workflow (respond-at-once mode) or the workflow failed (respond-after-workflow mode), so
 * nothing was delivered and the retry is the recovery. Timeouts, connection failures and
 * unknown reasons mean the original may well be running: emitting again would duplicate.
 */
export function retryReplacesEarlierDelivery(retry: RetryInfo): boolean {
	return retry.retryNum > 0 && retry.retryReason === 'http_error';
}

export type DeliveryDecision = { emit: true; redelivery: boolean } | { emit: false; duplicateOf: string };

export class DeliveryLedger {
	private readonly seen: ClaimLedger;

	constructor(ttlMs = DEDUPE_TTL_MS, maxEntries = DEDUPE_MAX_ENTRIES) {
		this.seen = new ClaimLedger({ ttlMs, maxEntries });
	}

	/**
	 * Decides and records in one synchronous step (no await in between, so concurrent
	 * requests in this process cannot both pass). `keys` are the event id and the message's
	 * idempotency key: the same message can arrive as two events (message + app_mention).
	 */
	claim(keys: string[], retry: RetryInfo, now: number): DeliveryDecision {
		const duplicateOf = keys.find((key) => this.seen.isClaimed(key, now));
		if (duplicateOf !== undefined && !retryReplacesEarlierDelivery(retry)) return { emit: false, duplicateOf };
		for (const key of keys) this.seen.mark(key, now);
		return { emit: true, redelivery: duplicateOf !== undefined };
	}

	/** Forgets keys, e.g. when the delivery could not be handed to n8n after all. */
	release(keys: string[]): void {
		for (const key of keys) this.seen.release(key);
	}

	get size(): number {
		return this.seen.size;
	}

	clear(): void {
		this.seen.clear();
	}
}

/** Shape kept under the node's workflow static data: key → expiry (ms since epoch). */
export interface StaticDedupeData {
	slackDelivered?: Record<string, number>;
}

/** Key already delivered according to static data (another process or before a restart). */
export function staticDataHasDelivered(data: StaticDedupeData, keys: string[], now: number): string | undefined {
	const delivered = data.slackDelivered ?? {};
	return keys.find((key) => (delivered[key] ?? 0) > now);
}

/** Records keys in static data, dropping expired entries and keeping the newest within the cap. */
export function recordStaticDelivery(
	data: StaticDedupeData,
	keys: string[],
	now: number,
	ttlMs = DEDUPE_TTL_MS,
	maxEntries = STATIC_DEDUPE_MAX_ENTRIES,
): void {
	const entries = Object.entries(data.slackDelivered ?? {}).filter(([key, expiresAt]) => expiresAt > now && !keys.includes(key));
	for (const key of keys) entries.push([key, now + ttlMs]);
	entries.sort((a, b) => a[1] - b[1]);
	data.slackDelivered = Object.fromEntries(entries.slice(-maxEntries));
}
