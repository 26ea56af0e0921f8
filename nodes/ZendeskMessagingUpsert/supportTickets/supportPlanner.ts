/**
 * Where the Upsert decides, in the Support-ticket mode: THIS FILE. Given what the process knows of
 * the conversation's ticket, the messages waiting in its lane and Zendesk's last answer, it
 * returns the next command (look the conversation up, read markers, wait, create a ticket or a
 * follow-up, write this comment, reload, fail with this reason, finish). It is pure: no HTTP, no
 * n8n, no clock of its own, no process state. supportPerformer.ts carries the commands out
 * through nodes/shared/transport; supportMode.ts runs the loop.
 *
 * A follow-up ticket is opened here: `decideTicketAction` turns a message for a closed ticket
 * into `followUp`, and `afterUpdate` marks the ticket closed when Zendesk answers 422 "closed
 * prevents ticket update", so the next `nextCommand` creates the follow-up.
 */
import type { MessageKind } from '../../shared/types';
import { planUpdate, takeBatch } from './coalesce';
import { commentIdOf, fitOneComment, markerFits, statusChangeOf } from '../../shared/zendesk/comments';
import type { ConversationTicket, TicketSummary } from '../helpers/tickets';
import {
	creationRefusalOf,
	isClosedTicketRefusal,
	participantsToCopy,
	planCreationRetry,
	stampMs,
} from '../helpers/tickets';
import type { UpsertResult } from '../helpers/upsertRequest';
import type { ConversationState } from './ticketsState';
import type {
	CommentWrite,
	Command,
	KnownStateCommand,
	KnownTicket,
	LaneView,
	PlannedMessage,
	WrittenOutcome,
} from './supportCommands';

/** Clock skew allowance between Slack's `ts` and Zendesk's `updated_at`. */
export const SKEW_MARGIN_MS = 60_000;

/** Writes that got no clear answer (reset, timeout, 5xx) before the item fails; each is checked first. */
export const MAX_AMBIGUOUS_WRITES = 4;

/** First pause after an ambiguous write; doubles each time. */
export const AMBIGUOUS_BACKOFF_MS = 250;

/** The next Zendesk write for one Slack event, given what is known about the conversation's ticket. */
export type TicketAction =
	| { action: 'create' }
	| { action: 'followUp'; sourceTicketId: number }
	| { action: 'append'; ticketId: number; reopens: boolean }
	| { action: 'note'; ticketId: number }
	| { action: 'skip'; reason: string };

export function decideTicketAction(kind: MessageKind, conversation: ConversationTicket): TicketAction {
	if (kind === 'edit' || kind === 'delete') {
		// A note needs a ticket that can still be updated; an edit never opens a conversation.
		if (conversation.kind === 'active') return { action: 'note', ticketId: conversation.ticket.id };
		return {
			action: 'skip',
			reason:
				conversation.kind === 'none' ? 'No ticket for this conversation yet' : 'The conversation ticket is closed',
		};
	}
	if (conversation.kind === 'none') return { action: 'create' };
	if (conversation.kind === 'closed') return { action: 'followUp', sourceTicketId: conversation.ticket.id };
	return { action: 'append', ticketId: conversation.ticket.id, reopens: conversation.ticket.status === 'solved' };
}

/** Could an earlier delivery of this message already be in the part of the ticket we have not read? */
export function mayHideMessage(state: ConversationState, message: Pick<PlannedMessage, 'tsMs'>): boolean {
	if (state.unknownBeforeMs === undefined) return false;
	return !(message.tsMs - SKEW_MARGIN_MS > state.unknownBeforeMs);
}

/** The next step for the head of the lane (`view.waiting[0]`). */
export function nextCommand<M extends PlannedMessage>(view: LaneView<M>): Command<M> {
	const { state } = view;
	return state ? knownStateCommand({ ...view, state }) : { do: 'lookUp' };
}

/** The next step for the head of the lane, the conversation being known. */
export function knownStateCommand<M extends PlannedMessage>(
	view: LaneView<M> & { state: ConversationState },
): KnownStateCommand<M> {
	const { state } = view;
	const head = view.waiting[0];
	if (state.ticket.kind !== 'none') {
		const ticketId = state.ticket.ticket.id;
		if (state.seen.has(head.key)) {
			// Found after this delivery's own write lost its answer: that write is what happened.
			const written = head.written ?? { outcome: 'duplicate' as const };
			return { do: 'finish', result: { ticketId, commentId: state.seen.get(head.key), ...written } };
		}
		if (mayHideMessage(state, head)) return { do: 'readMarkers', ticketId };
	}
	const action = decideTicketAction(head.kind, state.ticket);
	if (action.action === 'skip') {
		return {
			do: 'finish',
			result: {
				ticketId: state.ticket.kind === 'none' ? null : state.ticket.ticket.id,
				outcome: 'skipped',
				reason: action.reason,
			},
		};
	}
	if (action.action === 'create') return { do: 'create' };
	if (action.action === 'followUp') return { do: 'create', followUpSourceId: action.sourceTicketId };
	return commentCommand(view, state, action);
}

