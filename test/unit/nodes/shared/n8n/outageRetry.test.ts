import {
	MIN_DURABLE_WAIT_SECONDS,
	RESTART_HOLD_MARGIN_MS,
	backoffSeconds,
	behindWindowOpen,
	decideUnavailable,
	describeSlackMessage,
	firstWords,
	giveUpMessage,
	outageSettings,
	restartHoldUntil,
	retryInfoOf,
	withoutRetry,
} from '../../../../../nodes/shared/n8n/outageRetry';
import type { RetryInfo } from '../../../../../nodes/shared/n8n/outageRetry';

const T0 = Date.parse('2026-12-06T10:00:00Z');
const settings = outageSettings(60, 180);

describe('backoff', () => {
	it('starts at the durable minimum (65 s), doubles and stops at the longest wait', () => {
		expect([1, 2, 3, 4, 10].map((attempt) => backoffSeconds(attempt, 180))).toEqual([65, 130, 180, 180, 180]);
	});

	it('never waits less than 65 s, whatever the longest wait says', () => {
		expect(backoffSeconds(1, 10)).toBe(MIN_DURABLE_WAIT_SECONDS);
		expect(outageSettings(60, 5).maxWaitSeconds).toBe(65);
	});

	it('reads the give-up time in minutes, defaulting to an hour', () => {
		expect(outageSettings(undefined, undefined)).toEqual({ giveUpMs: 3_600_000, maxWaitSeconds: 180 });
		expect(outageSettings(2, 300)).toEqual({ giveUpMs: 120_000, maxWaitSeconds: 300 });
	});
});

describe('decideUnavailable', () => {
	it('parks a first failure with attempt 1, 65 s and the give-up time', () => {
		const decision = decideUnavailable({ reason: 'HTTP 503', node: 'Upsert', nowMs: T0, settings });
		expect(decision).toEqual({
			do: 'park',
			retry: {
				attempt: 1,
				firstFailedAt: '2026-12-06T10:00:00.000Z',
				nextAttemptAt: '2026-12-06T10:01:05.000Z',
				waitSeconds: 65,
				reason: 'HTTP 503',
				node: 'Upsert',
				giveUpAt: '2026-12-06T11:00:00.000Z',
			},
		});
	});

	it('keeps the first failure time and counts attempts on', () => {
		const first = decideUnavailable({ reason: 'HTTP 503', node: 'U', nowMs: T0, settings });
		if (first.do !== 'park') throw new Error('parked');
		const second = decideUnavailable({
			previous: first.retry,
			reason: 'HTTP 502',
			node: 'U',
			nowMs: T0 + 70_000,
			settings,
		});
		expect(second).toMatchObject({
			do: 'park',
			retry: { attempt: 2, firstFailedAt: first.retry.firstFailedAt, waitSeconds: 130, reason: 'HTTP 502' },
		});
	});

	it('gives up once the give-up time since the first failure has passed, never on a first failure', () => {
		const short = outageSettings(1, 180);
		expect(decideUnavailable({ reason: 'x', node: 'U', nowMs: T0, settings: short }).do).toBe('park');
		const previous = { attempt: 1, firstFailedAt: new Date(T0).toISOString(), node: 'U' } as RetryInfo;
		expect(decideUnavailable({ previous, reason: 'x', node: 'U', nowMs: T0 + 59_000, settings: short }).do).toBe(
			'park',
		);
		expect(decideUnavailable({ previous, reason: 'x', node: 'U', nowMs: T0 + 60_000, settings: short })).toEqual({
			do: 'giveUp',
			attempts: 2,
			firstFailedAt: previous.firstFailedAt,
			waitedMs: 60_000,
		});
	});

	it('cuts the last wait to the give-up time, but not under 65 s', () => {
		const previous = { attempt: 3, firstFailedAt: new Date(T0).toISOString(), node: 'U' } as RetryInfo;
		const nearEnd = decideUnavailable({ previous, reason: 'x', node: 'U', nowMs: T0 + 3_500_000, settings });
		expect(nearEnd).toMatchObject({ retry: { waitSeconds: 100 } });
		const atEnd = decideUnavailable({ previous, reason: 'x', node: 'U', nowMs: T0 + 3_590_000, settings });
		expect(atEnd).toMatchObject({ retry: { waitSeconds: 65 } });
	});

	it('parks a message behind an earlier one until after that one’s next attempt', () => {
		const decision = decideUnavailable({ reason: 'behind', node: 'U', nowMs: T0, settings, notBeforeMs: T0 + 150_000 });
		expect(decision).toMatchObject({ retry: { waitSeconds: 150, nextAttemptAt: '2026-12-06T10:02:30.000Z' } });
	});

	it('waits behind an earlier message for that turn only, however often it parked before', () => {
		// Parked twice already (held after a restart, then behind): the third park is not a 180 s backoff step.
		const previous = { attempt: 2, firstFailedAt: new Date(T0).toISOString(), node: 'U' } as RetryInfo;
		const behind = { previous, reason: 'behind', node: 'U', nowMs: T0 + 200_000, settings };
		expect(decideUnavailable({ ...behind, notBeforeMs: T0 + 230_000 })).toMatchObject({
			retry: { attempt: 3, waitSeconds: 65, firstFailedAt: previous.firstFailedAt },
		});
		expect(decideUnavailable({ ...behind, notBeforeMs: T0 + 300_000 })).toMatchObject({ retry: { waitSeconds: 100 } });
		// Its own failure still backs off.
		expect(decideUnavailable(behind)).toMatchObject({ retry: { waitSeconds: 180 } });
	});

	it('waits behind another message no longer than its own give-up time (then at least the durable minimum)', () => {
		const previous = { attempt: 4, firstFailedAt: new Date(T0).toISOString(), node: 'U' } as RetryInfo;
		const late = { previous, reason: 'behind', node: 'U', settings, notBeforeMs: T0 + 3_900_000 };
		expect(decideUnavailable({ ...late, nowMs: T0 + 3_500_000 })).toMatchObject({ retry: { waitSeconds: 100 } });
		expect(decideUnavailable({ ...late, nowMs: T0 + 3_580_000 })).toMatchObject({ retry: { waitSeconds: 65 } });
	});

	it('keeps since when the work has asked to wait for a message it cannot see, and only then', () => {
		const asked = decideUnavailable({
			reason: 'behind',
			node: 'U',
			nowMs: T0,
			settings,
			notBeforeMs: T0,
			behindSinceMs: T0 - 70_000,
		});
		expect(asked).toMatchObject({ retry: { behindSince: '2026-12-06T09:58:50.000Z', waitSeconds: 65 } });
		const failed = decideUnavailable({ reason: 'HTTP 503', node: 'U', nowMs: T0, settings });
		expect(failed.do === 'park' && 'behindSince' in failed.retry).toBe(false);
	});
});

