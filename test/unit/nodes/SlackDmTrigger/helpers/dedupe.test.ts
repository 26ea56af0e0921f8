import {
	DEDUPE_TTL_MS,
	DeliveryLedger,
	recordStaticDelivery,
	retryInfoFromHeaders,
	retryReplacesEarlierDelivery,
	staticDataHasDelivered,
} from '../../../../../nodes/SlackDmTrigger/helpers/dedupe';
import type { RetryInfo, StaticDedupeData } from '../../../../../nodes/SlackDmTrigger/helpers/dedupe';
import { selfIdentityFromAuthTest, identityCacheKey } from '../../../../../nodes/shared/slack/identity';

const FIRST = { retryNum: 0 };
const keys = ['event:Ev1', 'message:slack:T1:D1:1.000100'];

describe('retry headers', () => {
	it('reads X-Slack-Retry-Num and X-Slack-Retry-Reason', () => {
		expect(retryInfoFromHeaders({})).toEqual({ retryNum: 0, retryReason: undefined });
		expect(retryInfoFromHeaders({ 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' })).toEqual({
			retryNum: 2,
			retryReason: 'http_timeout',
		});
		expect(retryInfoFromHeaders({ 'x-slack-retry-num': ['1'], 'x-slack-retry-reason': ['http_error'] })).toEqual({
			retryNum: 1,
			retryReason: 'http_error',
		});
		expect(retryInfoFromHeaders({ 'x-slack-retry-num': 'x' })).toEqual({ retryNum: 0, retryReason: undefined });
	});

	it('only an http_error retry overrides what static data recorded', () => {
		expect(retryReplacesEarlierDelivery({ retryNum: 1, retryReason: 'http_error' })).toBe(true);
		for (const reason of [
			'http_timeout',
			'connection_failed',
			'ssl_error',
			'too_many_redirects',
			'unknown_error',
			undefined,
		]) {
			expect(retryReplacesEarlierDelivery({ retryNum: 1, retryReason: reason })).toBe(false);
		}
		expect(retryReplacesEarlierDelivery({ retryNum: 0, retryReason: 'http_error' })).toBe(false);
	});
});

describe('DeliveryLedger (process layer)', () => {
	const TIMEOUT = (retryNum: number) => ({ retryNum, retryReason: 'http_timeout' });
	/** Claims and reports n8n's answer at once. */
	const deliver = (
		ledger: DeliveryLedger,
		claimKeys: string[],
		retry: RetryInfo = FIRST,
		now = 1_000,
		delivered = true,
	) => {
		const decision = ledger.claim(claimKeys, retry, now);
		if (decision.emit) decision.settle(delivered);
		return decision;
	};

	it('emits once; once n8n took it, sequential retries of the same event are duplicates', () => {
		const ledger = new DeliveryLedger();
		expect(deliver(ledger, keys)).toMatchObject({ emit: true, redelivery: false });
		expect(ledger.claim(keys, TIMEOUT(1), 4_000)).toEqual({ emit: false, duplicateOf: 'event:Ev1' });
		expect(ledger.claim(keys, TIMEOUT(2), 61_000)).toEqual({ emit: false, duplicateOf: 'event:Ev1' });
		expect(ledger.claim(keys, TIMEOUT(3), 361_000)).toEqual({ emit: false, duplicateOf: 'event:Ev1' });
	});

	it('concurrent deliveries of one event coalesce: exactly one of many emits, the others wait for it', async () => {
		const ledger = new DeliveryLedger();
		const results = await Promise.all(
			Array.from({ length: 20 }, async (_, i) => {
				await Promise.resolve();
				return ledger.claim(keys, i % 2 ? TIMEOUT(1) : FIRST, 1_000);
			}),
		);
		const emitted = results.filter((r) => r.emit);
		expect(emitted).toHaveLength(1);
		const waiting = results.filter((r) => !r.emit && 'settled' in r);
		expect(waiting).toHaveLength(19);
		if (emitted[0].emit) emitted[0].settle(true);
		for (const r of waiting) if (!r.emit && 'settled' in r) await expect(r.settled).resolves.toBe(true);
		expect(ledger.claim(keys, TIMEOUT(1), 1_001)).toEqual({ emit: false, duplicateOf: 'event:Ev1' });
	});

	it('a retry that arrives while the original waits for n8n is not acknowledged as a duplicate; if n8n fails to start it, the retry emits', async () => {
		const ledger = new DeliveryLedger();
		const original = ledger.claim(keys, FIRST, 1_000);
		const retry = ledger.claim(keys, TIMEOUT(1), 4_000);
		expect(retry).toMatchObject({ emit: false, pendingOf: 'event:Ev1' });
		if (!original.emit || retry.emit || !('settled' in retry)) throw new Error('unexpected decisions');
		original.settle(false);
		await expect(retry.settled).resolves.toBe(false);
		expect(ledger.claim(keys, TIMEOUT(1), 4_001)).toMatchObject({ emit: true, redelivery: true });
	});

	it('a delivery n8n did not take is emitted again by any retry (the reason does not matter)', () => {
		const ledger = new DeliveryLedger();
		deliver(ledger, keys, FIRST, 1_000, false);
		expect(deliver(ledger, keys, TIMEOUT(1), 4_000)).toMatchObject({ emit: true, redelivery: true });
		expect(ledger.claim(keys, { retryNum: 2, retryReason: 'http_error' }, 61_000)).toEqual({
			emit: false,
			duplicateOf: 'event:Ev1',
		});
	});

	it("Slack's last retry takes over a delivery that is still pending, so it is not dropped for good", () => {
		const ledger = new DeliveryLedger();
		const original = ledger.claim(keys, FIRST, 1_000);
		expect(ledger.claim(keys, TIMEOUT(2), 61_000)).toMatchObject({ emit: false, pendingOf: 'event:Ev1' });
		const last = ledger.claim(keys, TIMEOUT(3), 361_000);
		expect(last).toMatchObject({ emit: true, redelivery: true });
		// The original's late answer no longer decides: the take-over's does.
		if (original.emit) original.settle(false);
		expect(ledger.claim(keys, TIMEOUT(2), 361_001)).toMatchObject({ emit: false, pendingOf: 'event:Ev1' });
		if (last.emit) last.settle(true);
		expect(ledger.claim(keys, TIMEOUT(3), 361_002)).toEqual({ emit: false, duplicateOf: 'event:Ev1' });
	});

	it('a retry of an event never seen (first delivery lost) emits once', () => {
		const ledger = new DeliveryLedger();
		expect(deliver(ledger, keys, { retryNum: 1, retryReason: 'connection_failed' }).emit).toBe(true);
		expect(ledger.claim(keys, { retryNum: 2, retryReason: 'connection_failed' }, 61_000).emit).toBe(false);
	});

	it('the same message under another event id is a duplicate (message + app_mention)', () => {
		const ledger = new DeliveryLedger();
		deliver(ledger, keys);
		expect(ledger.claim(['event:Ev2', keys[1]], FIRST, 1_500)).toEqual({ emit: false, duplicateOf: keys[1] });
	});

	it('once n8n took a delivery, even an http_error retry is a duplicate: the ledger saw the answer', () => {
		const ledger = new DeliveryLedger();
		deliver(ledger, keys);
		expect(ledger.claim(keys, { retryNum: 1, retryReason: 'http_error' }, 2_000)).toEqual({
			emit: false,
			duplicateOf: 'event:Ev1',
		});
	});

	it('a second settle is ignored', () => {
		const ledger = new DeliveryLedger();
		const decision = ledger.claim(keys, FIRST, 1_000);
		if (!decision.emit) throw new Error('expected emit');
		decision.settle(true);
		decision.settle(false);
		expect(ledger.claim(keys, TIMEOUT(1), 1_001)).toEqual({ emit: false, duplicateOf: 'event:Ev1' });
	});

	it("forgets after the TTL, which outlasts Slack's retry horizon", () => {
		expect(DEDUPE_TTL_MS).toBeGreaterThanOrEqual(10 * 60 * 1000);
		const ledger = new DeliveryLedger(1_000);
		const first = ledger.claim(keys, FIRST, 0);
		expect(ledger.claim(keys, FIRST, 999).emit).toBe(false);
		expect(ledger.claim(keys, FIRST, 2_000).emit).toBe(true);
		expect(first.emit).toBe(true);
		expect(ledger.size).toBe(2);
	});

	it('stays bounded, evicting the oldest', () => {
		const ledger = new DeliveryLedger(60_000, 4);
		for (let i = 0; i < 10; i++) ledger.claim([`event:${i}`], FIRST, 1_000 + i);
		expect(ledger.size).toBe(4);
		expect(ledger.claim(['event:9'], FIRST, 2_000).emit).toBe(false);
		expect(ledger.claim(['event:0'], FIRST, 2_000).emit).toBe(true);
	});
});

describe('static data (workflow layer)', () => {
	it('records deliveries with expiry and finds them again', () => {
		const data: StaticDedupeData = {};
		expect(staticDataHasDelivered(data, keys, 1_000)).toBeUndefined();
		recordStaticDelivery(data, keys, 1_000, 60_000);
		expect(staticDataHasDelivered(data, keys, 2_000)).toBe('event:Ev1');
		expect(staticDataHasDelivered(data, ['event:other'], 2_000)).toBeUndefined();
		expect(staticDataHasDelivered(data, keys, 61_001)).toBeUndefined();
	});

	it('prunes expired entries and keeps only the newest within the cap', () => {
		const data: StaticDedupeData = {};
		recordStaticDelivery(data, ['old'], 0, 1_000);
		recordStaticDelivery(data, ['a'], 5_000, 1_000);
		expect(Object.keys(data.slackDelivered ?? {})).toEqual(['a']);
		for (let i = 0; i < 10; i++) recordStaticDelivery(data, [`k${i}`], 6_000 + i, 60_000, 3);
		expect(Object.keys(data.slackDelivered ?? {})).toEqual(['k7', 'k8', 'k9']);
	});

	it('survives JSON round trips (n8n stores static data as JSON)', () => {
		const data: StaticDedupeData = {};
		recordStaticDelivery(data, keys, 1_000);
		const restored = JSON.parse(JSON.stringify(data)) as StaticDedupeData;
		expect(staticDataHasDelivered(restored, [keys[1]], 2_000)).toBe(keys[1]);
	});
});

describe('identity', () => {
	it('parses auth.test for bot and user tokens', () => {
		expect(
			selfIdentityFromAuthTest({
				ok: true,
				user: 'bridge',
				user_id: 'U0BOT',
				team_id: 'T1',
				bot_id: 'B1',
				url: 'https://acme.slack.com/',
			}),
		).toEqual({
			userId: 'U0BOT',
			userName: 'bridge',
			teamId: 'T1',
			botId: 'B1',
		});
		expect(
			selfIdentityFromAuthTest({ ok: true, user: 'it-help', user_id: 'U0IT', team_id: 'T1', enterprise_id: 'E1' }),
		).toEqual({
			userId: 'U0IT',
			userName: 'it-help',
			teamId: 'T1',
			enterpriseId: 'E1',
		});
		expect(selfIdentityFromAuthTest({ ok: true, user_id: 'U0IT', team_id: 'T1' })?.userName).toBe('U0IT');
		expect(selfIdentityFromAuthTest({ ok: true, team_id: 'T1' })).toBeUndefined();
	});

	it('cache keys never contain the token', () => {
		const key = identityCacheKey({ credentialId: 'cred1', baseUrl: 'https://slack.com/api', tokenDigest: 'abcd1234' });
		expect(key).toBe('cred1|https://slack.com/api|abcd1234');
	});
});
