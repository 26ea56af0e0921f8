/**
 * What the Slack DM Reply node posts: message splitting within Slack's limits, pacing per channel,
 * where the reply goes, and the messages for one item. Pure: the node does the HTTP.
 *
 * chat.postMessage: text over 4,000 characters is discouraged and Slack truncates beyond 40,000;
 * one message per second per channel (short bursts tolerated).
 */

import type { PaceLimit } from '../../shared/state/pacer';
import { recordOrEmpty, trimmedText } from '../../shared/values';

/** Slack's recommended maximum for `text`. */
export const SLACK_RECOMMENDED_TEXT_LIMIT = 4000;
/** Slack truncates `text` beyond this. */
export const SLACK_HARD_TEXT_LIMIT = 40000;
/** chat.postMessage allows about one message per second per channel. */
export const SLACK_CHANNEL_POST_INTERVAL_MS = 1000;

const FENCE = '```';
const REOPEN = `${FENCE}\n`;
const CLOSE = `\n${FENCE}`;

/** One message of a split: a slice of the text, plus the fence markers the split itself adds. */
export interface MrkdwnSegment {
	/** The text continues a code block opened in an earlier message: the message starts with a fence. */
	reopensFence: boolean;
	/** The exact slice of the text; the slices of all segments concatenate to the text split. */
	body: string;
	/** The slice ends inside a code block: the message ends with a fence. */
	closesFence: boolean;
}

/** `<url|label>` tokens longer than `window` become `label <url>` (or the bare URL), so the URL is never cut. */
export function degradeOverlongLinks(text: string, window: number): string {
	return text.replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (token, url: string, label: string | undefined) => {
		if (token.length <= window) return token;
		const link = url.length + 2 <= window ? `<${url}>` : url;
		return label ? `${label} ${link}` : link;
	});
}

/**
 * Where a message may end (index = cut before that character): grapheme boundaries (so no
 * surrogate pair, ZWJ sequence or combining mark is split) outside `<…>` tokens, entities and
 * fences. Index 0 and text.length are always allowed.
 */
