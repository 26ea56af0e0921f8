import { ClaimLedger, LoadingCache, SingleFlight, TtlMap } from '../../../../../nodes/shared/state/ttlCache';

describe('TtlMap', () => {
	it('forgets entries after their ttl, and stores nothing with ttl 0', () => {
		let now = 1_000;
		const cache = new TtlMap<string>({ clock: () => now });
		cache.set('a', 'x', 100);
		cache.set('b', 'y', 0);
		expect(cache.get('a')).toBe('x');
		expect(cache.get('b')).toBeUndefined();
		now += 99;
		expect(cache.has('a')).toBe(true);
		now += 1;
		expect(cache.get('a')).toBeUndefined();
	});

	it('uses the default ttl when set is given none, and an explicit now over the clock', () => {
		const cache = new TtlMap<number>({ ttlMs: 50, clock: () => 0 });
		cache.set('a', 1);
		expect(cache.get('a', 49)).toBe(1);
		expect(cache.get('a', 50)).toBeUndefined();
		cache.set('b', 2, undefined, 1_000);
		expect(cache.get('b', 1_049)).toBe(2);
		expect(cache.get('b', 1_050)).toBeUndefined();
	});

	it('without a default ttl, set stores nothing (caching off)', () => {
		const cache = new TtlMap<number>({ clock: () => 0 });
		cache.set('a', 1);
		expect(cache.size).toBe(0);
	});

	it('evicts the oldest write at capacity; a rewrite counts as new', () => {
		const cache = new TtlMap<number>({ clock: () => 0, maxEntries: 2 });
		cache.set('a', 1, 10);
		cache.set('b', 2, 10);
		cache.set('a', 11, 10);
		cache.set('c', 3, 10);
		expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([11, undefined, 3]);
		expect(cache.size).toBe(2);
	});

	it('drops expired entries when writing, so size counts live ones', () => {
		let now = 0;
		const cache = new TtlMap<number>({ ttlMs: 10, clock: () => now });
		for (let i = 0; i < 5; i++) cache.set(`k${i}`, i);
		now = 10;
		cache.set('fresh', 9);
		expect(cache.size).toBe(1);
	});
});

describe('SingleFlight', () => {
	it('shares one run between concurrent callers and starts afresh afterwards', async () => {
		const flights = new SingleFlight<number>();
		let runs = 0;
		const work = async () => {
			runs++;
			await new Promise((resolve) => setImmediate(resolve));
			return runs;
		};
		const [a, b] = await Promise.all([flights.run('k', work), flights.run('k', work)]);
		expect([a, b, runs]).toEqual([1, 1, 1]);
		expect(flights.inFlight).toBe(0);
		expect(await flights.run('k', work)).toBe(2);
	});

	it('does not keep a failed run', async () => {
		const flights = new SingleFlight<number>();
		await expect(flights.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
		expect(await flights.run('k', async () => 5)).toBe(5);
	});
});

describe('LoadingCache', () => {
	it('concurrent first callers share one load; later callers hit the cache until the TTL ends', async () => {
		let now = 0;
		const cache = new LoadingCache<string>({ ttlMs: 1_000, maxEntries: 10, clock: () => now });
		let loads = 0;
		const load = async () => {
			loads++;
			await new Promise((resolve) => setImmediate(resolve));
			return `v${loads}`;
		};
		const values = await Promise.all(Array.from({ length: 10 }, () => cache.get('k', load)));
		expect(new Set(values)).toEqual(new Set(['v1']));
		expect(loads).toBe(1);
		now = 999;
		expect(await cache.get('k', load)).toBe('v1');
		now = 1_001;
		expect(await cache.get('k', load)).toBe('v2');
	});

	it('does not cache failures', async () => {
		const cache = new LoadingCache<string>({ ttlMs: 1_000 });
		await expect(cache.get('k', async () => Promise.reject(new Error('invalid_auth')))).rejects.toThrow('invalid_auth');
		expect(cache.has('k')).toBe(false);
		expect(await cache.get('k', async () => 'ok')).toBe('ok');
	});

	it('set primes the cache', async () => {
		const cache = new LoadingCache<string>({ ttlMs: 1_000 });
		cache.set('k', 'primed');
		expect(await cache.get('k', async () => 'loaded')).toBe('primed');
	});
});

describe('ClaimLedger', () => {
	it('claims a key once until released or expired', () => {
		const claims = new ClaimLedger({ ttlMs: 1_000, maxEntries: 10 });
		expect(claims.claim('w:1', 0)).toBe(true);
		expect(claims.claim('w:1', 10)).toBe(false);
		claims.release('w:1');
		expect(claims.claim('w:1', 20)).toBe(true);
		expect(claims.claim('w:1', 1_019)).toBe(false);
		expect(claims.claim('w:1', 1_020)).toBe(true);
	});

	it('evicts the oldest claims beyond its size', () => {
		const claims = new ClaimLedger({ ttlMs: 1_000, maxEntries: 2 });
		claims.claim('a', 0);
		claims.claim('b', 0);
		claims.claim('c', 0);
		expect(claims.size).toBe(2);
		expect(claims.claim('c', 1)).toBe(false);
		expect(claims.claim('a', 1)).toBe(true);
	});

	it('concurrent claims of one key: exactly one wins', async () => {
		const claims = new ClaimLedger({ ttlMs: 1_000 });
		const results = await Promise.all(
			Array.from({ length: 20 }, async () => {
				await Promise.resolve();
				return claims.claim('k');
			}),
		);
		expect(results.filter(Boolean)).toHaveLength(1);
	});
});
