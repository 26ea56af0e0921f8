/**
 * Which Zendesk comments go back to Slack, and what the Zendesk Reply Trigger emits for them.
 * Pure: the node fetches the ticket, its comments and the author, and asks these functions.
 */
import { parseTicketExternalId, parseUserExternalId } from '../externalIds';
import { parseHandleRows } from '../slack/identity';
import { handleSlugOfTag, handleTag } from './tags';
import type { HandleConfig } from '../slack/identity';
import { ClaimLedger } from '../state/ttlCache';
import { isCredentialUrlTrusted } from '../transport/credentialUrlTrust';
import { keysInAudits } from './comments';

/** The body our trigger's webhook sends (ids only; see WEBHOOK_PAYLOAD_TEMPLATE). */
export interface ReplyWebhookPayload {
	ticketId: number;
	commentId?: number;
}

function positiveInt(value: unknown): number | undefined {
	const n =
		typeof value === 'number'
			? value
			: typeof value === 'string' && /^\d+$/.test(value.trim())
				? Number(value.trim())
				: NaN;
	return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Reads ticket and comment ids from the webhook body; undefined when there is no usable ticket id. */
export function parseReplyWebhookPayload(body: unknown): ReplyWebhookPayload | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const record = body as Record<string, unknown>;
	const ticketId = positiveInt(record.ticket_id ?? record.ticketId);
	if (!ticketId) return undefined;
	const commentId = positiveInt(record.comment_id ?? record.commentId);
	return commentId ? { ticketId, commentId } : { ticketId };
}

export interface ZendeskAttachmentJson {
	id: number;
	file_name: string;
	content_url: string;
	content_type: string;
	size: number;
	inline?: boolean;
}

export interface ZendeskCommentJson {
	id: number;
	author_id: number;
	body?: string;
	html_body?: string;
	plain_body?: string;
	public: boolean;
	attachments?: ZendeskAttachmentJson[];
	/** The audit (update) that added the comment. */
	audit_id?: number;
	via?: { channel?: string | number };
	created_at?: string;
}

export interface ZendeskTicketJson {
	id: number;
	status: string;
	external_id?: string | null;
	requester_id: number;
	subject?: string | null;
	tags?: string[];
}

export interface ZendeskUserJson {
	id: number;
	name: string;
	role: string;
	external_id?: string | null;
}

/** The comment the webhook names; without a comment id, the newest public one. */
export function selectComment(
	comments: ZendeskCommentJson[],
	commentId: number | undefined,
): ZendeskCommentJson | undefined {
	if (commentId !== undefined) return comments.find((comment) => comment.id === commentId);
	const publicComments = comments.filter((comment) => comment.public);
	return publicComments[publicComments.length - 1];
}

export type SkipReason =
	| 'notOurTicket'
	/** The ticket is gone (deleted after the comment): nothing to deliver, and nothing to redeliver. */
	| 'ticketNotFound'
	| 'commentNotFound'
	| 'privateComment'
	| 'authorIsRequester'
	| 'authorNotAgent'
	| 'postedViaApi'
	| 'postedByBridge'
	| 'emptyComment'
	| 'duplicate';

export interface EmissionPolicy {
	/** Let agent comments made through the API through (apps, macros via API). Off by default. */
	includeApiComments: boolean;
}

function viaChannel(comment: ZendeskCommentJson): string {
	const channel = comment.via?.channel;
	if (channel === 5 || channel === '5') return 'api';
	return typeof channel === 'string' ? channel.toLowerCase() : '';
}

/**
 * Whether the node must ask the ticket's audits who added the comment: only for an API comment
 * that the policy would otherwise let through (nothing else can come from the inbound pipeline).
 */
export function needsPipelineCheck(comment: ZendeskCommentJson | undefined, policy: EmissionPolicy): boolean {
	return Boolean(comment) && policy.includeApiComments && viaChannel(comment as ZendeskCommentJson) === 'api';
}

/**
 * Whether the inbound pipeline (the Zendesk Messaging Upsert) added the comment: its update
 * carries the package's marker in the audit's custom metadata (see comments.ts). Its author can
 * be anyone, e.g. a group-DM participant who is also an agent.
 */
export function postedByInboundPipeline(
	audits: Parameters<typeof keysInAudits>[0],
	comment: Pick<ZendeskCommentJson, 'id' | 'audit_id'>,
): boolean {
	if ([...keysInAudits(audits).values()].includes(comment.id)) return true;
	const audit =
		comment.audit_id === undefined
			? undefined
			: audits.find((candidate) => (candidate as { id?: number }).id === comment.audit_id);
	return audit !== undefined && keysInAudits([audit]).size > 0;
}

export type EmissionDecision = { emit: true } | { emit: false; reason: SkipReason };

