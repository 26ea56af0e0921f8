import type { INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { onWebhookAnswer } from '../../shared/n8n/webhookRequest';
import { answerOutcome, triggerScope } from '../helpers/triggerRequest';
import { deliveryGroups } from '../triggerState';
import { eventOrderOf } from '../../shared/slack/messageOrder';
import type { SlackDmItem } from '../../shared/types';

/** Reports to the delivery ledger whether n8n took what this request handed over. */
type Settle = (delivered: boolean) => void;

/** Hands one message to n8n as its own execution; the ledger learns n8n's answer. */
export function handOverAlone(ctx: IWebhookFunctions, item: INodeExecutionData, settle: Settle): IWebhookResponseData {
	onWebhookAnswer(ctx, (status) => settle(answerOutcome(status).ok));
	return { workflowData: [[item]] };
}

/**
 * Hands a message to n8n as part of a group (option "Group Messages Under Load"). The leading
 * request returns the whole group as one execution; the others wait until n8n has answered the
 * leader, so each is acknowledged only once its execution exists, and fail (Slack retries) if
 * it was never created.
 */
export async function handOverGrouped(
	ctx: IWebhookFunctions,
	item: INodeExecutionData,
	settle: Settle,
): Promise<IWebhookResponseData> {
	const turn = await deliveryGroups.join(triggerScope(ctx.getWorkflow().id, ctx.getNode().id), item);
	if (turn.role === 'leader') {
		onWebhookAnswer(ctx, (status) => {
			const outcome = answerOutcome(status);
			settle(outcome.ok);
			turn.done(outcome);
		});
		// In Slack's order: an item then never waits for a later item of its own execution (messagesInFlight).
		return { workflowData: [inSlackOrder(turn.items)] };
	}
	const outcome = await turn.outcome;
	settle(outcome.ok);
	if (outcome.ok) return { webhookResponse: { ok: true } };
	ctx.logger.warn('Slack DM Trigger could not start the workflow for a grouped message; Slack will retry it', {
		reason: outcome.reason,
	});
	ctx.getResponseObject().status(503).json({ ok: false, error: 'workflow_not_started' });
	return { noWebhookResponse: true };
}

/** The group's items by Slack's order (messageOrder.ts), items without one last, otherwise as they came. */
export function inSlackOrder(items: INodeExecutionData[]): INodeExecutionData[] {
	const orderOf = (item: INodeExecutionData) =>
		eventOrderOf(item.json as unknown as Pick<SlackDmItem, 'message'>) ?? Number.MAX_SAFE_INTEGER;
	return items
		.map((item, index) => ({ item, index, order: orderOf(item) }))
		.sort((a, b) => a.order - b.order || a.index - b.index)
		.map((entry) => entry.item);
}
