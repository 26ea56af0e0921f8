/**
 * Exactly-once delivery of Slack events, in layers:
 * 1. `DeliveryLedger`: in-process memory of what this process handed to n8n and whether n8n
 *    took it. Check-and-mark is synchronous, so concurrent duplicates (Slack's immediate retry
 *    racing the original) coalesce: the first marks, the others wait for its outcome.
 * 2. `StaticDataLedger` helpers: the same record kept in the workflow's static data, which n8n
 *    saves with the workflow; it survives a restart and is shared by webhook processes that
 *    handle sequential retries (1 and 5 minutes later).
 * 3. The item's `idempotencyKey`, which the Zendesk node dedupes on, for what still slips
 *    through (two processes racing in queue mode).
 */
import { TtlMap } from '../../shared/state/ttlCache';

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
 * Whether a retry may be emitted although static data (layer 2) says its keys were delivered.
 * Only when Slack says our previous answer was an error (`http_error`): n8n then either failed
 * to start the workflow (respond-at-once mode) or the workflow failed (respond-after-workflow
 * mode), so nothing was delivered and the retry is the recovery. Static data is written before
 * n8n answers, so it cannot know; the process ledger (layer 1) knows and does not need this.
 */
export function retryReplacesEarlierDelivery(retry: RetryInfo): boolean {
	return retry.retryNum > 0 && retry.retryReason === 'http_error';
}

/** Slack gives up after its third retry: a delivery still pending then is taken over. */
export const LAST_SLACK_RETRY = 3;

export type DeliveryDecision =
	/** Hand the event to n8n, then report with `settle` whether n8n took it (2xx) or not. */
	| { emit: true; redelivery: boolean; settle: (delivered: boolean) => void }
	/** n8n took this message before: acknowledge, start nothing. */
	| { emit: false; duplicateOf: string }
	/** Another request holds this message and n8n has not answered it yet: `settled` tells how it went. */
	| { emit: false; pendingOf: string; settled: Promise<boolean> };

type DeliveryRecord =
	| { state: 'pending'; settled: Promise<boolean> }
	| { state: 'delivered' }
	/** n8n did not take it (start failed, workflow failed, never answered): a retry emits it again. */
	| { state: 'failed' };

export class DeliveryLedger {
	private readonly records: TtlMap<DeliveryRecord>;

	constructor(ttlMs = DEDUPE_TTL_MS, maxEntries = DEDUPE_MAX_ENTRIES) {
		this.records = new TtlMap({ ttlMs, maxEntries });
	}

	/**
	 * Decides and records in one synchronous step (no await in between, so concurrent
	 * requests in this process cannot both pass). `keys` are the event id and the message's
	 * idempotency key: the same message can arrive as two events (message + app_mention).
	 * A message is a duplicate only once n8n has taken it; while its first request waits for
	 * n8n, others wait on `settled`, so a start that fails later cannot lose the message.
	 */
	claim(keys: string[], retry: RetryInfo, now: number): DeliveryDecision {
		const found = keys.map((key) => ({ key, record: this.records.get(key, now) }));
		const delivered = found.find(({ record }) => record?.state === 'delivered');
		if (delivered) return { emit: false, duplicateOf: delivered.key };
		const pending = found.find(({ record }) => record?.state === 'pending');
		if (pending?.record?.state === 'pending' && retry.retryNum < LAST_SLACK_RETRY) {
			return { emit: false, pendingOf: pending.key, settled: pending.record.settled };
		}
		let settle!: (delivered: boolean) => void;
		const record: DeliveryRecord = { state: 'pending', settled: new Promise<boolean>((resolve) => (settle = resolve)) };
		for (const key of keys) this.records.set(key, record, undefined, now);
		let reported = false;
		return {
			emit: true,
			redelivery: found.some(({ record: earlier }) => earlier !== undefined),
			settle: (isDelivered) => {
				if (reported) return;
				reported = true;
				for (const key of keys) {
					// A later take-over owns the key now; this outcome is only for its own waiters.
					// The record's lifetime still counts from the claim.
					if (this.records.get(key, now) === record)
						this.records.set(key, { state: isDelivered ? 'delivered' : 'failed' }, undefined, now);
				}
				settle(isDelivered);
			},
		};
	}

	get size(): number {
		return this.records.size;
	}

	clear(): void {
		this.records.clear();
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
	const entries = Object.entries(data.slackDelivered ?? {}).filter(
		([key, expiresAt]) => expiresAt > now && !keys.includes(key),
	);
	for (const key of keys) entries.push([key, now + ttlMs]);
	entries.sort((a, b) => a[1] - b[1]);
	data.slackDelivered = Object.fromEntries(entries.slice(-maxEntries));
}
