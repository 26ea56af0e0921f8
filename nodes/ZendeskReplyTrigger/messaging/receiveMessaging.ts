/**
 * One Sunshine Conversations webhook call to the messaging source: `X-API-Key` before any work,
 * then each event decided (events.ts), claimed once per process, completed from the API where the
 * payload lacks what the item needs (the author's subtypes and name, the conversation's metadata).
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { toNodeError } from '../../shared/n8n/errors';
import { toItemJson } from '../../shared/n8n/itemJson';
import { answerRefusal, readWebhookRawBody } from '../../shared/n8n/webhookRequest';
import type { ConfiguredHandle } from '../../shared/zendesk/replyEvents';
import { apiKeyMatches, apiKeyOf } from './apiKey';
import {
	authorSkip,
	claimKeyOf,
	decideEvent,
	messageOf,
	parseDelivery,
	type ConversationRef,
	type EventDecision,
	type MessagingSkipReason,
	type SunshineDelivery,
	type SunshineMessage,
} from './events';
import { restoreIntegration, type MessagingStaticData } from './integrationSetup';
import { conversationMetadata, emittedClaims } from './messagingState';
import { buildMessagingReplyItem, buildSolvedItem, type MessagingReplyItem } from './replyItem';
import { callSunshine } from '../../shared/transport/sunshineTransport';
import { PROCESS_TOKEN } from '../../shared/state/processToken';
import { admitSecret, triggerSecretKey } from '../secretRecovery';
import { answerRedelivery } from '../webhookAnswers';
import { lookUpOwnWebhook } from './lifecycle';

export interface MessagingOptions {
	/** Emit a `ticketSolved` item when the agent workspace releases a conversation because its ticket closed. */
	solvedEvents?: boolean;
}

/** The conversation's metadata: from the payload when it carries it, else the API (cached). */
async function metadataOf(
	ctx: IWebhookFunctions,
	conversation: ConversationRef,
): Promise<Record<string, unknown> | null> {
	if (conversation.metadata !== undefined) return conversation.metadata;
	const cached = conversationMetadata.get(conversation.id);
	if (cached !== undefined) return cached;
	const response = await callSunshine<{ conversation?: { metadata?: Record<string, unknown> | null } }>(ctx, {
		method: 'GET',
		path: `/conversations/${encodeURIComponent(conversation.id)}`,
		acceptStatuses: [404],
	});
	const metadata = response.statusCode === 404 ? null : (response.body.conversation?.metadata ?? null);
	conversationMetadata.set(conversation.id, metadata);
	return metadata;
}

/** The message as the API answers it (with `author.subtypes` and `displayName`): newest page first. */
async function readMessage(
	ctx: IWebhookFunctions,
	conversationId: string,
	messageId: string,
): Promise<SunshineMessage | undefined> {
	const response = await callSunshine<{ messages?: unknown[] }>(ctx, {
		method: 'GET',
		path: `/conversations/${encodeURIComponent(conversationId)}/messages`,
		acceptStatuses: [404],
	});
	if (response.statusCode === 404) return undefined;
	return (response.body.messages ?? []).map(messageOf).find((message) => message?.id === messageId);
}

type Outcome = MessagingReplyItem | MessagingSkipReason;

async function completeAgentMessage(
	ctx: IWebhookFunctions,
	decision: Extract<EventDecision, { kind: 'agentMessage' }>,
): Promise<SunshineMessage | MessagingSkipReason> {
	if (decision.authorKnown) return decision.message;
	const read = await readMessage(ctx, decision.conversation.id, decision.message.id);
	if (!read) return 'messageNotFound';
	const reason = read.author.subtypes === undefined ? 'notAgent' : authorSkip(read.author);
	return reason ?? { ...decision.message, author: { ...decision.message.author, ...read.author } };
}

