/**
 * What every operation of Slack DM Reply shares: the execution's Slack credential (known only by
 * its token kind and digest), the post pacing per channel, the DM channel of a user, and posting
 * planned messages through transport while recording what reached Slack.
 */
import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { credentialData } from '../../shared/n8n/credentialData';
import {
	channelPostLimits,
	planMessages,
	SLACK_RECOMMENDED_TEXT_LIMIT,
	tokenKind,
	type NoticeKind,
	type PostAs,
} from '../helpers/reply';
import type { PostedInConversation } from '../helpers/replyOutage';
import { secretDigest } from '../../shared/transport/accounts';
import { SLACK_POST_RETRY_POLICY } from '../transport/slackPosts';
import { callSlack, SLACK_CREDENTIAL_TYPE } from '../../shared/transport/slackTransport';
import { ambiguousPostError } from '../transport/slackUpload';
import { dmChannels, postPacer } from '../replyState';

/** The node's Options collection. */
export interface ReplyOptions {
	allowMentions?: boolean;
	maxMessageLength?: number;
	botUsername?: string;
	botIconUrl?: string;
	botIconEmoji?: string;
	solvedNotice?: boolean;
	solvedNoticeText?: string;
	createdNoticeText?: string;
	queuedNoticeText?: string;
	alertTitle?: string;
	ticketUrlBase?: string;
}

/** What reached Slack for one item (the output's `slackReply`, also on a failed item). */
export interface Delivery {
	channelId?: string;
	threadTs?: string;
	messageTs: string[];
	fileIds: string[];
	notice?: NoticeKind | 'outsideHours' | 'queued';
	skipped?: string;
}

/** The execution's Slack credential: its token kind, and its digest for caches and pacing. */
export interface SlackSession {
	kind: PostAs | 'unknown';
	/** Caches and pacing tell handles apart by this digest, never by the token itself. */
	handleKey: string;
}

/** Posts a text (split into messages within the limit) into the item's channel. */
export type Post = (mrkdwn: string, prefixLine?: string) => Promise<void>;

/** One item's operation: where it posts, with which options, and what has reached Slack so far. */
export interface ItemRun {
	ctx: IExecuteFunctions;
	itemIndex: number;
	json: IDataObject;
	options: ReplyOptions;
	delivery: Delivery;
	handleKey: string;
	channel: string;
	threadTs?: string;
	post: Post;
	/** Coming back from a wait: the posts of this reply that already reached Slack (not posted again). */
	posted?: PostedInConversation;
}

export async function openSlackSession(ctx: IExecuteFunctions): Promise<SlackSession> {
	const slackCredentials = await credentialData(ctx, SLACK_CREDENTIAL_TYPE);
	return { kind: tokenKind(slackCredentials.accessToken), handleKey: secretDigest(slackCredentials.accessToken) };
}

/** Waits for this channel's turn. The Pacer paces starts: the post goes out right after its turn is granted. */
export async function awaitPostTurn(handleKey: string, channel: string): Promise<void> {
	const limits = channelPostLimits(handleKey, channel);
	await postPacer.run(limits[0].key, limits, async () => undefined);
}

/** The DM channel with a user: conversations.open once, then from the process-wide cache. */
export async function openDmChannel(ctx: IExecuteFunctions, handleKey: string, userId: string): Promise<string> {
	const key = `${handleKey}:${userId}`;
	const cached = dmChannels.get(key);
	if (cached) return cached;
	const response = await callSlack<{ ok: boolean; channel?: { id?: string } }>(ctx, 'conversations.open', {
		users: userId,
	});
	const channelId = response.channel?.id;
	if (!channelId)
		throw new NodeApiError(ctx.getNode(), { error: 'no_channel' } as JsonObject, {
			message: 'Slack conversations.open returned no channel',
		});
	dmChannels.set(key, channelId);
	return channelId;
}

async function postOnce(ctx: IExecuteFunctions, message: IDataObject) {
	try {
		return await callSlack<{ ok: boolean; ts?: string }>(ctx, 'chat.postMessage', message, {
			policy: SLACK_POST_RETRY_POLICY,
		});
	} catch (error) {
		throw ambiguousPostError(ctx, 'chat.postMessage', error);
	}
}

/** The item's poster: each planned message waits for the channel's turn; its ts goes into the delivery. */
export function slackPoster(
	ctx: IExecuteFunctions,
	target: {
		handleKey: string;
		channel: string;
		threadTs?: string;
		postAs: PostAs;
		options: ReplyOptions;
		delivery: Delivery;
		posted?: PostedInConversation;
	},
): Post {
	const { handleKey, channel, threadTs, postAs, options, delivery, posted } = target;
	const appearance = { username: options.botUsername, iconUrl: options.botIconUrl, iconEmoji: options.botIconEmoji };
	const limit = options.maxMessageLength ?? SLACK_RECOMMENDED_TEXT_LIMIT;
	return async (mrkdwn, prefixLine) => {
		for (const message of planMessages({ channel, threadTs, mrkdwn, prefixLine, postAs, appearance, limit })) {
			const found = posted?.takeText(message.text);
			if (found) {
				delivery.messageTs.push(found);
				continue;
			}
			await awaitPostTurn(handleKey, channel);
			const response = await postOnce(ctx, message as unknown as IDataObject);
			if (response.ts) delivery.messageTs.push(response.ts);
		}
	};
}
