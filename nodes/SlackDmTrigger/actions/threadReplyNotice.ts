import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { SlackEventCallback } from '../../shared/slack/events';
import { present } from '../../shared/slack/events';
import { threadReplyNotices } from '../triggerState';
import type { WebhookCallPlan } from '../helpers/triggerRequest';
import { callSlack } from '../../shared/transport/slackTransport';

export const DEFAULT_THREAD_REPLY_NOTICE =
	'Replies in a thread do not reach the support team. Please send your message in the main conversation, not in a thread.';

/** Where the one-time notice for a dropped thread reply goes: the thread itself. Pure. */
export function threadNoticeTarget(event: SlackEventCallback): { channel: string; threadTs: string } | undefined {
	const message = event.event.subtype === 'message_changed' ? event.event.message : event.event;
	const channel = present(event.event.channel);
	const threadTs = present(message?.thread_ts);
	return channel && threadTs ? { channel, threadTs } : undefined;
}

/** The notice text: the option's, or the default when it is blank. Pure. */
export function threadNoticeText(options: IDataObject): string {
	const text = typeof options.threadReplyNoticeText === 'string' ? options.threadReplyNoticeText.trim() : '';
	return text || DEFAULT_THREAD_REPLY_NOTICE;
}

/**
 * Option "Tell Senders Their Thread Replies Are Not Forwarded": one message into the thread, once
 * per thread and process (a day), within Slack's answer budget. Never fails the request: a post
 * Slack refuses or that takes too long is logged, and the reply stays dropped as before.
 */
export async function noticeDroppedThreadReply(
	ctx: IWebhookFunctions,
	event: SlackEventCallback,
	options: IDataObject,
	plan: WebhookCallPlan | undefined,
): Promise<void> {
	if (options.notifyThreadReplies !== true) return;
	const target = threadNoticeTarget(event);
	if (!target || !plan) return;
	const key = `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().id}|${target.channel}|${target.threadTs}`;
	if (threadReplyNotices.has(key)) return;
	threadReplyNotices.set(key, true);
	try {
		await callSlack(
			ctx,
			'chat.postMessage',
			{ channel: target.channel, thread_ts: target.threadTs, text: threadNoticeText(options) },
			{ policy: plan.policy, timeoutMs: plan.timeoutMs },
		);
	} catch (error) {
		threadReplyNotices.delete(key);
		ctx.logger.warn('Slack DM Trigger could not tell the sender that thread replies are not forwarded', {
			channelId: target.channel,
			error: (error as Error).message,
		});
	}
}
