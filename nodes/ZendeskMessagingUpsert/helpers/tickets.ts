/**
 * Ticket vocabulary of the Zendesk Messaging Upsert node (Support tickets API mode): lookups,
 * bodies, refusals, creation keys, stamps. Pure: no HTTP, no n8n. The mode's planner
 * (nodes/ZendeskMessagingUpsert/supportTickets/supportPlanner.ts) decides with them; its
 * performer sends what they build.
 */
import type { SlackTextOptions } from '../../shared/slack/slackTextToZendesk';
import { slackTextToPlain } from '../../shared/slack/slackTextToZendesk';
import { slackTsMicros } from '../../shared/slack/messageOrder';
import { handleTag, normaliseTags } from '../../shared/zendesk/tags';
import { ticketCreationIdempotencyKey } from '../../shared/externalIds';

export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';

/** The fields of a Zendesk ticket this package reads. */
export interface TicketSummary {
	id: number;
	status: TicketStatus;
	/** ISO date of the last update; sent back as `updated_stamp` for safe updates. */
	updated_at: string;
	created_at?: string;
	external_id?: string | null;
	/** Users copied on the ticket (CCs and followers accounts), and all collaborators. */
	email_cc_ids?: number[];
	collaborator_ids?: number[];
}

/** What a ticket lookup by external id means for the conversation. */
export type ConversationTicket =
	| { kind: 'none' }
	| { kind: 'active'; ticket: TicketSummary }
	| { kind: 'closed'; ticket: TicketSummary };

function newestFirst(a: TicketSummary, b: TicketSummary): number {
	const byCreation = Date.parse(b.created_at ?? '') - Date.parse(a.created_at ?? '');
	// Ticket ids grow with time; they break ties (and cover a missing created_at).
	return Number.isFinite(byCreation) && byCreation !== 0 ? byCreation : b.id - a.id;
}

/**
 * Several tickets can share the conversation's external id (follow-ups keep it): the newest one
 * that is not closed is the conversation's ticket; when all are closed, the newest closed one is
 * the source of the next follow-up.
 */
export function pickConversationTicket(tickets: TicketSummary[]): ConversationTicket {
	const sorted = [...tickets].sort(newestFirst);
	const active = sorted.find((ticket) => ticket.status !== 'closed');
	if (active) return { kind: 'active', ticket: active };
	return sorted.length > 0 ? { kind: 'closed', ticket: sorted[0] } : { kind: 'none' };
}

export const DEFAULT_SUBJECT_MAX_LENGTH = 80;

/**
 * The ticket subject: the first non-empty line of the message as plain text (mentions as names,
 * links as their label, marks dropped; the one Slack-text converter), shortened at a word when it can be.
 */
