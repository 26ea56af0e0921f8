/**
 * Builders for Events API payloads, shaped as Slack sends them (field names and shapes agree
 * with specs/slack/event-samples and event-wrapper-schema.json; the few fields those
 * samples lack are listed in SPEC_EXCEPTIONS.md). Every builder returns a full envelope with a
 * fresh event_id. Defaults come from the emulator's seeded workspace (fixtures.ts).
 */
import { randomBytes } from 'node:crypto';

import { FIXTURE_IDS } from './fixtures';

export interface SlackAuthorization {
	enterprise_id: string | null;
	team_id: string;
	user_id: string;
	is_bot: boolean;
	is_enterprise_install: boolean;
}

export type SlackEvent = Record<string, unknown> & { type: string; event_ts: string };

export interface SlackEventEnvelope {
	token: string;
	team_id: string;
	enterprise_id?: string;
	api_app_id: string;
	event: SlackEvent;
	type: 'event_callback';
	event_id: string;
	event_time: number;
	authorizations: SlackAuthorization[];
	/** Deprecated by Slack in favour of `authorizations`, still sent and required by the wrapper schema. */
	authed_users: string[];
	is_ext_shared_channel: boolean;
	event_context: string;
}

export interface UrlVerificationPayload {
	token: string;
	challenge: string;
	type: 'url_verification';
}

export interface AppRateLimitedPayload {
	token: string;
	type: 'app_rate_limited';
	team_id: string;
	minute_rate_limited: number;
	api_app_id: string;
}

export type SlackEventsPayload = SlackEventEnvelope | UrlVerificationPayload | AppRateLimitedPayload;

/** Who the event is delivered for, and the envelope fields around the event. */
export interface EnvelopeOptions {
	teamId?: string;
	apiAppId?: string;
	token?: string;
	/** Defaults to one authorization for the app's bot user in teamId. */
	authorizations?: SlackAuthorization[];
	isExtSharedChannel?: boolean;
	eventId?: string;
	eventTime?: number;
	enterpriseId?: string;
}

export type ChannelType = 'im' | 'mpim' | 'channel' | 'group';

export interface SlackFileObject {
	id: string;
	[key: string]: unknown;
}

export interface MessageInput {
	user: string;
	channel: string;
	text?: string;
	ts?: string;
	/** The thread's parent ts: makes the message a thread reply. */
	threadTs?: string;
	/** Author of the thread's parent (Slack sets parent_user_id on replies). */
	parentUserId?: string;
	/** The sender's team. A team other than the envelope's marks a Slack Connect sender. */
	userTeam?: string;
	channelType?: ChannelType;
	blocks?: unknown[];
	clientMsgId?: string;
	files?: SlackFileObject[];
}

let sequence = 0;
let lastTsMicros = 0;

/** Slack message timestamps: `seconds.micros`, unique and increasing within this process. */
export function nextTs(): string {
	const now = Date.now() * 1000;
	lastTsMicros = Math.max(now, lastTsMicros + 1);
	const seconds = Math.floor(lastTsMicros / 1_000_000);
	const micros = lastTsMicros % 1_000_000;
	return `${seconds}.${String(micros).padStart(6, '0')}`;
}

export function nextEventId(): string {
	sequence += 1;
	return `Ev${Date.now().toString(36).toUpperCase()}${sequence.toString(36).toUpperCase().padStart(4, '0')}`;
}