/** Append or note: mind the update limit of this ticket and the usable stamp, then one comment. */
function commentCommand<M extends PlannedMessage>(
	view: LaneView<M>,
	state: ConversationState,
	action: Extract<TicketAction, { action: 'append' | 'note' }>,
): KnownStateCommand<M> {
	const head = view.waiting[0];
	const pacing = planUpdate(view.window, view.limits, view.now);
	if (pacing.waitMs > 0) return { do: 'wait', ms: pacing.waitMs };
	if (view.safeUpdates && state.ticket.kind !== 'none' && state.stampUsableAtMs !== undefined) {
		const early = state.stampUsableAtMs - view.now;
		if (early > 0) return { do: 'wait', ms: early };
	}
	const batch = takeBatch(view.waiting, pacing.coalesce && head.kind === 'message', (current, next) =>
		canJoin(state, head, current, next),
	);
	const note = action.action === 'note';
	const reopen = action.action === 'append' && action.reopens;
	const ticket = state.ticket.kind === 'none' ? undefined : state.ticket.ticket;
	const previousStatus = ticket?.status;
	return {
		do: 'update',
		write: {
			ticketId: action.ticketId,
			batch,
			note,
			reopen,
			outcome: note ? 'noted' : reopen || previousStatus === 'solved' ? 'reopened' : 'appended',
			updatedStamp: view.safeUpdates && ticket ? ticket.updated_at : undefined,
			copyTo: note
				? undefined
				: participantsToCopy(
						batch.flatMap((message) => message.participantIds ?? []),
						head.requesterId,
						ticket,
					),
		},
	};
}

/** A later waiting message joins the head's comment (coalescing near the update limit). */
function canJoin<M extends PlannedMessage>(state: ConversationState, head: M, current: M[], next: M): boolean {
	return (
		next.kind === 'message' &&
		next.requesterId === head.requesterId &&
		!state.seen.has(next.key) &&
		!mayHideMessage(state, next) &&
		markerFits(
			current.map((message) => message.key),
			next.key,
		) &&
		fitOneComment([...current, next].map((message) => message.text))
	);
}

/** Zendesk's answer to a write, as the planner reads it. */
export interface WriteAnswer {
	statusCode: number;
	body: unknown;
	/** Retry-After in ms, when sent. */
	retryAfterMs?: number;
	/** `x-idempotency-lookup` of a creation ("hit": replayed from an earlier request with the key). */
	idempotencyLookup?: string;
}

/** Why an item fails; the performer words the error. */
export type FailReason = 'tooManyAmbiguousWrites' | 'refused' | 'unresolvedCreation';

export type Failure = { do: 'fail'; reason: FailReason; refusals?: number };

/**
 * A write got no clear answer (reset, timeout, 5xx): it may have landed. Note what it did, pause
 * (doubling), then reload the ticket (update) or look the conversation up (creation, which also
 * forgets the cached conversation) so that markers are read before anything is written again.
 */
export type AfterNoAnswer =
	| {
			do: 'retryAfterAmbiguous';
			ms: number;
			written: WrittenOutcome[];
			forgetConversation: boolean;
			reloadTicketId?: number;
	  }
	| (Failure & { written: WrittenOutcome[]; forgetConversation: boolean });

export function afterNoAnswer<M extends PlannedMessage>(
	head: M,
	write: { kind: 'update'; comment: CommentWrite<M> } | { kind: 'create'; followUpSourceId?: number },
): AfterNoAnswer {
	const written =
		write.kind === 'update' ? writtenByComment(write.comment) : [writtenByCreation(write.followUpSourceId)];
	const forgetConversation = write.kind === 'create';
	const attempts = head.ambiguousWrites + 1;
	if (attempts > MAX_AMBIGUOUS_WRITES)
		return { do: 'fail', reason: 'tooManyAmbiguousWrites', written, forgetConversation };
	return {
		do: 'retryAfterAmbiguous',
		ms: AMBIGUOUS_BACKOFF_MS * 2 ** (attempts - 1),
		written,
		forgetConversation,
		...(write.kind === 'update' ? { reloadTicketId: write.comment.ticketId } : {}),
	};
}

function writtenByComment<M>(write: CommentWrite<M>): WrittenOutcome[] {
	const coalesced = write.batch.length > 1 ? { coalescedCount: write.batch.length } : {};
	return write.batch.map((_, index) => ({ outcome: index === 0 ? write.outcome : 'appended', ...coalesced }));
}

function writtenByCreation(followUpSourceId: number | undefined): WrittenOutcome {
	return followUpSourceId !== undefined ? { outcome: 'followUp', followUpSourceId } : { outcome: 'created' };
}

export type AfterUpdate<M> =
	| { do: 'reload'; ticketId: number }
	| { do: 'forget'; replacedTicketId: number }
	| { do: 'rateLimited'; ticketId: number; retryAfterMs?: number }
	| { do: 'markClosed' }
	| Failure
	| { do: 'applied'; ticket?: KnownTicket; commentId?: number; results: Array<{ message: M; result: UpsertResult }> };

