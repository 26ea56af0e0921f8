/**
 * The Zendesk Support (tickets API) strategy of the Zendesk Messaging Upsert node: one Slack
 * conversation ↔ one ticket (plus follow-ups), each Slack message exactly once.
 *
 * Per message, in this process: a handled-messages cache and single-flight (duplicates cost no
 * call), then one ordered lane per conversation. The lane holder decides with the pure modules
 * (tickets.ts, comments.ts, coalesce.ts) and sends:
 *   - cached ticket, text only: one PUT (safe update against the cached `updated_at`);
 *   - 409 (someone else updated): reload the ticket, read recent audits when the message could
 *     already be there, retry; 422 "closed prevents ticket update": follow-up; 404: look up again;
 *   - no ticket / closed ticket: POST with `Idempotency-Key` (follow-up: `via_followup_source_id`).
 * Every write carries the message keys as custom audit metadata: that is the cross-process
 * marker read back from `GET /tickets/{id}/audits.json`. docs/zendesk-upsert.md explains why.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { SlackNameLookup, SlackTextOptions } from '../slack/slackTextToZendesk';
import type { SlackDmItem } from '../types';
import { isUnansweredRequestError } from '../transport/http';
import type { HttpResult } from '../transport/http';
import { callZendesk, zendeskApiError, zendeskErrorMessage } from '../transport/zendeskTransport';
import { NO_AMBIGUOUS_RESEND_POLICY, retryAfterMs } from '../transport/retryPolicy';
import { eventOrderOf, orderScopeOf } from '../slack/messageOrder';
import type { AnnouncedPlace } from '../state/messagesInFlight';
import { messagesInFlight } from '../state/messagesInFlight';
import { readNewestAudits } from './auditsApi';
import type { UpdateLimitConfig } from './coalesce';
import { emptyWindow, planUpdate, recordRateLimited, recordUpdate, takeBatch, windowRetentionMs } from './coalesce';
import {
	coalescedHtml,
	commentIdOf,
	fitOneComment,
	deleteNoteHtml,
	editNoteHtml,
	keysInAudits,
	markerFits,
	markerMetadata,
	messageHtml,
	statusChangeOf,
	threadTicketLineHtml,
	withSlackTime,
} from './comments';
import type { MessageForComment, ThreadReference } from './comments';
import type { ParticipantCopyMode, RoutingResult, TicketSummary } from './tickets';
import type { ConversationPlan, ThreadReplyMode } from './ticketsThreads';
import { conversationPlanOf, messageMemoryKey, rootTextInEvent, tagsForPlan, threadRootExcerpt } from './ticketsThreads';
import {
	buildCommentUpdateBody,
	buildCreateTicketBody,
	copyFields,
	creationKeyFor,
	creationRefusalOf,
	decideTicketAction,
	deriveSubject,
	isClosedTicketRefusal,
	participantsToCopy,
	pickConversationTicket,
	planCreationRetry,
	slackTsMs,
	stampMs,
	stampUsableFromMs,
	unresolvedCreationMessage,
	userRefusalMessage,
	userRefusalOf,
} from './tickets';
import type { ConversationState, Lane, UpsertResult, UpsertRunMemo } from './ticketsState';
import {
	conversationCache,
	handledMessages,
	laneFor,
	messageFlights,
	releaseLaneIfIdle,
	threadRootExcerpts,
	updateWindows,
	upsertEnvironment,
} from './ticketsState';
import type { FileToUpload } from './uploads';
import { uploadFiles } from './uploads';

export interface UpsertSettings {
	credentialType: string;
	/** A new ticket's routing (read from the node's parameters on first use; may name a mistake). */
	routing: () => RoutingResult;
	/** Explicit subject (expression); empty: derived from the first line. */
	subjectOverride?: string;
	subjectFallback: string;
	subjectMaxLength: number;
	limits: UpdateLimitConfig;
	/** Send comments as safe updates (409 on concurrent changes). */
	safeUpdates: boolean;
	/** How long this process trusts its conversation → ticket cache. */
	cacheTtlMs: number;
	/** How group-DM participants are copied on the ticket. */
	participantCopies: ParticipantCopyMode;
	/** Where thread replies of a DM go (ticketsThreads.ts). */
	threadReplies: ThreadReplyMode;
}

