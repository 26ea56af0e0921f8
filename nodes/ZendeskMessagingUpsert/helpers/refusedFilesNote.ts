/**
 * The internal note that tells agents which files of a message the Attachment Allowlist refused
 * and why (the sender got their own notice in Slack). Pure: the Upsert writes it after the message.
 */
import { noticeReason } from '../../shared/attachments/notice';
import { escapeHtml } from '../../shared/slack/slackTextToZendesk';
import type { RejectedFile, UpsertOutcome } from '../../shared/types';

/** Outcomes that wrote the message into a ticket (a duplicate or skip wrote nothing now). */
const WRITTEN: ReadonlySet<UpsertOutcome> = new Set<UpsertOutcome>(['created', 'appended', 'followUp', 'reopened']);

/** Whether a message's refused files get a note: some were refused and the message was written now. */
export function needsRefusedFilesNote(
	rejected: unknown,
	outcome: string,
	ticketId: number | null,
): rejected is RejectedFile[] {
	return Array.isArray(rejected) && rejected.length > 0 && ticketId !== null && WRITTEN.has(outcome as UpsertOutcome);
}

/** One line per refused file: its name and the reason, as the sender was told. */
export function refusedFilesNoteHtml(rejected: RejectedFile[]): string {
	const lines = rejected.map(
		(file) => `<li>${escapeHtml(file.name || file.id)}: ${escapeHtml(noticeReason(file))}</li>`,
	);
	const heading =
		rejected.length === 1
			? 'One file of this Slack message was not attached'
			: `${rejected.length} files of this Slack message were not attached`;
	return `<p>${heading} (Attachment Allowlist; the sender was told in Slack):</p><ul>${lines.join('')}</ul>`;
}