export function deriveSubject(
	text: string,
	fallback: string,
	maxLength = DEFAULT_SUBJECT_MAX_LENGTH,
	options: SlackTextOptions = {},
): string {
	const firstLine = slackTextToPlain(text ?? '', { ...options, plainLinks: 'label' })
		.split('\n')
		.map((line) => line.replace(/^> /, '').replace(/\s+/g, ' ').trim())
		.find((line) => line.length > 0);
	if (!firstLine) return fallback.slice(0, maxLength);
	if (firstLine.length <= maxLength) return firstLine;
	const cut = firstLine.slice(0, maxLength - 1);
	const lastSpace = cut.lastIndexOf(' ');
	return `${(lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

export const SLACK_DM_TAG = 'slack_dm';
export const SLACK_CONNECT_TAG = 'slack_connect';

export function ticketTags(input: { handleName: string; isPartner: boolean; configured: string[] }): string[] {
	const tags = [SLACK_DM_TAG];
	const handle = handleTag(input.handleName);
	if (handle) tags.push(handle);
	if (input.isPartner) tags.push(SLACK_CONNECT_TAG);
	return normaliseTags([...tags, ...input.configured]);
}

export type TicketPriority = 'urgent' | 'high' | 'normal' | 'low';
export type TicketType = 'problem' | 'incident' | 'question' | 'task';

/** Routing fields an admin sets on the node (all expressions). */
export interface TicketRouting {
	subject?: string;
	tags: string[];
	brandId?: number;
	groupId?: number;
	priority?: TicketPriority;
	type?: TicketType;
	customFields: Array<{ id: number; value: unknown }>;
}

/** A new ticket's routing, or the parameter mistake that prevents it. */
export type RoutingResult = { ok: true; routing: TicketRouting } | { ok: false; problem: string };

export interface CommentPayload {
	/** Built by slackTextToHtml / comments.ts: all user text escaped. */
	html_body: string;
	public: boolean;
	author_id?: number;
	uploads?: string[];
}

/** Keys of the Slack messages an update carries, stored by Zendesk in the audit's custom metadata. */
export interface IdempotencyMetadata {
	[key: string]: string;
}

export function buildCreateTicketBody(input: {
	externalId: string;
	requesterId: number;
	subject: string;
	comment: CommentPayload;
	routing: TicketRouting;
	metadata: IdempotencyMetadata;
	/** Set for a follow-up of a closed ticket. */
	followUpSourceId?: number;
	/** copyFields() of the group-DM participants. */
	copies?: Record<string, unknown>;
}): { ticket: Record<string, unknown> } {
	const { routing } = input;
	const ticket: Record<string, unknown> = {
		external_id: input.externalId,
		requester_id: input.requesterId,
		subject: input.subject,
		comment: input.comment,
		metadata: input.metadata,
		...(input.copies ?? {}),
	};
	if (input.followUpSourceId !== undefined) {
		ticket.via_followup_source_id = input.followUpSourceId;
	} else {
		// A follow-up inherits the closed ticket's tags; sending tags would replace them.
		ticket.tags = routing.tags;
	}
	if (routing.brandId !== undefined) ticket.brand_id = routing.brandId;
	if (routing.groupId !== undefined) ticket.group_id = routing.groupId;
	if (routing.priority) ticket.priority = routing.priority;
	if (routing.type) ticket.type = routing.type;
	if (routing.customFields.length > 0) ticket.custom_fields = routing.customFields;
	return { ticket };
}

/**
 * A comment on an existing ticket. `updatedStamp` makes it a safe update: Zendesk answers 409
 * when the ticket changed since that stamp, which is how another process's write is noticed.
 */
export function buildCommentUpdateBody(input: {
	comment: CommentPayload;
	metadata: IdempotencyMetadata;
	updatedStamp?: string;
	/** The requester's comment reopens a solved ticket; say so explicitly. */
	reopen?: boolean;
	/** copyFields() of participants new to the ticket. */
	copies?: Record<string, unknown>;
}): { ticket: Record<string, unknown> } {
	const ticket: Record<string, unknown> = { comment: input.comment, metadata: input.metadata, ...(input.copies ?? {}) };
	if (input.reopen) ticket.status = 'open';
	if (input.updatedStamp) {
		ticket.safe_update = true;
		ticket.updated_stamp = input.updatedStamp;
	}
	return { ticket };
}

/**
 * How group-DM participants are copied on the ticket. `emailCcs` (Zendesk's way on accounts
 * with CCs and followers, the default since 2019): `email_ccs` entries with action "put", which
 * add without replacing. `collaborators`: `additional_collaborators`, for accounts still on
 * legacy CCs (on CCs-and-followers accounts Zendesk turns end users in it into CCs too).
 */
export type ParticipantCopyMode = 'emailCcs' | 'collaborators' | 'off';

/** Zendesk: a ticket can have up to 48 email CCs. */
export const MAX_EMAIL_CCS = 48;

/**
 * Participants to copy on the ticket: linked, not the requester, not already copied (the
 * ticket's email_cc_ids / collaborator_ids), without repeats, within Zendesk's CC limit.
 */
export function participantsToCopy(
	participantIds: Array<number | undefined>,
	requesterId: number | undefined,
	ticket?: TicketSummary,
): number[] {
	const copied = new Set([...(ticket?.email_cc_ids ?? []), ...(ticket?.collaborator_ids ?? [])]);
	const room = Math.max(0, MAX_EMAIL_CCS - (ticket?.email_cc_ids ?? []).length);
	const fresh = [...new Set(participantIds)].filter(
		(id): id is number =>
			typeof id === 'number' && Number.isSafeInteger(id) && id > 0 && id !== requesterId && !copied.has(id),
	);
	return fresh.slice(0, room);
}

/** The ticket fields that copy these users, for create and update bodies. */
export function copyFields(userIds: number[], mode: ParticipantCopyMode): Record<string, unknown> {
	if (userIds.length === 0 || mode === 'off') return {};
	if (mode === 'collaborators') return { additional_collaborators: userIds };
	return { email_ccs: userIds.map((id) => ({ user_id: id, action: 'put' })) };
}

/** Zendesk refuses updates of closed tickets with 422 and this message in the details. */
export function isClosedTicketRefusal(statusCode: number, body: unknown): boolean {
	if (statusCode !== 422) return false;
	const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
	return /closed prevents ticket update/i.test(text);
}

/**
 * The Idempotency-Key of a conversation's new ticket: one key per conversation and predecessor,
 * the same in every process, never per message or per attempt. The first ticket has `…:new`;
 * the ticket that comes after ticket T has `…:{T}`, whether it follows up T (closed) or replaces
 * it (T deleted, or its external id changed by an agent, as seen by this process): every process
 * that knows T agrees on one key, so at most one successor is created.
 */
export function creationKeyFor(
	conversationKey: string,
	after: { followUpSourceId?: number; replacedTicketId?: number } = {},
): string {
	return ticketCreationIdempotencyKey(conversationKey, after.followUpSourceId ?? after.replacedTicketId);
}

/**
 * Why Zendesk refused a `POST /tickets.json` that sends the conversation back to its lookup:
 * - `creationKeyTaken`: 400 `IdempotentRequestError`, the conversation's creation key was used
 *   with another payload (another process created the ticket with its own first message);
 * - `conflict`: 409;
 * - `staleFollowUpSource`: `via_followup_source_id` refused (the cached closed ticket is gone).
 * Undefined: any other refusal, which fails the item.
 */
export type CreationRefusal = 'creationKeyTaken' | 'conflict' | 'staleFollowUpSource';

export function creationRefusalOf(statusCode: number, body: unknown): CreationRefusal | undefined {
	if (statusCode < 400) return undefined;
	const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
	if (/idempot/i.test(text)) return 'creationKeyTaken';
	if (statusCode === 409) return 'conflict';
	return /followup|follow-up/i.test(text) ? 'staleFollowUpSource' : undefined;
}

/**
 * How long a refused creation keeps looking for the conversation's ticket. The key is refused
 * while the ticket it created is not visible to the lookup yet (the other process's create still
 * in flight, or the lookup lagging): pauses double from `firstPauseMs`, about 8 s in all.
 */
export const CREATION_RETRY_LIMITS = { maxRetries: 6, firstPauseMs: 250, maxWaitMs: 60_000 };

export type CreationRetry = { action: 'lookUpAgain'; waitMs: number } | { action: 'fail' };

/**
 * After a refused creation (`retries` earlier ones): look the conversation up again after a
 * pause (at least Zendesk's Retry-After), then resend under the SAME creation key. Never another
 * key: a second key would create a second ticket whenever the lookup is behind the first one.
 * Past the limit (or a Retry-After beyond `maxWaitMs`) the item fails instead.
 */
export function planCreationRetry(
	retries: number,
	retryAfterMs?: number,
	limits = CREATION_RETRY_LIMITS,
): CreationRetry {
	if (retries >= limits.maxRetries || (retryAfterMs ?? 0) > limits.maxWaitMs) return { action: 'fail' };
	const pause = retries === 0 ? 0 : limits.firstPauseMs * 2 ** (retries - 1);
	return { action: 'lookUpAgain', waitMs: Math.max(pause, retryAfterMs ?? 0) };
}

/** The item's error when the creation key stays refused and no ticket of the conversation shows up. */
export function unresolvedCreationMessage(input: {
	conversationKey: string;
	refusals: number;
	zendeskMessage: string;
}): string {
	return (
		`Zendesk refused the creation of the ticket for conversation ${input.conversationKey} ${input.refusals} times ("${input.zendeskMessage}"), ` +
		'and no ticket with that external id could be found: the message was not written, rather than risking a second ticket for the conversation. ' +
		'Re-run this item later: it is added to the conversation ticket once Zendesk lists it (or, if that ticket was deleted, once Zendesk forgets the creation key, 2 hours after it was first used).'
	);
}

/**
 * Zendesk refused the requester or the comment author: 422 RecordInvalid with `details.requester`
 * (e.g. "Requester: is invalid" for a deleted or merged-away user, "Requester: X is suspended."),
 * or a `details.comment` / `details.author_id` entry about the author. Returns Zendesk's own words.
 */
export function userRefusalOf(
	statusCode: number,
	body: unknown,
): { role: 'requester' | 'author'; description: string } | undefined {
	if (statusCode !== 422) return undefined;
	const details = (body as { details?: Record<string, unknown> } | undefined)?.details;
	if (!details || typeof details !== 'object') return undefined;
	const descriptions = (field: string): string[] =>
		(Array.isArray(details[field]) ? (details[field] as Array<{ description?: unknown }>) : [])
			.map((entry) => (typeof entry?.description === 'string' ? entry.description : ''))
			.filter((text) => text !== '');
	const requester = descriptions('requester')[0] ?? descriptions('requester_id')[0];
	if (requester) return { role: 'requester', description: requester };
	const author = [
		...descriptions('author_id'),
		...descriptions('author'),
		...descriptions('comment').filter((text) => /author/i.test(text)),
	][0];
	return author ? { role: 'author', description: author } : undefined;
}

/**
 * The item's error when Zendesk refuses the linked user: names the Slack user and says how to
 * recover (the Profile Linker's cached link points at a user deleted or merged since).
 */
export function userRefusalMessage(input: {
	role: 'requester' | 'author';
	description: string;
	zendeskUserId?: number;
	slackUserId?: string;
	slackTeamId?: string;
}): string {
	const slackUser = input.slackUserId
		? `Slack user ${input.slackUserId}${input.slackTeamId ? ` (team ${input.slackTeamId})` : ''}`
		: 'the Slack user';
	const zendeskUser = input.zendeskUserId === undefined ? 'its Zendesk user' : `Zendesk user ${input.zendeskUserId}`;
	return (
		`Zendesk refused ${zendeskUser} as ${input.role === 'requester' ? 'requester' : 'comment author'} for ${slackUser} ("${input.description}"): ` +
		'the user was probably deleted, merged into another profile or suspended in Zendesk. ' +
		'Re-run this item once the Profile Linker links the Slack user again (after its Cache Period, or at once after restarting n8n or lowering the Cache Period), or check the Requester ID parameter if it is set.'
	);
}

/** The agent workspace link of a ticket. */
export function agentTicketUrl(
	base: { subdomain?: string; baseUrl?: string; agentUrlBase?: string },
	ticketId: number,
): string {
	const explicit = (base.agentUrlBase ?? '').trim() || (base.baseUrl ?? '').trim();
	const root = explicit ? explicit.replace(/\/+$/, '') : `https://${String(base.subdomain ?? '').trim()}.zendesk.com`;
	return `${root}/agent/tickets/${ticketId}`;
}

