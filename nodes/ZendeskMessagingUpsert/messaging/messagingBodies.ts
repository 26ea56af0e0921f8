/**
 * What the Zendesk Messaging mode sends, as pure functions: the messaging user, the conversation,
 * the Sunshine messages of a Slack message (text in parts of at most 4,096 characters, then each
 * file), the marked text of an edit or deletion, and the switchboard metadata of a handover to the
 * agent workspace (Zendesk's data capture keys).
 */
import type { IDataObject } from 'n8n-workflow';

import { noticeReason } from '../../shared/attachments/notice';
import {
	MESSAGING_CONVERSATION_KEY,
	MESSAGING_HANDLE_KEY,
	MESSAGING_MESSAGE_KEY,
	MESSAGING_PART_KEY,
	MESSAGING_PREVIOUS_CONVERSATION_KEY,
	userExternalId,
} from '../../shared/externalIds';
import type { SlackTextOptions } from '../../shared/slack/slackTextToZendesk';
import { slackTextToPlain } from '../../shared/slack/slackTextToZendesk';
import type { LinkedZendeskUser, RejectedFile, SlackDmItem } from '../../shared/types';
import { handleTag } from '../../shared/zendesk/tags';
import type { TicketRouting } from '../helpers/tickets';
import type { ConversationPlan } from '../helpers/ticketsThreads';
import { tagsForPlan } from '../helpers/ticketsThreads';
import type { MessagePart } from './messagingCommands';
import { AGENT_WORKSPACE } from './messagingPlanner';

/** "text … maxLength: 4096" (textMessage in the spec). */
export const MAX_TEXT_LENGTH = 4096;

/** Switchboard metadata is at most 4 KB (the spec's metadata schema). */
export const MAX_METADATA_BYTES = 4096;

const SYSTEM = 'dataCapture.systemField.';
const TICKET_FIELD = 'dataCapture.ticketField.';

/** Image types the messaging channels show inline; any other file is a `file` message. */
const INLINE_IMAGE = /^image\/(png|jpe?g|gif|webp)$/i;

/** Sunshine's profile of the Slack user: names from the linked Zendesk user, its email only when it has one. */
export function userBody(item: SlackDmItem, linked: LinkedZendeskUser): IDataObject {
	const [givenName, ...rest] = String(linked.name ?? '')
		.trim()
		.split(/\s+/);
	const profile: IDataObject = {};
	if (givenName) profile.givenName = givenName;
	if (rest.length > 0) profile.surname = rest.join(' ');
	// Only the linked user's own email: the Profile Linker never links staff by email, nor must the agent workspace.
	if (linked.email) profile.email = linked.email;
	return { externalId: userExternalId(item.user.teamId || item.teamId, item.user.id), profile };
}

/**
 * A personal conversation for the user, keyed by the Slack conversation (and the full one it
 * follows). It also carries the data capture of a handover (without `first_message_id`) when that
 * fits the 4 KB: ASSUMPTION (emulators/sunshine/README.md, 4): an agent workspace that is the
 * switchboard's default opens the ticket by itself, with the conversation's metadata.
 */
export function conversationBody(
	item: SlackDmItem,
	conversationKey: string,
	options: { previousConversationId?: string; dataCapture?: IDataObject } = {},
): IDataObject {
	const { previousConversationId, dataCapture } = options;
	const metadata: IDataObject = { [MESSAGING_CONVERSATION_KEY]: conversationKey };
	const handle = handleTag(item.handle?.name ?? '');
	if (handle) metadata[MESSAGING_HANDLE_KEY] = handle;
	if (previousConversationId) metadata[MESSAGING_PREVIOUS_CONVERSATION_KEY] = previousConversationId;
	if (dataCapture && metadataBytes({ ...metadata, ...dataCapture }) <= MAX_METADATA_BYTES)
		Object.assign(metadata, dataCapture);
	return {
		type: 'personal',
		participants: [{ userExternalId: userExternalId(item.user.teamId || item.teamId, item.user.id) }],
		metadata,
	};
}

/** The PostMessage body of part `index`: authored by the user, marked with the Slack message's key. */
export function messageBody(item: SlackDmItem, key: string, part: MessagePart, index: number): IDataObject {
	const metadata: IDataObject = { [MESSAGING_MESSAGE_KEY]: key };
	if (index > 0) metadata[MESSAGING_PART_KEY] = index;
	return {
		author: { type: 'user', userExternalId: userExternalId(item.user.teamId || item.teamId, item.user.id) },
		content: part.content,
		metadata,
	};
}

/** Text cut into pieces Sunshine accepts, at a line break or space where there is one. */
export function splitText(text: string, max = MAX_TEXT_LENGTH): string[] {
	const pieces: string[] = [];
	let rest = text;
	while (rest.length > max) {
		const window = rest.slice(0, max);
		const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
		const at = cut > max / 2 ? cut : max;
		pieces.push(rest.slice(0, at).trimEnd());
		rest = rest.slice(at).replace(/^[ \n]+/, '');
	}
	if (rest !== '' || pieces.length === 0) pieces.push(rest);
	return pieces;
}

