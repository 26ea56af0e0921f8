import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { toItemJson } from '../../shared/n8n/itemJson';
import type { WebhookRefusal } from '../../shared/n8n/webhookRequest';
import { answerRefusal, readWebhookRawBody } from '../../shared/n8n/webhookRequest';
import type { ClassifyContext, EventDecision } from '../helpers/classify';
import { classifyEvent, groupParticipants, learnedConversationHandle } from '../helpers/classify';
import type { StaticDedupeData } from '../helpers/dedupe';
import {
	recordStaticDelivery,
	retryInfoFromHeaders,
	retryReplacesEarlierDelivery,
	staticDataHasDelivered,
} from '../helpers/dedupe';
import type { SlackEventCallback } from '../../shared/slack/events';
import { classifyEnvelope } from '../../shared/slack/events';
import { type CatchUpMark, catchUpMarkOf } from '../../shared/slack/catchUp';
import { eventOrderOf, orderScopeOf } from '../../shared/slack/messageOrder';
import { PROCESS_TOKEN } from '../../shared/state/processToken';
import type { HandleConfig } from '../../shared/slack/identity';
import { resolveHandles } from '../../shared/slack/identity';
import { failureMayBeAnOldSecret, verifySlackSignature } from '../../shared/slack/signature';
import {
	groupsUnderLoad,
	parseEventBody,
	pendingWaitMs,
	rememberAcrossRestarts,
	scopedDeliveryKeys,
	triggerFilterOptions,
	webhookCallPlan,
} from '../helpers/triggerRequest';
import { conversationHandles, deliveryLedger } from '../triggerState';
import { SLACK_CREDENTIAL_TYPE } from '../../shared/transport/slackTransport';
import { handOverAlone, handOverGrouped } from './handOver';
import { noticeDroppedThreadReply } from './threadReplyNotice';
import { conversationMembers, identityKey, selfIdentityForEvent } from './handleIdentity';
import { webhookCredentialData } from '../../shared/n8n/credentialData';
import { messagesInFlight } from '../../shared/state/messagesInFlight';

/** Body and signature: the refusal, or the verified body. Nothing else happens before this. */
async function admitRequest(ctx: IWebhookFunctions): Promise<{ rawBody: Buffer } | { refusal: WebhookRefusal }> {
	const read = await readWebhookRawBody(ctx);
	if (!read.ok) return { refusal: read.refusal };
	const headers = ctx.getHeaderData();
	const checkWith = (credentials: IDataObject) =>
		verifySlackSignature({
			signingSecret: typeof credentials.signingSecret === 'string' ? credentials.signingSecret : undefined,
			timestamp: headers['x-slack-request-timestamp'],
			signature: headers['x-slack-signature'],
			rawBody: read.body,
			nowSeconds: Math.floor(Date.now() / 1000),
		});
	const credential = await webhookCredentialData(ctx, SLACK_CREDENTIAL_TYPE);
	let check = checkWith(credential.data);
	if (!check.valid && credential.remembered && failureMayBeAnOldSecret(check.reason)) {
		// The secret may have been changed since it was remembered: the current one decides.
		check = checkWith((await webhookCredentialData(ctx, SLACK_CREDENTIAL_TYPE, { fresh: true })).data);
	}
	if (!check.valid || read.body === undefined) {
		if (!check.valid && check.reason === 'missingSigningSecret') {
			ctx.logger.warn('Slack DM Trigger refused a request: the credential has no signing secret');
		}
		return { refusal: { status: 401, body: { ok: false, error: 'invalid_signature' } } };
	}
	return { rawBody: read.body };
}

/** A signed event this trigger cannot read: answered 200 so Slack does not retry it, and logged. */
function ignoreUnreadable(ctx: IWebhookFunctions, eventId: string | undefined, field: string): IWebhookResponseData {
	ctx.logger.warn('Slack DM Trigger ignored an event it cannot read', { eventId, field });
	return { webhookResponse: { ok: true, ignored: 'malformedEvent', field } };
}