export interface UpsertRequest {
	ctx: IExecuteFunctions;
	/** zendeskAccountKey of the credential: every process-level cache is scoped by it. */
	account: string;
	itemIndex: number;
	item: SlackDmItem;
	requesterId?: number;
	files: FileToUpload[];
	settings: UpsertSettings;
	/** Display names for Slack mentions (item's linked users, Profile Linker's directory). */
	names?: SlackNameLookup;
	/** Zendesk user ids of the other group-DM participants (Profile Linker's zendeskParticipants). */
	participantIds?: number[];
	/** What this execution already looked up, shared by its items (newUpsertRun). */
	run: UpsertRunMemo;
}

/** Clock skew allowance between Slack's `ts` and Zendesk's `updated_at`. */
const SKEW_MARGIN_MS = 60_000;

/** How long a handled message is remembered (Slack retries within about 5 minutes). */
const HANDLED_TTL_MS = 60 * 60_000;

/** Guards the decision loop against a server that keeps changing under us. */
const MAX_STEPS = 50;

/** Writes that got no clear answer (reset, timeout, 5xx) before the item fails; each is checked first. */
const MAX_AMBIGUOUS_WRITES = 4;

/** First pause after an ambiguous write; doubles each time. */
const AMBIGUOUS_BACKOFF_MS = 250;

/** What a write whose answer was lost did, reported if its marker is found later. */
interface WrittenOutcome {
	outcome: UpsertResult['outcome'];
	followUpSourceId?: number;
	coalescedCount?: number;
}

interface Entry {
	request: UpsertRequest;
	key: string;
	/** Which ticket the event goes to, and how it relates to a thread. */
	plan: ConversationPlan;
	conversationKey: string;
	/** Per-thread ticket: the DM's ticket id mentioned on creation, looked up once (null: none). */
	dmTicketId?: number | null;
	/** The conversation within the Zendesk account: key of the ticket cache and the lane. */
	stateKey: string;
	tsMs: number;
	/** Place in Slack's order (eventOrderOf): the lane writes in this order. */
	order: number;
	/** Where the trigger announced this message (orderScopeOf): earlier ones still on their way are waited for. */
	orderScope: string;
	/** Its place among the announcements; undefined when the trigger announced none in this process. */
	announced?: AnnouncedPlace;
	uploadToken?: string;
	settled: boolean;
	/** Refused creations that sent us back to the lookup (creationRefusalOf, planCreationRetry). */
	createRetries: number;
	/** The conversation's ticket this message saw go (404, or external id changed): a new ticket succeeds it (creationKeyFor). */
	replacedTicketId?: number;
	/** Writes of this message that got no clear answer (reset, timeout, 5xx). */
	ambiguousWrites: number;
	/** Set when such a write may have landed: its marker found later means this delivery wrote it. */
	written?: WrittenOutcome;
	resolve: (result: UpsertResult) => void;
	reject: (error: Error) => void;
	promise: Promise<UpsertResult>;
}

/** How long this process remembers an excerpt of each message it wrote (thread-root quotes). */
const ROOT_EXCERPT_TTL_MS = 24 * 60 * 60_000;

/** Upserts one Slack event. Resolves with what happened; rejects with a NodeApiError/NodeOperationError. */
export async function upsertSupportTicket(request: UpsertRequest): Promise<UpsertResult> {
	const key = request.item.idempotencyKey;
	if (!key) throw new NodeOperationError(request.ctx.getNode(), 'The item has no idempotencyKey: connect the Slack DM Trigger output', { itemIndex: request.itemIndex });
	// The same Slack message can feed two workflows with two Zendesk accounts: one entry each.
	const handledKey = `${request.account}|${key}`;
	const orderScope = orderScopeOf(workflowIdOf(request.ctx), request.item);
	try {
		const handled = handledMessages.get(handledKey);
		if (handled) return asDuplicate(handled);
		let first = false;
		const result = await messageFlights.run(handledKey, async () => {
			first = true;
			const outcome = await handleMessage(request, key, orderScope);
			handledMessages.set(handledKey, outcome, HANDLED_TTL_MS);
			return outcome;
		});
		return first ? result : asDuplicate(result);
	} finally {
		// Also when it failed before its lane: later messages of the conversation stop waiting for it.
		messagesInFlight.arrived(orderScope, key);
	}
}

