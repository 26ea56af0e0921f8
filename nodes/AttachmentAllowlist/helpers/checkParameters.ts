/**
 * The Attachment Allowlist's parameters read into a policy, and which files of an item are
 * checked. Pure: the node reads the raw parameter values and hands them here.
 */
import type { RejectedFile, SlackDmItem, SlackFileRef } from '../../shared/types';
import type { AllowlistAddition } from './allowlist';
import { buildAllowlist } from './allowlist';
import type { AttachmentPolicy } from './plan';
import { megabytesToBytes } from './plan';

export interface PolicyParameters {
	fileSending: boolean;
	additionalTypes: AllowlistAddition[];
	maxFileSizeMb: number;
	maxMessageSizeMb: number;
}

export type PolicyResult = { ok: true; policy: AttachmentPolicy } | { ok: false; problem: string };

/** The policy, or what is wrong with the "Additional Allowed Types" rows. */
export function attachmentPolicyFrom(parameters: PolicyParameters): PolicyResult {
	const allowlist = buildAllowlist(parameters.additionalTypes);
	if (allowlist.problems.length > 0)
		return { ok: false, problem: `Additional Allowed Types: ${allowlist.problems.join('; ')}` };
	return {
		ok: true,
		policy: {
			fileSendingEnabled: parameters.fileSending,
			types: allowlist.types,
			maxFileBytes: megabytesToBytes(parameters.maxFileSizeMb),
			maxMessageBytes: megabytesToBytes(parameters.maxMessageSizeMb),
		},
	};
}

/** Edits and deletions cannot add files: their files were checked with the original message. */
export function filesToCheck(item: SlackDmItem): SlackFileRef[] {
	return item.kind === 'message' && Array.isArray(item.message?.files) ? item.message.files : [];
}

export function isRejection(value: SlackFileRef | RejectedFile): value is RejectedFile {
	return 'reason' in value;
}
