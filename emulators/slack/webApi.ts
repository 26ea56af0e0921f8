/**
 * The Slack Web API methods this package uses, the external upload URL and private file downloads.
 * Slack conventions: arguments from the query string, a form body or a JSON body; the token from
 * `Authorization: Bearer` (or the `token` form field); errors as HTTP 200 `{ok:false,error}`;
 * HTTP 429 + Retry-After when rate limited; 404 `unknown_method` for anything else under /api.
 */
import { randomBytes } from 'node:crypto';

import type { EmulatorRequest, EmulatorResponse, EmulatorServer } from '../common/server';
import { nextTs, richTextBlocks } from './builders';
import { boundaryOf, parseMultipart } from './multipart';
import type { RateLimiter } from './rateLimits';
import { conversationObject, fileObject, messageObject, teamObject, userObject } from './render';
import type { ChannelRecord, MessageRecord, PostedMessage, SlackWorkspace, TokenRecord } from './state';

/** What the Web API needs from the emulator around it. */
export interface SlackApiHost {
	ws: SlackWorkspace;
	readonly url: string;
	limiter: RateLimiter;
	rateLimits: boolean;
	/** A message was stored by a Web API call; the emulator delivers its events. */
	messagePosted(message: MessageRecord): void;
	/** A message was removed by a Web API call (chat.delete); the emulator delivers message_deleted. */
	messageRemoved(message: MessageRecord): void;
}

/** Slack truncates nothing silently here: longer texts are refused with msg_too_long (see README). */
export const MAX_MESSAGE_TEXT = 40_000;
export const MAX_BLOCKS = 50;

type Params = Record<string, unknown>;

class SlackError extends Error {
	constructor(
		readonly code: string,
		readonly extra: Record<string, unknown> = {},
	) {
		super(code);
	}
}

const ok = (body: Record<string, unknown>): Record<string, unknown> => ({ ok: true, ...body });

interface MethodSpec {
	/** Any one of these scopes is enough; the first is reported as `needed`. */
	scopes: string[];
	handler: (host: SlackApiHost, params: Params, token: TokenRecord) => Record<string, unknown>;
	/** chat.postMessage checks its per-channel limit itself, after resolving the channel. */
	ownRateLimit?: boolean;
}

function str(params: Params, key: string): string | undefined {
	const value = params[key];
	if (value === undefined || value === null || value === '') return undefined;
	return typeof value === 'string' ? value : String(value);
}

function bool(params: Params, key: string): boolean {
	const value = params[key];
	return value === true || value === 'true' || value === '1' || value === 1;
}

function jsonArg(params: Params, key: string, errorCode: string): unknown[] | undefined {
	const value = params[key];
	if (value === undefined || value === null || value === '') return undefined;
	if (Array.isArray(value)) return value;
	if (typeof value === 'string') {
		try {
			const parsed = JSON.parse(value);
			if (Array.isArray(parsed)) return parsed;
		} catch {
			// fall through to the error Slack gives
		}
	}
	throw new SlackError(errorCode);
}

function resolveUser(host: SlackApiHost, userId: string | undefined, token: TokenRecord) {
	if (!userId) throw new SlackError('user_not_found');
	const user = host.ws.users.get(userId);
	if (!user) throw new SlackError('user_not_found');
	if (!host.ws.canSeeUser(user, token)) throw new SlackError('user_not_visible');
	return user;
}

