/**
 * The Slack DM Trigger's decisions: which verified Events API deliveries become a `SlackDmItem`,
 * and why the others are dropped. Pure: the node feeds it the parsed envelope, its options and
 * the handle identity, and acts on the answer.
 *
 * Defaults reproduce the original Zendesk Slack channel; each limit has an opt-in past it.
 */
import { messageIdempotencyKey } from '../../shared/externalIds';
import type { MessageKind, SlackChannelType, SlackDmItem, SlackFileRef } from '../../shared/types';
import type { SlackEvent, SlackEventCallback, SlackMessageFields } from '../../shared/slack/events';
import { present } from '../../shared/slack/events';
import { fileRefs, isExternalUser, userTeamOf } from './eventFields';
import type { HandleConfig, SelfIdentity } from '../../shared/slack/identity';

export interface TriggerFilterOptions {
	/** Group DMs (mpim) too, with their participants. Original: 1:1 only. */
	includeGroupDms: boolean;
	/** Thread replies too, with a thread key. Original: replies in threads are not forwarded. */
	includeThreadReplies: boolean;
	/** Drop messages of every bot and app, not only this app's (default: on). */
	ignoreAllBots: boolean;
	/** App ids (A…) or bot ids (B…) whose messages pass although ignoreAllBots is on. */
	acceptedBotApps: string[];
	/** An @-mention of the handle in a channel opens a conversation. Original: mentions start nothing. */
	channelMentions: boolean;
	/** Edits and deletions as kind `edit` / `delete`. */
	includeEdits: boolean;
	/** Attach the envelope (without its verification token) as `raw`. */
	includeRawEvent: boolean;
}

export const DEFAULT_FILTER_OPTIONS: TriggerFilterOptions = {
	includeGroupDms: false,
	includeThreadReplies: false,
	ignoreAllBots: true,
	acceptedBotApps: [],
	channelMentions: false,
	includeEdits: false,
	includeRawEvent: false,
};

export type DropReason =
	| 'unsupportedEventType'
	| 'malformedEvent'
	| 'systemSubtype'
	| 'editsNotEnabled'
	| 'notAnEdit'
	| 'echoHandle'
	| 'echoApp'
	| 'echoBot'
	| 'slackbot'
	| 'groupDmNotEnabled'
	| 'channelMessage'
	| 'mentionNotEnabled'
	| 'threadReply'
	| 'notForThisHandle'
	| 'handleUnknown'
	| 'emptyMessage';

export type EventDecision =
	| {
			action: 'emit';
			item: SlackDmItem;
			/** Event id and idempotency key: the ledger refuses a second delivery of either. */
			dedupeKeys: string[];
			/** Group DM: the node fills `channel.participants` (conversations.members). */
			needsParticipants: boolean;
	  }
	| { action: 'drop'; reason: DropReason }
	/**
	 * Slack's authorizations (at most one entry since 2021) do not name a listed handle, and the
	 * conversation may still be one: classify again with `conversationMembers` (the node asks
	 * conversations.members, cached) to find the handle among its members.
	 */
	| { action: 'lookupMembers'; channelId: string };

export interface ClassifyContext {
	self: SelfIdentity;
	handles: HandleConfig[];
	options: TriggerFilterOptions;
	/** ISO time the request arrived. */
	receivedAt: string;
	/** A handle user id this process saw addressed in the same conversation before (learnedConversationHandle). */
	knownConversationHandle?: string;
	/** The conversation's members (conversations.members), or 'unavailable' when Slack did not say. */
	conversationMembers?: string[] | 'unavailable';
}

/** Slack's built-in Slackbot: the same user id in every workspace. */
export const SLACKBOT_USER_ID = 'USLACKBOT';

/** Subtypes that are a person (or bot) saying something. Everything else is a system message. */
const MESSAGE_SUBTYPES = new Set(['', 'file_share', 'me_message', 'bot_message', 'thread_broadcast']);
const EDIT_SUBTYPES = new Set(['message_changed', 'message_deleted']);

function drop(reason: DropReason): EventDecision {
	return { action: 'drop', reason };
}

export function channelTypeOf(event: SlackEvent): SlackChannelType | undefined {
	const declared = event.channel_type;
	if (declared === 'im' || declared === 'mpim' || declared === 'channel' || declared === 'group') return declared;
	const id = event.channel ?? '';
	if (id.startsWith('D')) return 'im';
	if (id.startsWith('C')) return 'channel';
	if (id.startsWith('G')) return 'group';
	return undefined;
}

function mentions(text: string | undefined, userId: string): boolean {
	return !!text && (text.includes(`<@${userId}>`) || text.includes(`<@${userId}|`));
}

