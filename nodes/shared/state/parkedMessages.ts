/**
 * The ledger of parked messages: per node (scope) and conversation, the messages that wait out an
 * outage and the ones being handled right now. A later message of a conversation with an earlier
 * parked one parks behind it instead of being written (docs/outages.md). Process-wide; mirrored
 * into the node's workflow static data (snapshot/merge) so that it outlives a restart. Static data
 * can lose entries across a restart (an execution saves the copy it started with), so the ledger
 * also notes when it meets a waiting message it did not park itself: outageRetry.ts's
 * restartHoldUntil then holds new messages until every earlier one has come back once.
 */

/** A parked message: its key, its place in Slack's order and when it is tried again. */
export interface ParkedEntry {
	key: string;
	order: number;
	nextAttemptAtMs: number;
	/** Read from static data, parked by another process (or before a restart): its release is not seen here. */
	foreign?: boolean;
}

/** The static-data form: conversation → [key, order, nextAttemptAtMs][] (compact, JSON). */
export type LedgerSnapshot = Record<string, Array<[string, number, number]>>;

/**
 * An entry this long past its next attempt is taken as done. Its execution has been resumed by
 * then (n8n's wait tracker schedules each wait within 70 s of its end, looking every 60 s) and, if
 * the service answered, delivered; in queue mode possibly by another worker, whose release this
 * process never sees (it may even have parked the entry itself: a resumed execution runs on any
 * worker). Parked again, the entry comes back with its new next attempt (this process's park, or
 * the next static-data read). After a restart the restart hold (outageRetry.ts) keeps new messages
 * back until every earlier one has come back.
 */
export const STALE_AFTER_MS = 90_000;
/** How long this process remembers that it released a key (so an older snapshot cannot bring it back). */
const RELEASED_TTL_MS = 3 * 60 * 60_000;

interface InFlight {
	order: number;
	done: Promise<void>;
	finish: () => void;
}

interface Conversation {
	parked: Map<string, ParkedEntry>;
	inFlight: Map<string, InFlight>;
}

/** The earliest entry strictly before `order` that is not stale, if any. Pure. */
export function earliestBefore(
	entries: Iterable<ParkedEntry>,
	key: string,
	order: number,
	nowMs: number,
): ParkedEntry | undefined {
	let found: ParkedEntry | undefined;
	for (const entry of entries) {
		if (entry.key === key || entry.order >= order || isStale(entry, nowMs)) continue;
		if (!found || entry.order < found.order) found = entry;
	}
	return found;
}

export function isStale(entry: ParkedEntry, nowMs: number): boolean {
	return nowMs > entry.nextAttemptAtMs + STALE_AFTER_MS;
}

export class ParkedLedger {
	private readonly scopes = new Map<string, Map<string, Conversation>>();
	private readonly released = new Map<string, number>();
	/** Workflows in which this process met a waiting message it did not park (before a restart, another process). */
	private readonly foreign = new Set<string>();

	/** @param startedAtMs when this process began keeping the ledger (module load: n8n's start). */
	constructor(private startedAtMs = Date.now()) {}

	get startedAt(): number {
		return this.startedAtMs;
	}

	/** A waiting message of the workflow that this process did not park itself. */
	noteForeign(workflow: string): void {
		this.foreign.add(workflow);
	}

	sawForeign(workflow: string): boolean {
		return this.foreign.has(workflow);
	}

	/** Whether this process parked the message and has not released it since. */
	isParked(scope: string, conversation: string, key: string): boolean {
		const entry = this.scopes.get(scope)?.get(conversation)?.parked.get(key);
		return entry !== undefined && !entry.foreign;
	}

	private conversation(scope: string, conversation: string): Conversation {
		let conversations = this.scopes.get(scope);
		if (!conversations) this.scopes.set(scope, (conversations = new Map()));
		let found = conversations.get(conversation);
		if (!found) conversations.set(conversation, (found = { parked: new Map(), inFlight: new Map() }));
		return found;
	}

