/**
 * The conversation lane, for any Upsert mode: one message of a conversation is written at a time,
 * in Slack's order (eventOrderOf), and a message waits for earlier ones of its conversation that
 * the trigger announced and that are still on their way in another execution (messagesInFlight).
 * The lanes themselves are process-wide state (nodes/shared/state/conversationLanes.ts); what a
 * mode does at its turn is the mode's (e.g. supportTickets/supportMode.ts).
 */
import type { Lane } from '../state/conversationLanes';
import { laneFor, releaseLaneIfIdle } from '../state/conversationLanes';
import type { AnnouncedPlace } from '../../shared/state/messagesInFlight';
import { messagesInFlight } from '../../shared/state/messagesInFlight';
import type { EarlierGate } from './earlierGate';
import { earlierArrived } from './earlierGate';

/** A message in its lane until its turn settles it. */
export interface LaneEntry<R> {
	/** The message's idempotency key. */
	key: string;
	/** The conversation within the account: the lane's key. */
	laneKey: string;
	/** Place in Slack's order (eventOrderOf): the lane writes in this order. */
	order: number;
	/** Where the trigger announced this message (orderScopeOf): earlier ones still on their way are waited for. */
	orderScope: string;
	/** Its place among the announcements; undefined when the trigger announced none in this process. */
	announced?: AnnouncedPlace;
	/** Announced in another process: the earlier messages it waits for in Zendesk (earlierGate.ts). */
	earlier?: EarlierGate;
	settled: boolean;
	resolve: (result: R) => void;
	reject: (error: Error) => void;
	promise: Promise<R>;
}

/** The fields of a new entry that settle it. */
export function pendingResult<R>(): Pick<LaneEntry<R>, 'settled' | 'resolve' | 'reject' | 'promise'> {
	let resolve!: (result: R) => void;
	let reject!: (error: Error) => void;
	const promise = new Promise<R>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { settled: false, resolve, reject, promise };
}

/** Resolves (or rejects) an entry once and takes it out of its lane. */
export function settle<R, E extends LaneEntry<R>>(
	lane: Lane<E>,
	entry: E,
	outcome: { result?: R; error?: Error },
): void {
	if (entry.settled) return;
	entry.settled = true;
	lane.waiting.splice(lane.waiting.indexOf(entry), 1);
	if (outcome.error) entry.reject(outcome.error);
	else entry.resolve(outcome.result!);
}

/** What a mode does at the head's turn: settle it (and any entries it carried along). */
export interface LaneTurn<R, E extends LaneEntry<R>> {
	process: (lane: Lane<E>, head: E) => Promise<void>;
	/** The head is still unsettled after `process`: the error it fails with. */
	gaveUp: (head: E) => Error;
	/** Which of these earlier messages' keys the mode finds in Zendesk (for `earlier`); without it nothing waits. */
	earlierFound?: (head: E, keys: string[]) => Promise<Set<string>>;
}

/** Queues the entry in its conversation's lane in Slack's order; resolves when its turn settled it. */
export async function writeInOrder<R, E extends LaneEntry<R>>(entry: E, turn: LaneTurn<R, E>): Promise<R> {
	const lane = laneFor<E>(entry.laneKey);
	lane.waiting.splice(placeInOrder(lane.waiting, entry), 0, entry);
	entry.announced = messagesInFlight.arrived(entry.orderScope, entry.key);
	// One turn per entry; each turn writes the earliest entry still waiting, so all are written.
	const next = lane.tail.then(async () => await takeTurn(lane, turn));
	lane.tail = next.then(
		() => undefined,
		() => undefined,
	);
	try {
		return await entry.promise;
	} finally {
		releaseLaneIfIdle(entry.laneKey);
	}
}

/** Where an entry goes in its lane: after every entry not later than it in Slack's order. */
function placeInOrder<E extends { order: number }>(waiting: E[], entry: E): number {
	let index = waiting.length;
	while (index > 0 && waiting[index - 1].order > entry.order) index--;
	return index;
}

async function takeTurn<R, E extends LaneEntry<R>>(lane: Lane<E>, turn: LaneTurn<R, E>): Promise<void> {
	const head = await nextHead<R, E>(lane, turn);
	if (!head) return; // carried by an earlier coalesced comment
	try {
		await turn.process(lane, head);
		if (!head.settled) throw turn.gaveUp(head);
	} catch (error) {
		settle<R, E>(lane, head, { error: error as Error });
	}
}

/**
 * The earliest waiting entry, once no earlier message of its conversation is still on its way
 * in another execution (messagesInFlight) or, announced in another process, not yet in Zendesk
 * (earlierGate.ts): one that arrives meanwhile goes first.
 */
async function nextHead<R, E extends LaneEntry<R>>(lane: Lane<E>, turn: LaneTurn<R, E>): Promise<E | undefined> {
	for (;;) {
		const head = lane.waiting.find((entry) => !entry.settled);
		if (!head) return undefined;
		const until = head.announced && messagesInFlight.waitUntil(head.orderScope, head.announced);
		if (until !== undefined) {
			await messagesInFlight.changed(until);
			continue;
		}
		if (await mayGo(lane, head, turn)) return head;
	}
}

/** The head's wait for its earlier messages (earlierGate.ts); a failed look fails the head, never the lane. */
async function mayGo<R, E extends LaneEntry<R>>(lane: Lane<E>, head: E, turn: LaneTurn<R, E>): Promise<boolean> {
	const found = turn.earlierFound;
	if (!head.earlier || !found) return true;
	try {
		return await earlierArrived(head.earlier, async (keys) => await found(head, keys));
	} catch (error) {
		settle<R, E>(lane, head, { error: error as Error });
		return false;
	}
}
