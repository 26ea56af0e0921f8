/**
 * A process-wide FIFO pacer: calls on one lane (e.g. account + route) start in arrival order,
 * no faster than each of their limits allows (N starts per sliding window, per limit key).
 * It paces starts, not completions: a slow call does not hold the next one back.
 * Waiting uses n8n's `sleep`; the clock and sleep are injectable for tests.
 */
import { sleep as n8nSleep } from 'n8n-workflow';

export interface PaceLimit {
	/** Whose budget this start spends, e.g. `account|route` or `account|route|user`. */
	key: string;
	limit: number;
	windowMs: number;
}

export class PacerQueueFullError extends Error {}

interface Waiter {
	limits: PaceLimit[];
	grant: () => void;
}

export interface PacerOptions {
	clock?: () => number;
	sleep?: (ms: number) => Promise<void>;
	/** Callers waiting per lane; one more is refused at once (PacerQueueFullError). */
	maxQueue?: number;
}

export class Pacer {
	private readonly lanes = new Map<string, Waiter[]>();

	/** Start times per limit key, within that limit's window. */
	private readonly starts = new Map<string, { windowMs: number; at: number[] }>();

	private readonly clock: () => number;

	private readonly sleep: (ms: number) => Promise<void>;

	readonly maxQueue: number;

	constructor(options: PacerOptions = {}) {
		this.clock = options.clock ?? Date.now;
		this.sleep = options.sleep ?? n8nSleep;
		this.maxQueue = options.maxQueue ?? 500;
	}

	/** Callers waiting on a lane (not yet started). */
	waiting(lane: string): number {
		return this.lanes.get(lane)?.length ?? 0;
	}

	/** Runs `task` once every limit has room, after everyone who queued on `lane` before. */
	async run<T>(lane: string, limits: PaceLimit[], task: () => Promise<T>): Promise<T> {
		let queue = this.lanes.get(lane);
		if (queue && queue.length >= this.maxQueue) {
			throw new PacerQueueFullError(`${queue.length} calls are already waiting for ${lane}; try again later`);
		}
		const granted = new Promise<void>((resolve) => {
			const waiter = { limits, grant: resolve };
			if (queue) queue.push(waiter);
			else {
				queue = [waiter];
				this.lanes.set(lane, queue);
				void this.drain(lane, queue);
			}
		});
		await granted;
		return await task();
	}

	/** How long until every limit has room for one more start (0: now). */
	private waitMs(limits: PaceLimit[], now: number): number {
		let wait = 0;
		for (const { key, limit, windowMs } of limits) {
			const live = (this.starts.get(key)?.at ?? []).filter((at) => at > now - windowMs);
			if (live.length >= limit) wait = Math.max(wait, live[live.length - limit] + windowMs - now);
		}
		return wait;
	}

	/** Forgets starts that no window can see any more, so per-user keys do not pile up. */
	private prune(now: number): void {
		for (const [key, entry] of this.starts) {
			entry.at = entry.at.filter((at) => at > now - entry.windowMs);
			if (entry.at.length === 0) this.starts.delete(key);
		}
	}

	private async drain(lane: string, queue: Waiter[]): Promise<void> {
		while (queue.length > 0) {
			const head = queue[0];
			const wait = this.waitMs(head.limits, this.clock());
			if (wait > 0) {
				await this.sleep(wait);
				continue;
			}
			const now = this.clock();
			for (const { key, windowMs } of head.limits) {
				const entry = this.starts.get(key);
				if (entry) {
					entry.at.push(now);
					entry.windowMs = Math.max(entry.windowMs, windowMs);
				} else this.starts.set(key, { windowMs, at: [now] });
			}
			queue.shift();
			head.grant();
		}
		this.lanes.delete(lane);
		this.prune(this.clock());
	}
}