/*
 * The rules, split by what each needs, in the order the trigger can apply them: the ticket alone,
 * then the comment, then its author. Only a comment all of them let through can cost the audit
 * read (postedByBridge): almost every delivery is dropped by a cheap rule first.
 */

/** Needs only the ticket: is it one of this package's conversations? */
export function skipForTicket(ticket: ZendeskTicketJson): SkipReason | undefined {
	return parseTicketExternalId(ticket.external_id) ? undefined : 'notOurTicket';
}

/** Needs the comment (and the ticket's requester id): missing, private, or the requester's own. */
export function skipForComment(
	ticket: ZendeskTicketJson,
	comment: ZendeskCommentJson | undefined,
): SkipReason | undefined {
	if (!comment) return 'commentNotFound';
	if (comment.public !== true) return 'privateComment';
	if (comment.author_id === ticket.requester_id) return 'authorIsRequester';
	return undefined;
}

/** Needs the author's user record: only agents and admins, through the API only when allowed, never empty. */
export function skipForAuthor(input: {
	comment: ZendeskCommentJson;
	author: ZendeskUserJson | undefined;
	policy: EmissionPolicy;
}): SkipReason | undefined {
	const { comment, author, policy } = input;
	if (!author || author.id !== comment.author_id || (author.role !== 'agent' && author.role !== 'admin'))
		return 'authorNotAgent';
	if (!policy.includeApiComments && viaChannel(comment) === 'api') return 'postedViaApi';
	const hasText = Boolean((comment.html_body ?? comment.body ?? '').trim());
	if (!hasText && !(comment.attachments ?? []).length) return 'emptyComment';
	return undefined;
}

/**
 * Emit only public comments by agents on this package's tickets. Never the requester's own
 * messages (the inbound pipeline posts those as the requester, through the API), never anything
 * the inbound pipeline posted (`postedByBridge`, from the audit marker), and by default nothing
 * added through the API. The marker is checked last: it is the only rule that costs audit reads.
 */
export function decideEmission(input: {
	ticket: ZendeskTicketJson;
	comment: ZendeskCommentJson | undefined;
	author: ZendeskUserJson | undefined;
	policy: EmissionPolicy;
	/** The comment's update carries the inbound pipeline's marker (see postedByInboundPipeline). */
	postedByBridge?: boolean;
}): EmissionDecision {
	const { ticket, comment } = input;
	const early = skipForTicket(ticket) ?? skipForComment(ticket, comment);
	if (early || !comment) return { emit: false, reason: early ?? 'commentNotFound' };
	const reason =
		skipForAuthor({ comment, author: input.author, policy: input.policy }) ??
		(input.postedByBridge ? 'postedByBridge' : undefined);
	return reason ? { emit: false, reason } : { emit: true };
}

export interface SlackDestination {
	teamId: string;
	/** The requester's Slack user, from their Zendesk external_id; absent when it is not a Slack user. */
	userId?: string;
	channelId: string;
	/** Set when the conversation is a thread of the DM. */
	threadTs?: string;
	/** `${channelId}:${threadTs}`, the same thread key the Slack DM Trigger emits. */
	threadKey?: string;
}

export interface ReplyAttachment {
	id: number;
	fileName: string;
	contentUrl: string;
	contentType: string;
	size: number;
	inline: boolean;
}

/**
 * The Slack handle the conversation belongs to, from the ticket's `slack_handle_<slug>` tag (the
 * Upsert tags every ticket with its handle's name). With the handle listed in the trigger's
 * Handles, it carries the name as written there and the handle's Slack user id; route on it
 * (Switch on handle.name) to the Slack DM Reply with that handle's credential.
 */
export interface ReplyHandle {
	/** The configured name (e.g. "IT"), or the tag's slug when the handle is not listed. */
	name: string;
	/** The tag's part after `slack_handle_`, e.g. "it". */
	slug: string;
	/** Only when the handle is listed in the trigger's Handles. */
	userId?: string;
}

/** A "Handles" row of the trigger, as n8n hands it over (read with parseHandleRows, as the Slack DM Trigger does). */
export type ConfiguredHandle = Partial<Record<keyof HandleConfig, unknown>>;

/**
 * The ticket's handle: the first handle tag that names a configured handle, else the first such
 * tag at all; undefined for a ticket without one.
 */
export function replyHandleOf(
	tags: readonly string[] | undefined,
	configured: readonly ConfiguredHandle[] = [],
): ReplyHandle | undefined {
	const handles = parseHandleRows(configured);
	const found = (tags ?? []).flatMap((tag) => {
		const slug = handleSlugOfTag(tag);
		return slug === undefined ? [] : [{ tag, slug }];
	});
	for (const { tag, slug } of found) {
		const handle = handles.find((candidate) => handleTag(candidate.name) === tag);
		if (handle) return { name: handle.name, slug, userId: handle.userId };
	}
	return found.length > 0 ? { name: found[0].slug, slug: found[0].slug } : undefined;
}

