/**
 * Carries out the Support-ticket mode's commands (supportPlanner.ts) through
 * nodes/shared/transport, and keeps what they teach in this process's state (ticketsState.ts):
 * the conversation's ticket, the markers seen, the update windows. It decides nothing itself
 * beyond reading Zendesk's answer for the planner.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Lane } from '../state/conversationLanes';
import { upsertEnvironment } from '../state/upsertClock';
import type { HttpResult } from '../../shared/transport/http';
import { isUnansweredRequestError } from '../../shared/transport/http';
import { NO_AMBIGUOUS_RESEND_POLICY, retryAfterMs } from '../../shared/transport/retryPolicy';
import { callZendesk, zendeskApiError, zendeskErrorMessage } from '../../shared/transport/zendeskTransport';
import { readNewestAudits } from '../../shared/zendesk/auditsApi';
import { emptyWindow, recordRateLimited, recordUpdate, windowRetentionMs } from './coalesce';
import { keysInAudits, markerMetadata } from '../../shared/zendesk/comments';
import type { TicketSummary } from '../helpers/tickets';
import { auditsAfterStamp, auditsCoverStamp, heldBeforePrevious } from '../helpers/auditStamps';
import { handledHere } from '../state/handledMessages';
import {
	buildCommentUpdateBody,
	copyFields,
	creationKeyFor,
	pickConversationTicket,
	stampMs,
	stampUsableFromMs,
	unresolvedCreationMessage,
	userRefusalMessage,
	userRefusalOf,
} from '../helpers/tickets';
import type { ConversationState } from './ticketsState';
import { conversationCache, updateWindows } from './ticketsState';
import { settle } from '../lane/conversationLane';
import { commentOf, createTicketBody, rememberWritten } from './supportBodies';
import type { Entry } from './supportEntry';
import type { CommentWrite, KnownStateCommand } from './supportCommands';
import type { AfterNoAnswer, Failure, WriteAnswer } from './supportPlanner';
import { afterCreate, afterNoAnswer, afterReload, afterUpdate } from './supportPlanner';

const PUT_ROUTE = 'PUT /tickets/{id}.json';
const POST_ROUTE = 'POST /tickets.json';

/** Carries out one command for the head of the lane, the conversation being `state`. */
export async function perform(
	lane: Lane<Entry>,
	head: Entry,
	state: ConversationState,
	command: KnownStateCommand<Entry>,
): Promise<void> {
	if (command.do === 'finish') settle(lane, head, { result: command.result });
	else if (command.do === 'readMarkers') await readMarkers(head, state, command.ticketId);
	else if (command.do === 'wait') await upsertEnvironment().sleep(command.ms);
	else if (command.do === 'create') await createTicket(lane, head, command.followUpSourceId);
	else await writeComment(lane, head, state, command.write);
}

/** The conversation's ticket: this process's cache, else the lookup by external id (cached once found). */
export async function loadConversation(entry: Entry): Promise<ConversationState> {
	const cached = conversationCache.get(entry.laneKey);
	if (cached) return cached;
	const { ctx, settings } = entry.request;
	const answer = await callZendesk<{ tickets?: TicketSummary[] }>(ctx, settings.credentialType, {
		method: 'GET',
		path: '/tickets.json',
		qs: { external_id: entry.conversationKey },
	});
	const ticket = pickConversationTicket(answer.body?.tickets ?? []);
	const state: ConversationState = {
		ticket,
		seen: new Map(),
		unknownBeforeMs:
			ticket.kind === 'none' ? undefined : (stampMs(ticket.ticket.updated_at) ?? Number.MAX_SAFE_INTEGER),
		stampUsableAtMs: ticket.kind === 'none' ? undefined : usableFrom(ticket.ticket, answer),
	};
	if (ticket.kind !== 'none') conversationCache.set(entry.laneKey, state, settings.cacheTtlMs);
	return state;
}

/**
 * Reads the markers of the ticket's newest audits (readNewestAudits: at least the newest page).
 * An audit newer than the ticket this process holds (another worker wrote) has the ticket read
 * again now rather than after the safe update's certain 409 (auditsAfterStamp). Audits written
 * after this read change `updated_at`, so the next safe update answers 409 and the markers are
 * read again.
 */
