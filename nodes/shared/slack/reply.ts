/**
 * What the Slack DM Reply node posts: message splitting within Slack's limits, pacing per channel,
 * where the reply goes, and the messages for one item. Pure: the node does the HTTP.
 *
 * chat.postMessage: text over 4,000 characters is discouraged and Slack truncates beyond 40,000;
 * one message per second per channel (short bursts tolerated).
 */

/** Slack's recommended maximum for `text`. */
export const SLACK_RECOMMENDED_TEXT_LIMIT = 4000;
/** Slack truncates `text` beyond this. */
export const SLACK_HARD_TEXT_LIMIT = 40000;
/** chat.postMessage allows about one message per second per channel. */
export const SLACK_CHANNEL_POST_INTERVAL_MS = 1000;

const FENCE = '```';

function countFences(text: string): number {
	return text.split(FENCE).length - 1;
}

/** True when `index` falls inside a `<…>` link/mention token (raw `<` never occurs in escaped text otherwise). */
function insideToken(text: string, index: number): boolean {
	const open = text.lastIndexOf('<', index - 1);
	return open !== -1 && text.lastIndexOf('>', index - 1) < open;
}

/** Moves a hard cut back so it splits no surrogate pair, entity (`&amp;`) or `<…>` token. */
function safeHardCut(text: string, cut: number): number {
	let at = cut;
	const open = text.lastIndexOf('<', at - 1);
	if (open > 0 && text.lastIndexOf('>', at - 1) < open) at = open;
	const amp = text.lastIndexOf('&', at - 1);
	if (amp !== -1 && amp > at - 8 && !text.slice(amp, at).includes(';') && /^&[#a-zA-Z0-9]*$/.test(text.slice(amp, at))) at = amp > 0 ? amp : at;
	const code = text.charCodeAt(at - 1);
	if (code >= 0xd800 && code <= 0xdbff) at -= 1;
	return at > 0 ? at : cut;
}

/** The best place to end a chunk within `window`: paragraph, then line, then word, then a hard cut. */
function cutPoint(text: string, window: number): number {
	const slice = text.slice(0, window + 1);
	const floor = Math.floor(window / 2);
	const candidates = [slice.lastIndexOf('\n\n'), slice.lastIndexOf('\n')];
	for (const at of candidates) if (at >= floor && !insideToken(text, at)) return at;
	for (let at = slice.length - 1; at > 0; at--) {
		if ((slice[at] === ' ' || slice[at] === '\n') && !insideToken(text, at)) return at;
	}
	return safeHardCut(text, window);
}

/**
 * Splits mrkdwn into messages of at most `limit` characters. Cuts on paragraph, line or word
 * boundaries; a code block cut in two is closed and reopened so each message stays balanced.
 * Only a single word longer than a whole message is cut inside.
 */
export function splitMrkdwn(text: string, limit = SLACK_RECOMMENDED_TEXT_LIMIT): string[] {
	const max = Math.max(64, Math.min(limit, SLACK_HARD_TEXT_LIMIT));
	const chunks: string[] = [];
	let rest = text.replace(/^\n+|\s+$/g, '');
	while (rest.length > max) {
		// Room for the closing fence the chunk may need.
		const window = max - (FENCE.length + 1);
		const cut = cutPoint(rest, window);
		let chunk = rest.slice(0, cut).replace(/\s+$/, '');
		if (countFences(chunk) % 2 === 1) {
			// Cut inside a code block: keep the code's indentation, close and reopen the fence.
			chunk = `${chunk}\n${FENCE}`;
			rest = `${FENCE}\n${rest.slice(cut).replace(/^ ?\n/, '')}`;
		} else {
			rest = rest.slice(cut).replace(/^[ \n]+/, '');
		}
		if (chunk.trim() && chunk.trim() !== `${FENCE}\n${FENCE}`) chunks.push(chunk);
	}
	if (rest.trim()) chunks.push(rest);
	return chunks;
}

/** How long to wait before posting to a channel that last got a post at `lastPostAt`. */
export function paceDelayMs(lastPostAt: number | undefined, nowMs: number, intervalMs = SLACK_CHANNEL_POST_INTERVAL_MS): number {
	if (lastPostAt === undefined) return 0;
	return Math.max(0, lastPostAt + intervalMs - nowMs);
}

// ---------------------------------------------------------------- destination

export interface ReplyDestination {
	teamId?: string;
	/** The DM channel; when absent, the node opens the DM with `userId` (conversations.open). */
	channelId?: string;
	userId?: string;
	threadTs?: string;
}

function str(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function obj(value: unknown): Record<string, unknown> {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * The destination of an input item: the Zendesk Reply Trigger's `slack` object, or a Slack DM
 * Trigger item (`channel`, `user`, `message.threadTs`), so status notices can follow the inbound flow.
 */
export function destinationFromItem(json: Record<string, unknown>): ReplyDestination {
	const slack = obj(json.slack);
	if (str(slack.channelId) || str(slack.userId)) {
		return {
			teamId: str(slack.teamId),
			channelId: str(slack.channelId),
			userId: str(slack.userId),
			threadTs: str(slack.threadTs),
		};
	}
	const channel = obj(json.channel);
	const user = obj(json.user);
	const message = obj(json.message);
	return {
		teamId: str(json.teamId) ?? str(user.teamId),
		channelId: str(channel.id),
		userId: str(user.id),
		threadTs: str(message.threadTs),
	};
}

/** Slack ids look like this; anything else is refused before it reaches the API. */
export function isSlackId(value: string | undefined, prefixes: string): boolean {
	return value !== undefined && new RegExp(`^[${prefixes}][A-Z0-9]{2,}$`).test(value);
}

export function isSlackTs(value: string | undefined): boolean {
	return value !== undefined && /^\d{6,}\.\d{1,6}$/.test(value);
}

/** A problem with the destination, or undefined when it can be posted to. */
export function destinationProblem(destination: ReplyDestination): string | undefined {
	if (!destination.channelId && !destination.userId) return 'No Slack channel or user to reply to: the item has neither `slack.channelId` nor `slack.userId`';
	if (destination.channelId && !isSlackId(destination.channelId, 'CDG')) return `"${destination.channelId}" is not a Slack conversation id`;
	if (!destination.channelId && !isSlackId(destination.userId, 'UW')) return `"${destination.userId}" is not a Slack user id`;
	if (destination.threadTs && !isSlackTs(destination.threadTs)) return `"${destination.threadTs}" is not a Slack message timestamp`;
	return undefined;
}

// ---------------------------------------------------------------- identity and messages

export type PostAs = 'bot' | 'user';

/** The kind of token in the credential, from its prefix (never the token itself). */
export function tokenKind(accessToken: unknown): PostAs | 'unknown' {
	const token = typeof accessToken === 'string' ? accessToken.trim() : '';
	if (token.startsWith('xoxb-')) return 'bot';
	if (token.startsWith('xoxp-')) return 'user';
	return 'unknown';
}

/** A mismatch between "post as" and the credential's token, or undefined when they agree. */
export function identityProblem(postAs: PostAs, kind: PostAs | 'unknown'): string | undefined {
	if (kind === 'unknown' || kind === postAs) return undefined;
	return postAs === 'user'
		? 'Post As is "Handle User" but the Slack credential holds a bot token (xoxb-): use the handle account\'s user token (xoxp-)'
		: 'Post As is "Bot" but the Slack credential holds a user token (xoxp-): use the app\'s bot token (xoxb-)';
}

export interface BotAppearance {
	/** Shown instead of the bot's name (needs chat:write.customize). */
	username?: string;
	iconUrl?: string;
	iconEmoji?: string;
}

export interface PlannedMessage {
	channel: string;
	text: string;
	thread_ts?: string;
	username?: string;
	icon_url?: string;
	icon_emoji?: string;
	/** Never let Slack turn plain @names into mentions or unfurl agent links into previews of internal pages. */
	link_names: false;
	unfurl_links: false;
	unfurl_media: false;
	mrkdwn: true;
}

/** `*Anna (IT Support):*` as the first line, or nothing when the prefix is empty. */
export function senderPrefixLine(prefix: string | undefined, escape: (text: string) => string): string {
	const trimmed = (prefix ?? '').replace(/\s+/g, ' ').trim();
	if (!trimmed) return '';
	return `*${escape(trimmed).replace(/\*/g, '')}:*`;
}

export function planMessages(input: {
	channel: string;
	threadTs?: string;
	mrkdwn: string;
	prefixLine?: string;
	postAs: PostAs;
	appearance?: BotAppearance;
	limit?: number;
}): PlannedMessage[] {
	const body = input.prefixLine ? (input.mrkdwn ? `${input.prefixLine}\n${input.mrkdwn}` : input.prefixLine) : input.mrkdwn;
	const chunks = splitMrkdwn(body, input.limit);
	const appearance: Partial<PlannedMessage> = {};
	// username/icon are only honoured for bot tokens; a user token posts as the handle itself.
	if (input.postAs === 'bot' && input.appearance) {
		if (input.appearance.username?.trim()) appearance.username = input.appearance.username.trim();
		if (input.appearance.iconUrl?.trim()) appearance.icon_url = input.appearance.iconUrl.trim();
		else if (input.appearance.iconEmoji?.trim()) appearance.icon_emoji = input.appearance.iconEmoji.trim();
	}
	return chunks.map((text) => ({
		channel: input.channel,
		text,
		...(input.threadTs ? { thread_ts: input.threadTs } : {}),
		...appearance,
		link_names: false,
		unfurl_links: false,
		unfurl_media: false,
		mrkdwn: true,
	}));
}

// ---------------------------------------------------------------- status notices

export type NoticeKind = 'ticketCreated' | 'ticketSolved';

/** Which notice an item calls for: Upsert output with a new ticket, or a solved ticket. */
export function noticeKindOf(json: Record<string, unknown>): NoticeKind | undefined {
	const zendesk = obj(json.zendesk);
	const outcome = str(zendesk.outcome);
	if (outcome === 'created' || outcome === 'followUp') return 'ticketCreated';
	const status = str(json.ticketStatus) ?? str(zendesk.status) ?? str(obj(json.ticket).status);
	if (status === 'solved' || status === 'closed') return 'ticketSolved';
	return undefined;
}

export function ticketIdOf(json: Record<string, unknown>): string | undefined {
	const zendesk = obj(json.zendesk);
	const id = json.ticketId ?? zendesk.ticketId ?? obj(zendesk.ticket).id ?? obj(json.ticket).id;
	return typeof id === 'number' || (typeof id === 'string' && id.trim()) ? String(id) : undefined;
}

/** Fills `{ticketId}` in a notice template. The template is admin text, not agent text, but is escaped all the same. */
export function renderNotice(template: string, values: { ticketId?: string }, escape: (text: string) => string): string {
	return escape(template.replace(/\{ticketId\}/g, values.ticketId ?? '').trim());
}
