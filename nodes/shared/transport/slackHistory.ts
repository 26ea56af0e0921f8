/**
 * Reading a DM's messages (conversations.history): the Slack DM Reply finds what of a reply
 * coming back from a wait already reached Slack (SlackDmReply/helpers/replyOutage.ts); the Profile
 * Linker finds a message's earlier messages when the trigger ran in another n8n process
 * (shared/slack/earlierMessages.ts; a thread reply's from the thread, conversations.replies).
 * Needs the `im:history` scope (and `mpim:history` for group DMs), which the Slack DM Trigger's
 * app has for the `message.im` events.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { callSlack, type SlackResponse } from './slackTransport';

/** A message of the conversation as conversations.history answers it (the fields read here). */
export interface HistoryMessage {
	ts?: string;
	text?: string;
	user?: string;
	bot_id?: string;
	subtype?: string;
	thread_ts?: string;
	/** A thread's parent: how many replies, and the newest reply's ts. */
	reply_count?: number;
	latest_reply?: string;
	files?: Array<{ id?: string; name?: string }>;
}

/**
 * At most this many pages of 100: a DM gets few messages within an outage.
 * ASSUMPTION: an internal (customer-built) app, Tier 3 for conversations.history; apps distributed
 * outside the Marketplace get 15 per page and 1 call a minute (docs.slack.dev/reference/methods/conversations.history).
 */
const MAX_PAGES = 5;
const PAGE_SIZE = 100;

type HistoryPage = SlackResponse & { messages?: HistoryMessage[]; response_metadata?: { next_cursor?: string } };

/** Every page of one read (at most MAX_PAGES). */
async function readPages(ctx: IExecuteFunctions, method: string, params: IDataObject): Promise<HistoryMessage[]> {
	const messages: HistoryMessage[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const answer = await callSlack<HistoryPage>(ctx, method, {
			...params,
			limit: PAGE_SIZE,
			...(cursor ? { cursor } : {}),
		});
		messages.push(...(answer.messages ?? []));
		cursor = answer.response_metadata?.next_cursor;
		if (!cursor) break;
	}
	return messages;
}

/**
 * The conversation's top-level messages after `oldest` (seconds), newest first; with `latest`, only
 * those before it (Slack's default, `inclusive` false: the message at `latest` itself is left out).
 */
export async function readConversationSince(
	ctx: IExecuteFunctions,
	channel: string,
	oldest: string,
	latest?: string,
): Promise<HistoryMessage[]> {
	return await readPages(ctx, 'conversations.history', { channel, oldest, ...(latest ? { latest } : {}) });
}

/**
 * The conversation's `limit` newest top-level messages before `latest` (one call, newest first),
 * and whether there are more.
 */
export async function readNewestBefore(
	ctx: IExecuteFunctions,
	channel: string,
	latest: string,
	limit: number,
): Promise<{ messages: HistoryMessage[]; hasMore: boolean }> {
	const answer = await callSlack<HistoryPage & { has_more?: boolean }>(ctx, 'conversations.history', {
		channel,
		latest,
		limit,
	});
	return { messages: answer.messages ?? [], hasMore: answer.has_more === true };
}

/**
 * A thread's messages (conversations.replies): its parent first, then the replies after `oldest`
 * and before `latest`, oldest first.
 */
export async function readThreadSince(
	ctx: IExecuteFunctions,
	thread: { channel: string; threadTs: string },
	oldest: string,
	latest: string,
): Promise<HistoryMessage[]> {
	return await readPages(ctx, 'conversations.replies', {
		channel: thread.channel,
		ts: thread.threadTs,
		oldest,
		latest,
	});
}