async function readMarkers(entry: Entry, state: ConversationState, ticketId: number): Promise<void> {
	const { ctx, settings } = entry.request;
	const audits = await readNewestAudits(ctx, settings.credentialType, ticketId);
	for (const [key, commentId] of keysInAudits(audits)) state.seen.set(key, commentId);
	state.unknownBeforeMs = undefined;
	const held = state.ticket.kind === 'none' ? undefined : state.ticket.ticket;
	if (held?.id !== ticketId || !auditsAfterStamp(audits, held.updated_at)) return;
	if (!(await reloadTicket(entry, state, ticketId))) return;
	const reloaded = state.ticket.kind === 'none' ? undefined : state.ticket.ticket;
	// The audits just read hold what the reloaded ticket shows: nothing left to read.
	if (auditsCoverStamp(audits, reloaded?.updated_at)) state.unknownBeforeMs = undefined;
}

/**
 * Which of these messages the conversation's ticket holds (its markers): from what this process
 * knows, else after reading the newest audits. No ticket yet: none (lane/earlierGate.ts).
 */
export async function keysInTicket(entry: Entry, keys: string[]): Promise<Set<string>> {
	const state = await loadConversation(entry);
	if (state.ticket.kind === 'none') return new Set();
	if (keys.some((key) => !state.seen.has(key))) await readMarkers(entry, state, state.ticket.ticket.id);
	return new Set(keys.filter((key) => state.seen.has(key)));
}

/**
 * Before the first update of a message whose people's previous message (older than the minute)
 * another worker may have written: the held ticket is read again now (one GET) rather than after
 * the safe update's certain 409 (PUT, GET, PUT). Nothing held: the lookup reads it anyway.
 */
export async function refreshHeldTicket(entry: Entry): Promise<void> {
	const previous = entry.previousMessage;
	// Once per message: a later turn of it (after a wait) holds what this read left.
	entry.previousMessage = undefined;
	const state = conversationCache.get(entry.laneKey);
	if (!previous || !state || state.ticket.kind === 'none') return;
	if (!heldBeforePrevious(previous, state.seen, handledHere(entry.request.account, previous))) return;
	await reloadTicket(entry, state, state.ticket.ticket.id);
}

/** Reads the ticket again: true when it is still the conversation's (adopted), false when forgotten. */
async function reloadTicket(entry: Entry, state: ConversationState, ticketId: number): Promise<boolean> {
	const { ctx, settings } = entry.request;
	const answer = await callZendesk<{ ticket?: TicketSummary }>(ctx, settings.credentialType, {
		method: 'GET',
		path: `/tickets/${ticketId}.json`,
		acceptStatuses: [404],
	});
	const next = afterReload(ticketId, entry.conversationKey, {
		statusCode: answer.statusCode,
		ticket: answer.body?.ticket,
	});
	if (next.do === 'forget') {
		forget(entry, next.replacedTicketId);
		return false;
	}
	state.ticket = next.ticket;
	state.unknownBeforeMs = next.unknownBeforeMs;
	state.stampUsableAtMs = usableFrom(next.ticket.ticket, answer);
	remember(entry, state);
	return true;
}

