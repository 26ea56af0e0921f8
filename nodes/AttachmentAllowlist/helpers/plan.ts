/**
 * The per-file decisions of the Attachment Allowlist node, in the order it applies them:
 * before the download (switch, type, declared size, message budget, URL), the download limit,
 * and after the download (actual size, content). The node only wires these to HTTP.
 */
import type { RejectedFile, RejectionReason, SlackFileRef } from '../../shared/types';
import type { AllowedType } from './allowlist';
import { matchAllowedType } from './allowlist';
import { checkContent } from './contentCheck';
import { sanitiseFileName } from './fileNames';
import type { FileUrlTrust } from '../transport/fileUrlTrust';
import { checkFileUrl } from '../transport/fileUrlTrust';

/** Zendesk's documented limit for one ticket attachment is 50 MB; these defaults stay within it. */
export const DEFAULT_MAX_FILE_MB = 50;
export const DEFAULT_MAX_MESSAGE_MB = 100;
const BYTES_PER_MB = 1_000_000;

export interface AttachmentPolicy {
	fileSendingEnabled: boolean;
	types: readonly AllowedType[];
	maxFileBytes: number;
	maxMessageBytes: number;
}

export function megabytesToBytes(megabytes: number): number {
	return Math.floor(megabytes * BYTES_PER_MB);
}

/** "50 MB", "1.5 MB", "900 KB" (decimal units, as the options are entered). */
export function formatBytes(bytes: number): string {
	if (bytes >= BYTES_PER_MB) return `${Number((bytes / BYTES_PER_MB).toFixed(1))} MB`;
	if (bytes >= 1000) return `${Number((bytes / 1000).toFixed(1))} KB`;
	return `${bytes} bytes`;
}

export type DownloadPlan =
	| { action: 'download'; name: string; type: AllowedType; mimeType: string; url: string; maxBytes: number }
	| { action: 'reject'; rejected: RejectedFile };

function reject(file: SlackFileRef, name: string, reason: RejectionReason, detail: string): DownloadPlan {
	return { action: 'reject', rejected: { id: file.id, name, reason, detail } };
}

/** A readable, safe name for the file, stable for the same input. */
export function safeNameOf(file: SlackFileRef): string {
	return sanitiseFileName(file.name, `attachment-${file.id || 'unnamed'}`);
}

/**
 * What to do with one file before downloading it. `acceptedBytes` is the size of the files
 * already accepted from the same message.
 */
export function planDownload(
	file: SlackFileRef,
	policy: AttachmentPolicy,
	trust: FileUrlTrust | undefined,
	acceptedBytes: number,
): DownloadPlan {
	const name = safeNameOf(file);
	if (!policy.fileSendingEnabled) return reject(file, name, 'fileSendingDisabled', 'file sending is turned off');
	const type = matchAllowedType(policy.types, name, file.mimetype);
	if (!type.allowed) return reject(file, name, 'typeNotAllowed', type.detail);
	// A negative, missing or non-numeric size is unknown (the trigger's -1): download with the limit as cap.
	const declaredSize =
		typeof file.size === 'number' && Number.isFinite(file.size) && file.size >= 0 ? file.size : undefined;
	if (declaredSize === 0) return reject(file, name, 'empty', 'the file is empty');
	if (declaredSize !== undefined && declaredSize > policy.maxFileBytes) {
		return reject(
			file,
			name,
			'tooLarge',
			`${formatBytes(declaredSize)} is over the ${formatBytes(policy.maxFileBytes)} limit per file`,
		);
	}
	const budget = policy.maxMessageBytes - acceptedBytes;
	if (declaredSize !== undefined && declaredSize > budget) {
		return reject(
			file,
			name,
			'messageTooLarge',
			`the files of this message are over the ${formatBytes(policy.maxMessageBytes)} limit per message`,
		);
	}
	if (!trust) return reject(file, name, 'downloadFailed', 'the Slack credential has no usable API base URL');
	const url = checkFileUrl(file.downloadUrl, trust);
	if (!url.trusted) return reject(file, name, 'downloadFailed', url.detail);
	return {
		action: 'download',
		name,
		type: type.type,
		mimeType: type.mimeType,
		url: url.url,
		maxBytes: Math.min(policy.maxFileBytes, budget),
	};
}

/** The reason for a download stopped at `limitUsed` bytes: the file limit or the message budget. */
export function oversizeRejection(
	file: SlackFileRef,
	name: string,
	policy: AttachmentPolicy,
	limitUsed: number,
): RejectedFile {
	return limitUsed >= policy.maxFileBytes
		? {
				id: file.id,
				name,
				reason: 'tooLarge',
				detail: `the file is over the ${formatBytes(policy.maxFileBytes)} limit per file`,
			}
		: {
				id: file.id,
				name,
				reason: 'messageTooLarge',
				detail: `the files of this message are over the ${formatBytes(policy.maxMessageBytes)} limit per message`,
			};
}

/** After the download: the bytes must pass the type's content rule. */
export function verifyDownloaded(
	file: SlackFileRef,
	name: string,
	type: AllowedType,
	bytes: Uint8Array,
): RejectedFile | undefined {
	const verdict = checkContent(bytes, type.content);
	if (verdict.ok) return undefined;
	return { id: file.id, name, reason: verdict.reason, detail: verdict.detail };
}

/** The binary property of the n-th accepted file of an item. */
export function binaryKeyFor(index: number): string {
	return `attachment_${index}`;
}
