/** Background work an emulator started (webhook deliveries and their retries), awaited by `flush`. */
export class PendingWork {
	private readonly pending = new Set<Promise<void>>();

	track(promise: Promise<void>): void {
		this.pending.add(promise);
		void promise.finally(() => this.pending.delete(promise));
	}

	/** Resolves when every piece of work, including what it started meanwhile, has finished. */
	async flush(): Promise<void> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
	}
}