function workflowIdOf(ctx: IExecuteFunctions): string | undefined {
	return typeof ctx.getWorkflow === 'function' ? ctx.getWorkflow().id : undefined;
}

function asDuplicate(result: UpsertResult): UpsertResult {
	if (result.outcome === 'skipped') return result;
	return { ...result, outcome: 'duplicate' };
}

async function handleMessage(request: UpsertRequest, key: string, orderScope: string): Promise<UpsertResult> {
	const { ctx, item, settings } = request;
	if (item.kind === 'message' && request.requesterId === undefined) {
		throw new NodeOperationError(ctx.getNode(), 'No requester: connect the Profile Linker before this node or set "Requester ID"', {
			itemIndex: request.itemIndex,
		});
	}
	const entry = makeEntry(request, key, orderScope);
	// Upload first, outside the lane: one token for all files of the message.
	if (item.kind === 'message' && request.files.length > 0) {
		entry.uploadToken = await uploadFiles(ctx, settings.credentialType, request.files);
	}
	const lane = laneFor<Entry>(entry.stateKey);
	lane.waiting.splice(placeInOrder(lane.waiting, entry), 0, entry);
	entry.announced = messagesInFlight.arrived(orderScope, key);
	// One turn per entry; each turn writes the earliest entry still waiting, so all are written.
	const turn = lane.tail.then(async () => await takeTurn(lane));
	lane.tail = turn.then(
		() => undefined,
		() => undefined,
	);
	try {
		return await entry.promise;
	} finally {
		releaseLaneIfIdle(entry.stateKey);
	}
}

function makeEntry(request: UpsertRequest, key: string, orderScope: string): Entry {
	let resolve!: (result: UpsertResult) => void;
	let reject!: (error: Error) => void;
	const promise = new Promise<UpsertResult>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	const plan = conversationPlanOf(request.item, request.settings.threadReplies);
	return {
		request,
		key,
		plan,
		conversationKey: plan.conversationKey,
		stateKey: `${request.account}|${plan.conversationKey}`,
		tsMs: slackTsMs(request.item.message.ts) ?? 0,
		order: eventOrderOf(request.item) ?? 0,
		orderScope,
		settled: false,
		createRetries: 0,
		ambiguousWrites: 0,
		resolve,
		reject,
		promise,
	};
}

function settle(lane: Lane<Entry>, entry: Entry, outcome: { result?: UpsertResult; error?: Error }): void {
	if (entry.settled) return;
	entry.settled = true;
	lane.waiting.splice(lane.waiting.indexOf(entry), 1);
	if (outcome.error) entry.reject(outcome.error);
	else entry.resolve(outcome.result!);
}

/** Where an entry goes in its lane: after every entry not later than it in Slack's order. */
function placeInOrder(waiting: Entry[], entry: Entry): number {
	let index = waiting.length;
	while (index > 0 && waiting[index - 1].order > entry.order) index--;
	return index;
}

async function takeTurn(lane: Lane<Entry>): Promise<void> {
	const head = await nextHead(lane);
	if (!head) return; // carried by an earlier coalesced comment
	try {
		await processHead(lane, head);
		if (!head.settled) throw new NodeOperationError(head.request.ctx.getNode(), 'Zendesk kept changing the ticket; gave up', { itemIndex: head.request.itemIndex });
	} catch (error) {
		settle(lane, head, { error: error as Error });
	}
}

/**
 * The earliest waiting entry, once no earlier message of its conversation is still on its way
 * in another execution (messagesInFlight): one that arrives meanwhile goes first.
 */
async function nextHead(lane: Lane<Entry>): Promise<Entry | undefined> {
	for (;;) {
		const head = lane.waiting.find((entry) => !entry.settled);
		if (!head) return undefined;
		const until = head.announced && messagesInFlight.waitUntil(head.orderScope, head.announced);
		if (until === undefined) return head;
		await messagesInFlight.changed(until);
	}
}

async function loadConversation(entry: Entry): Promise<ConversationState> {
	const cached = conversationCache.get(entry.stateKey);
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
		unknownBeforeMs: ticket.kind === 'none' ? undefined : (stampMs(ticket.ticket.updated_at) ?? Number.MAX_SAFE_INTEGER),
		stampUsableAtMs: ticket.kind === 'none' ? undefined : usableFrom(ticket.ticket, answer),
	};
	if (ticket.kind !== 'none') conversationCache.set(entry.stateKey, state, settings.cacheTtlMs);
	return state;
}