/** Why a message counts as our own (or a bot's) and must never start a conversation. */
export function echoReason(
	message: SlackMessageFields | undefined,
	envelope: Pick<SlackEventCallback, 'api_app_id'>,
	ctx: Pick<ClassifyContext, 'self' | 'handles' | 'options'>,
): DropReason | undefined {
	if (!message) return undefined;
	const user = present(message.user);
	// Slackbot posts (reminders, auto-responses, notices) carry a user id and no bot_id, but are
	// never a person asking for help: always dropped, whatever the bot option says.
	if (user === SLACKBOT_USER_ID) return 'slackbot';
	if (user && (user === ctx.self.userId || ctx.handles.some((h) => h.userId === user))) return 'echoHandle';
	const botId = present(message.bot_id) ?? present(message.bot_profile?.id);
	if (botId && ctx.self.botId && botId === ctx.self.botId) return 'echoApp';
	const appId = present(envelope.api_app_id);
	// Posts of this app carry its app id, also when made with a user token.
	if (appId && (present(message.app_id) === appId || present(message.bot_profile?.app_id) === appId)) return 'echoApp';
	if (ctx.options.ignoreAllBots && isBotAuthored(message) && !acceptedBot(message, ctx.options.acceptedBotApps))
		return 'echoBot';
	return undefined;
}

/**
 * Posted by a bot or an app rather than typed by a person: a bot id or bot profile, the
 * `bot_message` subtype, or an app id (Slack adds it to what an app posts, also with a user token).
 */
export function isBotAuthored(message: SlackMessageFields): boolean {
	return (
		!!(
			present(message.bot_id) ??
			present(message.bot_profile?.id) ??
			present(message.app_id) ??
			present(message.bot_profile?.app_id)
		) || message.subtype === 'bot_message'
	);
}

function acceptedBot(message: SlackMessageFields, accepted: string[]): boolean {
	const ids = [message.bot_id, message.bot_profile?.id, message.app_id, message.bot_profile?.app_id].map(present);
	return ids.some((id) => id !== undefined && accepted.includes(id));
}

function namedInstallationUsers(envelope: SlackEventCallback): string[] {
	return [
		...(envelope.authorizations ?? []).map((a) => present(a.user_id)),
		...(envelope.authed_users ?? []).map((u) => present(u)),
	].filter((id): id is string => id !== undefined);
}

/** The configured handle a DM was delivered for: the installation user Slack names in the envelope. */
export function addressedHandle(envelope: SlackEventCallback, handles: HandleConfig[]): HandleConfig | undefined {
	const ids = namedInstallationUsers(envelope);
	if (ids.length === 0) return handles.length === 1 ? handles[0] : undefined;
	return handles.find((h) => ids.includes(h.userId));
}

type HandleResolution = { handle: HandleConfig } | { drop: DropReason } | { lookup: true };

/**
 * The handle a 1:1 or group DM was sent to. Slack names at most one installation user in
 * `authorizations` (2020-09-15 changelog: "at most one person or workspace the event is visible
 * to"; the full list needs an app-level token). When that is a listed handle, done. When it is
 * someone else, for a 1:1 DM: not the sender means it is the recipient, a handle this trigger
 * does not list; the sender (an employee who installed the app too) says nothing about the
 * recipient, so the handle is found among the conversation's members, as for group DMs and for
 * envelopes that name nobody while several handles are listed.
 */
export function conversationHandle(
	envelope: SlackEventCallback,
	channelType: 'im' | 'mpim',
	sender: string | undefined,
	ctx: Pick<ClassifyContext, 'handles' | 'knownConversationHandle' | 'conversationMembers'>,
): HandleResolution {
	const ids = namedInstallationUsers(envelope);
	const named = ctx.handles.find((h) => ids.includes(h.userId));
	if (named) return { handle: named };
	if (ids.length === 0 && ctx.handles.length === 1) return { handle: ctx.handles[0] };
	if (channelType === 'im' && ids.some((id) => id !== sender)) return { drop: 'notForThisHandle' };
	const known = ctx.handles.find((h) => h.userId === ctx.knownConversationHandle);
	if (known) return { handle: known };
	if (ctx.conversationMembers === undefined) return { lookup: true };
	if (ctx.conversationMembers === 'unavailable') return { drop: 'handleUnknown' };
	const members = ctx.conversationMembers;
	const member = ctx.handles.find((h) => members.includes(h.userId));
	return member ? { handle: member } : { drop: 'notForThisHandle' };
}

/**
 * What a DM event teaches about its conversation's handle, for later envelopes that do not name
 * it: a listed handle named in `authorizations`, or a listed handle writing in a 1:1 DM (its
 * replies are echoes, dropped, but they say whose DM it is).
 */