describe('behindWindowOpen', () => {
	const since = new Date(T0).toISOString();

	it("is open for the longest wait plus the wait tracker's look after the first such park", () => {
		expect(behindWindowOpen(since, T0, 180)).toBe(true);
		expect(behindWindowOpen(since, T0 + 180_000 + RESTART_HOLD_MARGIN_MS - 1, 180)).toBe(true);
		expect(behindWindowOpen(since, T0 + 180_000 + RESTART_HOLD_MARGIN_MS, 180)).toBe(false);
		expect(behindWindowOpen(since, T0 + 300_000 + RESTART_HOLD_MARGIN_MS - 1, 300)).toBe(true);
	});

	it('is closed for a time it cannot read', () => {
		expect(behindWindowOpen('soon', T0, 180)).toBe(false);
	});
});

describe('retry field', () => {
	const retry = { attempt: 2, firstFailedAt: '2026-12-06T10:00:00.000Z', node: 'Upsert' };

	it('is read back only by the node that parked the item', () => {
		expect(retryInfoOf({ retry }, 'Upsert')).toEqual(retry);
		expect(retryInfoOf({ retry }, 'Profile Linker')).toBeUndefined();
		expect(retryInfoOf({ retry: { ...retry, attempt: 0 } }, 'Upsert')).toBeUndefined();
		expect(retryInfoOf({ retry: { ...retry, firstFailedAt: 'soon' } }, 'Upsert')).toBeUndefined();
		expect(retryInfoOf({}, 'Upsert')).toBeUndefined();
	});

	it('is taken off before the node works and passes the item on', () => {
		expect(withoutRetry({ a: 1, retry })).toEqual({ a: 1 });
		const json = { a: 1 };
		expect(withoutRetry(json)).toBe(json);
	});
});

describe('give-up wording', () => {
	it('names the user, the conversation and the first words', () => {
		const json = {
			user: { id: 'U1', teamId: 'T1' },
			channel: { id: 'D1' },
			message: { text: 'My laptop does not start since the update this morning, can you help me please?' },
		};
		expect(describeSlackMessage(json)).toBe(
			'Slack user U1 (team T1), conversation D1: "My laptop does not start since the update this morning, can …"',
		);
		expect(describeSlackMessage({ message: { ts: '1.2' } })).toBe('message 1.2');
		expect(describeSlackMessage({})).toBe('the item');
	});

	it('keeps short texts whole and on one line', () => {
		expect(firstWords('hello\n  world')).toBe('hello world');
	});

	it('says how long and how often', () => {
		expect(giveUpMessage('Zendesk', 'X', { attempts: 12, waitedMs: 3_600_000 })).toBe(
			'Zendesk stayed unavailable for 60 min (12 attempts); gave up on X',
		);
	});
});

describe('restartHoldUntil', () => {
	const base = { startedAtMs: T0, nowMs: T0 + 10_000, maxWaitSeconds: 180, sawForeign: true, resumed: false };
	const until = T0 + 180_000 + RESTART_HOLD_MARGIN_MS;

	it('holds a new message until the longest wait and a margin after the start, once a message from before it was seen', () => {
		expect(restartHoldUntil(base)).toBe(until);
		expect(restartHoldUntil({ ...base, nowMs: until - 1 })).toBe(until);
		expect(restartHoldUntil({ ...base, maxWaitSeconds: 65 })).toBe(T0 + 65_000 + RESTART_HOLD_MARGIN_MS);
	});

	it('holds nothing once that time has passed', () => {
		expect(restartHoldUntil({ ...base, nowMs: until })).toBeUndefined();
	});

	it('never holds a message that comes back from its own wait (those are what new ones wait for)', () => {
		expect(restartHoldUntil({ ...base, resumed: true })).toBeUndefined();
	});

	it('holds nothing in a process that parked every waiting message itself', () => {
		expect(restartHoldUntil({ ...base, sawForeign: false })).toBeUndefined();
	});
});