/** The item the Zendesk Reply Trigger emits; the Slack DM Reply node reads it as is. */
export interface ZendeskReplyItem {
	ticketId: number;
	ticketStatus: string;
	ticketExternalId: string;
	comment: {
		id: number;
		body: string;
		htmlBody: string;
		createdAt?: string;
		author: { id: number; name: string };
	};
	attachments: ReplyAttachment[];
	slack: SlackDestination;
	/** The handle the requester wrote to (absent when the ticket carries no handle tag). */
	handle?: ReplyHandle;
	/** The n8n process whose trigger took the webhook (shared/state/processToken.ts; docs/scaling.md). */
	announcedIn?: string;
}

/**
 * Where a conversation key (ticketExternalId: a ticket's `external_id`, a messaging conversation's
 * metadata) leads in Slack; the user when the requester's external id names one. Undefined for keys
 * this package did not make.
 */
export function slackDestinationOfKey(
	conversationKey: string | null | undefined,
	userExternalId?: string | null,
): SlackDestination | undefined {
	const conversation = parseTicketExternalId(conversationKey);
	if (!conversation) return undefined;
	const slackUser = parseUserExternalId(userExternalId);
	const destination: SlackDestination = { teamId: conversation.teamId, channelId: conversation.channelId };
	if (slackUser) destination.userId = slackUser.userId;
	if (conversation.threadTs) {
		destination.threadTs = conversation.threadTs;
		destination.threadKey = `${conversation.channelId}:${conversation.threadTs}`;
	}
	return destination;
}

export function slackDestinationOf(
	ticket: ZendeskTicketJson,
	requester?: ZendeskUserJson,
): SlackDestination | undefined {
	return slackDestinationOfKey(ticket.external_id, requester?.external_id);
}

export function buildReplyItem(input: {
	ticket: ZendeskTicketJson;
	comment: ZendeskCommentJson;
	author: ZendeskUserJson;
	requester?: ZendeskUserJson;
	handles?: readonly ConfiguredHandle[];
}): ZendeskReplyItem | undefined {
	const slack = slackDestinationOf(input.ticket, input.requester);
	if (!slack) return undefined;
	const { comment } = input;
	const handle = replyHandleOf(input.ticket.tags, input.handles);
	return {
		ticketId: input.ticket.id,
		ticketStatus: input.ticket.status,
		ticketExternalId: String(input.ticket.external_id),
		comment: {
			id: comment.id,
			body: comment.body ?? comment.plain_body ?? '',
			htmlBody: comment.html_body ?? '',
			...(comment.created_at ? { createdAt: comment.created_at } : {}),
			author: { id: input.author.id, name: input.author.name },
		},
		attachments: (comment.attachments ?? []).map((attachment) => ({
			id: attachment.id,
			fileName: attachment.file_name,
			contentUrl: attachment.content_url,
			contentType: attachment.content_type,
			size: attachment.size,
			inline: attachment.inline === true,
		})),
		slack,
		...(handle ? { handle } : {}),
	};
}

// ---------------------------------------------------------------- redelivery dedupe

/** How many delivered comment ids the static data keeps per trigger node. */
export const DELIVERED_HISTORY_LIMIT = 500;

/** Appends a delivered comment id, keeping only the newest `limit` ids. Returns a new array. */
export function rememberDelivered(
	history: readonly number[] | undefined,
	commentId: number,
	limit = DELIVERED_HISTORY_LIMIT,
): number[] {
	const next = (history ?? []).filter((id) => id !== commentId);
	next.push(commentId);
	return next.length > limit ? next.slice(next.length - limit) : next;
}

export function wasDelivered(history: readonly number[] | undefined, commentId: number): boolean {
	return (history ?? []).includes(commentId);
}

/**
 * In-process claims, so two concurrent redeliveries of the same comment cannot both pass the
 * check before either is recorded. Keys are scoped by the owner (webhook id).
 */
export function newDeliveryClaims(ttlMs = 24 * 60 * 60 * 1000, maxEntries = 5000): ClaimLedger {
	return new ClaimLedger({ ttlMs, maxEntries });
}

/**
 * Attachments are downloaded with the Zendesk credential, so only from the account's own host
 * (the configured base URL, or https *.zendesk.com): the credential never goes elsewhere.
 */
export function isTrustedAttachmentUrl(contentUrl: string, zendeskBaseUrl: string): boolean {
	return isCredentialUrlTrusted(contentUrl, zendeskBaseUrl, 'zendesk.com');
}