export function learnedConversationHandle(
	envelope: SlackEventCallback,
	handles: HandleConfig[],
): { channelId: string; userId: string } | undefined {
	const event = envelope.event;
	const channelId = present(event.channel);
	const channelType = channelTypeOf(event);
	if (!channelId || (channelType !== 'im' && channelType !== 'mpim')) return undefined;
	const ids = namedInstallationUsers(envelope);
	const named = handles.find((h) => ids.includes(h.userId));
	if (named) return { channelId, userId: named.userId };
	if (channelType !== 'im') return undefined;
	const author = present(event.user) ?? present(event.message?.user) ?? present(event.previous_message?.user);
	const writer = handles.find((h) => h.userId === author);
	return writer ? { channelId, userId: writer.userId } : undefined;
}

interface MessageView {
	kind: MessageKind;
	/** The message the item describes (after an edit; the deleted one for deletes). */
	message: SlackMessageFields;
	/** The message before an edit or the deleted message. */
	previous?: SlackMessageFields;
	ts: string;
}

function messageView(event: SlackEvent): MessageView | DropReason {
	const subtype = event.subtype ?? '';
	if (subtype === 'message_changed') {
		const message = event.message;
		const ts = present(message?.ts);
		if (!message || !ts) return 'malformedEvent';
		if (!MESSAGE_SUBTYPES.has(message.subtype ?? '')) return 'systemSubtype';
		// Slack also sends message_changed when it adds unfurls; only a changed text is an edit.
		const previousText = event.previous_message?.text;
		if (!message.edited && previousText !== undefined && previousText === message.text) return 'notAnEdit';
		return { kind: 'edit', message, previous: event.previous_message, ts };
	}
	if (subtype === 'message_deleted') {
		const previous = event.previous_message;
		const ts = present(event.deleted_ts) ?? present(previous?.ts);
		// Without the deleted message there is no author to check for echoes.
		if (!previous || !ts) return 'malformedEvent';
		if (!MESSAGE_SUBTYPES.has(previous.subtype ?? '')) return 'systemSubtype';
		return { kind: 'delete', message: previous, previous, ts };
	}
	const ts = present(event.ts);
	if (!ts) return 'malformedEvent';
	return { kind: 'message', message: event, ts };
}

type Gate =
	| { drop: DropReason }
	| { lookup: string }
	| {
			channelId: string;
			channelType: SlackChannelType;
			view: MessageView;
			handle: HandleConfig;
			isConversation: boolean;
	  };

/** Which event this is, whose, and for which handle: the reasons to drop come first. */
function gateEvent(envelope: SlackEventCallback, ctx: ClassifyContext): Gate {
	const event = envelope.event;
	const isMention = event.type === 'app_mention';
	if (event.type !== 'message' && !isMention) return { drop: 'unsupportedEventType' };
	const channelId = present(event.channel);
	const channelType = channelTypeOf(event);
	if (!channelId || !channelType) return { drop: 'malformedEvent' };
	const subtype = event.subtype ?? '';
	if (EDIT_SUBTYPES.has(subtype)) {
		if (!ctx.options.includeEdits) return { drop: 'editsNotEnabled' };
	} else if (!MESSAGE_SUBTYPES.has(subtype)) {
		return { drop: 'systemSubtype' };
	}
	const view = messageView(event);
	if (typeof view === 'string') return { drop: view };
	const echo =
		echoReason(view.message, envelope, ctx) ??
		(view.kind === 'edit' ? echoReason(view.previous, envelope, ctx) : undefined);
	if (echo) return { drop: echo };
	const isConversation = (channelType === 'im' || channelType === 'mpim') && !isMention;
	if (isConversation) {
		if (channelType === 'mpim' && !ctx.options.includeGroupDms) return { drop: 'groupDmNotEnabled' };
		const resolution = conversationHandle(envelope, channelType as 'im' | 'mpim', present(view.message.user), ctx);
		if ('lookup' in resolution) return { lookup: channelId };
		if ('drop' in resolution) return resolution;
		return { channelId, channelType, view, handle: resolution.handle, isConversation };
	}
	const handle = ctx.handles.find((h) =>
		mentions(view.kind === 'delete' ? view.previous?.text : view.message.text, h.userId),
	);
	if (!handle) return { drop: 'channelMessage' };
	if (!ctx.options.channelMentions) return { drop: 'mentionNotEnabled' };
	return { channelId, channelType, view, handle, isConversation };
}

/**
 * The thread the item belongs to, or why it is dropped. In a DM a thread reply follows the
 * thread option; a channel mention is its own conversation: the thread it starts (or sits in).
 */
