import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { zendeskCredentialTypeOfTrigger } from '../../shared/transport/accounts';
import { toNodeError } from '../../shared/n8n/errors';
import { toItemJson } from '../../shared/n8n/itemJson';
import { answerRefusal, readWebhookRawBody } from '../../shared/n8n/webhookRequest';
import type { HttpContext } from '../../shared/transport/http';
import { callZendesk } from '../../shared/transport/zendeskTransport';
import { readNewestAudits } from '../../shared/zendesk/auditsApi';
import type { PageRequest } from '../helpers/pagination';
import { nextPageRequest } from '../helpers/pagination';
import {
	buildReplyItem,
	needsPipelineCheck,
	newDeliveryClaims,
	parseReplyWebhookPayload,
	postedByInboundPipeline,
	rememberDelivered,
	selectComment,
	skipForAuthor,
	skipForComment,
	skipForTicket,
	wasDelivered,
	type ConfiguredHandle,
	type ReplyWebhookPayload,
	type SkipReason,
	type ZendeskReplyItem,
	type ZendeskCommentJson,
	type ZendeskTicketJson,
	type ZendeskUserJson,
} from '../../shared/zendesk/replyEvents';
import { deliveryClaimKey, restoreSigningSecret } from '../helpers/returnPathSetup';
import { admitSecret, triggerSecretKey } from '../secretRecovery';
import { answerRedelivery } from '../webhookAnswers';
import {
	DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
	verifyZendeskSignature,
	type ReturnPathStaticData,
} from '../helpers/webhooks';
import { lookUpOwnSigningSecret, MAX_LIST_PAGES } from './zendeskObjects';
import { PROCESS_TOKEN } from '../../shared/state/processToken';

/** Claims per process: two concurrent deliveries of one comment start one execution. */
const deliveryClaims = newDeliveryClaims();

async function readComment(
	ctx: HttpContext,
	credentialType: string,
	ticketId: number,
	commentId: number | undefined,
): Promise<ZendeskCommentJson | undefined> {
	// Newest first: the comment that fired the trigger is almost always on the first page.
	let request: PageRequest | undefined = {
		path: `/tickets/${ticketId}/comments.json`,
		qs: { sort_order: 'desc', per_page: 100 },
	};
	for (let page = 0; request && page < MAX_LIST_PAGES; page++) {
		const response: { body: { comments?: ZendeskCommentJson[]; next_page?: string | null } } = await callZendesk(
			ctx,
			credentialType,
			{ method: 'GET', ...request },
		);
		const comments = response.body.comments ?? [];
		const comment = selectComment(commentId === undefined ? [...comments].reverse() : comments, commentId);
		if (comment) return comment;
		if (commentId === undefined) return undefined;
		request = nextPageRequest(response.body.next_page);
	}
	return undefined;
}

async function readUsers(
	ctx: HttpContext,
	credentialType: string,
	ids: number[],
): Promise<Map<number, ZendeskUserJson>> {
	const unique = [...new Set(ids)];
	const response = await callZendesk<{ users?: ZendeskUserJson[] }>(ctx, credentialType, {
		method: 'GET',
		path: '/users/show_many.json',
		qs: { ids: unique.join(',') },
	});
	return new Map((response.body.users ?? []).map((user) => [user.id, user]));
}

/** Body and signature: the verified payload's raw bytes, or the answer already given. */
async function admitDelivery(
	ctx: IWebhookFunctions,
	data: ReturnPathStaticData,
	toleranceSeconds: number | undefined,
): Promise<IWebhookResponseData | undefined> {
	const read = await readWebhookRawBody(ctx);
	if (!read.ok) return answerRefusal(ctx, read.refusal);
	const signed = (secret: string) =>
		verifyZendeskSignature({
			secret,
			headers: ctx.getHeaderData() as Record<string, unknown>,
			rawBody: read.body ?? Buffer.from(JSON.stringify(ctx.getBodyData())),
			nowMs: Date.now(),
			toleranceSeconds: toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
		}).valid;
	// The static data's secret decides; lost (a queue-mode worker's save), it is found again (secretRecovery.ts).
	let admission: Awaited<ReturnType<typeof admitSecret>>;
	try {
		admission = await admitSecret({
			key: triggerSecretKey(ctx),
			stored:
				data.signingSecret && data.webhookId ? { secret: data.signingSecret, webhookId: data.webhookId } : undefined,
			matches: signed,
			recover: async () => await lookUpOwnSigningSecret(ctx),
		});
	} catch (error) {
		const reason = toNodeError(ctx.getNode(), error).message;
		return answerRedelivery(
			ctx,
			`Zendesk Reply Trigger: the webhook's signing secret could not be looked up again (${reason}); asked Zendesk to redeliver`,
		);
	}
	const { admitted, restored } = admission;
	if (admitted && restored) restoreSigningSecret(data, admitted);
	return admitted ? undefined : answerRefusal(ctx, { status: 401, body: { error: 'invalid signature' } });
}

