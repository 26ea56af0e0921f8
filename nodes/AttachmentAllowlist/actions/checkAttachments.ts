import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AllowlistAddition } from '../helpers/allowlist';
import { describeAllowlist } from '../helpers/allowlist';
import { attachmentPolicyFrom, filesToCheck } from '../helpers/checkParameters';
import type { NoticeMode } from '../../shared/attachments/notice';
import {
	DEFAULT_NOTICE_TEMPLATE,
	noticeEligibility,
	processNoticeLedger,
	renderNotice,
} from '../../shared/attachments/notice';
import { DEFAULT_MAX_FILE_MB, DEFAULT_MAX_MESSAGE_MB, formatBytes } from '../helpers/plan';
import type { FileUrlTrust } from '../transport/fileUrlTrust';
import { fromItemJson, toItemJson } from '../../shared/n8n/itemJson';
import type { AttachmentCheckFields, RejectedFile, SlackDmItem } from '../../shared/types';
import type { AttachmentPolicy } from '../helpers/plan';
import { checkFiles } from './checkFiles';
import { sendNotice } from './sendNotice';

/** One item: its files checked (accepted ones as binary data), and the sender told about the rest. */
export async function checkAttachments(
	ctx: IExecuteFunctions,
	input: INodeExecutionData,
	itemIndex: number,
	trust: FileUrlTrust | undefined,
): Promise<INodeExecutionData> {
	const read = attachmentPolicyFrom({
		additionalTypes: ctx.getNodeParameter('additionalTypes.types', itemIndex, []) as AllowlistAddition[],
		fileSending: ctx.getNodeParameter('fileSending', itemIndex, true) as boolean,
		maxFileSizeMb: ctx.getNodeParameter('maxFileSizeMb', itemIndex, DEFAULT_MAX_FILE_MB) as number,
		maxMessageSizeMb: ctx.getNodeParameter('maxMessageSizeMb', itemIndex, DEFAULT_MAX_MESSAGE_MB) as number,
	});
	if (!read.ok) throw new NodeOperationError(ctx.getNode(), read.problem, { itemIndex });
	const noticeMode = ctx.getNodeParameter('noticeMode', itemIndex, 'dm') as NoticeMode;

	const message = fromItemJson<SlackDmItem>(input.json);
	const checked = await checkFiles(
		ctx,
		filesToCheck(message),
		read.policy,
		trust,
		{ ...(input.binary ?? {}) },
		{
			waitOutOutages: ctx.getNodeParameter('waitOutOutages', 0, false) === true,
		},
	);
	const fields: AttachmentCheckFields = { acceptedFiles: checked.accepted, rejectedFiles: checked.rejected };
	const notice = await noticeOnce(ctx, itemIndex, message, checked.rejected, read.policy, noticeMode);
	if (notice) fields.attachmentNotice = notice;

	return {
		json: { ...input.json, ...toItemJson(fields) },
		binary: Object.keys(checked.binary).length > 0 ? checked.binary : undefined,
		pairedItem: { item: itemIndex },
	};
}

/** At most one notice per message and process; a failed send is reported, not thrown, and may be retried. */
async function noticeOnce(
	ctx: IExecuteFunctions,
	itemIndex: number,
	message: SlackDmItem,
	rejected: RejectedFile[],
	policy: AttachmentPolicy,
	mode: NoticeMode,
): Promise<AttachmentCheckFields['attachmentNotice']> {
	const eligibility = noticeEligibility(message, rejected, mode);
	if (!eligibility.send || mode === 'off') return undefined;
	if (!processNoticeLedger.claim(eligibility.key, Date.now())) {
		return { sent: false, mode, detail: 'a notice was already sent for this message' };
	}
	const template = ctx.getNodeParameter('noticeText', itemIndex, DEFAULT_NOTICE_TEMPLATE) as string;
	const text = renderNotice(template, {
		rejected,
		allowedTypes: describeAllowlist(policy.types),
		maxFileSize: formatBytes(policy.maxFileBytes),
	});
	try {
		await sendNotice(ctx, message, mode, text);
		return { sent: true, mode };
	} catch (error) {
		processNoticeLedger.release(eligibility.key);
		return { sent: false, mode, detail: (error as Error).message };
	}
}
