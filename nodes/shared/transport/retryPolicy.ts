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
	/**
	 * Rate limits (429) are retried while their waits add up to at most this many ms, however many
	 * attempts that takes: with a 1-per-second limit and 30 callers, a caller may need ~30 attempts.
	 * Unset: 429s count against maxAttempts like any other failure (tight pre-answer budgets).
	 */
	rateLimitBudgetMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 5,
	baseDelayMs: 250,
	maxDelayMs: 60_000,
	rateLimitBudgetMs: 120_000,
};

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

/** The reason of a retry after a 429 / ratelimited answer. */
export const RATE_LIMITED = 'rate limited';

/** What the earlier attempts of one call cost in rate limits (the transport keeps it). */
export interface RateLimitHistory {
	/** Attempts that were answered 429 / ratelimited. */
	rateLimitedAttempts: number;
	/** Rate-limit waits so far, each counted as at least baseDelayMs (a Retry-After of 0 cannot loop for ever). */
	rateLimitWaitedMs: number;
}

export const NO_RATE_LIMIT_HISTORY: RateLimitHistory = { rateLimitedAttempts: 0, rateLimitWaitedMs: 0 };

/** What a rate-limit wait costs from the budget. */
export function rateLimitCharge(waitMs: number, policy: RetryPolicy): number {
	return Math.max(waitMs, policy.baseDelayMs);
}

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

/**
 * `attempt` counts every attempt of the call so far (1 = the first). With a rate-limit budget,
 * 429s are bounded by the budget and the other failures by maxAttempts (429s not counted).
 */
export function decideRetry(
	outcome: AttemptOutcome,
	attempt: number,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
	history: RateLimitHistory = NO_RATE_LIMIT_HISTORY,
): RetryDecision {
	const budget = policy.rateLimitBudgetMs;
	const rateLimited = outcome.statusCode === 429 || outcome.slackError === 'ratelimited';
	// With a budget, 429s and other failures are counted apart (each kind backs off on its own count).
	let failures = attempt;
	if (budget !== undefined)
		failures = rateLimited ? history.rateLimitedAttempts + 1 : attempt - history.rateLimitedAttempts;
	const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (Math.max(1, failures) - 1));

	if (rateLimited) {
		const wait = retryAfterMs(outcome.headers) ?? backoff;
		if (wait > policy.maxDelayMs) return { retry: false };
		if (budget === undefined)
			return attempt >= policy.maxAttempts ? { retry: false } : { retry: true, waitMs: wait, reason: RATE_LIMITED };
		if (history.rateLimitWaitedMs + rateLimitCharge(wait, policy) > budget) return { retry: false };
		return { retry: true, waitMs: wait, reason: RATE_LIMITED };
	}
	if (failures >= policy.maxAttempts) return { retry: false };
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
