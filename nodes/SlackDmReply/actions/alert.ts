/** Alert Channel: tells the support team in a channel that a delivery failed (after an Error Trigger). */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { escapeSlackText } from '../../shared/slack/mrkdwn';
import { isSlackId, type ReplyDestination } from '../helpers/reply';
import { alertFromItem, renderAlert } from '../helpers/replyAlert';
import { locatorValue } from '../../shared/zendesk/pickers';
import type { ItemRun } from './slackPosting';

/** The team channel from the Alert Channel parameter (a raw id in version 1, a picker in 2). */
export function alertDestination(ctx: IExecuteFunctions, itemIndex: number): ReplyDestination {
	const alertChannel = String(locatorValue(ctx.getNodeParameter('alertChannelId', itemIndex)) ?? '').trim();
	if (!isSlackId(alertChannel, 'CDG')) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Alert Channel ID "${alertChannel}" is not a Slack channel id (C…, G… or D…)`,
			{ itemIndex },
		);
	}
	return { channelId: alertChannel };
}

export async function sendAlert(run: ItemRun): Promise<void> {
	const alert = alertFromItem(run.json);
	await run.post(
		renderAlert(alert, { title: run.options.alertTitle, ticketUrlBase: run.options.ticketUrlBase }, escapeSlackText),
	);
}
