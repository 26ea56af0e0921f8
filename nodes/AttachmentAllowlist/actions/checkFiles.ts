import type { IBinaryKeyData, IExecuteFunctions } from 'n8n-workflow';

import { isRejection } from '../helpers/checkParameters';
import type { AttachmentPolicy } from '../helpers/plan';
import { binaryKeyFor, oversizeRejection, planDownload, safeNameOf, verifyDownloaded } from '../helpers/plan';
import { resolvedFileRef } from '../helpers/slackConnect';
import type { FileUrlTrust } from '../transport/fileUrlTrust';
import type { SlackEventFile } from '../../shared/slack/events';
import { downloadSlackFile } from '../transport/slackFiles';
import type { SlackResponse } from '../../shared/transport/slackTransport';
import { callSlack } from '../../shared/transport/slackTransport';
import { serviceUnavailableError, unavailableReason } from '../../shared/transport/serviceAvailability';
import type { AcceptedFile, RejectedFile, SlackFileRef } from '../../shared/types';

interface FilesInfoResponse extends SlackResponse {
	file?: SlackEventFile;
}

/** Slack Connect stubs carry only an id: files.info gives the rest, or the reason it cannot. */
async function resolveStub(
	ctx: IExecuteFunctions,
	file: SlackFileRef,
	waitOutOutages: boolean,
): Promise<SlackFileRef | RejectedFile> {
	const name = safeNameOf(file);
	try {
		const answer = await callSlack<FilesInfoResponse>(
			ctx,
			'files.info',
			{ file: file.id },
			{ allowErrors: ['file_not_found', 'file_deleted', 'access_denied', 'missing_scope', 'not_allowed_token_type'] },
		);
		if (!answer.ok || !answer.file) {
			return {
				id: file.id,
				name,
				reason: 'downloadFailed',
				detail: `Slack files.info answered ${answer.error ?? 'without a file'}`,
			};
		}
		return resolvedFileRef(file, answer.file);
	} catch (error) {
		// Slack down: the item waits out the outage (Wait Out Outages) rather than losing the file.
		const unavailable = waitOutOutages ? unavailableReason(error) : undefined;
		if (unavailable)
			throw serviceUnavailableError(ctx.getNode(), unavailable, `Slack files.info failed: ${(error as Error).message}`);
		return { id: file.id, name, reason: 'downloadFailed', detail: (error as Error).message };
	}
}

export interface CheckedFiles {
	accepted: AcceptedFile[];
	rejected: RejectedFile[];
	binary: IBinaryKeyData;
}

/** Downloads and checks each file in turn; accepted ones are added to `binary`. */
export async function checkFiles(
	ctx: IExecuteFunctions,
	files: SlackFileRef[],
	policy: AttachmentPolicy,
	trust: FileUrlTrust | undefined,
	binary: IBinaryKeyData,
	options: { waitOutOutages?: boolean } = {},
): Promise<CheckedFiles> {
	const waitOutOutages = options.waitOutOutages === true;
	const accepted: AcceptedFile[] = [];
	const rejected: RejectedFile[] = [];
	let acceptedBytes = 0;
	for (const original of files) {
		// Nothing is fetched (not even files.info) when the file cannot pass anyway.
		const resolved =
			original.isSlackConnectStub && policy.fileSendingEnabled
				? await resolveStub(ctx, original, waitOutOutages)
				: original;
		if (isRejection(resolved)) {
			rejected.push(resolved);
			continue;
		}
		const plan = planDownload(resolved, policy, trust, acceptedBytes);
		if (plan.action === 'reject') {
			rejected.push(plan.rejected);
			continue;
		}
		const download = await downloadSlackFile(ctx, {
			url: plan.url,
			trust: trust as FileUrlTrust,
			maxBytes: plan.maxBytes,
			expectedBytes: resolved.size,
			expectedMimeType: plan.mimeType,
		});
		if (!download.ok && waitOutOutages && download.unavailable)
			throw serviceUnavailableError(
				ctx.getNode(),
				download.unavailable,
				`Slack file download failed: ${download.detail}`,
			);
		if (!download.ok) {
			rejected.push(
				download.failure === 'tooLarge'
					? oversizeRejection(resolved, plan.name, policy, plan.maxBytes)
					: { id: resolved.id, name: plan.name, reason: 'downloadFailed', detail: download.detail },
			);
			continue;
		}
		const refused = verifyDownloaded(resolved, plan.name, plan.type, download.data);
		if (refused) {
			rejected.push(refused);
			continue;
		}
		const binaryKey = binaryKeyFor(accepted.length);
		// The only copy handed on: n8n stores it (in memory or on disk, per its binary data mode).
		binary[binaryKey] = await ctx.helpers.prepareBinaryData(download.data, plan.name, plan.mimeType);
		accepted.push({ id: resolved.id, name: plan.name, mimetype: plan.mimeType, size: download.data.length, binaryKey });
		acceptedBytes += download.data.length;
	}
	return { accepted, rejected, binary };
}