function threadOf(
	view: MessageView,
	isConversation: boolean,
	options: TriggerFilterOptions,
): { threadTs?: string } | { drop: DropReason } {
	const rootTs = present(view.message.thread_ts);
	// Only a thread reply carries parent_user_id; one without thread_ts cannot be placed.
	if (rootTs === undefined && present(view.message.parent_user_id)) return { drop: 'malformedEvent' };
	if (!isConversation) return { threadTs: rootTs ?? view.ts };
	if (rootTs === undefined || rootTs === view.ts) return {};
	return options.includeThreadReplies ? { threadTs: rootTs } : { drop: 'threadReply' };
}

export function classifyEvent(envelope: SlackEventCallback, ctx: ClassifyContext): EventDecision {
	const gate = gateEvent(envelope, ctx);
	if ('drop' in gate) return drop(gate.drop);
	if ('lookup' in gate) return { action: 'lookupMembers', channelId: gate.lookup };
	const thread = threadOf(gate.view, gate.isConversation, ctx.options);
	if ('drop' in thread) return drop(thread.drop);
	const { view } = gate;
	const files = fileRefs(view.message.files);
	const text = view.kind === 'delete' ? '' : (view.message.text ?? '');
	const blocks = Array.isArray(view.message.blocks) && view.message.blocks.length > 0 ? view.message.blocks : undefined;
	if (view.kind === 'message' && text.trim() === '' && files.length === 0 && !blocks) return drop('emptyMessage');
	const userId = present(view.message.user) ?? present(view.message.bot_id) ?? present(view.message.bot_profile?.id);
	// Slack names the author of every message; one without cannot be linked to anyone.
	if (!userId) return drop('malformedEvent');
	const item = buildItem(envelope, ctx, { ...gate, threadTs: thread.threadTs, files, text, blocks, userId });
	return {
		action: 'emit',
		item,
		dedupeKeys: [`event:${envelope.event_id}`, `message:${item.idempotencyKey}`],
		needsParticipants: gate.channelType === 'mpim',
	};
}

interface ItemParts {
	channelId: string;
	channelType: SlackChannelType;
	view: MessageView;
	handle: HandleConfig;
	threadTs?: string;
	files: SlackFileRef[];
	text: string;
	blocks?: unknown[];
	userId: string;
}

/** The item the trigger emits for a message that passed every rule. */
function buildItem(envelope: SlackEventCallback, ctx: ClassifyContext, parts: ItemParts): SlackDmItem {
	const { channelId, view, threadTs } = parts;
	const teamId = present(envelope.team_id) ?? ctx.self.teamId;
	const userTeam = userTeamOf(view.message) ?? teamId;
	const eventTs = present(envelope.event.event_ts) ?? present(envelope.event.ts);
	const item: SlackDmItem = {
		eventId: envelope.event_id,
		idempotencyKey: messageIdempotencyKey({ teamId, channelId, ts: view.ts, kind: view.kind, eventTs }),
		teamId,
		handle: { name: parts.handle.name, userId: parts.handle.userId, teamId: ctx.self.teamId },
		user: { id: parts.userId, teamId: userTeam, isExternal: isExternalUser(userTeam, envelope, ctx.self) },
		channel: { id: channelId, type: parts.channelType, isExtShared: envelope.is_ext_shared_channel === true },
		message: { ts: view.ts, text: parts.text, files: parts.files },
		kind: view.kind,
		receivedAt: ctx.receivedAt,
	};
	const enterpriseId = present(envelope.enterprise_id ?? undefined);
	if (enterpriseId) item.enterpriseId = enterpriseId;
	if (ctx.self.botId) item.handle.botId = ctx.self.botId;
	const appId = present(envelope.api_app_id);
	if (appId) item.handle.appId = appId;
	if (threadTs) Object.assign(item.message, { threadTs, threadKey: `${channelId}:${threadTs}` });
	if (parts.blocks) item.message.blocks = parts.blocks;
	if (view.kind !== 'message' && view.previous?.text !== undefined) item.message.previousText = view.previous.text;
	if (view.kind !== 'message' && eventTs) item.message.eventTs = eventTs;
	if (ctx.options.includeRawEvent) {
		const raw: Record<string, unknown> = { ...envelope };
		delete raw.token; // Slack's deprecated verification token: a secret, never in output
		item.raw = raw;
	}
	return item;
}

/** Group DM participants for the item: the members without the handles and the token's own user. */
export function groupParticipants(members: string[], self: SelfIdentity, handles: HandleConfig[]): string[] {
	const ours = new Set([self.userId, ...handles.map((h) => h.userId)]);
	return members.filter((member) => !ours.has(member));
}
