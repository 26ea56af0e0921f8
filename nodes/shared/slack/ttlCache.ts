/**
 * A small in-process cache whose loads are shared: concurrent callers for the same key wait on
 * one load (one auth.test for a burst of events). Failed loads are not cached.
 */
export class SharedLoadCache<T> {
	private readonly entries = new Map<string, { value: Promise<T>; expiresAt: number }>();

	constructor(
		private readonly ttlMs: number,
		private readonly maxEntries = 100,
		private readonly now: () => number = Date.now,
	) {}

	async get(key: string, load: () => Promise<T>): Promise<T> {
		const at = this.now();
		const cached = this.entries.get(key);
		if (cached && cached.expiresAt > at) return await cached.value;
		const value = load();
		this.entries.set(key, { value, expiresAt: at + this.ttlMs });
		this.evictOverflow();
		// A failed load is forgotten so the next caller tries again; the caller still sees the error.
		value.then(undefined, () => {
			if (this.entries.get(key)?.value === value) this.entries.delete(key);
		});
		return await value;
	}

	/** Stores a value loaded elsewhere (priming on activation). */
	set(key: string, value: T): void {
		this.entries.set(key, { value: Promise.resolve(value), expiresAt: this.now() + this.ttlMs });
		this.evictOverflow();
	}

	has(key: string): boolean {
		const cached = this.entries.get(key);
		return cached !== undefined && cached.expiresAt > this.now();
	}

	clear(): void {
		this.entries.clear();
	}

	private evictOverflow(): void {
		while (this.entries.size > this.maxEntries) {
			const oldest = this.entries.keys().next().value;
			if (oldest === undefined) break;
			this.entries.delete(oldest);
		}
	}
}
