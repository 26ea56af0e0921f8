import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { NoticeMode } from '../../shared/attachments/notice';
import { dmChannelOf, noticeThreadTs } from '../helpers/noticeRouting';
import type { SlackResponse } from '../../shared/transport/slackTransport';
import { callSlack } from '../../shared/transport/slackTransport';
import type { SlackDmItem } from '../../shared/types';

interface ConversationsOpenResponse extends SlackResponse {
	channel?: { id?: string };
}

/** Tells the sender which files were refused: ephemeral in the conversation, or in their DM. */
export async function sendNotice(
	ctx: IExecuteFunctions,
	item: SlackDmItem,
	mode: Exclude<NoticeMode, 'off'>,
	text: string,
): Promise<void> {
	if (mode === 'ephemeral') {
		const threadTs = item.message?.threadTs;
		await callSlack(ctx, 'chat.postEphemeral', {
			channel: item.channel.id,
			user: item.user.id,
			text,
			...(threadTs ? { thread_ts: threadTs } : {}),
		});
		return;
	}
	let channel = dmChannelOf(item);
	if (!channel) {
		// A group DM or channel: the notice goes to the sender alone, in their DM with the handle.
		const opened = await callSlack<ConversationsOpenResponse>(ctx, 'conversations.open', { users: item.user.id });
		channel = opened.channel?.id;
		if (!channel) throw new NodeOperationError(ctx.getNode(), 'Slack conversations.open returned no channel');
	}
	const threadTs = noticeThreadTs(item, channel);
	await callSlack(ctx, 'chat.postMessage', { channel, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
}
