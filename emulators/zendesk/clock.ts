/** A clock the tests can move forward: rate-limit windows, search delay, token expiry, idempotency TTL. */
export class EmulatorClock {
	private offsetMs = 0;

	now(): number {
		return Date.now() + this.offsetMs;
	}

	iso(at = this.now()): string {
		return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
	}

	/** Moves emulated time forward (never backward). */
	advance(ms: number): void {
		if (ms > 0) this.offsetMs += ms;
	}

	reset(): void {
		this.offsetMs = 0;
	}
}