/** When this answer's view of the ticket may be used for a safe update (stampUsableFromMs). */
function usableFrom(ticket: TicketSummary, answer: HttpResult<unknown>): number {
	return stampUsableFromMs(ticket.updated_at, headerValue(answer.headers, 'date'), upsertEnvironment().now());
}

/** 5xx or no answer at all: the write may have been applied. */
function isAmbiguousFailure(error: unknown): boolean {
	return isUnansweredRequestError(error) || Number((error as { httpCode?: unknown } | undefined)?.httpCode) >= 500;
}

/** Counts an ambiguous write of the entry; past the limit the error goes to the item. Waits a growing pause. */
async function afterAmbiguousWrite(entry: Entry, error: unknown): Promise<void> {
	entry.ambiguousWrites += 1;
	if (entry.ambiguousWrites > MAX_AMBIGUOUS_WRITES) throw asNodeError(entry, error);
	await upsertEnvironment().sleep(AMBIGUOUS_BACKOFF_MS * 2 ** (entry.ambiguousWrites - 1));
}

/** Errors from the transport are already node errors; anything else is wrapped. */
function asNodeError(entry: Entry, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(entry.request.ctx.getNode(), error as Error, { itemIndex: entry.request.itemIndex });
}

function remember(entry: Entry, state: ConversationState): void {
	conversationCache.set(entry.stateKey, state, entry.request.settings.cacheTtlMs);
}

/** Could an earlier delivery of this message already be in the part of the ticket we have not read? */
function mayHideMessage(state: ConversationState, entry: Entry): boolean {
	if (state.unknownBeforeMs === undefined) return false;
	return !(entry.tsMs - SKEW_MARGIN_MS > state.unknownBeforeMs);
}

/**
 * Reads the markers of the ticket's newest audits (readNewestAudits: at least the newest page).
 * Audits written after this read change `updated_at`, so the next safe update answers 409 and
 * the markers are read again.
 */
async function readMarkers(entry: Entry, state: ConversationState, ticketId: number): Promise<void> {
	const { ctx, settings } = entry.request;
	for (const [key, commentId] of keysInAudits(await readNewestAudits(ctx, settings.credentialType, ticketId))) state.seen.set(key, commentId);
	state.unknownBeforeMs = undefined;
}

async function reloadTicket(entry: Entry, state: ConversationState, ticketId: number): Promise<void> {
	const { ctx, settings } = entry.request;
	const answer = await callZendesk<{ ticket?: TicketSummary }>(ctx, settings.credentialType, {
		method: 'GET',
		path: `/tickets/${ticketId}.json`,
		acceptStatuses: [404],
	});
	const ticket = answer.body?.ticket;
	// Gone, or no longer this conversation's ticket (external id changed): look it up again.
	if (answer.statusCode === 404 || !ticket || ticket.external_id !== entry.conversationKey) {
		entry.replacedTicketId = ticketId;
		conversationCache.delete(entry.stateKey);
		return;
	}
	state.ticket = ticket.status === 'closed' ? { kind: 'closed', ticket } : { kind: 'active', ticket };
	state.unknownBeforeMs = stampMs(ticket.updated_at) ?? Number.MAX_SAFE_INTEGER;
	state.stampUsableAtMs = usableFrom(ticket, answer);
	remember(entry, state);
}

/**
 * Zendesk counts ticket updates per user per ticket; the user is the API caller (the bridge),
 * whoever authors the comment, so notes and requester comments share one window per ticket.
 */
function windowKey(ticketId: number, entry: Entry): string {
	return `${entry.request.account}|${ticketId}`;
}

function fileNames(entry: Entry): string[] {
	return entry.request.files.map((file) => file.name);
}

function textOptions(entry: Entry): SlackTextOptions {
	return { names: entry.request.names };
}

/** The thread root an entry refers to, with an excerpt when the event or this process's memory has its text. */
function threadReference(entry: Entry, rootTs: string): ThreadReference {
	const { item } = entry.request;
	const excerpt =
		threadRootExcerpt(rootTextInEvent(item, rootTs), textOptions(entry)) ?? threadRootExcerpts.get(messageMemoryKey(entry.request.account, item, rootTs));
	return excerpt ? { rootTs, rootExcerpt: excerpt } : { rootTs };
}