/** chat.* channel argument: a conversation id, a channel name, or a user id (Slack opens the DM). */
function resolveTargetChannel(host: SlackApiHost, channelArg: string | undefined, token: TokenRecord): ChannelRecord {
	if (!channelArg) throw new SlackError('channel_not_found');
	const ws = host.ws;
	if (/^[UW][A-Z0-9]+$/.test(channelArg)) {
		const user = ws.users.get(channelArg);
		if (!user || !ws.canSeeUser(user, token)) throw new SlackError('channel_not_found');
		return ws.channels.get(ws.openDm(token.userId, user.id))!;
	}
	const name = channelArg.replace(/^#/, '');
	const channel =
		ws.channels.get(channelArg) ?? [...ws.channels.values()].find((c) => c.kind === 'channel' && c.name === name);
	if (!channel || !ws.canSee(channel, token)) throw new SlackError('channel_not_found');
	if (!channel.members.includes(token.userId)) throw new SlackError('not_in_channel');
	return channel;
}

function checkRateLimit(host: SlackApiHost, method: string, token: TokenRecord, channel?: string): void {
	if (!host.rateLimits) return;
	const verdict = host.limiter.take(method, token.teamId, channel);
	if (verdict.limited) throw new RateLimited(verdict.retryAfterSeconds);
}

class RateLimited extends Error {
	constructor(readonly retryAfterSeconds: number) {
		super('ratelimited');
	}
}

function postMessage(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const channel = resolveTargetChannel(host, str(params, 'channel'), token);
	checkRateLimit(host, 'chat.postMessage', token, channel.id);
	const text = str(params, 'text');
	const blocks = jsonArg(params, 'blocks', 'invalid_blocks_format');
	const attachments = jsonArg(params, 'attachments', 'invalid_attachments');
	if (!text && !blocks?.length && !attachments?.length) throw new SlackError('no_text');
	if (text && text.length > MAX_MESSAGE_TEXT) throw new SlackError('msg_too_long');
	if (blocks && blocks.length > MAX_BLOCKS) throw new SlackError('invalid_blocks');
	const isBot = token.kind === 'bot';
	const customize = isBot && token.scopes.includes('chat:write.customize');
	const username = customize ? str(params, 'username') : undefined;
	const iconEmoji = customize ? str(params, 'icon_emoji') : undefined;
	const iconUrl = customize ? str(params, 'icon_url') : undefined;
	const threadTs = str(params, 'thread_ts');
	const message = host.ws.storeMessage({
		channel: channel.id,
		user: token.userId,
		bot_id: isBot ? token.botId : undefined,
		app_id: token.appId,
		text: text ?? '',
		blocks: blocks ?? (isBot ? undefined : richTextBlocks(text ?? '')),
		attachments,
		thread_ts: threadTs,
		username,
		icons: iconEmoji ? { emoji: iconEmoji } : iconUrl ? { image_64: iconUrl } : undefined,
		team: token.teamId,
	});
	recordPosted(host, params, token, {
		method: 'chat.postMessage',
		channel: channel.id,
		ts: message.ts,
		thread_ts: threadTs,
		text: text ?? '',
		blocks,
		attachments,
	});
	host.messagePosted(message);
	return ok({ channel: channel.id, ts: message.ts, message: messageObject(host.ws, message, host.url) });
}

/**
 * chat.delete (https://docs.slack.dev/reference/methods/chat.delete): removes a message of the
 * conversation. A bot token deletes only what its own bot posted, a user token only that user's
 * own messages (deleting other people's needs an admin, which the emulator has none of):
 * otherwise cant_delete_message. Answers { ok, channel, ts }; the conversation's apps receive
 * message_deleted.
 */
function chatDelete(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const channelId = str(params, 'channel');
	const ts = str(params, 'ts');
	const channel = channelId ? host.ws.channels.get(channelId) : undefined;
	if (!channel || !host.ws.canSee(channel, token)) throw new SlackError('channel_not_found');
	const message = ts ? host.ws.findMessage(channel.id, ts) : undefined;
	if (!message) throw new SlackError('message_not_found');
	const own = token.kind === 'bot' ? message.bot_id === token.botId : message.user === token.userId && !message.bot_id;
	if (!own) throw new SlackError('cant_delete_message');
	host.ws.removeMessage(channel.id, message.ts);
	host.messageRemoved(message);
	return ok({ channel: channel.id, ts: message.ts });
}

/** Records a chat.postMessage / chat.postEphemeral for tests to inspect: who posted, the customisation asked for, the arguments without the token. */
function recordPosted(
	host: SlackApiHost,
	params: Params,
	token: TokenRecord,
	posted: Pick<
		PostedMessage,
		'method' | 'channel' | 'ts' | 'thread_ts' | 'text' | 'blocks' | 'attachments' | 'ephemeralTo'
	>,
): void {
	const { token: _omit, ...rest } = params;
	host.ws.postedMessages.push({
		...posted,
		username: str(params, 'username'),
		icon_emoji: str(params, 'icon_emoji'),
		icon_url: str(params, 'icon_url'),
		user: token.userId,
		bot_id: token.kind === 'bot' ? token.botId : undefined,
		app_id: token.appId,
		tokenKind: token.kind,
		params: rest,
	});
}

function postEphemeral(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const channel = resolveTargetChannel(host, str(params, 'channel'), token);
	const userId = str(params, 'user');
	if (!userId || !host.ws.users.has(userId)) throw new SlackError('user_not_found');
	if (!channel.members.includes(userId)) throw new SlackError('user_not_in_channel');
	const text = str(params, 'text');
	const blocks = jsonArg(params, 'blocks', 'invalid_blocks_format');
	const attachments = jsonArg(params, 'attachments', 'invalid_attachments');
	if (!text && !blocks?.length && !attachments?.length) throw new SlackError('no_text');
	if (text && text.length > MAX_MESSAGE_TEXT) throw new SlackError('msg_too_long');
	const ts = nextTs();
	recordPosted(host, params, token, {
		method: 'chat.postEphemeral',
		channel: channel.id,
		ts,
		thread_ts: str(params, 'thread_ts'),
		text: text ?? '',
		blocks,
		attachments,
		ephemeralTo: userId,
	});
	return ok({ message_ts: ts });
}

function conversationsOpen(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const ws = host.ws;
	const channelArg = str(params, 'channel');
	const returnIm = bool(params, 'return_im');
	const answer = (channel: ChannelRecord, existed: boolean) =>
		ok({
			...(existed ? { no_op: true, already_open: true } : {}),
			channel: returnIm ? conversationObject(ws, channel, token) : { id: channel.id },
		});
	if (channelArg) {
		const channel = ws.channels.get(channelArg);
		if (!channel || (channel.kind !== 'im' && channel.kind !== 'mpim') || !channel.members.includes(token.userId)) {
			throw new SlackError('channel_not_found');
		}
		return answer(channel, true);
	}
	const userIds = (str(params, 'users') ?? '')
		.split(',')
		.map((u) => u.trim())
		.filter(Boolean);
	if (userIds.length === 0) throw new SlackError('users_list_not_supplied');
	if (userIds.length > 8) throw new SlackError('too_many_users');
	const users = userIds.map((id) => resolveUser(host, id, token));
	const others = users.filter((u) => u.id !== token.userId);
	if (others.length <= 1) {
		const other = others[0] ?? users[0];
		if (other.isBot && token.kind === 'bot' && other.id !== token.userId) throw new SlackError('cannot_dm_bot');
		const existing = ws.findDm(token.userId, other.id);
		const id = existing ?? ws.openDm(token.userId, other.id);
		return answer(ws.channels.get(id)!, Boolean(existing));
	}
	const before = ws.channels.size;
	const id = ws.openGroupDm([token.userId, ...others.map((u) => u.id)]);
	return answer(ws.channels.get(id)!, ws.channels.size === before);
}

function conversationsInfo(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const id = str(params, 'channel');
	const channel = id ? host.ws.channels.get(id) : undefined;
	if (!channel || !host.ws.canSee(channel, token)) throw new SlackError('channel_not_found');
	return ok({
		channel: conversationObject(host.ws, channel, token, { numMembers: bool(params, 'include_num_members') }),
	});
}

/** Which read scope a conversation of each kind needs (conversations.members, conversations.info). */
const READ_SCOPE: Record<ChannelRecord['kind'], string> = {
	channel: 'channels:read',
	group: 'groups:read',
	im: 'im:read',
	mpim: 'mpim:read',
};

/**
 * The conversation named by `channel` that the token can see and may read with the scope its kind
 * needs (`scopes`: READ_SCOPE or HISTORY_SCOPE): `channel_not_found`, else `missing_scope`.
 */
function visibleConversation(
	host: SlackApiHost,
	params: Params,
	token: TokenRecord,
	scopes: Record<ChannelRecord['kind'], string>,
): ChannelRecord {
	const id = str(params, 'channel');
	const channel = id ? host.ws.channels.get(id) : undefined;
	if (!channel || !host.ws.canSee(channel, token)) throw new SlackError('channel_not_found');
	const needed = scopes[channel.kind];
	if (!token.scopes.includes(needed))
		throw new SlackError('missing_scope', { needed, provided: token.scopes.join(',') });
	return channel;
}

/**
 * conversations.members: member ids, paginated (limit default 100, at most 1000; an opaque
 * `next_cursor`, empty on the last page). The conversation's own read scope is required.
 */
function conversationsMembers(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const channel = visibleConversation(host, params, token, READ_SCOPE);
	const rawLimit = Number(str(params, 'limit') ?? 100);
	const limit = Number.isFinite(rawLimit) && rawLimit > 0 ? Math.min(Math.floor(rawLimit), 1000) : 100;
	const cursor = str(params, 'cursor');
	let offset = 0;
	if (cursor) {
		const decoded = /^members:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
		if (!decoded) throw new SlackError('invalid_cursor');
		offset = Number(decoded[1]);
	}
	const members = channel.members.slice(offset, offset + limit);
	const next =
		offset + limit < channel.members.length ? Buffer.from(`members:${offset + limit}`).toString('base64') : '';
	return ok({ members, response_metadata: { next_cursor: next } });
}

const LIST_TYPES: Record<string, ChannelRecord['kind']> = {
	public_channel: 'channel',
	private_channel: 'group',
	im: 'im',
	mpim: 'mpim',
};

/**
 * conversations.list: the conversations of the requested `types` (default public_channel) the
 * token can see: every public channel of its workspace, private ones it is in. Each type needs its
 * read scope (https://api.slack.com/methods/conversations.list). Paginated like
 * conversations.members (limit default 100, at most 1000, opaque `next_cursor`). The emulator
 * archives nothing, so `exclude_archived` changes nothing.
 */
function conversationsList(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const requested = (str(params, 'types') ?? 'public_channel')
		.split(',')
		.map((t) => t.trim())
		.filter(Boolean);
	const kinds = requested.map((type) => LIST_TYPES[type]);
	if (kinds.some((kind) => kind === undefined)) throw new SlackError('invalid_types');
	for (const kind of kinds) {
		const needed = READ_SCOPE[kind];
		if (!token.scopes.includes(needed))
			throw new SlackError('missing_scope', { needed, provided: token.scopes.join(',') });
	}
	const visible = [...host.ws.channels.values()].filter(
		(channel) => kinds.includes(channel.kind) && channel.teamId === token.teamId && host.ws.canSee(channel, token),
	);
	const { page, next } = cursorPage(visible, params, 'channels', 100);
	return ok({
		channels: page.map((channel) => conversationObject(host.ws, channel, token)),
		response_metadata: { next_cursor: next },
	});
}

/**
 * One page of a cursor-paged list: `limit` (the method's default when absent, at most 1000) from
 * the opaque `cursor` on; `next` is empty on the last page. A cursor this list did not issue is
 * `invalid_cursor`.
 */
function cursorPage<T>(items: T[], params: Params, kind: string, defaultLimit: number): { page: T[]; next: string } {
	const rawLimit = Number(str(params, 'limit') ?? defaultLimit);
	const limit = Number.isFinite(rawLimit) && rawLimit > 0 ? Math.min(Math.floor(rawLimit), 1000) : defaultLimit;
	const cursor = str(params, 'cursor');
	let offset = 0;
	if (cursor) {
		const decoded = new RegExp(`^${kind}:(\\d+)$`).exec(Buffer.from(cursor, 'base64').toString('utf8'));
		if (!decoded) throw new SlackError('invalid_cursor');
		offset = Number(decoded[1]);
	}
	const next = offset + limit < items.length ? Buffer.from(`${kind}:${offset + limit}`).toString('base64') : '';
	return { page: items.slice(offset, offset + limit), next };
}

/** Which history scope a conversation of each kind needs (conversations.history). */
const HISTORY_SCOPE: Record<ChannelRecord['kind'], string> = {
	channel: 'channels:history',
	group: 'groups:history',
	im: 'im:history',
	mpim: 'mpim:history',
};

/**
 * conversations.history (https://docs.slack.dev/reference/methods/conversations.history): the
 * conversation's messages newest first, thread replies left out (they are in conversations.replies),
 * `oldest`/`latest` exclusive unless `inclusive`, paged by cursor (limit default 100, at most 999).
 * The conversation's own history scope is required.
 */
function conversationsHistory(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const channel = visibleConversation(host, params, token, HISTORY_SCOPE);
	const inRange = tsRange(params);
	const messages = host.ws
		.messagesIn(channel.id)
		.filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')
		.filter((m) => inRange(Number(m.ts)))
		.sort((a, b) => Number(b.ts) - Number(a.ts));
	const { page, next } = cursorPage(
		messages,
		{ ...params, limit: Math.min(Number(str(params, 'limit') ?? 100), 999) },
		'history',
		100,
	);
	return ok({
		messages: page.map((m) => messageObject(host.ws, m, host.url)),
		has_more: next !== '',
		pin_count: 0,
		channel_actions_ts: null,
		channel_actions_count: 0,
		...(next ? { response_metadata: { next_cursor: next } } : {}),
	});
}

/** `oldest`/`latest` of a history read: exclusive unless `inclusive`. */
function tsRange(params: Params): (ts: number) => boolean {
	const inclusive = bool(params, 'inclusive');
	const oldest = Number(str(params, 'oldest') ?? 0);
	const latest = Number(str(params, 'latest') ?? Number.POSITIVE_INFINITY);
	return (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
}

/**
 * conversations.replies (https://docs.slack.dev/reference/methods/conversations.replies): a thread,
 * the parent message first, then its replies oldest first; `oldest`/`latest` as in
 * conversations.history. ASSUMPTION: the parent comes first whatever the range (Slack's reference
 * says "a message plus all the messages in reply to it"; its 2021 schema lists the parent's shape
 * first); a `ts` that is no message of the conversation is `thread_not_found` (an error the
 * reference lists). The conversation's history scope is required.
 */
function conversationsReplies(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const channel = visibleConversation(host, params, token, HISTORY_SCOPE);
	const threadTs = str(params, 'ts');
	const all = host.ws.messagesIn(channel.id);
	const parent = all.find((m) => m.ts === threadTs);
	if (!threadTs || !parent) throw new SlackError('thread_not_found');
	const inRange = tsRange(params);
	const replies = all
		.filter((m) => m.thread_ts === threadTs && m.ts !== threadTs && inRange(Number(m.ts)))
		.sort((a, b) => Number(a.ts) - Number(b.ts));
	const { page, next } = cursorPage([parent, ...replies], params, 'replies', 1000);
	return ok({
		messages: page.map((m) => messageObject(host.ws, m, host.url)),
		has_more: next !== '',
		...(next ? { response_metadata: { next_cursor: next } } : {}),
	});
}

/**
 * users.list: the members of the token's own team (deleted ones too, marked, as Slack lists them),
 * paged by cursor. https://api.slack.com/methods/users.list
 */
function usersList(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const members = [...host.ws.users.values()].filter((user) => user.teamId === token.teamId);
	const { page, next } = cursorPage(members, params, 'users', 1000);
	return ok({
		members: page.map((user) => userObject(host.ws, user, token)),
		cache_ts: Math.floor(Date.now() / 1000),
		response_metadata: { next_cursor: next },
	});
}

function reactionsAdd(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const channelId = str(params, 'channel');
	const ts = str(params, 'timestamp');
	const name = str(params, 'name');
	if (!channelId || !ts) throw new SlackError('no_item_specified');
	if (!name || /[:\s]/.test(name)) throw new SlackError('invalid_name');
	const channel = host.ws.channels.get(channelId);
	if (!channel || !host.ws.canSee(channel, token)) throw new SlackError('channel_not_found');
	if (!host.ws.findMessage(channelId, ts)) throw new SlackError('message_not_found');
	if (
		host.ws.reactions.some((r) => r.channel === channelId && r.ts === ts && r.name === name && r.user === token.userId)
	) {
		throw new SlackError('already_reacted');
	}
	host.ws.reactions.push({ channel: channelId, ts, name, user: token.userId });
	return ok({});
}

function filesInfo(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const id = str(params, 'file');
	const file = id ? host.ws.files.get(id) : undefined;
	if (!file || file.pendingUpload || !host.ws.canAccessFile(file, token)) throw new SlackError('file_not_found');
	return ok({
		file: fileObject(host.ws, host.url, file),
		comments: [],
		paging: { count: 100, total: 0, page: 1, pages: 0 },
	});
}

/** Upload keys of pending external uploads, by key (the upload URL's last segment). */
const uploadKeys = new WeakMap<SlackWorkspace, Map<string, string>>();

function keysOf(ws: SlackWorkspace): Map<string, string> {
	let keys = uploadKeys.get(ws);
	if (!keys) {
		keys = new Map();
		uploadKeys.set(ws, keys);
	}
	return keys;
}

function getUploadUrlExternal(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const filename = str(params, 'filename');
	const length = Number(str(params, 'length'));
	if (!filename)
		throw new SlackError('invalid_arguments', {
			response_metadata: { messages: ['[ERROR] missing required field: filename'] },
		});
	if (!Number.isInteger(length) || length < 0) {
		throw new SlackError('invalid_arguments', {
			response_metadata: { messages: ['[ERROR] missing required field: length'] },
		});
	}
	const file = host.ws.addFileRecord({
		ownerId: token.userId,
		teamId: token.teamId,
		name: filename,
		content: Buffer.alloc(0),
	});
	file.pendingUpload = { declaredLength: length, uploaded: false, altText: str(params, 'alt_txt') };
	const key = `${randomBytes(12).toString('base64url')}`;
	keysOf(host.ws).set(key, file.id);
	return ok({ upload_url: `${host.url}/upload/v1/${key}`, file_id: file.id });
}

function completeUploadExternal(host: SlackApiHost, params: Params, token: TokenRecord): Record<string, unknown> {
	const ws = host.ws;
	const entries = jsonArg(params, 'files', 'invalid_arguments') as Array<{ id?: string; title?: string }> | undefined;
	if (!entries?.length) throw new SlackError('invalid_arguments');
	const files = entries.map((entry) => {
		const file = entry.id ? ws.files.get(entry.id) : undefined;
		if (!file || !file.pendingUpload?.uploaded || file.ownerId !== token.userId) throw new SlackError('file_not_found');
		return { file, title: entry.title };
	});
	const channelArg = str(params, 'channel_id') ?? str(params, 'channels')?.split(',')[0];
	const channel = channelArg ? resolveTargetChannel(host, channelArg, token) : undefined;
	const threadTs = str(params, 'thread_ts');
	const initialComment = str(params, 'initial_comment');
	for (const { file, title } of files) {
		file.title = title ?? file.name;
		delete file.pendingUpload;
	}
	let message: MessageRecord | undefined;
	if (channel) {
		message = ws.storeMessage({
			channel: channel.id,
			subtype: 'file_share',
			user: token.userId,
			bot_id: token.kind === 'bot' ? token.botId : undefined,
			app_id: token.appId,
			text: initialComment ?? '',
			files: files.map((f) => f.file.id),
			upload: true,
			thread_ts: threadTs,
			team: token.teamId,
		});
		for (const { file } of files)
			file.shares.push({ channel: channel.id, ts: message.ts, threadTs, userId: token.userId });
	}
	for (const { file } of files) {
		ws.uploadedFiles.push({
			fileId: file.id,
			filename: file.name,
			title: file.title,
			bytes: file.content,
			mimetype: file.mimetype,
			userId: token.userId,
			channel: channel?.id,
			thread_ts: threadTs,
			initial_comment: initialComment,
			messageTs: message?.ts,
		});
	}
	if (message) host.messagePosted(message);
	return ok({ files: files.map(({ file }) => ({ id: file.id, title: file.title })) });
}

export const WEB_API_METHODS: Record<string, MethodSpec> = {
	'auth.test': {
		scopes: [],
		handler: (host, _params, token) => {
			const team = host.ws.teams.get(token.teamId)!;
			const user = host.ws.users.get(token.userId)!;
			return ok({
				url: `https://${team.domain}.slack.com/`,
				team: team.name,
				user: user.name,
				team_id: team.id,
				user_id: user.id,
				...(token.kind === 'bot' ? { bot_id: token.botId } : {}),
				is_enterprise_install: false,
			});
		},
	},
	'users.info': {
		scopes: ['users:read'],
		handler: (host, params, token) => {
			const user = resolveUser(host, str(params, 'user'), token);
			const object = userObject(host.ws, user, token);
			if (bool(params, 'include_locale')) object.locale = 'en-US';
			return ok({ user: object });
		},
	},
	'users.list': { scopes: ['users:read'], handler: usersList },
	'team.info': {
		scopes: ['team:read'],
		handler: (host, params, token) => {
			const teamId = str(params, 'team') ?? token.teamId;
			const team = host.ws.teams.get(teamId);
			if (!team || !team.connected) throw new SlackError('team_not_found');
			return ok({ team: teamObject(team, token) });
		},
	},
	'conversations.open': { scopes: ['im:write', 'mpim:write'], handler: conversationsOpen },
	'conversations.info': {
		scopes: ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
		handler: conversationsInfo,
	},
	'conversations.members': {
		scopes: ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
		handler: conversationsMembers,
	},
	'conversations.list': {
		scopes: ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
		handler: conversationsList,
	},
	'conversations.history': {
		scopes: ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
		handler: conversationsHistory,
	},
	'conversations.replies': {
		scopes: ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
		handler: conversationsReplies,
	},
	'chat.postMessage': { scopes: ['chat:write'], handler: postMessage, ownRateLimit: true },
	'chat.delete': { scopes: ['chat:write'], handler: chatDelete },
	'chat.postEphemeral': { scopes: ['chat:write'], handler: postEphemeral },
	'reactions.add': { scopes: ['reactions:write'], handler: reactionsAdd },
	'files.info': { scopes: ['files:read'], handler: filesInfo },
	'files.getUploadURLExternal': { scopes: ['files:write'], handler: getUploadUrlExternal },
	'files.completeUploadExternal': { scopes: ['files:write'], handler: completeUploadExternal },
};

function bearer(req: EmulatorRequest): string | undefined {
	const header = req.headers.authorization;
	const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
	return match?.[1];
}

/** Arguments as Slack reads them: query string plus form or JSON body. */
export function apiParams(req: EmulatorRequest): { params: Params; isJson: boolean; tokenFromBody?: string } {
	const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
	const isJson = contentType.includes('application/json');
	const params: Params = Object.fromEntries(req.query);
	let body = req.body;
	if (contentType.includes('multipart/form-data')) {
		const boundary = boundaryOf(contentType);
		body = {};
		for (const part of boundary ? parseMultipart(req.rawBody, boundary) : []) {
			if (part.name && !part.filename) body[part.name] = part.data.toString('utf8');
		}
	}
	Object.assign(params, body);
	delete params.__invalidJson;
	// Slack reads `token` from form bodies, never from a JSON body.
	const tokenFromBody = !isJson && typeof body.token === 'string' ? body.token : undefined;
	return { params, isJson, tokenFromBody };
}

function apiResponse(
	body: Record<string, unknown>,
	headers: Record<string, string> = {},
	status = 200,
): EmulatorResponse {
	return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body };
}

export function handleApiCall(host: SlackApiHost, method: string, req: EmulatorRequest): EmulatorResponse {
	const spec = WEB_API_METHODS[method];
	if (!spec) return apiResponse({ ok: false, error: 'unknown_method', req_method: method }, {}, 404);
	if (req.body.__invalidJson) return apiResponse({ ok: false, error: 'invalid_json' });
	const { params, isJson, tokenFromBody } = apiParams(req);
	const tokenValue = bearer(req) ?? tokenFromBody;
	if (!tokenValue) return apiResponse({ ok: false, error: 'not_authed' });
	const token = host.ws.tokens.get(tokenValue);
	if (!token) return apiResponse({ ok: false, error: 'invalid_auth' });
	const headers: Record<string, string> = {
		'X-OAuth-Scopes': token.scopes.join(','),
		'X-Accepted-OAuth-Scopes': spec.scopes.join(','),
	};
	if (spec.scopes.length > 0 && !spec.scopes.some((s) => token.scopes.includes(s))) {
		return apiResponse(
			{ ok: false, error: 'missing_scope', needed: spec.scopes[0], provided: token.scopes.join(',') },
			headers,
		);
	}
	try {
		if (!spec.ownRateLimit) checkRateLimit(host, method, token);
		const body = spec.handler(host, params, token);
		const charset = String(req.headers['content-type'] ?? '').toLowerCase();
		if (isJson && !charset.includes('charset')) {
			body.warning = 'missing_charset';
			body.response_metadata = { warnings: ['missing_charset'] };
		}
		return apiResponse(body, headers);
	} catch (error) {
		if (error instanceof RateLimited) {
			return apiResponse(
				{ ok: false, error: 'ratelimited' },
				{ ...headers, 'Retry-After': String(error.retryAfterSeconds) },
				429,
			);
		}
		if (error instanceof SlackError) return apiResponse({ ok: false, error: error.code, ...error.extra }, headers);
		throw error;
	}
}

const LOGIN_PAGE = (team: string) =>
	`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in | Slack</title></head>` +
	`<body><h1>Sign in to ${team}</h1><form method="post" action="/"><input type="email" name="email"><button>Sign In</button></form></body></html>`;

/** url_private(_download): Bearer token required; without one Slack redirects to its sign-in page. */
export function handleFileDownload(host: SlackApiHost, req: EmulatorRequest, download: boolean): EmulatorResponse {
	const tokenValue = bearer(req);
	const token = tokenValue ? host.ws.tokens.get(tokenValue) : undefined;
	if (!token) {
		return {
			status: 302,
			headers: {
				Location: `${host.url}/?redirect=${encodeURIComponent(req.path)}`,
				'Content-Type': 'text/html; charset=utf-8',
			},
			body: LOGIN_PAGE(host.ws.teams.get(host.ws.homeTeamId)?.name ?? 'Slack'),
		};
	}
	const fileId = (req.params.teamFile ?? '').split('-').pop() ?? '';
	const file = host.ws.files.get(fileId);
	if (!file || file.pendingUpload || !host.ws.canAccessFile(file, token) || !token.scopes.includes('files:read')) {
		return {
			status: 404,
			headers: { 'Content-Type': 'text/html; charset=utf-8' },
			body: '<!DOCTYPE html><html><body>File not found</body></html>',
		};
	}
	return {
		status: 200,
		headers: {
			'Content-Type': file.mimetype,
			'Content-Length': String(file.content.length),
			// Header values must be Latin-1: non-ASCII names go in RFC 6266's filename*, as Slack sends them.
			'Content-Disposition': `${download ? 'attachment' : 'inline'}; filename="${file.name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
		},
		body: file.content,
	};
}

export function handleLoginPage(host: SlackApiHost): EmulatorResponse {
	return {
		status: 200,
		headers: { 'Content-Type': 'text/html; charset=utf-8' },
		body: LOGIN_PAGE(host.ws.teams.get(host.ws.homeTeamId)?.name ?? 'Slack'),
	};
}

/** The upload URL files.getUploadURLExternal hands out: raw bytes or multipart/form-data, no token needed. */
export function handleUpload(host: SlackApiHost, req: EmulatorRequest): EmulatorResponse {
	const fileId = keysOf(host.ws).get(req.params.key ?? '');
	const file = fileId ? host.ws.files.get(fileId) : undefined;
	if (!file || !file.pendingUpload)
		return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not Found' };
	const contentType = String(req.headers['content-type'] ?? '');
	let bytes = req.rawBody;
	if (contentType.toLowerCase().includes('multipart/form-data')) {
		const parts = parseMultipart(req.rawBody, boundaryOf(contentType) ?? '');
		const part = parts.find((p) => p.filename !== undefined) ?? parts[0];
		if (!part) return { status: 400, headers: { 'Content-Type': 'text/plain' }, body: 'Bad Request' };
		bytes = part.data;
	}
	file.content = Buffer.from(bytes);
	file.pendingUpload.uploaded = true;
	return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: `OK - ${bytes.length}` };
}

export function registerWebApi(server: EmulatorServer, host: SlackApiHost): void {
	for (const method of Object.keys(WEB_API_METHODS)) {
		for (const verb of ['GET', 'POST'])
			server.route(verb, `/api/${method}`, (req) => handleApiCall(host, method, req), method);
	}
	for (const verb of ['GET', 'POST'])
		server.route(verb, '/api/:method', (req) => handleApiCall(host, req.params.method, req), 'unknown_method');
	server.route('POST', '/upload/v1/:key', (req) => handleUpload(host, req), 'files.upload_url');
	server.route(
		'GET',
		'/files-pri/:teamFile/download/:name',
		(req) => handleFileDownload(host, req, true),
		'files.download',
	);
	server.route('GET', '/files-pri/:teamFile/:name', (req) => handleFileDownload(host, req, false), 'files.download');
	server.route('GET', '/', () => handleLoginPage(host), 'login.page');
	server.route('GET', '/files/:user/:id/:name', () => handleLoginPage(host), 'files.permalink');
}
