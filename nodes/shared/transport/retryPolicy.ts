/**
 * When to retry an HTTP call, and how long to wait. Pure: the transport feeds it the
 * outcome of one attempt and sleeps for what it says. One rule for Slack and Zendesk.
 */

export interface RetryPolicy {
	/** Attempts in total, the first included. */
	maxAttempts: number;
	/** Base of the exponential back-off for 5xx and network errors. */
	baseDelayMs: number;
	/** Never wait longer than this for one attempt (a larger Retry-After fails the call instead). */
	maxDelayMs: number;
	/**
	 * false: a 5xx or a lost connection is not resent. Such a failure is ambiguous (the server may
	 * have applied the request), so a write that is not idempotent must be checked, not repeated.
	 * 429 is still retried: Zendesk and Slack refuse rate-limited requests before applying them.
	 */
	resendAfterAmbiguousFailure?: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 60_000 };

/** For writes that must never be applied twice: only 429 is retried (see resendAfterAmbiguousFailure). */
export const NO_AMBIGUOUS_RESEND_POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, resendAfterAmbiguousFailure: false };

export interface AttemptOutcome {
	/** HTTP status, or undefined when the request never got an answer (reset, timeout). */
	statusCode?: number;
	headers?: Record<string, unknown>;
	/** Network error code such as ECONNRESET or ETIMEDOUT. */
	errorCode?: string;
	/** Slack answers rate limits as HTTP 429, and some methods also as `{ ok: false, error: 'ratelimited' }`. */
	slackError?: string;
}

export type RetryDecision = { retry: false } | { retry: true; waitMs: number; reason: string };

const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'EAI_AGAIN',
	'ESOCKETTIMEDOUT',
	'UND_ERR_SOCKET',
]);

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === wanted) return Array.isArray(value) ? String(value[0]) : String(value);
	}
	return undefined;
}

/** Retry-After in milliseconds: seconds (Slack and Zendesk send seconds) or an HTTP date. */
export function retryAfterMs(headers: Record<string, unknown> | undefined, now = Date.now()): number | undefined {
	const raw = header(headers, 'retry-after');
	if (raw === undefined || raw.trim() === '') return undefined;
	const seconds = Number(raw);
	if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
	const date = Date.parse(raw);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function decideRetry(outcome: AttemptOutcome, attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryDecision {
	if (attempt >= policy.maxAttempts) return { retry: false };
	const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));

	if (outcome.statusCode === 429 || outcome.slackError === 'ratelimited') {
		const wait = retryAfterMs(outcome.headers) ?? backoff;
		if (wait > policy.maxDelayMs) return { retry: false };
		return { retry: true, waitMs: wait, reason: 'rate limited' };
	}
	if (policy.resendAfterAmbiguousFailure === false) return { retry: false };
	if (outcome.statusCode !== undefined && outcome.statusCode >= 500) {
		const wait = retryAfterMs(outcome.headers) ?? backoff;
		return { retry: true, waitMs: Math.min(wait, policy.maxDelayMs), reason: `HTTP ${outcome.statusCode}` };
	}
	if (outcome.statusCode === undefined && outcome.errorCode && RETRYABLE_NETWORK_CODES.has(outcome.errorCode)) {
		return { retry: true, waitMs: backoff, reason: outcome.errorCode };
	}
	return { retry: false };
}
