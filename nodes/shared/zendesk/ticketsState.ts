/**
 * Process-level state of the Zendesk Messaging Upsert node: the conversation → ticket cache,
 * the results of messages already handled (in-process duplicates cost no call), single-flight
 * per message, one ordered lane per conversation, and the update-limit windows.
 * All executions of the node in one n8n process share it; another process has its own, which is
 * why the exactly-once design also keeps a marker in Zendesk (see comments.ts).
 */
import { sleep } from 'n8n-workflow';

import { messagesInFlight } from '../state/messagesInFlight';
import { SingleFlight, TtlMap } from '../state/ttlCache';
import type { UpdateWindowState } from './coalesce';
import type { ConversationTicket } from './tickets';
import type { UpsertOutcome } from '../types';

export interface UpsertEnvironment {
	now(): number;
	sleep(ms: number): Promise<void>;
}

const realEnvironment: UpsertEnvironment = { now: () => Date.now(), sleep: async (ms) => await sleep(ms) };

let environment: UpsertEnvironment = realEnvironment;

/** The clock and sleep of the update pacing; tests and the benchmark swap in virtual time. */
export function upsertEnvironment(): UpsertEnvironment {
	return environment;
}

export function setUpsertEnvironment(next?: Partial<UpsertEnvironment>): void {
	environment = { ...realEnvironment, ...(next ?? {}) };
}

/** What this process knows about a conversation's ticket. */
export interface ConversationState {
	ticket: ConversationTicket;
	/** Idempotency keys known to be in the ticket → their comment id when known. */
	seen: Map<string, number | undefined>;
	/**
	 * The ticket's state up to this time (ms) was loaded, not written by this process, and its
	 * audits were not read: a message older than this may already be in it. Undefined: known.
	 */
	unknownBeforeMs?: number;
	/** Local time from which the ticket's `updated_at` may be sent as `updated_stamp` (stampUsableFromMs). */
	stampUsableAtMs?: number;
}

export interface UpsertResult {
	ticketId: number | null;
	outcome: UpsertOutcome;
	commentId?: number;
	followUpSourceId?: number;
	/** A thread's new ticket (Thread Replies: one ticket per thread): the DM's ticket its first comment mentions. */
	dmTicketId?: number;
	/** Messages in the same comment when the update limit made this process coalesce them. */
	coalescedCount?: number;
	/** Why nothing was written (outcome `skipped`). */
	reason?: string;
}

/**
 * What one execution of the node learned, shared by its items and dropped with the execution:
 * never reused by another execution, let alone another process.
 */
export interface UpsertRunMemo {
	/** `${account}|${DM conversation key}` → the DM's ticket id (null: none) that per-thread tickets mention. */
	dmTicketIds: Map<string, number | null>;
}

export function newUpsertRun(): UpsertRunMemo {
	return { dmTicketIds: new Map() };
}

export const conversationCache = new TtlMap<ConversationState>({ clock: () => environment.now() });

export const handledMessages = new TtlMap<UpsertResult>({ clock: () => environment.now() });

export const messageFlights = new SingleFlight<UpsertResult>();

/** `${account}|${team}:${channel}:${ts}` → excerpt of a message this process wrote (quoted by thread replies to it). */
export const threadRootExcerpts = new TtlMap<string>({ clock: () => environment.now() });

/**
 * `${credentialType}:${ticketId}` → this process's recent updates of that ticket (Zendesk counts
 * per caller per ticket). Entries expire once they no longer limit anything (windowRetentionMs).
 */
export const updateWindows = new TtlMap<UpdateWindowState>({ clock: () => environment.now() });

export interface Lane<E> {
	waiting: E[];
	tail: Promise<void>;
}

const lanes = new Map<string, Lane<unknown>>();

export function laneFor<E>(conversationKey: string): Lane<E> {
	let lane = lanes.get(conversationKey) as Lane<E> | undefined;
	if (!lane) {
		lane = { waiting: [], tail: Promise.resolve() };
		lanes.set(conversationKey, lane as Lane<unknown>);
	}
	return lane;
}

export function releaseLaneIfIdle(conversationKey: string): void {
	const lane = lanes.get(conversationKey);
	if (lane && lane.waiting.length === 0) lanes.delete(conversationKey);
}

/** Forget everything (tests: "another process"; also after credential changes). */
export function resetUpsertState(): void {
	conversationCache.clear();
	handledMessages.clear();
	updateWindows.clear();
	threadRootExcerpts.clear();
	lanes.clear();
	messagesInFlight.clear();
}
