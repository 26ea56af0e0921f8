/**
 * Reading a DM's recent messages (conversations.history), so that a reply coming back from a wait
 * finds what of it already reached Slack (helpers/replyOutage.ts). Needs the `im:history` scope,
 * which the Slack DM Trigger's app has for the `message.im` events.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { callSlack, type SlackResponse } from '../../shared/transport/slackTransport';
import type { HistoryMessage } from '../helpers/replyOutage';

/**
 * At most this many pages of 100: a DM gets few messages within an outage.
 * ASSUMPTION: an internal (customer-built) app, Tier 3 for conversations.history; apps distributed
 * outside the Marketplace get 15 per page and 1 call a minute (docs.slack.dev/reference/methods/conversations.history).
 */
const MAX_PAGES = 5;
const PAGE_SIZE = 100;

type HistoryPage = SlackResponse & { messages?: HistoryMessage[]; response_metadata?: { next_cursor?: string } };

/** The conversation's top-level messages after `oldest` (seconds), newest first. */
export async function readConversationSince(
	ctx: IExecuteFunctions,
	channel: string,
	oldest: string,
): Promise<HistoryMessage[]> {
	const messages: HistoryMessage[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const answer = await callSlack<HistoryPage>(ctx, 'conversations.history', {
			channel,
			oldest,
			limit: PAGE_SIZE,
			...(cursor ? { cursor } : {}),
		});
		messages.push(...(answer.messages ?? []));
		cursor = answer.response_metadata?.next_cursor;
		if (!cursor) break;
	}
	return messages;
}