/** One Events API request: signature, envelope, event decision, group members, exactly-once. */
export async function receiveSlackEvent(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const arrivedAt = Date.now();
	const admitted = await admitRequest(ctx);
	if ('refusal' in admitted) return answerRefusal(ctx, admitted.refusal);

	const envelope = classifyEnvelope(parseEventBody(admitted.rawBody));
	switch (envelope.kind) {
		case 'invalid':
			return answerRefusal(ctx, { status: 400, body: { ok: false, error: envelope.reason } });
		case 'unreadable':
			return ignoreUnreadable(ctx, envelope.eventId, envelope.field);
		case 'urlVerification':
			return { webhookResponse: { challenge: envelope.challenge } };
		case 'rateLimited':
			// Slack stops sending events for up to a minute; nothing to run, but ops must see it.
			ctx.logger.warn('Slack rate-limited event deliveries to this app (app_rate_limited)', {
				teamId: envelope.teamId,
				appId: envelope.appId,
				minuteRateLimited: envelope.minuteRateLimited,
			});
			return { webhookResponse: { ok: true, rateLimited: true } };
		case 'eventCallback':
			break;
	}
	const decided = await decideEvent(ctx, envelope.envelope, arrivedAt);
	if ('answer' in decided) return decided.answer;
	return await deliver(ctx, decided.decision, decided.rawOptions, {
		arrivedAt,
		catchUp: catchUpMarkOf(envelope.envelope),
	});
}

type Emit = Extract<EventDecision, { action: 'emit' }>;

/** Who the handle is, and whether the event becomes an item: the decision, or the answer already. */
async function decideEvent(
	ctx: IWebhookFunctions,
	event: SlackEventCallback,
	arrivedAt: number,
): Promise<{ decision: Emit; rawOptions: IDataObject } | { answer: IWebhookResponseData }> {
	const callPlan = () => webhookCallPlan(Date.now() - arrivedAt);
	const key = await identityKey(ctx);
	let self;
	try {
		self = await selfIdentityForEvent(ctx, key, callPlan());
	} catch (error) {
		// Nothing known about the handle yet and Slack did not say: Slack retries a 503 later.
		ctx.logger.warn('Slack DM Trigger cannot tell who its handle is (auth.test failed); asked Slack to retry', {
			error: (error as Error).message,
		});
		return { answer: answerRefusal(ctx, { status: 503, body: { ok: false, error: 'identity_unavailable' } }) };
	}
	const handlesParameter = ctx.getNodeParameter('handles', {}) as { handle?: Array<Partial<HandleConfig>> };
	const handles = resolveHandles(handlesParameter.handle, self);
	const rawOptions = ctx.getNodeParameter('options', {}) as IDataObject;
	const options = triggerFilterOptions(rawOptions);
	const channelKey = `${key}|${event.event.channel ?? ''}`;
	const learned = learnedConversationHandle(event, handles);
	if (learned) conversationHandles.set(`${key}|${learned.channelId}`, learned.userId);
	const classifyContext: ClassifyContext = {
		self,
		handles,
		options,
		receivedAt: new Date().toISOString(),
		knownConversationHandle: conversationHandles.get(channelKey),
	};
	let decision = classifyEvent(event, classifyContext);
	if (decision.action === 'lookupMembers') {
		// Slack's one authorization names someone else: find the handle among the members.
		const members = await conversationMembers(ctx, key, decision.channelId, callPlan());
		decision = classifyEvent(event, { ...classifyContext, conversationMembers: members ?? 'unavailable' });
		if (decision.action === 'emit') conversationHandles.set(channelKey, decision.item.handle.userId);
	}
	if (decision.action === 'lookupMembers')
		return { answer: { webhookResponse: { ok: true, ignored: 'handleUnknown' } } };
	if (decision.action === 'drop') {
		if (decision.reason === 'handleUnknown') {
			ctx.logger.warn(
				"Slack DM Trigger cannot tell which handle a DM was sent to: Slack named no listed handle and the conversation's members could not be read with this credential",
				{
					channelId: event.event.channel,
					eventId: event.event_id,
				},
			);
		}
		// A caught-up reply's first delivery already told the sender (the trigger answered it; a worker stopped later).
		if (decision.reason === 'threadReply' && !catchUpMarkOf(event))
			await noticeDroppedThreadReply(ctx, event, rawOptions, callPlan());
		return { answer: { webhookResponse: { ok: true, ignored: decision.reason } } };
	}
	if (decision.needsParticipants) {
		const members = await conversationMembers(ctx, key, decision.item.channel.id, callPlan());
		if (members) decision.item.channel.participants = groupParticipants(members, self, handles);
	}
	return { decision, rawOptions };
}

