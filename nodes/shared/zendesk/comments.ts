/**
 * Comment texts and the exactly-once marker of the Zendesk Messaging Upsert node. Pure.
 *
 * The marker: every ticket create/update this package sends carries the idempotency keys of the
 * Slack messages in it as custom audit metadata (`ticket.metadata`, stored by Zendesk on the
 * audit, up to 1 KB). Reading recent audits back tells any process which messages a ticket
 * already holds.
 */
import type { SlackTextOptions } from '../slack/slackTextToZendesk';
import { escapeHtml, slackTextToHtml } from '../slack/slackTextToZendesk';

/** The custom-metadata property holding the space-separated idempotency keys. */
export const MARKER_PROPERTY = 'slack_dm_keys';

/** Zendesk stores up to 1 KB of custom metadata per audit; stay well below it. */
export const MAX_MARKER_LENGTH = 900;

export function markerMetadata(keys: string[]): Record<string, string> {
	return { [MARKER_PROPERTY]: keys.join(' ') };
}

/** Whether one more key still fits the marker of a batch. */
export function markerFits(keys: string[], next: string): boolean {
	return markerMetadata([...keys, next])[MARKER_PROPERTY].length <= MAX_MARKER_LENGTH;
}

interface AuditLike {
	metadata?: { custom?: Record<string, unknown> | null } | null;
	events?: Array<{ id?: number; type?: string }> | null;
}

/** Idempotency key → comment id, for every audit carrying this package's marker. */
export function keysInAudits(audits: AuditLike[]): Map<string, number | undefined> {
	const found = new Map<string, number | undefined>();
	for (const audit of audits) {
		const raw = audit.metadata?.custom?.[MARKER_PROPERTY];
		if (typeof raw !== 'string' || raw.trim() === '') continue;
		const commentId = audit.events?.find((event) => event.type === 'Comment')?.id;
		for (const key of raw.split(/\s+/)) if (key) found.set(key, commentId);
	}
	return found;
}

/**
 * The offset page holding a ticket's newest audits. Zendesk lists audits oldest first and
 * documents no sort order, so the newest are on the last page, found from the audit count (the
 * `count` of List Audits' own answer).
 */
export function lastAuditPage(count: unknown, pageSize: number): number {
	const value = typeof count === 'number' && Number.isFinite(count) ? count : 0;
	return Math.max(1, Math.ceil(value / pageSize));
}

/**
 * What Zendesk says an update did to the ticket status: the `Change` event of `status` in the
 * answer's audit (`null`: the audit changed no status; `undefined`: the answer has no audit).
 */
export function statusChangeOf(body: unknown): { from: unknown; to: unknown } | null | undefined {
	const audit = (
		body as
			| {
					audit?: {
						events?: Array<{ type?: string; field_name?: string; value?: unknown; previous_value?: unknown }> | null;
					};
			  }
			| undefined
	)?.audit;
	if (!audit || !Array.isArray(audit.events)) return undefined;
	const change = audit.events.find((event) => event.type === 'Change' && event.field_name === 'status');
	return change ? { from: change.previous_value, to: change.value } : null;
}

/** The comment id in a create/update answer (`audit.events[type=Comment]`). */
export function commentIdOf(body: unknown): number | undefined {
	const audit = (body as { audit?: AuditLike } | undefined)?.audit;
	const id = audit?.events?.find((event) => event.type === 'Comment')?.id;
	return typeof id === 'number' ? id : undefined;
}

export interface MessageForComment {
	ts: string;
	text: string;
	fileNames: string[];
	/** Set for a thread reply written into the DM's ticket (Thread Replies: join). */
	thread?: ThreadReference;
}

/** The thread a message belongs to: its root's Slack ts and, when known, a short excerpt of it. */
export interface ThreadReference {
	rootTs: string;
	rootExcerpt?: string;
}

/**
 * Comments are sent as `html_body` built by slackTextToHtml (the one converter of Slack text),
 * so every piece of user text here is escaped; the fixed wording around it is ours.
 */
function paragraph(text: string): string {
	return `<p>${escapeHtml(text)}</p>`;
}

function rootLabel(thread: ThreadReference): string {
	return thread.rootExcerpt ? `“${thread.rootExcerpt}”` : `the message of ${slackTsLabel(thread.rootTs)}`;
}

/** The line opening a thread reply in the DM's ticket, so agents see it answers an earlier message. */
export function threadReplyLineHtml(thread: ThreadReference): string {
	return `<p><em>${escapeHtml(`↳ Reply in a Slack thread, to ${rootLabel(thread)}`)}</em></p>`;
}

/**
 * The line opening the first comment of a thread's own ticket (Thread Replies: one ticket per
 * thread): which DM ticket the thread hangs under, when there is one.
 */
export function threadTicketLineHtml(thread: ThreadReference & { dmTicketId?: number }): string {
	const where = thread.dmTicketId === undefined ? 'a Slack DM' : `the Slack DM of ticket #${thread.dmTicketId}`;
	return `<p><em>${escapeHtml(`↳ Slack thread in ${where}, under ${rootLabel(thread)}`)}</em></p>`;
}

/**
 * What one message's text may take of a comment, in UTF-8 bytes of HTML. Zendesk refuses a comment
 * body over about 64 KB (ASSUMPTION in emulators/zendesk/store.ts, with its source); this leaves
 * room for the lines this package adds (thread line, late-write time, coalescing headers).
 */
