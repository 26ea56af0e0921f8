import {
	DEFAULT_RETRY_POLICY,
	decideRetry,
	rateLimitCharge,
	retryAfterMs,
} from '../../../../../nodes/shared/transport/retryPolicy';

describe('retryAfterMs', () => {
	it('reads seconds, case-insensitively', () => {
		expect(retryAfterMs({ 'Retry-After': '7' })).toBe(7000);
		expect(retryAfterMs({ 'retry-after': ['2'] })).toBe(2000);
	});
	it('reads an HTTP date relative to now', () => {
		const now = Date.parse('2026-11-25T10:00:00Z');
		expect(retryAfterMs({ 'retry-after': 'Wed, 25 Nov 2026 10:00:30 GMT' }, now)).toBe(30_000);
	});
	it('ignores missing or unparsable values', () => {
		expect(retryAfterMs({})).toBeUndefined();
		expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
	});
});

describe('decideRetry', () => {
	const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 };

	it('waits exactly Retry-After on 429', () => {
		expect(decideRetry({ statusCode: 429, headers: { 'retry-after': '3' } }, 1, policy)).toEqual({
			retry: true,
			waitMs: 3000,
			reason: 'rate limited',
		});
	});
	it("treats Slack's ok:false ratelimited like a 429", () => {
		expect(decideRetry({ statusCode: 200, slackError: 'ratelimited' }, 1, policy)).toMatchObject({ retry: true });
	});
	it('gives up when Retry-After exceeds the longest wait allowed', () => {
		expect(decideRetry({ statusCode: 429, headers: { 'retry-after': '60' } }, 1, policy)).toEqual({ retry: false });
	});
	it('backs off exponentially on 5xx and network resets', () => {
		expect(decideRetry({ statusCode: 503 }, 1, policy)).toMatchObject({ retry: true, waitMs: 100 });
		expect(decideRetry({ statusCode: 502 }, 3, policy)).toMatchObject({ retry: true, waitMs: 400 });
		expect(decideRetry({ errorCode: 'ECONNRESET' }, 2, policy)).toMatchObject({ retry: true, waitMs: 200 });
	});
	it('does not resend after an ambiguous failure (5xx, reset, timeout) when the policy says so, but still waits out a 429', () => {
		const writeOnce = { ...policy, resendAfterAmbiguousFailure: false };
		for (const outcome of [
			{ statusCode: 500 },
			{ statusCode: 503 },
			{ errorCode: 'ECONNRESET' },
			{ errorCode: 'ETIMEDOUT' },
		]) {
			expect(decideRetry(outcome, 1, writeOnce)).toEqual({ retry: false });
		}
		expect(decideRetry({ statusCode: 429, headers: { 'retry-after': '2' } }, 1, writeOnce)).toMatchObject({
			retry: true,
			waitMs: 2000,
		});
	});
	it('never retries client errors or unknown failures', () => {
		for (const statusCode of [400, 401, 403, 404, 409, 422])
			expect(decideRetry({ statusCode }, 1, policy).retry).toBe(false);
		expect(decideRetry({ errorCode: 'ERR_INVALID_URL' }, 1, policy).retry).toBe(false);
	});
	it('stops after maxAttempts', () => {
		expect(decideRetry({ statusCode: 500 }, 4, policy).retry).toBe(false);
		expect(decideRetry({ statusCode: 500 }, DEFAULT_RETRY_POLICY.maxAttempts, DEFAULT_RETRY_POLICY).retry).toBe(false);
	});
});

describe('decideRetry with a rate-limit budget (429s bounded by time, not attempts)', () => {
	const policy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 60_000, rateLimitBudgetMs: 120_000 };
	const limited = { statusCode: 429, headers: { 'retry-after': '1' } };

	/** Replays a call the way sendWithRetry keeps its history; returns the attempts made. */
	function attemptsUntilGivingUp(
		outcomeAt: (attempt: number) => { statusCode?: number; headers?: Record<string, unknown>; errorCode?: string },
		p = policy,
	) {
		const history = { rateLimitedAttempts: 0, rateLimitWaitedMs: 0 };
		for (let attempt = 1; attempt < 10_000; attempt++) {
			const decision = decideRetry(outcomeAt(attempt), attempt, p, history);
			if (!decision.retry) return { attempts: attempt, history };
			if (decision.reason === 'rate limited') {
				history.rateLimitedAttempts++;
				history.rateLimitWaitedMs += rateLimitCharge(decision.waitMs, p);
			}
		}
		throw new Error('never gave up');
	}

	it('keeps waiting out Retry-After: 1 far beyond maxAttempts (30 callers behind a 1-per-second limit)', () => {
		expect(decideRetry(limited, 30, policy, { rateLimitedAttempts: 29, rateLimitWaitedMs: 29_000 })).toEqual({
			retry: true,
			waitMs: 1000,
			reason: 'rate limited',
		});
	});
	it('gives up once the waits would exceed the budget', () => {
		expect(decideRetry(limited, 121, policy, { rateLimitedAttempts: 120, rateLimitWaitedMs: 120_000 })).toEqual({
			retry: false,
		});
		expect(attemptsUntilGivingUp(() => limited)).toEqual({
			attempts: 121,
			history: { rateLimitedAttempts: 120, rateLimitWaitedMs: 120_000 },
		});
		expect(attemptsUntilGivingUp(() => limited, { ...policy, rateLimitBudgetMs: 5_000 }).attempts).toBe(6);
	});
	it('counts a Retry-After of 0 as at least the base delay, so it cannot loop for ever', () => {
		const { attempts } = attemptsUntilGivingUp(() => ({ statusCode: 429, headers: { 'retry-after': '0' } }), {
			...policy,
			rateLimitBudgetMs: 1_000,
		});
		expect(attempts).toBe(5);
	});
	it('backs off exponentially on 429s without Retry-After, counting only the 429s', () => {
		expect(
			decideRetry({ statusCode: 429 }, 7, policy, { rateLimitedAttempts: 2, rateLimitWaitedMs: 750 }),
		).toMatchObject({ retry: true, waitMs: 1000 });
	});
	it('still limits other failures to maxAttempts, not counting the 429s between them', () => {
		// 20 rate limits, then 503s: four 503 retries are allowed, the fifth 503 ends the call.
		const { attempts, history } = attemptsUntilGivingUp((attempt) => (attempt <= 20 ? limited : { statusCode: 503 }));
		expect(attempts).toBe(25);
		expect(history.rateLimitedAttempts).toBe(20);
		expect(
			decideRetry({ statusCode: 503 }, 22, policy, { rateLimitedAttempts: 20, rateLimitWaitedMs: 20_000 }),
		).toMatchObject({ retry: true, waitMs: 500 });
	});
	it('without a budget, 429s count against maxAttempts (pre-answer calls keep their tight limit)', () => {
		const tight = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 500 };
		expect(decideRetry(limited, 1, { ...tight, maxDelayMs: 1000 })).toMatchObject({ retry: true });
		expect(decideRetry(limited, 2, { ...tight, maxDelayMs: 1000 })).toEqual({ retry: false });
	});
	it('the default policy has a 120 s rate-limit budget', () => {
		expect(DEFAULT_RETRY_POLICY.rateLimitBudgetMs).toBe(120_000);
		expect(
			decideRetry(limited, 6, DEFAULT_RETRY_POLICY, { rateLimitedAttempts: 5, rateLimitWaitedMs: 5_000 }).retry,
		).toBe(true);
	});
});
