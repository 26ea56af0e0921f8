/**
 * One item through Slack DM Reply: check the credential against Post As, find the channel (the
 * item's DM, or the Alert Channel), run the operation, and say in `slackReply` what reached Slack,
 * on a failed item too.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../../shared/n8n/errors';
import { errorItem, usesErrorOutput } from '../../shared/n8n/perItem';
import {
	destinationFromItem,
	destinationProblem,
	identityProblem,
	ticketIdOf,
	type PostAs,
	type ReplyDestination,
} from '../helpers/reply';
import { deliveryErrorMessage } from '../helpers/replyAlert';
import { alertDestination, sendAlert } from './alert';
import { sendNotice } from './notice';
import { sendReply } from './reply';
import { openDmChannel, slackPoster, type Delivery, type ReplyOptions, type SlackSession } from './slackPosting';

type Operation = 'reply' | 'notice' | 'alert';

/** The item's DM (its channel, or its user's DM); a reply or notice without one fails the item. */
function itemDestination(ctx: IExecuteFunctions, json: IDataObject, itemIndex: number): ReplyDestination {
	const destination = destinationFromItem(json);
	const destinationError = destinationProblem(destination);
	if (destinationError) throw new NodeOperationError(ctx.getNode(), destinationError, { itemIndex });
	return destination;
}

async function runOperation(
	ctx: IExecuteFunctions,
	session: SlackSession,
	json: IDataObject,
	itemIndex: number,
	delivery: Delivery,
): Promise<void> {
	const operation = ctx.getNodeParameter('operation', itemIndex) as Operation;
	const postAs = ctx.getNodeParameter('postAs', itemIndex) as PostAs;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as ReplyOptions;
	const problem = identityProblem(postAs, session.kind);
	if (problem) throw new NodeOperationError(ctx.getNode(), problem, { itemIndex });

	const destination = operation === 'alert' ? alertDestination(ctx, itemIndex) : itemDestination(ctx, json, itemIndex);
	const { handleKey } = session;
	const channel = destination.channelId ?? (await openDmChannel(ctx, handleKey, destination.userId as string));
	const threadTs = destination.threadTs;
	delivery.channelId = channel;
	if (threadTs) delivery.threadTs = threadTs;

	const post = slackPoster(ctx, { handleKey, channel, threadTs, postAs, options, delivery });
	const send = operation === 'alert' ? sendAlert : operation === 'notice' ? sendNotice : sendReply;
	await send({ ctx, itemIndex, json, options, delivery, handleKey, channel, threadTs, post });
}

/**
 * The per-item operation for `runPerItem`. A failure names the ticket (the team finds the
 * conversation by it) and, with Continue On Fail, becomes an error item that keeps the reply and
 * says in `slackReply` what did reach Slack; without it, the error stops the node.
 */
export async function deliverItem(
	ctx: IExecuteFunctions,
	session: SlackSession,
	input: INodeExecutionData,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const json = input.json;
	const delivery: Delivery = { messageTs: [], fileIds: [] };
	try {
		await runOperation(ctx, session, json, itemIndex, delivery);
		return {
			json: { ...json, slackReply: { delivered: !delivery.skipped, ...delivery } as unknown as IDataObject },
			pairedItem: { item: itemIndex },
		};
	} catch (error) {
		const operation = ctx.getNodeParameter('operation', itemIndex, 'reply') as string;
		if (operation !== 'alert' && error instanceof Error)
			error.message = deliveryErrorMessage(ticketIdOf(json), error.message);
		const nodeError = toNodeError(ctx.getNode(), error, itemIndex);
		if (!ctx.continueOnFail()) throw nodeError;
		return errorItem(input, itemIndex, nodeError.message, {
			errorOutput: usesErrorOutput(ctx),
			extra: { slackReply: { delivered: false, ...delivery } as unknown as IDataObject },
		});
	}
}