function messageForComment(entry: Entry): MessageForComment {
	const { message } = entry.request.item;
	const thread = entry.plan.threadReply ? threadReference(entry, entry.plan.threadReply.rootTs) : undefined;
	return { ts: message.ts, text: message.text ?? '', fileNames: fileNames(entry), ...(thread ? { thread } : {}) };
}

function commentHtml(entry: Entry): string {
	const { message } = entry.request.item;
	const html = messageHtml(messageForComment(entry), textOptions(entry));
	return withSlackTime(html, message.ts, upsertEnvironment().now());
}

/** Remembers excerpts of written messages: a later thread reply to one of them can quote it. */
function rememberWritten(entries: Entry[]): void {
	for (const entry of entries) {
		const { item } = entry.request;
		if (item.kind !== 'message') continue;
		const excerpt = threadRootExcerpt(item.message.text, textOptions(entry));
		if (excerpt) threadRootExcerpts.set(messageMemoryKey(entry.request.account, item, item.message.ts), excerpt, ROOT_EXCERPT_TTL_MS);
	}
}

function noteHtml(entry: Entry): string {
	const { item } = entry.request;
	if (item.kind === 'delete') return deleteNoteHtml({ ts: item.message.ts, deletedText: item.message.previousText ?? (item.message.text || undefined) }, textOptions(entry));
	return editNoteHtml({ ts: item.message.ts, previousText: item.message.previousText, newText: item.message.text ?? '' }, textOptions(entry));
}