/**
 * Exactly-once claim, then the hand-over to n8n (alone or grouped). A message the Slack DM
 * Catch-up hands over again (`catchUp`, shared/slack/catchUp.ts) was taken before and lost with a
 * worker: the ledgers keep it apart from that first delivery (two catch-ups of it here are one),
 * and the Upsert looks for it in Zendesk before writing.
 */
async function deliver(
	ctx: IWebhookFunctions,
	decision: Emit,
	rawOptions: IDataObject,
	request: { arrivedAt: number; catchUp?: CatchUpMark },
): Promise<IWebhookResponseData> {
	const { arrivedAt, catchUp } = request;
	const item = decision.item;
	const retry = catchUp ? { retryNum: 0 } : retryInfoFromHeaders(ctx.getHeaderData());
	const dedupeKeys = catchUp ? decision.dedupeKeys.map((key) => `catch-up|${key}`) : decision.dedupeKeys;
	const ledgerKeys = scopedDeliveryKeys(ctx.getWorkflow().id, ctx.getNode().id, dedupeKeys);
	// From the claim to the return nothing awaits, except for the outcome of an earlier request.
	let claim = deliveryLedger.claim(ledgerKeys, retry, Date.now());
	if (!claim.emit && 'settled' in claim) {
		// Another request of this message waits for n8n: its outcome decides (a failed start must
		// not leave this retry acknowledged as a duplicate, or the message is lost).
		const delivered = await Promise.race([
			claim.settled,
			sleep(pendingWaitMs(Date.now() - arrivedAt)).then(() => undefined),
		]);
		if (delivered !== undefined) claim = deliveryLedger.claim(ledgerKeys, retry, Date.now());
	}
	if (!claim.emit) {
		if (!('settled' in claim)) return { webhookResponse: { ok: true, duplicate: true } };
		// Still undecided: an error answer makes Slack retry later, when it will be.
		return answerRefusal(ctx, { status: 503, body: { ok: false, error: 'earlier_delivery_pending' } });
	}
	// Layer 2 is opt-in: n8n writes changed static data to its database before Slack gets the answer.
	if (rememberAcrossRestarts(rawOptions) && !catchUp) {
		const now = Date.now();
		const staticData = ctx.getWorkflowStaticData('node') as StaticDedupeData;
		if (
			!claim.redelivery &&
			!retryReplacesEarlierDelivery(retry) &&
			staticDataHasDelivered(staticData, decision.dedupeKeys, now)
		) {
			claim.settle(true);
			return { webhookResponse: { ok: true, duplicate: true } };
		}
		recordStaticDelivery(staticData, decision.dedupeKeys, now);
	}

	// Executions run side by side: the Upsert keeps Slack's order by waiting for what is announced here.
	const order = eventOrderOf(item);
	if (order !== undefined) item.announcedIn = PROCESS_TOKEN;
	if (retry.retryNum > 0 && !claim.redelivery) item.slackRetry = retry.retryNum;
	if (catchUp) item.caughtUpFor = catchUp.executionId;
	const emitted = { json: toItemJson(item) };
	const withdraw =
		order === undefined
			? () => undefined
			: messagesInFlight.announce(orderScopeOf(ctx.getWorkflow().id, item), item.idempotencyKey, order);
	const { settle: settleClaim } = claim;
	const settle = (delivered: boolean) => {
		if (!delivered) withdraw();
		settleClaim(delivered);
	};
	if (groupsUnderLoad(rawOptions, ctx.getNodeParameter('responseMode', 'onReceived'), ctx.getMode())) {
		return await handOverGrouped(ctx, emitted, settle);
	}
	return handOverAlone(ctx, emitted, settle);
}
