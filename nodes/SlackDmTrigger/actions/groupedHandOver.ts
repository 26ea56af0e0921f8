import type { INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { HandOverOutcome } from '../../shared/state/groupCommit';
import { handOverOutcome, triggerScope } from '../../shared/slack/triggerRequest';
import { deliveryGroups, deliveryLedger } from '../../shared/slack/triggerState';

interface ClosableResponse {
	once(event: 'close', listener: () => void): unknown;
	writableFinished?: boolean;
	statusCode?: number;
	/** Set once the connection closed (Slack gave up while this request waited its turn). */
	closed?: boolean;
	destroyed?: boolean;
}

/**
 * Hands a message to n8n as part of a group (option "Group Messages Under Load"). The leading
 * request returns the whole group as one execution; the others wait until n8n has answered the
 * leader, so each is acknowledged only once its execution exists, and fail (Slack retries) if
 * it was never created.
 */
export async function handOverGrouped(ctx: IWebhookFunctions, item: INodeExecutionData, ledgerKeys: string[]): Promise<IWebhookResponseData> {
	const turn = await deliveryGroups.join(triggerScope(ctx.getWorkflow().id, ctx.getNode().id), item);
	if (turn.role === 'leader') {
		const response = ctx.getResponseObject() as unknown as ClosableResponse;
		if (response.closed || response.destroyed) {
			// Slack hung up while this request waited: its 'close' has passed, so n8n's answer could
			// not be watched. Start nothing; the group fails, and Slack's retries bring every message again.
			turn.done({ ok: false, reason: 'the leading request was closed before its turn' });
			deliveryLedger.release(ledgerKeys);
			return { noWebhookResponse: true };
		}
		// 'close' follows n8n's answer (or a dropped connection): the group's fate is known then.
		response.once('close', () => turn.done(handOverOutcome(response)));
		return { workflowData: [turn.items] };
	}
	const outcome: HandOverOutcome = await turn.outcome;
	if (outcome.ok) return { webhookResponse: { ok: true } };
	// Nothing was started for this message: forget it so Slack's retry is emitted.
	deliveryLedger.release(ledgerKeys);
	ctx.logger.warn('Slack DM Trigger could not start the workflow for a grouped message; Slack will retry it', { reason: outcome.reason });
	ctx.getResponseObject().status(503).json({ ok: false, error: 'workflow_not_started' });
	return { noWebhookResponse: true };
}