async function processHead(lane: Lane<Entry>, head: Entry): Promise<void> {
	const env = upsertEnvironment();
	const { ctx, settings, item } = head.request;
	for (let step = 0; step < MAX_STEPS && !head.settled; step++) {
		const state = await loadConversation(head);
		if (state.ticket.kind !== 'none') {
			const ticketId = state.ticket.ticket.id;
			if (state.seen.has(head.key)) {
				// Found after this delivery's own write lost its answer: that write is what happened.
				const written = head.written ?? { outcome: 'duplicate' as const };
				settle(lane, head, { result: { ticketId, commentId: state.seen.get(head.key), ...written } });
				return;
			}
			if (mayHideMessage(state, head)) {
				await readMarkers(head, state, ticketId);
				continue;
			}
		}
		const action = decideTicketAction(item.kind, state.ticket);
		if (action.action === 'skip') {
			settle(lane, head, { result: { ticketId: state.ticket.kind === 'none' ? null : state.ticket.ticket.id, outcome: 'skipped', reason: action.reason } });
			return;
		}
		if (action.action === 'create' || action.action === 'followUp') {
			const sourceId = action.action === 'followUp' ? action.sourceTicketId : undefined;
			await createTicket(lane, head, sourceId);
			continue;
		}
		// append or note: mind the update limit of this ticket and author
		const wKey = windowKey(action.ticketId, head);
		const plan = planUpdate(updateWindows.get(wKey) ?? emptyWindow(), settings.limits, env.now());
		if (plan.waitMs > 0) {
			await env.sleep(plan.waitMs);
			continue;
		}
		if (settings.safeUpdates && state.ticket.kind !== 'none' && state.stampUsableAtMs !== undefined) {
			const early = state.stampUsableAtMs - env.now();
			if (early > 0) {
				await env.sleep(early);
				continue;
			}
		}
		const batch = takeBatch(
			// From the head on: an earlier message that arrived while this one was under way waits its turn.
			lane.waiting.slice(lane.waiting.indexOf(head)).filter((entry) => !entry.settled),
			plan.coalesce && item.kind === 'message',
			(current, next) =>
				next.request.item.kind === 'message' &&
				next.request.requesterId === head.request.requesterId &&
				!state.seen.has(next.key) &&
				!mayHideMessage(state, next) &&
				markerFits(
					current.map((entry) => entry.key),
					next.key,
				) &&
				fitOneComment([...current, next].map((entry) => entry.request.item.message.text)),
		);
		const isNote = action.action === 'note';
		const uploads = batch.map((entry) => entry.uploadToken).filter((token): token is string => Boolean(token));
		const comment = isNote
			? { html_body: noteHtml(head), public: false }
			: {
					html_body:
						batch.length > 1
							? coalescedHtml(
									batch.map((entry) => messageForComment(entry)),
									textOptions(head),
								)
							: commentHtml(head),
					public: true,
					author_id: head.request.requesterId,
					...(uploads.length > 0 ? { uploads } : {}),
				};
		const previousStatus = state.ticket.kind === 'none' ? undefined : state.ticket.ticket.status;
		const reopens = action.action === 'append' && action.reopens;
		// A guess for a write whose answer is lost; an answer says what Zendesk did (below).
		const outcome: UpsertResult['outcome'] = isNote ? 'noted' : reopens || previousStatus === 'solved' ? 'reopened' : 'appended';
		const updateBody = buildCommentUpdateBody({
			comment,
			metadata: markerMetadata(batch.map((entry) => entry.key)),
			updatedStamp: settings.safeUpdates && state.ticket.kind !== 'none' ? state.ticket.ticket.updated_at : undefined,
			reopen: reopens,
			copies: isNote
				? undefined
				: copyFields(
						participantsToCopy(
							batch.flatMap((entry) => entry.request.participantIds ?? []),
							head.request.requesterId,
							state.ticket.kind === 'none' ? undefined : state.ticket.ticket,
						),
						settings.participantCopies,
					),
		});
		let answer: HttpResult<{ ticket?: TicketSummary }>;
		try {
			answer = await callZendesk<{ ticket?: TicketSummary }>(ctx, settings.credentialType, {
				method: 'PUT',
				path: `/tickets/${action.ticketId}.json`,
				body: updateBody as IDataObject,
				acceptStatuses: [404, 409, 422, 429],
				// Never resent blindly: the comment may be in the ticket already (see the catch).
				policy: NO_AMBIGUOUS_RESEND_POLICY,
			});
		} catch (error) {
			if (!isAmbiguousFailure(error)) throw asNodeError(head, error);
			// The update may have been applied: note what it did, reload the ticket and let the loop
			// read the markers before anything is written again.
			const coalesced = batch.length > 1 ? { coalescedCount: batch.length } : {};
			for (const [index, entry] of batch.entries()) entry.written ??= { outcome: index === 0 ? outcome : 'appended', ...coalesced };
			await afterAmbiguousWrite(head, error);
			await reloadTicket(head, state, action.ticketId);
			continue;
		}
		if (answer.statusCode === 409) {
			await reloadTicket(head, state, action.ticketId);
			continue;
		}
		if (answer.statusCode === 404) {
			head.replacedTicketId = action.ticketId;
			conversationCache.delete(head.stateKey);
			continue;
		}
		if (answer.statusCode === 429) {
			const now = env.now();
			const next = recordRateLimited(updateWindows.get(wKey, now) ?? emptyWindow(), settings.limits, now, retryAfterMs(answer.headers, now));
			updateWindows.set(wKey, next, windowRetentionMs(next, settings.limits, now), now);
			continue;
		}
		if (answer.statusCode === 422) {
			if (isClosedTicketRefusal(answer.statusCode, answer.body) && state.ticket.kind !== 'none') {
				state.ticket = { kind: 'closed', ticket: { ...state.ticket.ticket, status: 'closed' } };
				state.unknownBeforeMs = undefined;
				remember(head, state);
				continue;
			}
			throw refusedUserError(head, 'PUT /tickets/{id}.json', answer.statusCode, answer.body) ?? zendeskError(head, 'PUT /tickets/{id}.json', answer.statusCode, answer.body);
		}
		const sentAt = env.now();
		const window = recordUpdate(updateWindows.get(wKey, sentAt) ?? emptyWindow(), settings.limits, sentAt);
		updateWindows.set(wKey, window, windowRetentionMs(window, settings.limits, sentAt), sentAt);
		const updated = answer.body?.ticket;
		const commentId = commentIdOf(answer.body);
		for (const entry of batch) state.seen.set(entry.key, commentId);
		if (!isNote) rememberWritten(batch);
		if (updated?.updated_at) {
			state.ticket = updated.status === 'closed' ? { kind: 'closed', ticket: updated } : { kind: 'active', ticket: updated };
			state.stampUsableAtMs = usableFrom(updated, answer);
			remember(head, state);
		} else {
			conversationCache.delete(head.stateKey);
		}
		// The ticket's status before this update is Zendesk's, not the cache's (an agent may have
		// solved it since): the audit's status change says whether this reply reopened it.
		const change = statusChangeOf(answer.body);
		const reopened = change === undefined ? outcome === 'reopened' : change !== null && change.from === 'solved' && change.to !== 'solved';
		const applied: UpsertResult['outcome'] = isNote ? 'noted' : reopened ? 'reopened' : 'appended';
		for (const [index, entry] of batch.entries()) {
			settle(lane, entry, {
				result: {
					ticketId: action.ticketId,
					outcome: index === 0 ? applied : 'appended',
					commentId,
					...(batch.length > 1 ? { coalescedCount: batch.length } : {}),
				},
			});
		}
		return;
	}
}

