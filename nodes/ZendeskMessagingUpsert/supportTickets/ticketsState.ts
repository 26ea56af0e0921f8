/**
 * Process-level state of the Zendesk Messaging Upsert node's Support-ticket mode: the
 * conversation → ticket cache, excerpts of written messages and the update-limit windows. The
 * mode-independent state (handled messages, lanes, clock) is in nodes/shared/state
 * (handledMessages.ts, conversationLanes.ts, upsertClock.ts); ../upsertState.ts forgets both.
 * All executions of the node in one n8n process share it; another process has its own, which is
 * why the exactly-once design also keeps a marker in Zendesk (see nodes/shared/zendesk/comments.ts).
 */
import { TtlMap } from '../../shared/state/ttlCache';
import { upsertEnvironment } from '../state/upsertClock';
import type { ConversationTicket } from '../helpers/tickets';
import type { UpdateWindowState } from './coalesce';

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

export const conversationCache = new TtlMap<ConversationState>({ clock });

/** `${account}|${team}:${channel}:${ts}` → excerpt of a message this process wrote (quoted by thread replies to it). */
export const threadRootExcerpts = new TtlMap<string>({ clock });

/**
 * `${credentialType}:${ticketId}` → this process's recent updates of that ticket (Zendesk counts
 * per caller per ticket). Entries expire once they no longer limit anything (windowRetentionMs).
 */
export const updateWindows = new TtlMap<UpdateWindowState>({ clock });

/** Forget this mode's state (resetUpsertState in ../upsertState.ts forgets all of the node's). */
export function clearTicketsState(): void {
	conversationCache.clear();
	updateWindows.clear();
	threadRootExcerpts.clear();
}