/** Zendesk answered a comment write (PUT /tickets/{id}.json; other statuses are errors of the transport). */
export function afterUpdate<M extends PlannedMessage>(
	write: CommentWrite<M>,
	answer: WriteAnswer,
	state: ConversationState,
): AfterUpdate<M> {
	const { statusCode, body } = answer;
	// Someone else updated the ticket: reload it (and read its markers) before writing again.
	if (statusCode === 409) return { do: 'reload', ticketId: write.ticketId };
	if (statusCode === 404) return { do: 'forget', replacedTicketId: write.ticketId };
	if (statusCode === 429) return { do: 'rateLimited', ticketId: write.ticketId, retryAfterMs: answer.retryAfterMs };
	if (statusCode === 422) {
		// Closed since we looked: the next step opens a follow-up.
		if (isClosedTicketRefusal(statusCode, body) && state.ticket.kind !== 'none') return { do: 'markClosed' };
		return { do: 'fail', reason: 'refused' };
	}
	const updated = (body as { ticket?: TicketSummary } | undefined)?.ticket;
	const commentId = commentIdOf(body);
	// The ticket's status before this update is Zendesk's, not the cache's (an agent may have
	// solved it since): the audit's status change says whether this reply reopened it.
	const change = statusChangeOf(body);
	const reopened =
		change === undefined
			? write.outcome === 'reopened'
			: change !== null && change.from === 'solved' && change.to !== 'solved';
	const applied: UpsertResult['outcome'] = write.note ? 'noted' : reopened ? 'reopened' : 'appended';
	const coalesced = write.batch.length > 1 ? { coalescedCount: write.batch.length } : {};
	return {
		do: 'applied',
		ticket: updated?.updated_at
			? updated.status === 'closed'
				? { kind: 'closed', ticket: updated }
				: { kind: 'active', ticket: updated }
			: undefined,
		commentId,
		results: write.batch.map((message, index) => ({
			message,
			result: { ticketId: write.ticketId, outcome: index === 0 ? applied : 'appended', commentId, ...coalesced },
		})),
	};
}

export type AfterCreate =
	| { do: 'lookUpAgain'; ms: number }
	| Failure
	| {
			do: 'created';
			ticket: TicketSummary;
			replayed: boolean;
			commentId?: number;
			unknownBeforeMs?: number;
			result: UpsertResult;
	  };

/** Zendesk answered a creation (POST /tickets.json with the conversation's creation key). */
export function afterCreate(
	head: PlannedMessage,
	followUpSourceId: number | undefined,
	answer: WriteAnswer,
): AfterCreate {
	const ticket = (answer.body as { ticket?: TicketSummary } | undefined)?.ticket;
	if (answer.statusCode >= 400 || !ticket) return afterRefusedCreation(head, answer);
	const replayed = /hit/i.test(answer.idempotencyLookup ?? '');
	const commentId = commentIdOf(answer.body);
	const own: UpsertResult['outcome'] = followUpSourceId !== undefined ? 'followUp' : 'created';
	return {
		do: 'created',
		ticket,
		replayed,
		commentId,
		// A replay: the ticket may hold more than this message; its markers are read when needed.
		unknownBeforeMs: replayed ? stampMs(ticket.updated_at) : undefined,
		result: {
			ticketId: ticket.id,
			outcome: replayed ? (head.written?.outcome ?? 'duplicate') : own,
			commentId,
			...(followUpSourceId !== undefined ? { followUpSourceId } : {}),
		},
	};
}

/**
 * A stale "closed" (source gone), or the conversation's creation key already used with another
 * payload (another process created the ticket with its message, or uploaded the same files
 * again): look the conversation up afresh, then append to what it finds, or resend under the
 * same key. Still unresolved after the last retry: the item fails.
 */
function afterRefusedCreation(head: PlannedMessage, answer: WriteAnswer): AfterCreate {
	const refusal = creationRefusalOf(answer.statusCode, answer.body);
	if (refusal) {
		const next = planCreationRetry(head.createRetries, answer.retryAfterMs);
		if (next.action === 'lookUpAgain') return { do: 'lookUpAgain', ms: next.waitMs };
		if (refusal !== 'staleFollowUpSource')
			return { do: 'fail', reason: 'unresolvedCreation', refusals: head.createRetries + 1 };
	}
	return { do: 'fail', reason: 'refused' };
}

export type AfterReload =
	| { do: 'forget'; replacedTicketId: number }
	| { do: 'adopt'; ticket: KnownTicket; unknownBeforeMs: number };

/** Zendesk answered `GET /tickets/{id}.json` (after a 409 or a lost answer). */
export function afterReload(
	ticketId: number,
	conversationKey: string,
	answer: { statusCode: number; ticket?: TicketSummary },
): AfterReload {
	const { ticket } = answer;
	// Gone, or no longer this conversation's ticket (external id changed): look it up again.
	if (answer.statusCode === 404 || !ticket || ticket.external_id !== conversationKey)
		return { do: 'forget', replacedTicketId: ticketId };
	return {
		do: 'adopt',
		ticket: ticket.status === 'closed' ? { kind: 'closed', ticket } : { kind: 'active', ticket },
		unknownBeforeMs: stampMs(ticket.updated_at) ?? Number.MAX_SAFE_INTEGER,
	};
}
