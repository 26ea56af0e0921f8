/**
 * For a message whose trigger ran in another n8n process (queue mode): the people's messages of
 * the last minute before it, from the DM's history, as `earlierMessages` on the item, so that the
 * Zendesk Messaging Upsert writes it after them (shared/slack/earlierMessages.ts,
 * docs/scaling.md). One conversations.history call (conversations.replies for a thread reply: the
 * earlier replies of its thread); a failed call leaves the field out (the message is written in
 * arrival order then) and never fails the message. The same call names the people's previous
 * message when it is older than the minute (`previousMessage`): the Upsert of a worker that did not
 * write it reads the ticket again before its update.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	earlierMessageKeys,
	earlierWindow,
	needsEarlierLookup,
	pageCoversHorizon,
	previousMessageKey,
	threadOfReply,
} from '../../shared/slack/earlierMessages';
import { PROCESS_TOKEN } from '../../shared/state/processToken';
import {
	type HistoryMessage,
	readConversationSince,
	readNewestBefore,
	readThreadSince,
} from '../../shared/transport/slackHistory';
import type { SlackDmItem } from '../../shared/types';

/** The newest messages read first: usually the minute and the previous message in one call. */
const NEWEST_PAGE = 10;

/** A top-level message's history: the newest page before it, the whole minute when that page does not reach past it. */
async function historyBefore(
	ctx: IExecuteFunctions,
	item: SlackDmItem,
	{ oldest, latest }: { oldest: string; latest: string },
): Promise<HistoryMessage[]> {
	const page = await readNewestBefore(ctx, item.channel.id, latest, NEWEST_PAGE);
	if (pageCoversHorizon(item, page)) return page.messages;
	return await readConversationSince(ctx, item.channel.id, oldest, latest);
}

export async function withEarlierMessages(
	ctx: IExecuteFunctions,
	item: SlackDmItem,
	result: IDataObject,
): Promise<IDataObject> {
	if (!needsEarlierLookup(item, PROCESS_TOKEN)) return result;
	try {
		const thread = threadOfReply(item);
		const window = earlierWindow(item.message.ts);
		const history = thread
			? await readThreadSince(ctx, thread, window.oldest, window.latest)
			: await historyBefore(ctx, item, window);
		const previousMessage = thread ? undefined : previousMessageKey(item, history);
		return {
			...result,
			earlierMessages: earlierMessageKeys(item, history),
			...(previousMessage ? { previousMessage } : {}),
		};
	} catch (error) {
		ctx.logger.warn(
			`Profile Linker: could not read the earlier messages of ${item.idempotencyKey} (${(error as Error).message}); it is written in arrival order`,
		);
		return result;
	}
}
