/**
 * Which Zendesk comments go back to Slack, and what the Zendesk Reply Trigger emits for them.
 * Pure: the node fetches the ticket, its comments and the author, and asks these functions.
 */
import { parseTicketExternalId, parseUserExternalId } from '../identity/externalIds';
import { ClaimLedger } from '../state/ttlCache';
import { isCredentialUrlTrusted } from '../transport/credentialUrlTrust';

/** The body our trigger's webhook sends (ids only; see WEBHOOK_PAYLOAD_TEMPLATE). */
export interface ReplyWebhookPayload {
	ticketId: number;
	commentId?: number;
}

function positiveInt(value: unknown): number | undefined {
	const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
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
export function selectComment(comments: ZendeskCommentJson[], commentId: number | undefined): ZendeskCommentJson | undefined {
	if (commentId !== undefined) return comments.find((comment) => comment.id === commentId);
	const publicComments = comments.filter((comment) => comment.public);
	return publicComments[publicComments.length - 1];
}

export type SkipReason =
	| 'notOurTicket'
	| 'commentNotFound'
	| 'privateComment'
	| 'authorIsRequester'
	| 'authorNotAgent'
	| 'postedViaApi'
	| 'authorIsBridge'
	| 'emptyComment'
	| 'duplicate';

export interface EmissionPolicy {
	/** Let agent comments made through the API through (apps, macros via API). Off by default. */
	includeApiComments: boolean;
	/** Zendesk user ids of the bridge itself (its API user): never echoed. */
	bridgeUserIds?: number[];
}

function viaChannel(comment: ZendeskCommentJson): string {
	const channel = comment.via?.channel;
	if (channel === 5 || channel === '5') return 'api';
	return typeof channel === 'string' ? channel.toLowerCase() : '';
}

/**
 * Emit only public comments by agents on this package's tickets. Never the requester's own
 * messages (the inbound pipeline posts those as the requester, through the API), never comments
 * by the bridge's own user, and by default nothing added through the API.
 */
export function decideEmission(input: {
	ticket: ZendeskTicketJson;
	comment: ZendeskCommentJson | undefined;
	author: ZendeskUserJson | undefined;
	policy: EmissionPolicy;
}): { emit: true } | { emit: false; reason: SkipReason } {
	const { ticket, comment, author, policy } = input;
	if (!parseTicketExternalId(ticket.external_id)) return { emit: false, reason: 'notOurTicket' };
	if (!comment) return { emit: false, reason: 'commentNotFound' };
	if (comment.public !== true) return { emit: false, reason: 'privateComment' };
	if (comment.author_id === ticket.requester_id) return { emit: false, reason: 'authorIsRequester' };
	if (policy.bridgeUserIds?.includes(comment.author_id)) return { emit: false, reason: 'authorIsBridge' };
	if (!author || author.id !== comment.author_id || (author.role !== 'agent' && author.role !== 'admin')) {
		return { emit: false, reason: 'authorNotAgent' };
	}
	if (!policy.includeApiComments && viaChannel(comment) === 'api') return { emit: false, reason: 'postedViaApi' };
	const hasText = Boolean((comment.html_body ?? comment.body ?? '').trim());
	if (!hasText && !(comment.attachments ?? []).length) return { emit: false, reason: 'emptyComment' };
	return { emit: true };
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
}

export function slackDestinationOf(ticket: ZendeskTicketJson, requester?: ZendeskUserJson): SlackDestination | undefined {
	const conversation = parseTicketExternalId(ticket.external_id);
	if (!conversation) return undefined;
	const slackUser = parseUserExternalId(requester?.external_id);
	const destination: SlackDestination = { teamId: conversation.teamId, channelId: conversation.channelId };
	if (slackUser) destination.userId = slackUser.userId;
	if (conversation.threadTs) {
		destination.threadTs = conversation.threadTs;
		destination.threadKey = `${conversation.channelId}:${conversation.threadTs}`;
	}
	return destination;
}

export function buildReplyItem(input: {
	ticket: ZendeskTicketJson;
	comment: ZendeskCommentJson;
	author: ZendeskUserJson;
	requester?: ZendeskUserJson;
}): ZendeskReplyItem | undefined {
	const slack = slackDestinationOf(input.ticket, input.requester);
	if (!slack) return undefined;
	const { comment } = input;
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
	};
}

// ---------------------------------------------------------------- redelivery dedupe

/** How many delivered comment ids the static data keeps per trigger node. */
export const DELIVERED_HISTORY_LIMIT = 500;

/** Appends a delivered comment id, keeping only the newest `limit` ids. Returns a new array. */
export function rememberDelivered(history: readonly number[] | undefined, commentId: number, limit = DELIVERED_HISTORY_LIMIT): number[] {
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
