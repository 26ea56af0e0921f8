/**
 * Process-level state of the Zendesk Messaging Upsert node's Support-ticket mode: the
 * conversation → ticket cache, excerpts of written messages and the update-limit windows. The
 * mode-independent state (handled messages, lanes, clock) is in ../state (handledMessages.ts,
 * conversationLanes.ts, upsertClock.ts); resetUpsertState forgets both.
 * All executions of the node in one n8n process share it; another process has its own, which is
 * why the exactly-once design also keeps a marker in Zendesk (see comments.ts).
 */
import { clearConversationLanes } from '../state/conversationLanes';
import { clearHandledMessages } from '../state/handledMessages';
import { messagesInFlight } from '../state/messagesInFlight';
import { TtlMap } from '../state/ttlCache';
import { upsertEnvironment } from '../state/upsertClock';
import type { UpdateWindowState } from './coalesce';
import type { ConversationTicket } from './tickets';
import type { UpsertOutcome } from '../types';

export type { UpsertEnvironment } from '../state/upsertClock';
export { setUpsertEnvironment, upsertEnvironment } from '../state/upsertClock';

const clock = (): number => upsertEnvironment().now();

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

export const conversationCache = new TtlMap<ConversationState>({ clock });

/** `${account}|${team}:${channel}:${ts}` → excerpt of a message this process wrote (quoted by thread replies to it). */
export const threadRootExcerpts = new TtlMap<string>({ clock });

/**
 * `${credentialType}:${ticketId}` → this process's recent updates of that ticket (Zendesk counts
 * per caller per ticket). Entries expire once they no longer limit anything (windowRetentionMs).
 */
export const updateWindows = new TtlMap<UpdateWindowState>({ clock });

/** Forget everything (tests: "another process"; also after credential changes). */
export function resetUpsertState(): void {
	conversationCache.clear();
	clearHandledMessages();
	updateWindows.clear();
	threadRootExcerpts.clear();
	clearConversationLanes();
	messagesInFlight.clear();
}
