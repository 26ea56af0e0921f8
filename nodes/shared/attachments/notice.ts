/**
 * The notice that tells a Slack user which of their files did not reach the support team, and
 * the process-wide ledger that makes sure it goes out at most once per message even when Slack
 * retries the event or the workflow runs again for the same message.
 */
// Slack's own escaping (& < >): a file named "<!channel>" pings nobody.
import { escapeSlackText } from '../slack/mrkdwn';
import { ClaimLedger } from '../state/ttlCache';
import type { RejectedFile, RejectionReason, SlackDmItem } from '../types';

export type NoticeMode = 'off' | 'dm' | 'ephemeral';

export const DEFAULT_NOTICE_TEMPLATE =
	'Some of your files could not be passed on to the support team:\n{files}\nAllowed file types: {allowedTypes}, up to {maxFileSize} per file.';

const REASON_TEXT: Record<RejectionReason, string> = {
	typeNotAllowed: 'this file type is not allowed',
	contentMismatch: 'the content does not match the file name',
	tooLarge: 'the file is too large',
	messageTooLarge: 'the files of the message are too large together',
	empty: 'the file is empty',
	downloadFailed: 'the file could not be downloaded',
	fileSendingDisabled: 'file sending is turned off',
};

export function reasonText(reason: RejectionReason): string {
	return REASON_TEXT[reason];
}

/**
 * The reason the sender reads. A content refusal says what was found ("the PDF contains
 * JavaScript", "the text file is UTF-16 encoded; …"), which the content check words for people;
 * the other reasons are clear from their code.
 */
export function noticeReason(file: Pick<RejectedFile, 'reason' | 'detail'>): string {
	return file.reason === 'contentMismatch' && file.detail ? file.detail : reasonText(file.reason);
}

export interface NoticeValues {
	rejected: RejectedFile[];
	allowedTypes: string;
	maxFileSize: string;
}

/**
 * Fills the admin's template. Placeholders: {files} (one line per refused file with its
 * reason, see noticeReason), {count}, {allowedTypes}, {maxFileSize}. Unknown placeholders stay as written.
 */
export function renderNotice(template: string, values: NoticeValues): string {
	const files = values.rejected
		.map((file) => `• ${escapeSlackText(file.name)}: ${escapeSlackText(noticeReason(file))}`)
		.join('\n');
	const replacements: Record<string, string> = {
		files,
		count: String(values.rejected.length),
		allowedTypes: values.allowedTypes,
		maxFileSize: values.maxFileSize,
	};
	const text = (template.trim() === '' ? DEFAULT_NOTICE_TEMPLATE : template).replace(
		/\{(\w+)\}/g,
		(placeholder, key: string) =>
			Object.prototype.hasOwnProperty.call(replacements, key) ? replacements[key] : placeholder,
	);
	return text;
}

export type NoticeDecision = { send: false; why: string } | { send: true; key: string };

/** Whether this item may get a notice at all (before consulting the ledger). */
export function noticeEligibility(item: SlackDmItem, rejected: RejectedFile[], mode: NoticeMode): NoticeDecision {
	if (mode === 'off') return { send: false, why: 'notices are off' };
	if (rejected.length === 0) return { send: false, why: 'no file was refused' };
	if (item.kind !== 'message') return { send: false, why: `no notice for ${item.kind} events` };
	// Echo guard: the handle's own messages never get a notice, even if one slipped past the trigger.
	if (!item.user?.id || item.user.id === item.handle?.userId)
		return { send: false, why: 'the message is from the handle itself' };
	if (!item.idempotencyKey) return { send: false, why: 'the message has no idempotency key' };
	return { send: true, key: `${item.idempotencyKey}` };
}

/**
 * Remembers which messages already got a notice, per process (claim before sending, release
 * when sending failed). Bounded and time-limited: Slack's retries arrive within minutes, so an
 * hour is plenty. Shared by every Attachment Allowlist node in this n8n process.
 */
export const NOTICE_LEDGER_TTL_MS = 60 * 60 * 1000;
export const processNoticeLedger = new ClaimLedger({ ttlMs: NOTICE_LEDGER_TTL_MS });
