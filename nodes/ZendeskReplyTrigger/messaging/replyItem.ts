/**
 * The items the messaging source emits: the same shape as the Support source's agent replies
 * (ZendeskReplyItem: `ticketStatus`, `ticketExternalId`, `comment`, `attachments`, `slack`,
 * `handle`), so Slack DM Reply posts them unchanged, plus `messaging` (Sunshine's ids) and
 * `event`. Sunshine ids are strings, and Sunshine never names the Zendesk ticket: `ticketId` is
 * absent. Pure.
 */
import { MESSAGING_CONVERSATION_KEY, MESSAGING_HANDLE_KEY } from '../../shared/externalIds';
import {
	replyHandleOf,
	slackDestinationOfKey,
	type ConfiguredHandle,
	type ReplyHandle,
	type SlackDestination,
} from '../../shared/zendesk/replyEvents';
import { HANDLE_TAG_PREFIX, handleTag } from '../../shared/zendesk/tags';
import type { SunshineContent, SunshineMessage } from './events';

export interface MessagingAttachment {
	/** The message's id (one file or image per message). */
	id: string;
	fileName: string;
	/** The message's `mediaUrl`: with private attachments on, it needs the messaging credential. */
	contentUrl: string;
	contentType: string;
	size: number;
	inline: false;
	source: 'zendeskMessaging';
}

export interface MessagingReplyItem {
	event: 'agentReply' | 'ticketSolved';
	ticketStatus: 'open' | 'solved';
	/** The conversation's Slack key (the same value a Support ticket's external_id holds). */
	ticketExternalId: string;
	comment?: {
		id: string;
		/** Plain text or Markdown, as agents write in the agent workspace; Slack DM Reply converts it. */
		body: string;
		htmlBody: string;
		createdAt?: string;
		author: { name: string };
	};
	attachments: MessagingAttachment[];
	slack: SlackDestination;
	handle?: ReplyHandle;
	messaging: { appId?: string; conversationId: string; messageId?: string; eventId: string };
	/** The n8n process whose trigger took the webhook (shared/state/processToken.ts; docs/scaling.md). */
	announcedIn?: string;
}

/** Where the conversation goes in Slack: its metadata's conversation key; undefined for conversations not ours. */
export function slackDestinationOfConversation(
	metadata: Record<string, unknown> | null | undefined,
): SlackDestination | undefined {
	const key = metadata?.[MESSAGING_CONVERSATION_KEY];
	return slackDestinationOfKey(typeof key === 'string' ? key : undefined);
}

/** The conversation's handle from its metadata (a handle tag, or a handle name), as the Support source names it. */
export function handleOfConversation(
	metadata: Record<string, unknown> | null | undefined,
	configured: readonly ConfiguredHandle[] = [],
): ReplyHandle | undefined {
	const value = metadata?.[MESSAGING_HANDLE_KEY];
	if (typeof value !== 'string' || !value.trim()) return undefined;
	const tag = value.startsWith(HANDLE_TAG_PREFIX) ? value : handleTag(value);
	return tag ? replyHandleOf([tag], configured) : undefined;
}

/** A readable file name for a `mediaUrl`: its last path segment, else the alt text, else "file". */
export function fileNameOf(content: SunshineContent): string {
	let segment = '';
	try {
		segment = decodeURIComponent(new URL(content.mediaUrl ?? '').pathname.split('/').pop() ?? '');
	} catch {
		segment = '';
	}
	const raw = segment || content.altText || '';
	const name = [...raw]
		.map((char) => (char === '/' || char === '\\' || char.charCodeAt(0) < 0x20 ? '_' : char))
		.join('')
		.trim();
	return name || 'file';
}

export function attachmentsOf(message: SunshineMessage): MessagingAttachment[] {
	const { content } = message;
	if ((content.type !== 'image' && content.type !== 'file') || !content.mediaUrl) return [];
	return [
		{
			id: message.id,
			fileName: fileNameOf(content),
			contentUrl: content.mediaUrl,
			contentType: content.mediaType || 'application/octet-stream',
			size: typeof content.mediaSize === 'number' ? content.mediaSize : 0,
			inline: false,
			source: 'zendeskMessaging',
		},
	];
}

export interface ItemContext {
	conversationId: string;
	metadata: Record<string, unknown> | null | undefined;
	eventId: string;
	appId?: string;
	handles?: readonly ConfiguredHandle[];
}

function baseOf(context: ItemContext) {
	const slack = slackDestinationOfConversation(context.metadata);
	if (!slack) return undefined;
	const handle = handleOfConversation(context.metadata, context.handles);
	return {
		ticketExternalId: String(context.metadata?.[MESSAGING_CONVERSATION_KEY]),
		slack,
		...(handle ? { handle } : {}),
	};
}

/** An agent's message as a reply item; undefined when the conversation is not one of ours. */
export function buildMessagingReplyItem(
	context: ItemContext,
	message: SunshineMessage,
): MessagingReplyItem | undefined {
	const base = baseOf(context);
	if (!base) return undefined;
	const { content } = message;
	return {
		event: 'agentReply',
		ticketStatus: 'open',
		...base,
		comment: {
			id: message.id,
			body: content.markdownText ?? content.text ?? '',
			htmlBody: content.htmlText ?? '',
			...(message.received ? { createdAt: message.received } : {}),
			author: { name: message.author.displayName ?? '' },
		},
		attachments: attachmentsOf(message),
		messaging: {
			...(context.appId ? { appId: context.appId } : {}),
			conversationId: context.conversationId,
			messageId: message.id,
			eventId: context.eventId,
		},
	};
}

/** The agent workspace let go of a conversation because its ticket was closed: the "solved" notice item. */
export function buildSolvedItem(context: ItemContext): MessagingReplyItem | undefined {
	const base = baseOf(context);
	if (!base) return undefined;
	return {
		event: 'ticketSolved',
		ticketStatus: 'solved',
		...base,
		attachments: [],
		messaging: {
			...(context.appId ? { appId: context.appId } : {}),
			conversationId: context.conversationId,
			eventId: context.eventId,
		},
	};
}
