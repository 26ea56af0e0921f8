/**
 * Group commit for hand-overs that cost the same whatever their size (an n8n execution start).
 * Per key, one hand-over is in flight at a time. What arrives meanwhile waits and then goes as
 * one batch, led by its first arrival. An idle key adds no wait; batches grow with load.
 */

export type HandOverOutcome = { ok: true } | { ok: false; reason: string };

export type GroupTurn<T> =
	/** Hand `items` over (they include this caller's own), then report how it went with `done`. */
	| { role: 'leader'; items: T[]; done: (outcome: HandOverOutcome) => void }
	/** Another caller hands this item over; settles with that hand-over's outcome. */
	| { role: 'member'; outcome: Promise<HandOverOutcome> };

interface Deferred<V> {
	promise: Promise<V>;
	resolve: (value: V) => void;
}

/** A promise with its resolve, for waiters woken by someone else. */
export function deferred<V>(): Deferred<V> {
	let resolve!: (value: V) => void;
	const promise = new Promise<V>((r) => (resolve = r));
	return { promise, resolve };
}

interface WaitingBatch<T> {
	items: T[];
	turn: Deferred<void>;
	outcome: Deferred<HandOverOutcome>;
}

/** A key has a lane only while a leader holds it (until its `done`); an idle key has none. */
interface Lane<T> {
	waiting: Array<WaitingBatch<T>>;
}

export class GroupCommit<T> {
	private readonly lanes = new Map<string, Lane<T>>();

	constructor(private readonly maxBatch: number) {}

	async join(key: string, item: T): Promise<GroupTurn<T>> {
		const lane = this.lanes.get(key);
		if (!lane) {
			const opened: Lane<T> = { waiting: [] };
			this.lanes.set(key, opened);
			return this.leaderTurn(key, opened, [item], deferred());
		}
		let batch = lane.waiting[lane.waiting.length - 1];
		if (!batch || batch.items.length >= this.maxBatch) {
			batch = { items: [], turn: deferred(), outcome: deferred() };
			lane.waiting.push(batch);
		}
		batch.items.push(item);
		if (batch.items.length > 1) return { role: 'member', outcome: batch.outcome.promise };
		await batch.turn.promise;
		return this.leaderTurn(key, lane, batch.items, batch.outcome);
	}

	/** Keys with a hand-over in flight or waiting (tests). */
	get activeKeys(): number {
		return this.lanes.size;
	}

	clear(): void {
		this.lanes.clear();
	}

	private leaderTurn(key: string, lane: Lane<T>, items: T[], outcome: Deferred<HandOverOutcome>): GroupTurn<T> {
		let reported = false;
		return {
			role: 'leader',
			items,
			done: (result) => {
				if (reported) return;
				reported = true;
				outcome.resolve(result);
				// The next batch leaves the waiting list as it starts: later arrivals form a new one.
				const next = lane.waiting.shift();
				if (next) next.turn.resolve();
				else if (this.lanes.get(key) === lane) this.lanes.delete(key);
			},
		};
	}
}
