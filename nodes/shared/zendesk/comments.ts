/**
 * Comment texts and the exactly-once marker of the Zendesk Messaging Upsert node. Pure.
 *
 * The marker: every ticket create/update this package sends carries the idempotency keys of the
 * Slack messages in it as custom audit metadata (`ticket.metadata`, stored by Zendesk on the
 * audit, up to 1 KB). Reading recent audits back tells any process which messages a ticket
 * already holds.
 */

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
}

/** Comment text when a message has files but no text: Zendesk needs a non-empty body. */
export function messageBody(message: MessageForComment): string {
	const text = message.text.trim();
	if (text) return text;
	if (message.fileNames.length > 0) return `Sent ${message.fileNames.length === 1 ? 'a file' : `${message.fileNames.length} files`}: ${message.fileNames.join(', ')}`;
	return '(empty message)';
}

/** "2024-05-01 10:00:01 UTC" for a Slack ts. */
export function slackTsLabel(ts: string): string {
	const seconds = Number(ts);
	if (!Number.isFinite(seconds)) return ts;
	return `${new Date(Math.floor(seconds) * 1000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '')} UTC`;
}

/**
 * One comment for several messages (update limit near): one block per message, in order, each
 * opened by its time and Slack ts so every line is attributable to its message.
 */
export function coalescedBody(messages: MessageForComment[]): string {
	const ordered = [...messages].sort((a, b) => Number(a.ts) - Number(b.ts));
	return ordered
		.map((message) => {
			const [first, ...rest] = messageBody(message).split(/\r?\n/);
			const head = `[${slackTsLabel(message.ts)} · ${message.ts}] ${first}`;
			return [head, ...rest.map((line) => `    ${line}`)].join('\n');
		})
		.join('\n');
}

function quote(text: string): string {
	const trimmed = text.trim();
	if (!trimmed) return '> (no text)';
	return trimmed
		.split(/\r?\n/)
		.map((line) => `> ${line}`)
		.join('\n');
}

/** Internal note for a message edited in Slack. */
export function editNoteBody(input: { ts: string; previousText?: string; newText: string }): string {
	const lines = [`The requester edited a Slack message (${slackTsLabel(input.ts)} · ${input.ts}).`, '', 'Before:'];
	lines.push(input.previousText === undefined ? '> (previous text unknown)' : quote(input.previousText));
	lines.push('', 'After:', quote(input.newText));
	return lines.join('\n');
}

/** Internal note for a message deleted in Slack. */
export function deleteNoteBody(input: { ts: string; deletedText?: string }): string {
	const lines = [`The requester deleted a Slack message (${slackTsLabel(input.ts)} · ${input.ts}).`, '', 'Deleted text:'];
	lines.push(input.deletedText === undefined ? '> (text unknown)' : quote(input.deletedText));
	return lines.join('\n');
}