/** Zendesk dates are ISO strings with second precision. */
export function stampMs(stamp: string | undefined): number | undefined {
	if (!stamp) return undefined;
	const ms = Date.parse(stamp);
	return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The local time (ms) from which a safe update with `stamp` may be sent. Zendesk's `updated_at`
 * has one-second precision, so another write later in the same second leaves the stamp
 * unchanged and would let a stale safe update through. Sending only once Zendesk's clock has
 * left the stamp's second means every successful safe update moves `updated_at` to a later
 * second, so no write can hide behind an unchanged stamp. `serverDate` is the answer's `Date`
 * header (Zendesk's clock, one-second precision), `receivedAtMs` the local time of the answer;
 * without a usable Date the whole second is waited out.
 */
export function stampUsableFromMs(stamp: string | undefined, serverDate: unknown, receivedAtMs: number): number {
	const stampAt = stampMs(stamp);
	const serverAt = typeof serverDate === 'string' ? Date.parse(serverDate) : Number.NaN;
	if (stampAt === undefined || Number.isNaN(serverAt)) return receivedAtMs + 1000;
	const secondEnd = Math.floor(stampAt / 1000) * 1000 + 1000;
	return receivedAtMs + Math.max(0, secondEnd - Math.floor(serverAt / 1000) * 1000);
}

/** Slack `ts` ("1714557601.000100") in epoch milliseconds. */
export function slackTsMs(ts: string): number | undefined {
	const micros = slackTsMicros(ts);
	return micros === undefined ? undefined : Math.floor(micros / 1000);
}