async function itemOf(
	ctx: IWebhookFunctions,
	decision: Exclude<EventDecision, { kind: 'skip' }>,
	delivery: SunshineDelivery,
	handles: readonly ConfiguredHandle[],
): Promise<Outcome> {
	const message = decision.kind === 'agentMessage' ? await completeAgentMessage(ctx, decision) : undefined;
	if (typeof message === 'string') return message;
	const context = {
		conversationId: decision.conversation.id,
		metadata: await metadataOf(ctx, decision.conversation),
		eventId: decision.eventId,
		appId: delivery.appId,
		handles,
	};
	const item = message ? buildMessagingReplyItem(context, message) : buildSolvedItem(context);
	return item ?? 'notOurConversation';
}

const refusal = { status: 401, body: { ok: false, error: 'invalid api key' } };

/**
 * The `X-API-Key` check: the static data's secret, else the one this process knew or finds again
 * at Sunshine (secretRecovery.ts), written back into the static data. False: refuse.
 */
async function admitApiKey(ctx: IWebhookFunctions, data: MessagingStaticData & IDataObject): Promise<boolean> {
	const given = apiKeyOf(ctx.getHeaderData() as Record<string, unknown>);
	if (given === undefined) return false;
	const { admitted, restored } = await admitSecret({
		key: triggerSecretKey(ctx),
		stored:
			data.sunshineSecret && data.sunshineWebhookId
				? { secret: data.sunshineSecret, webhookId: data.sunshineWebhookId }
				: undefined,
		matches: (secret) => apiKeyMatches(given, secret),
		recover: async () => await lookUpOwnWebhook(ctx),
	});
	if (admitted && restored) restoreIntegration(data, admitted);
	return admitted !== undefined;
}

/** The messaging source's webhook: see the file comment. */
export async function receiveMessaging(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const data = ctx.getWorkflowStaticData('node') as MessagingStaticData & IDataObject;
	const read = await readWebhookRawBody(ctx);
	if (!read.ok) return answerRefusal(ctx, read.refusal);
	let admitted: boolean;
	try {
		admitted = await admitApiKey(ctx, data);
	} catch (error) {
		const reason = toNodeError(ctx.getNode(), error).message;
		return answerRedelivery(
			ctx,
			`Zendesk Reply Trigger (messaging): the webhook's secret could not be looked up again (${reason}); asked Zendesk to redeliver`,
		);
	}
	if (!admitted) return answerRefusal(ctx, refusal);

	const delivery = parseDelivery(ctx.getBodyData());
	const options = ctx.getNodeParameter('messagingOptions', {}) as MessagingOptions;
	const handles = (ctx.getNodeParameter('handles', {}) as { handle?: ConfiguredHandle[] }).handle ?? [];
	const claimed: string[] = [];
	const items: MessagingReplyItem[] = [];
	const skipped: Array<{ event?: string; reason: MessagingSkipReason }> = [];
	try {
		for (const event of delivery.events) {
			const decision = decideEvent(event, { solvedEvents: options.solvedEvents === true });
			const key = claimKeyOf(decision, delivery.webhookId ?? data.sunshineWebhookId);
			let outcome: Outcome;
			if (decision.kind === 'skip') outcome = decision.reason;
			else if (key && !emittedClaims.claim(key)) outcome = 'duplicate';
			else {
				if (key) claimed.push(key);
				outcome = await itemOf(ctx, decision, delivery, handles);
			}
			if (typeof outcome === 'string') skipped.push({ event: event.id, reason: outcome });
			else items.push(outcome);
		}
	} catch (error) {
		// Sunshine redelivers anything but a 2xx or 400/401/403/404/406: give the claims back and ask again.
		for (const key of claimed) emittedClaims.release(key);
		const nodeError = toNodeError(ctx.getNode(), error);
		return answerRedelivery(
			ctx,
			`Zendesk Reply Trigger (messaging): a delivery could not be completed (${nodeError.message}); asked Zendesk to redeliver`,
		);
	}
	for (const skip of skipped)
		ctx.logger.debug(`Zendesk Reply Trigger (messaging): event ${skip.event} skipped (${skip.reason})`);
	if (items.length === 0) return { webhookResponse: { ok: true, skipped: skipped.map((skip) => skip.reason) } };
	return {
		workflowData: [
			ctx.helpers.returnJsonArray(items.map((item) => toItemJson({ ...item, announcedIn: PROCESS_TOKEN }))),
		],
	};
}
