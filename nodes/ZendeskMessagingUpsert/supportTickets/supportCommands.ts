/**
 * What the Support-ticket planner (supportPlanner.ts) reads and returns: the messages and lane it
 * sees, and the commands the performer (supportPerformer.ts) carries out. Types only.
 */
import type { MessageKind } from '../../shared/types';
import type { UpdateLimitConfig, UpdateWindowState } from './coalesce';
import type { ConversationTicket } from '../helpers/tickets';
import type { UpsertResult } from '../helpers/upsertRequest';
import type { ConversationState } from './ticketsState';

/** A ticket the conversation has (open, new, pending, hold, solved or closed). */
export type KnownTicket = Exclude<ConversationTicket, { kind: 'none' }>;

/** What a write whose answer was lost did, reported if its marker is found later. */
export interface WrittenOutcome {
	outcome: UpsertResult['outcome'];
	followUpSourceId?: number;
	coalescedCount?: number;
}

/** What the planner knows of one message in the lane. */
export interface PlannedMessage {
	key: string;
	kind: MessageKind;
	/** Slack's `ts` in ms (0 when unreadable). */
	tsMs: number;
	text: string;
	requesterId?: number;
	participantIds?: number[];
	/** Set when a write of it may have landed without an answer. */
	written?: WrittenOutcome;
	/** Writes of it that got no clear answer. */
	ambiguousWrites: number;
	/** Refused creations that sent it back to the lookup. */
	createRetries: number;
}

/** The lane as the planner sees it at the head's turn. */
export interface LaneView<M extends PlannedMessage> {
	/** The conversation as this process knows it; undefined: to be looked up. */
	state?: ConversationState;
	/** The head first, then the unsettled messages after it, in Slack's order. */
	waiting: M[];
	now: number;
	/** This process's recent updates of the conversation's ticket (coalesce.ts). */
	window: UpdateWindowState;
	limits: UpdateLimitConfig;
	/** Send comments as safe updates (`updated_stamp`, 409 on concurrent changes). */
	safeUpdates: boolean;
}

/** One comment for the messages of `batch` (the head first). */
export interface CommentWrite<M> {
	ticketId: number;
	batch: M[];
	/** An internal note (edit or deletion) rather than the requester's public comment. */
	note: boolean;
	reopen: boolean;
	/** What this write does if its answer is lost; an answer says what Zendesk did (afterUpdate). */
	outcome: UpsertResult['outcome'];
	updatedStamp?: string;
	/** Users to copy on the ticket (undefined for notes). */
	copyTo?: number[];
}

/** A step once the conversation is known. */
export type KnownStateCommand<M> =
	| { do: 'finish'; result: UpsertResult }
	| { do: 'readMarkers'; ticketId: number }
	| { do: 'wait'; ms: number }
	| { do: 'create'; followUpSourceId?: number }
	| { do: 'update'; write: CommentWrite<M> };

export type Command<M> = { do: 'lookUp' } | KnownStateCommand<M>;
