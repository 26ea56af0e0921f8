import {
	DEDUPE_TTL_MS,
	DeliveryLedger,
	recordStaticDelivery,
	retryInfoFromHeaders,
	retryReplacesEarlierDelivery,
	staticDataHasDelivered,
} from '../../nodes/shared/slack/dedupe';
import type { StaticDedupeData } from '../../nodes/shared/slack/dedupe';
import { selfIdentityFromAuthTest, identityCacheKey } from '../../nodes/shared/slack/identity';

const FIRST = { retryNum: 0 };
const keys = ['event:Ev1', 'message:slack:T1:D1:1.000100'];

describe('retry headers', () => {
	it('reads X-Slack-Retry-Num and X-Slack-Retry-Reason', () => {
		expect(retryInfoFromHeaders({})).toEqual({ retryNum: 0, retryReason: undefined });
		expect(retryInfoFromHeaders({ 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' })).toEqual({ retryNum: 2, retryReason: 'http_timeout' });
		expect(retryInfoFromHeaders({ 'x-slack-retry-num': ['1'], 'x-slack-retry-reason': ['http_error'] })).toEqual({ retryNum: 1, retryReason: 'http_error' });
		expect(retryInfoFromHeaders({ 'x-slack-retry-num': 'x' })).toEqual({ retryNum: 0, retryReason: undefined });
	});

	it('only an http_error retry replaces an earlier delivery', () => {
		expect(retryReplacesEarlierDelivery({ retryNum: 1, retryReason: 'http_error' })).toBe(true);
		for (const reason of ['http_timeout', 'connection_failed', 'ssl_error', 'too_many_redirects', 'unknown_error', undefined]) {
			expect(retryReplacesEarlierDelivery({ retryNum: 1, retryReason: reason })).toBe(false);
		}
		expect(retryReplacesEarlierDelivery({ retryNum: 0, retryReason: 'http_error' })).toBe(false);
	});
});

describe('DeliveryLedger (process layer)', () => {
	it('emits once; sequential retries of the same event are duplicates', () => {
		const ledger = new DeliveryLedger();
		expect(ledger.claim(keys, FIRST, 1_000)).toEqual({ emit: true, redelivery: false });
		expect(ledger.claim(keys, { retryNum: 1, retryReason: 'http_timeout' }, 4_000)).toEqual({ emit: false, duplicateOf: 'event:Ev1' });
		expect(ledger.claim(keys, { retryNum: 2, retryReason: 'http_timeout' }, 61_000)).toEqual({ emit: false, duplicateOf: 'event:Ev1' });
		expect(ledger.claim(keys, { retryNum: 3, retryReason: 'http_timeout' }, 361_000)).toEqual({ emit: false, duplicateOf: 'event:Ev1' });
	});

	it('concurrent deliveries of one event coalesce: exactly one of many emits', async () => {
		const ledger = new DeliveryLedger();
		const results = await Promise.all(
			Array.from({ length: 20 }, async (_, i) => {
				await Promise.resolve();
				return ledger.claim(keys, { retryNum: i % 2, retryReason: i % 2 ? 'http_timeout' : undefined }, 1_000);
			}),
		);
		expect(results.filter((r) => r.emit)).toHaveLength(1);
	});

	it('a retry of an event never seen (first delivery lost) emits once', () => {
		const ledger = new DeliveryLedger();
		expect(ledger.claim(keys, { retryNum: 1, retryReason: 'connection_failed' }, 1_000).emit).toBe(true);
		expect(ledger.claim(keys, { retryNum: 2, retryReason: 'connection_failed' }, 61_000).emit).toBe(false);
	});

	it('the same message under another event id is a duplicate (message + app_mention)', () => {
		const ledger = new DeliveryLedger();
		ledger.claim(keys, FIRST, 1_000);
		expect(ledger.claim(['event:Ev2', keys[1]], FIRST, 1_500)).toEqual({ emit: false, duplicateOf: keys[1] });
	});

	it('an http_error retry (our earlier answer was an error) is emitted again', () => {
		const ledger = new DeliveryLedger();
		ledger.claim(keys, FIRST, 1_000);
		expect(ledger.claim(keys, { retryNum: 1, retryReason: 'http_error' }, 2_000)).toEqual({ emit: true, redelivery: true });
	});

	it('forgets after the TTL, which outlasts Slack\'s retry horizon', () => {
		expect(DEDUPE_TTL_MS).toBeGreaterThanOrEqual(10 * 60 * 1000);
		const ledger = new DeliveryLedger(1_000);
		ledger.claim(keys, FIRST, 0);
		expect(ledger.claim(keys, FIRST, 999).emit).toBe(false);
		expect(ledger.claim(keys, FIRST, 2_000).emit).toBe(true);
		expect(ledger.size).toBe(2);
	});

	it('stays bounded, evicting the oldest', () => {
		const ledger = new DeliveryLedger(60_000, 4);
		for (let i = 0; i < 10; i++) ledger.claim([`event:${i}`], FIRST, 1_000 + i);
		expect(ledger.size).toBe(4);
		expect(ledger.claim(['event:9'], FIRST, 2_000).emit).toBe(false);
		expect(ledger.claim(['event:0'], FIRST, 2_000).emit).toBe(true);
	});

	it('release lets a delivery be claimed again', () => {
		const ledger = new DeliveryLedger();
		ledger.claim(keys, FIRST, 1_000);
		ledger.release(keys);
		expect(ledger.claim(keys, FIRST, 1_001).emit).toBe(true);
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
		expect(selfIdentityFromAuthTest({ ok: true, user: 'bridge', user_id: 'U0BOT', team_id: 'T1', bot_id: 'B1', url: 'https://acme.slack.com/' })).toEqual({
			userId: 'U0BOT',
			userName: 'bridge',
			teamId: 'T1',
			botId: 'B1',
		});
		expect(selfIdentityFromAuthTest({ ok: true, user: 'it-help', user_id: 'U0IT', team_id: 'T1', enterprise_id: 'E1' })).toEqual({
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