/** One comment (or note) for the planned batch, then what Zendesk's answer calls for. */
async function writeComment(
	lane: Lane<Entry>,
	head: Entry,
	state: ConversationState,
	write: CommentWrite<Entry>,
): Promise<void> {
	const { ctx, settings } = head.request;
	const body = buildCommentUpdateBody({
		comment: commentOf(write),
		metadata: markerMetadata(write.batch.map((entry) => entry.key)),
		updatedStamp: write.updatedStamp,
		reopen: write.reopen,
		copies: write.copyTo && copyFields(write.copyTo, settings.participantCopies),
	});
	let answer: HttpResult<{ ticket?: TicketSummary }>;
	try {
		answer = await callZendesk<{ ticket?: TicketSummary }>(ctx, settings.credentialType, {
			method: 'PUT',
			path: `/tickets/${write.ticketId}.json`,
			body: body as IDataObject,
			acceptStatuses: [404, 409, 422, 429],
			// Never resent blindly: the comment may be in the ticket already (see afterNoAnswer).
			policy: NO_AMBIGUOUS_RESEND_POLICY,
		});
	} catch (error) {
		return await afterLostAnswer(head, state, error, write.batch, () =>
			afterNoAnswer(head, { kind: 'update', comment: write }),
		);
	}
	const now = upsertEnvironment().now();
	const next = afterUpdate(write, answerOf(answer, now), state);
	const windowKey = windowKeyOf(head, write.ticketId);
	if (next.do === 'reload') await reloadTicket(head, state, next.ticketId);
	else if (next.do === 'forget') forget(head, next.replacedTicketId);
	else if (next.do === 'rateLimited') {
		const window = recordRateLimited(
			updateWindows.get(windowKey, now) ?? emptyWindow(),
			settings.limits,
			now,
			next.retryAfterMs,
		);
		updateWindows.set(windowKey, window, windowRetentionMs(window, settings.limits, now), now);
	} else if (next.do === 'markClosed') {
		if (state.ticket.kind !== 'none')
			state.ticket = { kind: 'closed', ticket: { ...state.ticket.ticket, status: 'closed' } };
		state.unknownBeforeMs = undefined;
		remember(head, state);
	} else if (next.do === 'fail') throw failure(head, next, PUT_ROUTE, answer);
	else {
		const window = recordUpdate(updateWindows.get(windowKey, now) ?? emptyWindow(), settings.limits, now);
		updateWindows.set(windowKey, window, windowRetentionMs(window, settings.limits, now), now);
		for (const entry of write.batch) state.seen.set(entry.key, next.commentId);
		if (!write.note) rememberWritten(write.batch);
		if (next.ticket) {
			state.ticket = next.ticket;
			state.stampUsableAtMs = usableFrom(next.ticket.ticket, answer);
			remember(head, state);
		} else conversationCache.delete(head.laneKey);
		for (const { message, result } of next.results) settle(lane, message, { result });
	}
}

/** A new ticket for the conversation (a follow-up of `followUpSourceId` when set), under its creation key. */
async function createTicket(lane: Lane<Entry>, head: Entry, followUpSourceId: number | undefined): Promise<void> {
	const { ctx, settings } = head.request;
	const body = await createTicketBody(head, followUpSourceId);
	let answer: HttpResult<{ ticket?: TicketSummary }>;
	try {
		answer = await callZendesk<{ ticket?: TicketSummary }>(ctx, settings.credentialType, {
			method: 'POST',
			path: '/tickets.json',
			body,
			headers: {
				'Idempotency-Key': creationKeyFor(head.conversationKey, {
					followUpSourceId,
					replacedTicketId: head.replacedTicketId,
				}),
			},
			acceptStatuses: [400, 409, 422],
			// Not resent blindly either: a lost answer is followed by a fresh lookup, so a replay hit
			// is never mistaken for another delivery's ticket.
			policy: NO_AMBIGUOUS_RESEND_POLICY,
		});
	} catch (error) {
		return await afterLostAnswer(head, undefined, error, [head], () =>
			afterNoAnswer(head, { kind: 'create', followUpSourceId }),
		);
	}
	const env = upsertEnvironment();
	const next = afterCreate(head, followUpSourceId, answerOf(answer, env.now()));
	if (next.do === 'lookUpAgain') {
		if (next.ms > 0) await env.sleep(next.ms);
		conversationCache.delete(head.laneKey);
		head.createRetries += 1;
		return;
	}
	if (next.do === 'fail') throw failure(head, next, POST_ROUTE, answer);
	remember(head, {
		ticket: { kind: 'active', ticket: next.ticket },
		seen: new Map([[head.key, next.commentId]]),
		unknownBeforeMs: next.unknownBeforeMs,
		stampUsableAtMs: usableFrom(next.ticket, answer),
	});
	if (!next.replayed) rememberWritten([head]);
	settle(lane, head, {
		result: { ...next.result, ...(typeof head.dmTicketId === 'number' ? { dmTicketId: head.dmTicketId } : {}) },
	});
}

