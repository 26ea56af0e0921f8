import { DEFAULT_RETRY_POLICY, decideRetry, retryAfterMs } from '../../nodes/shared/transport/retryPolicy';

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
		for (const outcome of [{ statusCode: 500 }, { statusCode: 503 }, { errorCode: 'ECONNRESET' }, { errorCode: 'ETIMEDOUT' }]) {
			expect(decideRetry(outcome, 1, writeOnce)).toEqual({ retry: false });
		}
		expect(decideRetry({ statusCode: 429, headers: { 'retry-after': '2' } }, 1, writeOnce)).toMatchObject({ retry: true, waitMs: 2000 });
	});
	it('never retries client errors or unknown failures', () => {
		for (const statusCode of [400, 401, 403, 404, 409, 422]) expect(decideRetry({ statusCode }, 1, policy).retry).toBe(false);
		expect(decideRetry({ errorCode: 'ERR_INVALID_URL' }, 1, policy).retry).toBe(false);
	});
	it('stops after maxAttempts', () => {
		expect(decideRetry({ statusCode: 500 }, 4, policy).retry).toBe(false);
		expect(decideRetry({ statusCode: 500 }, DEFAULT_RETRY_POLICY.maxAttempts, DEFAULT_RETRY_POLICY).retry).toBe(false);
	});
});