/**
 * The DM's ticket a thread's new ticket mentions (per-thread mode): this process's cache, else
 * what this execution already looked up, else the exact external-id lookup (remembered for the
 * execution, so several threads of one DM cost one lookup). Fixed per message once known: a
 * resent creation must carry the same body under its key. The mention is a courtesy for agents:
 * when the lookup fails, the ticket is created without it rather than the message failing.
 */
async function dmTicketIdFor(head: Entry, dmConversationKey: string): Promise<number | undefined> {
	if (head.dmTicketId !== undefined) return head.dmTicketId ?? undefined;
	const { account, ctx, run, settings } = head.request;
	const memoKey = `${account}|${dmConversationKey}`;
	const cached = conversationCache.get(memoKey)?.ticket;
	if (cached) head.dmTicketId = cached.kind === 'none' ? null : cached.ticket.id;
	else if (run.dmTicketIds.has(memoKey)) head.dmTicketId = run.dmTicketIds.get(memoKey);
	else {
		try {
			const answer = await callZendesk<{ tickets?: TicketSummary[] }>(ctx, settings.credentialType, {
				method: 'GET',
				path: '/tickets.json',
				qs: { external_id: dmConversationKey },
			});
			const conversation = pickConversationTicket(answer.body?.tickets ?? []);
			head.dmTicketId = conversation.kind === 'none' ? null : conversation.ticket.id;
			// Only answers are remembered: a failed lookup is tried again by the next thread.
			run.dmTicketIds.set(memoKey, head.dmTicketId);
		} catch {
			head.dmTicketId = null;
		}
	}
	return head.dmTicketId ?? undefined;
}

/** First comment of a new ticket: a thread's own ticket opens with the thread line. */
async function firstCommentHtml(head: Entry, followUpSourceId: number | undefined): Promise<string> {
	const thread = head.plan.thread;
	// A follow-up is linked to the thread's previous ticket by Zendesk itself.
	if (!thread || followUpSourceId !== undefined) return commentHtml(head);
	const dmTicketId = await dmTicketIdFor(head, thread.dmConversationKey);
	return `${threadTicketLineHtml({ ...threadReference(head, thread.rootTs), dmTicketId })}${commentHtml(head)}`;
}

