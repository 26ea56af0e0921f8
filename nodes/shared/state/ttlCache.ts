/**
 * The one in-process memory primitive of the package: a bounded map whose entries expire, with an
 * injectable clock, plus what is built on it (single-flight loading, claim-once ledgers).
 * Every process-wide cache, dedupe ledger and claim set in the nodes uses these.
 */

export type Clock = () => number;

export interface TtlMapOptions {
	/** Lifetime of an entry when `set` is given none. */
	ttlMs?: number;
	/** Bound on entries so a long-running worker does not grow without limit; the oldest write goes first. */
	maxEntries?: number;
	clock?: Clock;
}

export const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Map with per-entry expiry. `now` arguments default to the clock; callers that already read
 * the time (a decision made at one instant) pass it so one step sees one time.
 */
export class TtlMap<V> {
	private readonly entries = new Map<string, { value: V; expiresAt: number }>();

	readonly clock: Clock;

	private readonly defaultTtlMs: number;

	private readonly maxEntries: number;

	constructor(options: TtlMapOptions = {}) {
		this.clock = options.clock ?? Date.now;
		this.defaultTtlMs = options.ttlMs ?? 0;
		this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
	}

	get(key: string, now = this.clock()): V | undefined {
		const entry = this.entries.get(key);
		if (!entry) return undefined;
		if (entry.expiresAt <= now) {
			this.entries.delete(key);
			return undefined;
		}
		return entry.value;
	}

	has(key: string, now = this.clock()): boolean {
		return this.get(key, now) !== undefined;
	}

	/** A ttl of 0 or less stores nothing (caching switched off). A new write counts as the newest. */
	set(key: string, value: V, ttlMs = this.defaultTtlMs, now = this.clock()): void {
		if (!(ttlMs > 0)) return;
		this.entries.delete(key);
		this.pruneExpired(now);
		while (this.entries.size >= this.maxEntries) {
			// Map keeps insertion order: the first key is the oldest write.
			const oldest = this.entries.keys().next().value;
			if (oldest === undefined) break;
			this.entries.delete(oldest);
		}
		this.entries.set(key, { value, expiresAt: now + ttlMs });
	}

	delete(key: string): void {
		this.entries.delete(key);
	}

	clear(): void {
		this.entries.clear();
	}

	get size(): number {
		return this.entries.size;
	}

	/** Drops expired entries from the front (oldest writes); stops at the first live one. */
	private pruneExpired(now: number): void {
		for (const [key, entry] of this.entries) {
			if (entry.expiresAt > now) break;
			this.entries.delete(key);
		}
	}
}

/** Concurrent callers for one key share one run of the work; nothing is kept afterwards. */
export class SingleFlight<V> {
	private readonly pending = new Map<string, Promise<V>>();

	/** Runs `work` unless a run for `key` is in progress, in which case its promise is shared. */
	run(key: string, work: () => Promise<V>): Promise<V> {
		const existing = this.pending.get(key);
		if (existing) return existing;
		// Start the work on the next microtask so the entry exists before any of it runs.
		const promise = Promise.resolve()
			.then(work)
			.finally(() => this.pending.delete(key));
		this.pending.set(key, promise);
		return promise;
	}

	get inFlight(): number {
		return this.pending.size;
	}
}

/**
 * A TTL cache whose loads are shared: concurrent callers for one key wait on one load (one
 * auth.test for a burst of events). Failed loads are not cached.
 */
export class LoadingCache<V> {
	private readonly entries: TtlMap<Promise<V>>;

	constructor(options: TtlMapOptions & { ttlMs: number }) {
		this.entries = new TtlMap(options);
	}

	async get(key: string, load: () => Promise<V>): Promise<V> {
		const cached = this.entries.get(key);
		if (cached) return await cached;
		const value = load();
		this.entries.set(key, value);
		// A failed load is forgotten so the next caller tries again; the caller still sees the error.
		value.then(undefined, () => {
			if (this.entries.get(key) === value) this.entries.delete(key);
		});
		return await value;
	}

	/** Stores a value loaded elsewhere (priming on activation). */
	set(key: string, value: V): void {
		this.entries.set(key, Promise.resolve(value));
	}

	has(key: string): boolean {
		return this.entries.has(key);
	}

	clear(): void {
		this.entries.clear();
	}
}

/**
 * Claim-once keys: `claim` is true for the first caller within the TTL and false for the others
 * until the key expires or is released. Synchronous, so concurrent requests in one process
 * cannot both pass between check and mark.
 */
export class ClaimLedger {
	private readonly claims: TtlMap<true>;

	constructor(options: TtlMapOptions & { ttlMs: number }) {
		this.claims = new TtlMap(options);
	}

	claim(key: string, now = this.claims.clock()): boolean {
		if (this.claims.has(key, now)) return false;
		this.claims.set(key, true, undefined, now);
		return true;
	}

	/** Whether the key is claimed and not expired, without claiming it. */
	isClaimed(key: string, now = this.claims.clock()): boolean {
		return this.claims.has(key, now);
	}

	/** Marks a key claimed (again), restarting its TTL. */
	mark(key: string, now = this.claims.clock()): void {
		this.claims.set(key, true, undefined, now);
	}

	/** Gives a claim back (the work failed), so a retry may claim it. */
	release(key: string): void {
		this.claims.delete(key);
	}

	get size(): number {
		return this.claims.size;
	}

	clear(): void {
		this.claims.clear();
	}
}
