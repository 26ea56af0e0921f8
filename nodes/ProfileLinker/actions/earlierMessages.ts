/**
 * For a message whose trigger ran in another n8n process (queue mode): the people's messages of
 * the last minute before it, from the DM's history, as `earlierMessages` on the item, so that the
 * Zendesk Messaging Upsert writes it after them (shared/slack/earlierMessages.ts,
 * docs/scaling.md). One conversations.history call (conversations.replies for a thread reply: the
 * earlier replies of its thread); a failed call leaves the field out (the message is written in
 * arrival order then) and never fails the message.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	earlierMessageKeys,
	earlierWindow,
	needsEarlierLookup,
	threadOfReply,
} from '../../shared/slack/earlierMessages';
import { PROCESS_TOKEN } from '../../shared/state/processToken';
import { readConversationSince, readThreadSince } from '../../shared/transport/slackHistory';
import type { SlackDmItem } from '../../shared/types';

export async function withEarlierMessages(
	ctx: IExecuteFunctions,
	item: SlackDmItem,
	result: IDataObject,
): Promise<IDataObject> {
	if (!needsEarlierLookup(item, PROCESS_TOKEN)) return result;
	const { oldest, latest } = earlierWindow(item.message.ts);
	try {
		const thread = threadOfReply(item);
		const history = thread
			? await readThreadSince(ctx, thread, oldest, latest)
			: await readConversationSince(ctx, item.channel.id, oldest, latest);
		return { ...result, earlierMessages: earlierMessageKeys(item, history) };
	} catch (error) {
		ctx.logger.warn(
			`Profile Linker: could not read the earlier messages of ${item.idempotencyKey} (${(error as Error).message}); it is written in arrival order`,
		);
		return result;
	}
}