/**
 * A write failed. 5xx or no answer at all: it may have been applied; the planner says what it did,
 * how long to pause and what to read before anything is written again. Other errors go to the item.
 */
async function afterLostAnswer(
	head: Entry,
	state: ConversationState | undefined,
	error: unknown,
	written: Entry[],
	plan: () => AfterNoAnswer,
): Promise<void> {
	if (!isAmbiguousFailure(error)) throw asNodeError(head, error);
	const next = plan();
	for (const [index, entry] of written.entries()) entry.written ??= next.written[index];
	if (next.forgetConversation) conversationCache.delete(head.laneKey);
	head.ambiguousWrites += 1;
	if (next.do === 'fail') throw asNodeError(head, error);
	await upsertEnvironment().sleep(next.ms);
	if (state && next.reloadTicketId !== undefined) await reloadTicket(head, state, next.reloadTicketId);
}

/** 5xx or no answer at all: the write may have been applied. */
function isAmbiguousFailure(error: unknown): boolean {
	return isUnansweredRequestError(error) || Number((error as { httpCode?: unknown } | undefined)?.httpCode) >= 500;
}

function answerOf(answer: HttpResult<unknown>, now: number): WriteAnswer {
	const lookup = headerValue(answer.headers, 'x-idempotency-lookup');
	return {
		statusCode: answer.statusCode,
		body: answer.body,
		retryAfterMs: retryAfterMs(answer.headers, now),
		idempotencyLookup: String(lookup ?? ''),
	};
}

/** The ticket is gone or no longer the conversation's: its successor is created under a new key. */
function forget(entry: Entry, replacedTicketId: number): void {
	entry.replacedTicketId = replacedTicketId;
	conversationCache.delete(entry.laneKey);
}

function remember(entry: Entry, state: ConversationState): void {
	conversationCache.set(entry.laneKey, state, entry.request.settings.cacheTtlMs);
}

/** When this answer's view of the ticket may be used for a safe update (stampUsableFromMs). */
function usableFrom(ticket: TicketSummary, answer: HttpResult<unknown>): number {
	return stampUsableFromMs(ticket.updated_at, headerValue(answer.headers, 'date'), upsertEnvironment().now());
}

/**
 * Zendesk counts ticket updates per user per ticket; the user is the API caller (the bridge),
 * whoever authors the comment, so notes and requester comments share one window per ticket.
 */
export function windowKeyOf(entry: Entry, ticketId: number): string {
	return `${entry.request.account}|${ticketId}`;
}

function headerValue(headers: Record<string, unknown>, name: string): unknown {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers ?? {}))
		if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
	return undefined;
}

/** Errors from the transport are already node errors; anything else is wrapped. */
function asNodeError(entry: Entry, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(entry.request.ctx.getNode(), error as Error, { itemIndex: entry.request.itemIndex });
}

/** The item's error for a refusal the planner will not get past. */
function failure(entry: Entry, reason: Failure, route: string, answer: HttpResult<unknown>): NodeApiError {
	const { ctx, item, itemIndex, requesterId } = entry.request;
	const { statusCode, body } = answer;
	if (reason.reason === 'unresolvedCreation') {
		const message = unresolvedCreationMessage({
			conversationKey: entry.conversationKey,
			refusals: reason.refusals ?? 1,
			zendeskMessage: zendeskErrorMessage(body),
		});
		return zendeskApiError(ctx.getNode(), route, statusCode, body, { itemIndex, message });
	}
	// A refused requester/author (deleted, merged, suspended) as an error that says what to do.
	const refusal = userRefusalOf(statusCode, body);
	if (!refusal) return zendeskApiError(ctx.getNode(), route, statusCode, body, { itemIndex });
	const message = userRefusalMessage({
		...refusal,
		zendeskUserId: requesterId,
		slackUserId: item.user?.id,
		slackTeamId: item.user?.teamId,
	});
	return zendeskApiError(ctx.getNode(), route, statusCode, body, { itemIndex, message });
}