function cutAllowed(text: string): Uint8Array {
	const allowed = new Uint8Array(text.length + 1);
	for (const { index } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) allowed[index] = 1;
	allowed[text.length] = 1;
	for (const pattern of [/<[^<>]*>/g, /&[#a-zA-Z0-9]+;/g, /```/g]) {
		for (const match of text.matchAll(pattern)) {
			const start = match.index ?? 0;
			for (let at = start + 1; at < start + match[0].length; at++) allowed[at] = 0;
		}
	}
	return allowed;
}

/** Code-point boundary at or before `at` (only used when nothing better exists). */
function codePointCut(text: string, at: number): number {
	const code = text.charCodeAt(at - 1);
	return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

/**
 * The end of the next message within (start, start + window]: after a paragraph, then a line
 * (both only in the second half of the window), then after any space, then the furthest allowed
 * cut, then a code-point boundary. Always greater than `start`, so every step consumes text.
 */
function nextCut(text: string, allowed: Uint8Array, start: number, window: number): number {
	const end = Math.min(text.length, start + window);
	const half = start + Math.floor(window / 2);
	const after = (test: (at: number) => boolean, floor: number): number | undefined => {
		for (let at = end; at > floor; at--) if (allowed[at] && test(at)) return at;
		return undefined;
	};
	return (
		after((at) => text[at - 1] === '\n' && text[at - 2] === '\n', half) ??
		after((at) => text[at - 1] === '\n', half) ??
		after((at) => text[at - 1] === ' ' || text[at - 1] === '\n', start) ??
		after(() => true, start) ??
		Math.max(start + 1, codePointCut(text, end))
	);
}

function fenceStartsOf(text: string): number[] {
	return [...text.matchAll(/```/g)].map((match) => match.index ?? 0);
}

/**
 * Splits mrkdwn into segments whose messages (`messageOfSegment`) have at most `limit`
 * characters. Terminates: every segment holds at least one character of the text. Cuts after
 * paragraphs, lines or words; a code block cut in two is closed and reopened so each message is
 * balanced; `<…>` tokens, entities and grapheme clusters are not cut (a link longer than a whole
 * message is first degraded by `degradeOverlongLinks`, which is why `source` is returned).
 */
export function segmentMrkdwn(
	text: string,
	limit = SLACK_RECOMMENDED_TEXT_LIMIT,
): { source: string; segments: MrkdwnSegment[] } {
	const max = Math.max(64, Math.min(limit, SLACK_HARD_TEXT_LIMIT));
	const fences = fenceStartsOf(text);
	if (text.length + (fences.length % 2 === 1 ? CLOSE.length : 0) <= max) {
		return { source: text, segments: [{ reopensFence: false, body: text, closesFence: fences.length % 2 === 1 }] };
	}
	// Room for a reopening and a closing fence in every message.
	const window = max - REOPEN.length - CLOSE.length;
	const source = degradeOverlongLinks(text, window);
	const allowed = cutAllowed(source);
	const fenceStarts = fenceStartsOf(source);
	const fencesBefore = (at: number) => fenceStarts.filter((start) => start + FENCE.length <= at).length;
	const segments: MrkdwnSegment[] = [];
	let start = 0;
	while (start < source.length) {
		const reopensFence = fencesBefore(start) % 2 === 1;
		let cut = source.length - start <= window ? source.length : nextCut(source, allowed, start, window);
		if (fencesBefore(cut) % 2 === 1) {
			// Do not end a message on a fence that only opens a block: it starts the next one instead.
			const opener = fenceStarts.filter((at) => at + FENCE.length <= cut).pop() as number;
			if (opener > start && !source.slice(opener + FENCE.length, cut).trim() && source.slice(start, opener).trim())
				cut = opener;
		}
		segments.push({ reopensFence, body: source.slice(start, cut), closesFence: fencesBefore(cut) % 2 === 1 });
		start = cut;
	}
	return { source, segments };
}

/** The Slack message of a segment: its slice without the whitespace at the cut, and the fences it needs. */
export function messageOfSegment(segment: MrkdwnSegment): string {
	const body = segment.body.replace(/^\n+/, '').replace(/\s+$/, '');
	return `${segment.reopensFence ? REOPEN : ''}${body}${segment.closesFence ? CLOSE : ''}`;
}

/**
 * Splits mrkdwn into messages of at most `limit` characters (see `segmentMrkdwn`). Messages that
 * would hold nothing but fences and whitespace are left out.
 */
export function splitMrkdwn(text: string, limit = SLACK_RECOMMENDED_TEXT_LIMIT): string[] {
	const { segments } = segmentMrkdwn(text.replace(/^\n+|\s+$/g, ''), limit);
	return segments.map(messageOfSegment).filter((message) => message.split(FENCE).join('').trim() !== '');
}

/** The pacing key: Slack's limit is per app token and channel, and the token is only known by its digest. */
export function paceKey(credentialDigest: string, channel: string): string {
	return `${credentialDigest}:${channel}`;
}

/**
 * The Pacer limit of a post into a channel: one start per interval per (token digest, channel).
 * The Pacer queues concurrent posters in arrival order, one interval apart.
 */
export function channelPostLimits(credentialDigest: string, channel: string): PaceLimit[] {
	return [{ key: paceKey(credentialDigest, channel), limit: 1, windowMs: SLACK_CHANNEL_POST_INTERVAL_MS }];
}

// ---------------------------------------------------------------- destination

export interface ReplyDestination {
	teamId?: string;
	/** The DM channel; when absent, the node opens the DM with `userId` (conversations.open). */
	channelId?: string;
	userId?: string;
	threadTs?: string;
}

const str = trimmedText;
const obj = recordOrEmpty;

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
	if (!destination.channelId && !destination.userId)
		return 'No Slack channel or user to reply to: the item has neither `slack.channelId` nor `slack.userId`';
	if (destination.channelId && !isSlackId(destination.channelId, 'CDG'))
		return `"${destination.channelId}" is not a Slack conversation id`;
	if (!destination.channelId && !isSlackId(destination.userId, 'UW'))
		return `"${destination.userId}" is not a Slack user id`;
	if (destination.threadTs && !isSlackTs(destination.threadTs))
		return `"${destination.threadTs}" is not a Slack message timestamp`;
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
	const body = input.prefixLine
		? input.mrkdwn
			? `${input.prefixLine}\n${input.mrkdwn}`
			: input.prefixLine
		: input.mrkdwn;
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
export function renderNotice(
	template: string,
	values: { ticketId?: string },
	escape: (text: string) => string,
): string {
	// Zendesk messaging items name no ticket: "request #{ticketId} has" becomes "request has".
	const filled = values.ticketId
		? template.replace(/\{ticketId\}/g, values.ticketId)
		: template.replace(/ ?#?\{ticketId\}/g, '');
	return escape(filled.trim());
}

/**
 * A Zendesk Reply Trigger item that only says a ticket was solved (its Zendesk messaging source,
 * event `ticketSolved`): no comment to post, only the solved notice when it is asked for.
 */
export function isSolvedEventItem(json: Record<string, unknown>): boolean {
	return json.event === 'ticketSolved' && json.comment === undefined;
}