const skip = (reason: SkipReason | 'noTicketId'): IWebhookResponseData => ({
	webhookResponse: { ok: true, skipped: reason },
});

/** Reads what the delivery names, cheapest first, and builds the item every rule lets through. */
async function readReply(
	ctx: IWebhookFunctions,
	payload: ReplyWebhookPayload,
	includeApiComments: boolean,
): Promise<ZendeskReplyItem | SkipReason> {
	const credentialType = zendeskCredentialTypeOfTrigger(ctx);
	const ticketResponse = await callZendesk<{ ticket: ZendeskTicketJson }>(ctx, credentialType, {
		method: 'GET',
		path: `/tickets/${payload.ticketId}.json`,
		acceptStatuses: [404],
	});
	if (ticketResponse.statusCode === 404) return 'ticketNotFound';
	const ticket = ticketResponse.body.ticket;
	const ticketSkip = skipForTicket(ticket);
	if (ticketSkip) return ticketSkip;
	const comment = await readComment(ctx, credentialType, payload.ticketId, payload.commentId);
	const commentSkip = skipForComment(ticket, comment);
	if (commentSkip || !comment) return commentSkip ?? 'commentNotFound';
	const users = await readUsers(ctx, credentialType, [comment.author_id, ticket.requester_id]);
	const author = users.get(comment.author_id);
	const policy = { includeApiComments };
	const authorSkip = skipForAuthor({ comment, author, policy });
	if (authorSkip || !author) return authorSkip ?? 'authorNotAgent';
	// The audits (2-5 calls) only for a comment every other rule lets through.
	if (
		needsPipelineCheck(comment, policy) &&
		postedByInboundPipeline(await readNewestAudits(ctx, credentialType, ticket.id), comment)
	)
		return 'postedByBridge';
	const handlesParameter = ctx.getNodeParameter('handles', {}) as { handle?: ConfiguredHandle[] };
	return (
		buildReplyItem({
			ticket,
			comment,
			author,
			requester: users.get(ticket.requester_id),
			handles: handlesParameter.handle,
		}) ?? 'notOurTicket'
	);
}

/** One webhook call: signature, exactly-once claim, then the ticket, comment and people it names. */
export async function receiveReply(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const data = ctx.getWorkflowStaticData('node') as ReturnPathStaticData & IDataObject;
	const options = ctx.getNodeParameter('options', {}) as {
		includeApiComments?: boolean;
		signatureToleranceSeconds?: number;
	};
	const refused = await admitDelivery(ctx, data, options.signatureToleranceSeconds);
	if (refused) return refused;

	const payload = parseReplyWebhookPayload(ctx.getBodyData());
	if (!payload) return skip('noTicketId');
	const claimKey = deliveryClaimKey(payload, data.webhookId, ctx.getNode().id);
	if (payload.commentId && wasDelivered(data.deliveredCommentIds, payload.commentId)) return skip('duplicate');
	if (claimKey && !deliveryClaims.claim(claimKey, Date.now())) return skip('duplicate');
	try {
		const item = await readReply(ctx, payload, options.includeApiComments === true);
		if (typeof item === 'string') return skip(item);
		// Redeliveries name the comment again; the claim above also covers payloads without one.
		if (!payload.commentId && wasDelivered(data.deliveredCommentIds, item.comment.id)) return skip('duplicate');
		data.deliveredCommentIds = rememberDelivered(data.deliveredCommentIds, item.comment.id);
		return { workflowData: [ctx.helpers.returnJsonArray([toItemJson({ ...item, announcedIn: PROCESS_TOKEN })])] };
	} catch (error) {
		// Zendesk does not redeliver after a 500: answer 503 + Retry-After so it does, and say so in the log.
		if (claimKey) deliveryClaims.release(claimKey);
		const nodeError = toNodeError(ctx.getNode(), error);
		return answerRedelivery(
			ctx,
			`Zendesk Reply Trigger: ticket ${payload.ticketId} could not be read (${nodeError.message}); asked Zendesk to redeliver`,
			{ ticketId: payload.ticketId, commentId: payload.commentId },
		);
	}
}