	/** The earliest parked message of the conversation before `order` (not the message itself). */
	blockerOf(scope: string, conversation: string, key: string, order: number, nowMs: number): ParkedEntry | undefined {
		const found = this.scopes.get(scope)?.get(conversation);
		return found ? earliestBefore(found.parked.values(), key, order, nowMs) : undefined;
	}

	/** Promises of earlier messages of the conversation being handled right now in this process. */
	earlierInFlight(scope: string, conversation: string, order: number): Array<Promise<void>> {
		const found = this.scopes.get(scope)?.get(conversation);
		if (!found) return [];
		return [...found.inFlight.values()].filter((entry) => entry.order < order).map((entry) => entry.done);
	}

	/** The message is being handled now; the returned function ends that. */
	begin(scope: string, conversation: string, key: string, order: number): () => void {
		const entries = this.conversation(scope, conversation).inFlight;
		let finish!: () => void;
		const done = new Promise<void>((resolve) => (finish = resolve));
		const entry: InFlight = { order, done, finish };
		entries.set(key, entry);
		return () => {
			if (entries.get(key) === entry) entries.delete(key);
			this.prune(scope, conversation);
			entry.finish();
		};
	}

	park(scope: string, conversation: string, entry: ParkedEntry): void {
		this.conversation(scope, conversation).parked.set(entry.key, entry);
		this.released.delete(`${scope}|${entry.key}`);
	}

	/** Delivered, given up or passed: later messages no longer wait for it. */
	release(scope: string, conversation: string, key: string, nowMs: number): void {
		if (this.scopes.get(scope)?.get(conversation)?.parked.delete(key)) this.prune(scope, conversation);
		this.released.set(`${scope}|${key}`, nowMs + RELEASED_TTL_MS);
	}

	/**
	 * Adds the snapshot's entries this process does not know and did not release; drops stale ones.
	 * Returns how many it added (each a message parked by another process or before a restart).
	 */
	merge(scope: string, snapshot: LedgerSnapshot | undefined, nowMs: number): number {
		let added = 0;
		for (const [key, until] of this.released) if (until < nowMs) this.released.delete(key);
		for (const [conversation, rows] of Object.entries(snapshot ?? {})) {
			if (!Array.isArray(rows)) continue;
			for (const row of rows) {
				if (!Array.isArray(row) || row.length < 3) continue;
				const entry: ParkedEntry = {
					key: String(row[0]),
					order: Number(row[1]),
					nextAttemptAtMs: Number(row[2]),
					foreign: true,
				};
				if (!Number.isFinite(entry.order) || !Number.isFinite(entry.nextAttemptAtMs)) continue;
				if (this.released.has(`${scope}|${entry.key}`) || isStale(entry, nowMs)) continue;
				const parked = this.conversation(scope, conversation).parked;
				const known = parked.get(entry.key);
				// Another process parked it again since: its newer next attempt counts.
				if (known && !(known.foreign && entry.nextAttemptAtMs > known.nextAttemptAtMs)) continue;
				parked.set(entry.key, entry);
				if (!known) added++;
			}
		}
		return added;
	}

	/** This process's view of the scope, stale entries left out. */
	snapshot(scope: string, nowMs: number): LedgerSnapshot {
		const out: LedgerSnapshot = {};
		for (const [conversation, found] of this.scopes.get(scope) ?? []) {
			const rows = [...found.parked.values()]
				.filter((entry) => !isStale(entry, nowMs))
				.map((entry): [string, number, number] => [entry.key, entry.order, entry.nextAttemptAtMs]);
			if (rows.length > 0) out[conversation] = rows;
		}
		return out;
	}

	private prune(scope: string, conversation: string): void {
		const conversations = this.scopes.get(scope);
		const found = conversations?.get(conversation);
		if (found && found.parked.size === 0 && found.inFlight.size === 0) conversations?.delete(conversation);
	}

	/** Forget everything, as a process starting at `startedAtMs` (tests). */
	clear(startedAtMs = Date.now()): void {
		this.scopes.clear();
		this.released.clear();
		this.foreign.clear();
		this.startedAtMs = startedAtMs;
	}
}

/** The ledger of this n8n process. */
export const parkedMessages = new ParkedLedger();
