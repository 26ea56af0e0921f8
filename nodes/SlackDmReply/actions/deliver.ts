/**
 * One item through Slack DM Reply: check the credential against Post As, find the channel (the
 * item's DM, or the Alert Channel), run the operation, and say in `slackReply` what reached Slack,
 * on a failed item too.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeApiError } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../../shared/n8n/errors';
import type { RetryInfo } from '../../shared/n8n/outageRetry';
import { errorItem, usesErrorOutput } from '../../shared/n8n/perItem';
import {
	POSTED_IN_THREAD,
	PostedInConversation,
	replyHistoryOldest,
	replyUnavailableReason,
} from '../helpers/replyOutage';
import { PROCESS_TOKEN } from '../../shared/state/processToken';
import { readConversationSince } from '../../shared/transport/slackHistory';
import { POST_MAY_HAVE_LANDED } from '../transport/slackPosts';
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

/** An attempt of a node that waits out outages: `previous`, the item's earlier park, if any. */
export interface OutageAttempt {
	previous?: RetryInfo;
}

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
	outage?: OutageAttempt,
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

	// Back from a wait, or taken by a trigger in another process: what of this reply reached Slack
	// before is not posted again.
	const oldest =
		operation === 'reply' ? replyHistoryOldest(json, outage?.previous, PROCESS_TOKEN, Date.now()) : undefined;
	const posted = oldest
		? new PostedInConversation(await readConversationSince(ctx, channel, oldest), destination.userId)
		: undefined;
	const post = slackPoster(ctx, { handleKey, channel, threadTs, postAs, options, delivery, posted });
	const send = operation === 'alert' ? sendAlert : operation === 'notice' ? sendNotice : sendReply;
	await send({ ctx, itemIndex, json, options, delivery, handleKey, channel, threadTs, post, posted });
}

/**
 * With Wait Out Outages, a failure Slack DM Reply may wait out goes back to the runner as it is
 * (outageRunner parks the item intact). In a thread, once anything may have reached Slack, it is
 * not waited out: conversations.history does not show thread replies, so the next attempt could not
 * tell what was posted (it fails as before and is never resent blindly).
 */
function waitsOut(error: NodeApiError | NodeOperationError, threadTs: string | undefined, delivery: Delivery): boolean {
	if (threadTs && (error.context[POST_MAY_HAVE_LANDED] || delivery.messageTs.length > 0 || delivery.fileIds.length > 0))
		error.context[POSTED_IN_THREAD] = true;
	return replyUnavailableReason(error) !== undefined;
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
	outage?: OutageAttempt,
): Promise<INodeExecutionData> {
	const json = input.json;
	const delivery: Delivery = { messageTs: [], fileIds: [] };
	try {
		await runOperation(ctx, session, json, itemIndex, delivery, outage);
		return {
			json: { ...json, slackReply: { delivered: !delivery.skipped, ...delivery } as unknown as IDataObject },
			pairedItem: { item: itemIndex },
		};
	} catch (error) {
		const operation = ctx.getNodeParameter('operation', itemIndex, 'reply') as string;
		if (operation !== 'alert' && error instanceof Error)
			error.message = deliveryErrorMessage(ticketIdOf(json), error.message);
		const nodeError = toNodeError(ctx.getNode(), error, itemIndex);
		if (outage && waitsOut(nodeError, delivery.threadTs, delivery)) throw nodeError;
		if (!ctx.continueOnFail()) throw nodeError;
		return errorItem(input, itemIndex, nodeError.message, {
			errorOutput: usesErrorOutput(ctx),
			extra: { slackReply: { delivered: false, ...delivery } as unknown as IDataObject },
		});
	}
}