export interface UploadedFile {
	name: string;
	mediaUrl: string;
	mediaType: string;
}

/** Lines naming the files the Attachment Allowlist refused, for agents (the sender was told in Slack). */
export function refusedFilesText(rejected: RejectedFile[] | undefined): string {
	if (!rejected || rejected.length === 0) return '';
	return rejected.map((file) => `📎 Not attached: ${file.name || file.id} (${noticeReason(file)})`).join('\n');
}

/**
 * The Sunshine messages of a Slack message, in Slack's order: its text (opened by the thread line
 * of a thread reply, closed by the refused files), then each accepted file as `image` or `file`.
 * A message with only files has no text part; one with nothing at all says so.
 */
export function messageParts(input: {
	item: SlackDmItem;
	plan: ConversationPlan;
	files: UploadedFile[];
	rejected?: RejectedFile[];
	names?: SlackTextOptions['names'];
}): MessagePart[] {
	const { item, plan, files } = input;
	const body = slackTextToPlain(item.message.text ?? '', { names: input.names }).trim();
	const thread = plan.threadReply && body ? '↳ Reply in a Slack thread:\n' : '';
	const text = [thread + body, refusedFilesText(input.rejected)].filter(Boolean).join('\n\n');
	const parts: MessagePart[] =
		text || files.length === 0
			? splitText(text || '(empty Slack message)').map((piece) => ({ content: { type: 'text', text: piece } }))
			: [];
	for (const file of files) {
		const type = INLINE_IMAGE.test(file.mediaType) ? 'image' : 'file';
		parts.push({ content: { type, mediaUrl: file.mediaUrl, altText: file.name.slice(0, 128) } });
	}
	return parts;
}

/**
 * What agents see of an edit or deletion (messaging has neither): one text message by the user,
 * marked so that it cannot pass for a new request, quoting the texts.
 */
export function editParts(item: SlackDmItem, names?: SlackTextOptions['names']): MessagePart[] {
	const plain = (text: string | undefined) => slackTextToPlain(text ?? '', { names }).trim();
	const quote = (text: string) => (text ? text.replace(/^/gm, '> ') : '> (no text)');
	const text =
		item.kind === 'delete'
			? `🗑️ Deleted in Slack:\n${quote(plain(item.message.previousText ?? item.message.text))}`
			: `✏️ Edited in Slack, now:\n${quote(plain(item.message.text))}\n\nBefore:\n${quote(plain(item.message.previousText))}`;
	return splitText(text).map((piece) => ({ content: { type: 'text', text: piece } }));
}

function metadataValue(value: unknown): string | number | boolean {
	if (typeof value === 'number' || typeof value === 'boolean') return value;
	// ASSUMPTION: a multi-select value (a list) is passed as its tags, comma separated, like `tags`.
	if (Array.isArray(value)) return value.map(String).join(',');
	return String(value ?? '');
}

/**
 * The passControl metadata: where the agent workspace's ticket starts (`first_message_id`) and
 * Zendesk's data capture keys for the new ticket — tags, brand, group, priority, custom fields
 * and the requester's name and email (support article 4419179022874; the Switchboard guide).
 */
export function handoverMetadata(input: {
	routing: TicketRouting;
	plan: ConversationPlan;
	requester: LinkedZendeskUser;
	firstMessageId?: string;
}): Record<string, string | number | boolean> {
	const { routing, requester } = input;
	const metadata: Record<string, string | number | boolean> = {};
	if (input.firstMessageId) metadata.first_message_id = input.firstMessageId;
	const tags = tagsForPlan(routing.tags, input.plan);
	// ASSUMPTION (emulators/sunshine/README.md): tags comma separated, as in the Switchboard guide's example.
	if (tags.length > 0) metadata[`${SYSTEM}tags`] = tags.join(',');
	if (routing.brandId !== undefined) metadata[`${SYSTEM}brand_id`] = String(routing.brandId);
	if (routing.groupId !== undefined) metadata[`${SYSTEM}group_id`] = String(routing.groupId);
	if (routing.priority) metadata[`${SYSTEM}priority`] = routing.priority;
	if (requester.name) metadata[`${SYSTEM}requester.name`] = requester.name;
	if (requester.email) metadata[`${SYSTEM}requester.email`] = requester.email;
	for (const field of routing.customFields) metadata[`${TICKET_FIELD}${field.id}`] = metadataValue(field.value);
	return metadata;
}

/** The metadata's size as Sunshine counts it (its JSON, in bytes). */
export function metadataBytes(metadata: IDataObject): number {
	return Buffer.byteLength(JSON.stringify(metadata), 'utf8');
}

/** The passControl body. */
export function passControlBody(metadata: Record<string, unknown>): IDataObject {
	return { switchboardIntegration: AGENT_WORKSPACE, metadata };
}
