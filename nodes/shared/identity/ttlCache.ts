/**
 * Process-wide memo used by the Profile Linker: a TTL cache (a known Slack user costs zero
 * calls until the cache period ends) and single-flight (concurrent first messages of one user
 * in this process share one resolution, so they cannot create two Zendesk users).
 * Pure apart from the injectable clock.
 */

export type Clock = () => number;

export class TtlCache<V> {
	private readonly entries = new Map<string, { value: V; expiresAt: number }>();

	constructor(
		private readonly clock: Clock = Date.now,
		/** Bound on entries so a long-running worker does not grow without limit. */
		private readonly maxEntries = 10_000,
	) {}

	get(key: string): V | undefined {
		const entry = this.entries.get(key);
		if (!entry) return undefined;
		if (entry.expiresAt <= this.clock()) {
			this.entries.delete(key);
			return undefined;
		}
		return entry.value;
	}

	/** A ttl of 0 or less stores nothing (caching switched off). */
	set(key: string, value: V, ttlMs: number): void {
		if (!(ttlMs > 0)) return;
		this.entries.delete(key);
		if (this.entries.size >= this.maxEntries) {
			// Map keeps insertion order: the first key is the oldest write.
			const oldest = this.entries.keys().next().value;
			if (oldest !== undefined) this.entries.delete(oldest);
		}
		this.entries.set(key, { value, expiresAt: this.clock() + ttlMs });
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
}

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