export const MAX_MESSAGE_HTML_BYTES = 60_000;

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * The message text as comment HTML that fits MAX_MESSAGE_HTML_BYTES: whole when it fits, else the
 * longest start that does (on a character boundary), followed by a visible note of how much was
 * cut, so the agent knows to read the rest in Slack. Never throws the text away.
 */
export function fittedTextHtml(
	text: string,
	options: SlackTextOptions = {},
	maxBytes = MAX_MESSAGE_HTML_BYTES,
): string {
	const whole = slackTextToHtml(text, options);
	if (utf8Bytes(whole) <= maxBytes) return whole;
	const chars = Array.from(text);
	const note = (rest: number) =>
		paragraph(
			`[…] The rest of this Slack message (${rest.toLocaleString('en-US')} more characters) did not fit in one Zendesk comment: read it in the Slack DM.`,
		);
	let low = 0;
	let high = chars.length;
	while (low < high) {
		const mid = Math.ceil((low + high) / 2);
		const html = slackTextToHtml(chars.slice(0, mid).join(''), options) + note(chars.length - mid);
		if (utf8Bytes(html) <= maxBytes) low = mid;
		else high = mid - 1;
	}
	return slackTextToHtml(chars.slice(0, low).join(''), options) + note(chars.length - low);
}

/** Room per message for what coalescing adds around it (its time and ts header). */
const COALESCED_HEADER_BYTES = 200;

/** Whether these message texts fit one coalesced comment whole (the first always goes, cut if need be). */
export function fitOneComment(texts: string[], options: SlackTextOptions = {}): boolean {
	const total = texts.reduce(
		(sum, text) => sum + utf8Bytes(slackTextToHtml(text.trim(), options)) + COALESCED_HEADER_BYTES,
		0,
	);
	return total <= MAX_MESSAGE_HTML_BYTES;
}

function messageBodyHtml(message: MessageForComment, options: SlackTextOptions): string {
	const html = fittedTextHtml(message.text.trim(), options);
	if (html) return html;
	if (message.fileNames.length > 0)
		return paragraph(
			`Sent ${message.fileNames.length === 1 ? 'a file' : `${message.fileNames.length} files`}: ${message.fileNames.join(', ')}`,
		);
	return paragraph('(empty message)');
}

/** Comment HTML of one message; a message with files but no text names the files (Zendesk needs a body). */
export function messageHtml(message: MessageForComment, options: SlackTextOptions = {}): string {
	const body = messageBodyHtml(message, options);
	return message.thread ? `${threadReplyLineHtml(message.thread)}${body}` : body;
}

/** "2024-05-01 10:00:01 UTC" for a Slack ts. */
export function slackTsLabel(ts: string): string {
	const seconds = Number(ts);
	if (!Number.isFinite(seconds)) return ts;
	return `${new Date(Math.floor(seconds) * 1000)
		.toISOString()
		.replace('T', ' ')
		.replace(/\.\d{3}Z$/, '')} UTC`;
}

/**
 * A comment written this long after its Slack message says when it was sent: Zendesk orders and
 * dates comments by when they are written, and a late write (retries, another process's queue,
 * a Slack redelivery) can land after newer messages or agent replies.
 */
export const LATE_WRITE_MS = 60_000;

/** The message HTML, with a short line giving its Slack time when it is written late. */
export function withSlackTime(html: string, ts: string, writeAtMs: number): string {
	const seconds = Number(ts);
	if (!Number.isFinite(seconds) || writeAtMs - seconds * 1000 <= LATE_WRITE_MS) return html;
	return `${html}<p><em>${escapeHtml(`Sent in Slack at ${slackTsLabel(ts)}`)}</em></p>`;
}

/**
 * One comment for several messages (update limit near): one block per message, in order, each
 * opened by its time and Slack ts so every part is attributable to its message.
 */
export function coalescedHtml(messages: MessageForComment[], options: SlackTextOptions = {}): string {
	return [...messages]
		.sort((a, b) => Number(a.ts) - Number(b.ts))
		.map(
			(message) =>
				`<p><strong>${escapeHtml(`[${slackTsLabel(message.ts)} · ${message.ts}]`)}</strong></p>${messageHtml(message, options)}`,
		)
		.join('');
}

function quoted(text: string | undefined, unknown: string, options: SlackTextOptions): string {
	if (text === undefined) return `<blockquote><p><em>${escapeHtml(unknown)}</em></p></blockquote>`;
	return `<blockquote>${slackTextToHtml(text.trim(), options) || paragraph('(no text)')}</blockquote>`;
}

/** Internal note for a message edited in Slack. */
export function editNoteHtml(
	input: { ts: string; previousText?: string; newText: string },
	options: SlackTextOptions = {},
): string {
	return [
		paragraph(`The requester edited a Slack message (${slackTsLabel(input.ts)} · ${input.ts}).`),
		paragraph('Before:'),
		quoted(input.previousText, '(previous text unknown)', options),
		paragraph('After:'),
		quoted(input.newText, '(no text)', options),
	].join('');
}

/** Internal note for a message deleted in Slack. */
export function deleteNoteHtml(input: { ts: string; deletedText?: string }, options: SlackTextOptions = {}): string {
	return [
		paragraph(`The requester deleted a Slack message (${slackTsLabel(input.ts)} · ${input.ts}).`),
		paragraph('Deleted text:'),
		quoted(input.deletedText, '(text unknown)', options),
	].join('');
}