export function randomClientMsgId(): string {
	const hex = randomBytes(16).toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The channel_type of an id when the id alone says it: D is a DM, C a public channel. Slack uses
 * G both for group DMs (mpim) and for private channels (group), so a G id needs an explicit
 * `channelType` (messageMpim passes 'mpim'; channelMessage takes 'group').
 */
export function channelTypeOf(channelId: string): ChannelType {
	if (channelId.startsWith('D')) return 'im';
	if (channelId.startsWith('G')) {
		throw new Error(
			`Channel ${channelId}: a G id is a group DM or a private channel; pass channelType ('mpim' or 'group')`,
		);
	}
	return 'channel';
}

export function botAuthorization(
	teamId: string = FIXTURE_IDS.teamId,
	userId: string = FIXTURE_IDS.botUserId,
): SlackAuthorization {
	return { enterprise_id: null, team_id: teamId, user_id: userId, is_bot: true, is_enterprise_install: false };
}

export function userAuthorization(userId: string, teamId: string = FIXTURE_IDS.teamId): SlackAuthorization {
	return { enterprise_id: null, team_id: teamId, user_id: userId, is_bot: false, is_enterprise_install: false };
}

/** Slack's event_context is an opaque string; this one encodes the team and channel like Slack's does. */
function eventContext(teamId: string, event: SlackEvent): string {
	const channel = typeof event.channel === 'string' ? event.channel : '';
	return `4-${Buffer.from(JSON.stringify({ et: event.type, tid: teamId, aid: FIXTURE_IDS.appId, cid: channel })).toString('base64url')}`;
}

/** Wraps an inner event into an `event_callback` envelope. */
export function envelope(event: SlackEvent, options: EnvelopeOptions = {}): SlackEventEnvelope {
	const teamId = options.teamId ?? FIXTURE_IDS.teamId;
	const authorizations = options.authorizations ?? [botAuthorization(teamId)];
	const result: SlackEventEnvelope = {
		token: options.token ?? FIXTURE_IDS.verificationToken,
		team_id: teamId,
		api_app_id: options.apiAppId ?? FIXTURE_IDS.appId,
		event,
		type: 'event_callback',
		event_id: options.eventId ?? nextEventId(),
		event_time: options.eventTime ?? Math.floor(Number(event.event_ts)),
		authorizations,
		authed_users: authorizations.map((a) => a.user_id),
		is_ext_shared_channel: options.isExtSharedChannel ?? false,
		event_context: '',
	};
	if (options.enterpriseId) result.enterprise_id = options.enterpriseId;
	result.event_context = eventContext(teamId, event);
	return result;
}

/** The rich_text block Slack clients attach to every typed message. */
export function richTextBlocks(text: string): unknown[] {
	if (!text) return [];
	return [
		{
			type: 'rich_text',
			block_id: randomBytes(3).toString('base64url').slice(0, 4),
			elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
		},
	];
}

function isConnect(input: { userTeam?: string }, options: EnvelopeOptions): boolean {
	return Boolean(input.userTeam && input.userTeam !== (options.teamId ?? FIXTURE_IDS.teamId));
}

/** The inner `message` event a person's message produces (no subtype). */
export function userMessageEvent(input: MessageInput, options: EnvelopeOptions = {}): SlackEvent {
	const ts = input.ts ?? nextTs();
	const text = input.text ?? '';
	const team = input.userTeam ?? options.teamId ?? FIXTURE_IDS.teamId;
	const event: SlackEvent = {
		type: 'message',
		user: input.user,
		text,
		ts,
		team,
		client_msg_id: input.clientMsgId ?? randomClientMsgId(),
		blocks: input.blocks ?? richTextBlocks(text),
		channel: input.channel,
		event_ts: ts,
		channel_type: input.channelType ?? channelTypeOf(input.channel),
	};
	if (isConnect(input, options)) {
		event.user_team = input.userTeam;
		event.source_team = input.userTeam;
	}
	if (input.threadTs) {
		event.thread_ts = input.threadTs;
		event.parent_user_id = input.parentUserId ?? input.user;
	}
	return event;
}

function withConnect(input: { userTeam?: string }, options: EnvelopeOptions): EnvelopeOptions {
	return isConnect(input, options) ? { isExtSharedChannel: true, ...options } : options;
}

/** message.im: a DM to the app's bot user or to a handle account. */
export function messageIm(input: Omit<MessageInput, 'channelType'>, options: EnvelopeOptions = {}): SlackEventEnvelope {
	return envelope(userMessageEvent({ ...input, channelType: 'im' }, options), withConnect(input, options));
}

/** message.mpim: a group DM (several people and the handle). */
export function messageMpim(
	input: Omit<MessageInput, 'channelType'>,
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	return envelope(userMessageEvent({ ...input, channelType: 'mpim' }, options), withConnect(input, options));
}

/** message.channels (or message.groups with channelType 'group'). */
export function channelMessage(input: MessageInput, options: EnvelopeOptions = {}): SlackEventEnvelope {
	return envelope(
		userMessageEvent({ ...input, channelType: input.channelType ?? 'channel' }, options),
		withConnect(input, options),
	);
}

/** A reply inside a thread: thread_ts is the parent's ts, parent_user_id its author. */
export function threadReply(
	input: MessageInput & { threadTs: string; parentUserId: string },
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	return envelope(userMessageEvent(input, options), withConnect(input, options));
}

/** A message with files: subtype file_share, `files` holding the file objects (or Slack Connect stubs). */
export function fileShare(
	input: MessageInput & { files: SlackFileObject[] },
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	const event = userMessageEvent(input, options);
	event.subtype = 'file_share';
	event.files = input.files;
	event.upload = false;
	event.display_as_bot = false;
	return envelope(event, withConnect(input, options));
}

/** app_mention: the bot user is @-mentioned in a channel (no channel_type in this event). */
export function appMention(
	input: Omit<MessageInput, 'channelType' | 'files'>,
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	const message = userMessageEvent(input, options);
	const event: SlackEvent = { ...message, type: 'app_mention' };
	delete event.channel_type;
	delete event.parent_user_id;
	return envelope(event, withConnect(input, options));
}

export interface PreviousMessage {
	user: string;
	text: string;
	ts: string;
	userTeam?: string;
	threadTs?: string;
	clientMsgId?: string;
}

function storedMessage(previous: PreviousMessage, teamId: string): Record<string, unknown> {
	const message: Record<string, unknown> = {
		type: 'message',
		user: previous.user,
		text: previous.text,
		ts: previous.ts,
		team: previous.userTeam ?? teamId,
		client_msg_id: previous.clientMsgId ?? randomClientMsgId(),
		blocks: richTextBlocks(previous.text),
	};
	if (previous.userTeam && previous.userTeam !== teamId) {
		message.user_team = previous.userTeam;
		message.source_team = previous.userTeam;
	}
	if (previous.threadTs) {
		message.thread_ts = previous.threadTs;
		message.parent_user_id = previous.user;
	}
	return message;
}

/** message_changed: `message` is the edited message (with `edited`), `previous_message` the old one. */
export function messageChanged(
	input: { channel: string; previous: PreviousMessage; newText: string; editedTs?: string; channelType?: ChannelType },
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	const teamId = options.teamId ?? FIXTURE_IDS.teamId;
	const eventTs = input.editedTs ?? nextTs();
	const previous = storedMessage(input.previous, teamId);
	const message = {
		...previous,
		text: input.newText,
		blocks: richTextBlocks(input.newText),
		edited: { user: input.previous.user, ts: eventTs },
	};
	const event: SlackEvent = {
		type: 'message',
		subtype: 'message_changed',
		message,
		previous_message: previous,
		channel: input.channel,
		hidden: true,
		ts: eventTs,
		event_ts: eventTs,
		channel_type: input.channelType ?? channelTypeOf(input.channel),
	};
	return envelope(event, withConnect(input.previous, options));
}

/** message_deleted: `deleted_ts` is the removed message's ts. */
export function messageDeleted(
	input: { channel: string; previous: PreviousMessage; deletedAtTs?: string; channelType?: ChannelType },
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	const teamId = options.teamId ?? FIXTURE_IDS.teamId;
	const eventTs = input.deletedAtTs ?? nextTs();
	const event: SlackEvent = {
		type: 'message',
		subtype: 'message_deleted',
		previous_message: storedMessage(input.previous, teamId),
		channel: input.channel,
		hidden: true,
		deleted_ts: input.previous.ts,
		event_ts: eventTs,
		ts: eventTs,
		channel_type: input.channelType ?? channelTypeOf(input.channel),
	};
	return envelope(event, withConnect(input.previous, options));
}

/** A legacy bot message (incoming webhook or classic bot): subtype bot_message, bot_id, username, no user. */
export function botMessage(
	input: {
		channel: string;
		text: string;
		botId?: string;
		username?: string;
		ts?: string;
		threadTs?: string;
		channelType?: ChannelType;
	},
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	const ts = input.ts ?? nextTs();
	const event: SlackEvent = {
		type: 'message',
		subtype: 'bot_message',
		text: input.text,
		ts,
		bot_id: input.botId ?? 'B0WEBHOOK',
		username: input.username ?? 'incoming-webhook',
		icons: { image_48: 'https://a.slack-edge.com/80588/img/services/outgoing-webhook_48.png' },
		channel: input.channel,
		event_ts: ts,
		channel_type: input.channelType ?? channelTypeOf(input.channel),
	};
	if (input.threadTs) event.thread_ts = input.threadTs;
	return envelope(event, options);
}

export interface AppMessageInput {
	channel: string;
	text: string;
	/** The posting app's bot user (bot tokens) or the human account whose user token posted. */
	user?: string;
	botId?: string;
	appId?: string;
	/** false for a user-token post (no bot_id, no bot_profile). */
	asBot?: boolean;
	ts?: string;
	threadTs?: string;
	parentUserId?: string;
	username?: string;
	blocks?: unknown[];
	channelType?: ChannelType;
	botName?: string;
	teamId?: string;
}

/** The message event of a message an app posted with chat.postMessage (bot token: bot_id, app_id, bot_profile). */
export function appMessageEvent(input: AppMessageInput, options: EnvelopeOptions = {}): SlackEvent {
	const teamId = input.teamId ?? options.teamId ?? FIXTURE_IDS.teamId;
	const ts = input.ts ?? nextTs();
	const asBot = input.asBot ?? true;
	const appId = input.appId ?? FIXTURE_IDS.appId;
	const event: SlackEvent = {
		type: 'message',
		user: input.user ?? (asBot ? FIXTURE_IDS.botUserId : FIXTURE_IDS.handleUserId),
		text: input.text,
		ts,
		app_id: appId,
		blocks: input.blocks ?? [],
		team: teamId,
		channel: input.channel,
		event_ts: ts,
		channel_type: input.channelType ?? channelTypeOf(input.channel),
	};
	if (asBot) {
		const botId = input.botId ?? FIXTURE_IDS.botId;
		event.bot_id = botId;
		event.bot_profile = {
			id: botId,
			deleted: false,
			name: input.botName ?? 'bridge',
			updated: 1700000000,
			app_id: appId,
			icons: {
				image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png',
				image_48: 'https://a.slack-edge.com/80588/img/plugins/app/bot_48.png',
				image_72: 'https://a.slack-edge.com/80588/img/plugins/app/service_72.png',
			},
			team_id: teamId,
		};
		if (input.username) event.username = input.username;
	}
	if (input.threadTs) {
		event.thread_ts = input.threadTs;
		event.parent_user_id = input.parentUserId ?? event.user;
	}
	return event;
}

/** A message posted by an app (bot token by default; `asBot: false` for a handle's user token). */
export function appMessage(input: AppMessageInput, options: EnvelopeOptions = {}): SlackEventEnvelope {
	return envelope(appMessageEvent(input, options), options);
}

/** message.im from a Slack Connect partner: sender's team differs, is_ext_shared_channel true. */
export function slackConnectMessageIm(
	input: Omit<MessageInput, 'channelType' | 'userTeam'> & { userTeam?: string },
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	return messageIm(
		{ ...input, userTeam: input.userTeam ?? FIXTURE_IDS.partnerTeamId },
		{ isExtSharedChannel: true, ...options },
	);
}

/** System messages: channel_join, channel_leave, channel_topic, me_message, … */
export function systemMessage(
	input: {
		subtype: string;
		channel: string;
		user: string;
		text?: string;
		ts?: string;
		channelType?: ChannelType;
		extra?: Record<string, unknown>;
	},
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	const ts = input.ts ?? nextTs();
	const event: SlackEvent = {
		type: 'message',
		subtype: input.subtype,
		user: input.user,
		text: input.text ?? '',
		ts,
		channel: input.channel,
		event_ts: ts,
		channel_type: input.channelType ?? channelTypeOf(input.channel),
		...(input.extra ?? {}),
	};
	return envelope(event, options);
}

export function channelJoin(
	input: { channel: string; user: string; inviter?: string; ts?: string },
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	return systemMessage(
		{
			subtype: 'channel_join',
			channel: input.channel,
			user: input.user,
			text: `<@${input.user}> has joined the channel`,
			ts: input.ts,
			channelType: 'channel',
			extra: input.inviter ? { inviter: input.inviter } : undefined,
		},
		options,
	);
}

/** me_message (/me does something). */
export function meMessage(
	input: { channel: string; user: string; text: string; ts?: string },
	options: EnvelopeOptions = {},
): SlackEventEnvelope {
	return systemMessage({ subtype: 'me_message', ...input }, options);
}

/** Slack sends this (once a minute at most) when the app got more than 30,000 events in 60 minutes. */
export function appRateLimited(
	input: { minuteRateLimited?: number; teamId?: string; apiAppId?: string; token?: string } = {},
): AppRateLimitedPayload {
	const minute = input.minuteRateLimited ?? Math.floor(Date.now() / 60_000) * 60;
	return {
		token: input.token ?? FIXTURE_IDS.verificationToken,
		type: 'app_rate_limited',
		team_id: input.teamId ?? FIXTURE_IDS.teamId,
		minute_rate_limited: minute,
		api_app_id: input.apiAppId ?? FIXTURE_IDS.appId,
	};
}

export function urlVerification(
	challenge: string,
	token: string = FIXTURE_IDS.verificationToken,
): UrlVerificationPayload {
	return { token, challenge, type: 'url_verification' };
}