async function createTicket(lane: Lane<Entry>, head: Entry, followUpSourceId: number | undefined): Promise<void> {
	const { ctx, settings, item } = head.request;
	const routed = settings.routing();
	if (!routed.ok) throw new NodeOperationError(ctx.getNode(), routed.problem, { itemIndex: head.request.itemIndex });
	const subject = settings.subjectOverride?.trim() || deriveSubject(item.message.text ?? '', settings.subjectFallback, settings.subjectMaxLength, textOptions(head));
	const body = buildCreateTicketBody({
		externalId: head.conversationKey,
		requesterId: head.request.requesterId!,
		subject,
		comment: {
			html_body: await firstCommentHtml(head, followUpSourceId),
			public: true,
			author_id: head.request.requesterId,
			...(head.uploadToken ? { uploads: [head.uploadToken] } : {}),
		},
		routing: { ...routed.routing, tags: tagsForPlan(routed.routing.tags, head.plan) },
		metadata: markerMetadata([head.key]),
		followUpSourceId,
		copies: copyFields(participantsToCopy(head.request.participantIds ?? [], head.request.requesterId), settings.participantCopies),
	});
	let answer: HttpResult<{ ticket?: TicketSummary }>;
	try {
		answer = await callZendesk<{ ticket?: TicketSummary }>(ctx, settings.credentialType, {
			method: 'POST',
			path: '/tickets.json',
			body: body as IDataObject,
			headers: { 'Idempotency-Key': creationKeyFor(head.conversationKey, { followUpSourceId, replacedTicketId: head.replacedTicketId }) },
			acceptStatuses: [400, 409, 422],
			// Not resent blindly either: a lost answer is followed by a fresh lookup, so a replay hit
			// is never mistaken for another delivery's ticket.
			policy: NO_AMBIGUOUS_RESEND_POLICY,
		});
	} catch (error) {
		if (!isAmbiguousFailure(error)) throw asNodeError(head, error);
		head.written ??= followUpSourceId !== undefined ? { outcome: 'followUp', followUpSourceId } : { outcome: 'created' };
		conversationCache.delete(head.stateKey);
		await afterAmbiguousWrite(head, error);
		return;
	}
	const ticket = answer.body?.ticket;
	if (answer.statusCode >= 400 || !ticket) {
		// A stale "closed" (source gone), or the conversation's creation key already used with
		// another payload (another process created the ticket with its message, or uploaded the
		// same files again): look the conversation up afresh, then append to what it finds, or
		// resend under the same key. Still unresolved after the last retry: the item fails.
		const refusal = creationRefusalOf(answer.statusCode, answer.body);
		if (refusal) {
			const env = upsertEnvironment();
			const next = planCreationRetry(head.createRetries, retryAfterMs(answer.headers, env.now()));
			if (next.action === 'lookUpAgain') {
				if (next.waitMs > 0) await env.sleep(next.waitMs);
				conversationCache.delete(head.stateKey);
				head.createRetries += 1;
				return;
			}
			if (refusal !== 'staleFollowUpSource') {
				const message = unresolvedCreationMessage({
					conversationKey: head.conversationKey,
					refusals: head.createRetries + 1,
					zendeskMessage: zendeskErrorMessage(answer.body),
				});
				throw zendeskApiError(ctx.getNode(), 'POST /tickets.json', answer.statusCode, answer.body, { itemIndex: head.request.itemIndex, message });
			}
		}
		throw refusedUserError(head, 'POST /tickets.json', answer.statusCode, answer.body) ?? zendeskError(head, 'POST /tickets.json', answer.statusCode, answer.body);
	}
	const replayed = /hit/i.test(String(headerValue(answer.headers, 'x-idempotency-lookup') ?? ''));
	const commentId = commentIdOf(answer.body);
	const created: ConversationState = {
		ticket: { kind: 'active', ticket },
		seen: new Map([[head.key, commentId]]),
		unknownBeforeMs: replayed ? stampMs(ticket.updated_at) : undefined,
		stampUsableAtMs: usableFrom(ticket, answer),
	};
	remember(head, created);
	if (!replayed) rememberWritten([head]);
	const own: UpsertResult['outcome'] = followUpSourceId !== undefined ? 'followUp' : 'created';
	settle(lane, head, {
		result: {
			ticketId: ticket.id,
			outcome: replayed ? (head.written?.outcome ?? 'duplicate') : own,
			commentId,
			...(followUpSourceId !== undefined ? { followUpSourceId } : {}),
			...(typeof head.dmTicketId === 'number' ? { dmTicketId: head.dmTicketId } : {}),
		},
	});
}

function headerValue(headers: Record<string, unknown>, name: string): unknown {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
	return undefined;
}

/** A refused requester/author (deleted, merged, suspended) as an error that says what to do. */
function refusedUserError(entry: Entry, route: string, statusCode: number, body: unknown): NodeApiError | undefined {
	const refusal = userRefusalOf(statusCode, body);
	if (!refusal) return undefined;
	const { item, requesterId } = entry.request;
	const message = userRefusalMessage({ ...refusal, zendeskUserId: requesterId, slackUserId: item.user?.id, slackTeamId: item.user?.teamId });
	return zendeskApiError(entry.request.ctx.getNode(), route, statusCode, body, { itemIndex: entry.request.itemIndex, message });
}

function zendeskError(entry: Entry, route: string, statusCode: number, body: unknown): NodeApiError {
	return zendeskApiError(entry.request.ctx.getNode(), route, statusCode, body, { itemIndex: entry.request.itemIndex });
}
