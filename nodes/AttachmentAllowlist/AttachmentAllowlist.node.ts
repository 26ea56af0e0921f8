import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { AllowlistAddition } from '../shared/attachments/allowlist';
import { buildAllowlist, describeAllowlist } from '../shared/attachments/allowlist';
import type { NoticeMode } from '../shared/attachments/notice';
import { DEFAULT_NOTICE_TEMPLATE, noticeEligibility, processNoticeLedger, renderNotice } from '../shared/attachments/notice';
import type { AttachmentPolicy } from '../shared/attachments/plan';
import {
	DEFAULT_MAX_FILE_MB,
	DEFAULT_MAX_MESSAGE_MB,
	binaryKeyFor,
	formatBytes,
	megabytesToBytes,
	oversizeRejection,
	planDownload,
	safeNameOf,
	verifyDownloaded,
} from '../shared/attachments/plan';
import { resolvedFileRef } from '../shared/attachments/slackConnect';
import type { FileUrlTrust } from '../shared/attachments/urlTrust';
import { fileUrlTrust } from '../shared/attachments/urlTrust';
import type { SlackEventFile } from '../shared/slack/events';
import { downloadSlackFile } from '../shared/transport/slackFiles';
import type { SlackResponse } from '../shared/transport/slackTransport';
import { SLACK_CREDENTIAL_TYPE, callSlack, slackBaseUrl } from '../shared/transport/slackTransport';
import type { AcceptedFile, AttachmentCheckFields, RejectedFile, SlackDmItem, SlackFileRef } from '../shared/types';

interface FilesInfoResponse extends SlackResponse {
	file?: SlackEventFile;
}

interface ConversationsOpenResponse extends SlackResponse {
	channel?: { id?: string };
}

/** Slack Connect stubs carry only an id: files.info gives the rest, or the reason it cannot. */
async function resolveStub(ctx: IExecuteFunctions, file: SlackFileRef): Promise<SlackFileRef | RejectedFile> {
	const name = safeNameOf(file);
	try {
		const answer = await callSlack<FilesInfoResponse>(
			ctx,
			'files.info',
			{ file: file.id },
			{ allowErrors: ['file_not_found', 'file_deleted', 'access_denied', 'missing_scope', 'not_allowed_token_type'] },
		);
		if (!answer.ok || !answer.file) {
			return { id: file.id, name, reason: 'downloadFailed', detail: `Slack files.info answered ${answer.error ?? 'without a file'}` };
		}
		return resolvedFileRef(file, answer.file);
	} catch (error) {
		return { id: file.id, name, reason: 'downloadFailed', detail: (error as Error).message };
	}
}

function isRejection(value: SlackFileRef | RejectedFile): value is RejectedFile {
	return 'reason' in value;
}

interface CheckedFiles {
	accepted: AcceptedFile[];
	rejected: RejectedFile[];
	binary: IBinaryKeyData;
}

async function checkFiles(
	ctx: IExecuteFunctions,
	files: SlackFileRef[],
	policy: AttachmentPolicy,
	trust: FileUrlTrust | undefined,
	binary: IBinaryKeyData,
): Promise<CheckedFiles> {
	const accepted: AcceptedFile[] = [];
	const rejected: RejectedFile[] = [];
	let acceptedBytes = 0;
	for (const original of files) {
		// Nothing is fetched (not even files.info) when the file cannot pass anyway.
		const resolved = original.isSlackConnectStub && policy.fileSendingEnabled ? await resolveStub(ctx, original) : original;
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

async function sendNotice(
	ctx: IExecuteFunctions,
	item: SlackDmItem,
	mode: Exclude<NoticeMode, 'off'>,
	text: string,
): Promise<void> {
	const threadTs = item.message?.threadTs;
	if (mode === 'ephemeral') {
		await callSlack(ctx, 'chat.postEphemeral', { channel: item.channel.id, user: item.user.id, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
		return;
	}
	let channel = item.channel.type === 'im' ? item.channel.id : undefined;
	if (!channel) {
		// A group DM or channel: the notice goes to the sender alone, in their DM with the handle.
		const opened = await callSlack<ConversationsOpenResponse>(ctx, 'conversations.open', { users: item.user.id });
		channel = opened.channel?.id;
		if (!channel) throw new NodeOperationError(ctx.getNode(), 'Slack conversations.open returned no channel');
	}
	const inThread = threadTs && channel === item.channel.id ? { thread_ts: threadTs } : {};
	await callSlack(ctx, 'chat.postMessage', { channel, text, ...inThread });
}

export class AttachmentAllowlist implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Attachment Allowlist',
		name: 'attachmentAllowlist',
		icon: { light: 'file:bridge.svg', dark: 'file:bridge.dark.svg' },
		subtitle: '={{$parameter["fileSending"] ? "Files on" : "Files off"}}',
		group: ['transform'],
		version: 1,
		description:
			'Downloads the Slack files of each message, keeps only allowed and genuine ones as binary data, and tells the sender about the rest',
		defaults: { name: 'Attachment Allowlist' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: SLACK_CREDENTIAL_TYPE, required: true }],
		properties: [
			{
				displayName: 'File Sending',
				name: 'fileSending',
				type: 'boolean',
				default: true,
				description: 'Whether files are passed on at all. When off, every file is refused (reason fileSendingDisabled).',
			},
			{
				displayName: 'Additional Allowed Types',
				name: 'additionalTypes',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add File Type',
				default: {},
				description:
					'Allowed besides .pdf, .png, .jpeg/.jpg, .gif and .txt. A file needs both the extension and the MIME type Slack declares for it.',
				options: [
					{
						displayName: 'Type',
						name: 'types',
						values: [
							{
								displayName: 'Extension',
								name: 'extension',
								type: 'string',
								default: '',
								placeholder: 'csv',
								description: 'File extension without the dot',
							},
							{
								displayName: 'MIME Type',
								name: 'mimeType',
								type: 'string',
								default: '',
								placeholder: 'text/csv',
								description: 'MIME type Slack reports for such files',
							},
						],
					},
				],
			},
			{
				displayName: 'Max File Size (MB)',
				name: 'maxFileSizeMb',
				type: 'number',
				typeOptions: { minValue: 0.001, maxValue: DEFAULT_MAX_FILE_MB, numberPrecision: 3 },
				default: DEFAULT_MAX_FILE_MB,
				description: 'Largest file passed on, in megabytes (1 MB = 1,000,000 bytes). Zendesk accepts attachments up to 50 MB.',
			},
			{
				displayName: 'Max Size per Message (MB)',
				name: 'maxMessageSizeMb',
				type: 'number',
				typeOptions: { minValue: 0.001, numberPrecision: 3 },
				default: DEFAULT_MAX_MESSAGE_MB,
				description: 'Largest total of the files passed on from one message, in megabytes',
			},
			{
				displayName: 'Notice to Sender',
				name: 'noticeMode',
				type: 'options',
				options: [
					{ name: 'Direct Message', value: 'dm', description: 'A message in the DM with the handle' },
					{ name: 'Ephemeral Message', value: 'ephemeral', description: 'Visible only to the sender, in the conversation' },
					{ name: 'Off', value: 'off', description: 'Refuse files silently' },
				],
				default: 'dm',
				description: 'How the sender learns which files were refused (once per message)',
			},
			{
				displayName: 'Notice Text',
				name: 'noticeText',
				type: 'string',
				typeOptions: { rows: 4 },
				default: DEFAULT_NOTICE_TEMPLATE,
				description: 'Placeholders: {files} (one line per refused file with its reason), {count}, {allowedTypes}, {maxFileSize}',
				displayOptions: { hide: { noticeMode: ['off'] } },
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		const credentials = await this.getCredentials(SLACK_CREDENTIAL_TYPE);
		const trust = fileUrlTrust(slackBaseUrl(credentials));

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const input = items[itemIndex];
			try {
				const additions = this.getNodeParameter('additionalTypes.types', itemIndex, []) as AllowlistAddition[];
				const allowlist = buildAllowlist(additions);
				if (allowlist.problems.length > 0) {
					throw new NodeOperationError(this.getNode(), `Additional Allowed Types: ${allowlist.problems.join('; ')}`, { itemIndex });
				}
				const policy: AttachmentPolicy = {
					fileSendingEnabled: this.getNodeParameter('fileSending', itemIndex, true) as boolean,
					types: allowlist.types,
					maxFileBytes: megabytesToBytes(this.getNodeParameter('maxFileSizeMb', itemIndex, DEFAULT_MAX_FILE_MB) as number),
					maxMessageBytes: megabytesToBytes(this.getNodeParameter('maxMessageSizeMb', itemIndex, DEFAULT_MAX_MESSAGE_MB) as number),
				};
				const noticeMode = this.getNodeParameter('noticeMode', itemIndex, 'dm') as NoticeMode;

				const message = input.json as unknown as SlackDmItem;
				// Edits and deletions cannot add files; their files were checked with the original message.
				const files = message.kind === 'message' && Array.isArray(message.message?.files) ? message.message.files : [];
				const checked = await checkFiles(this, files, policy, trust, { ...(input.binary ?? {}) });
				const fields: AttachmentCheckFields = { acceptedFiles: checked.accepted, rejectedFiles: checked.rejected };

				const eligibility = noticeEligibility(message, checked.rejected, noticeMode);
				if (eligibility.send && noticeMode !== 'off') {
					if (processNoticeLedger.claim(eligibility.key, Date.now())) {
						const template = this.getNodeParameter('noticeText', itemIndex, DEFAULT_NOTICE_TEMPLATE) as string;
						const text = renderNotice(template, {
							rejected: checked.rejected,
							allowedTypes: describeAllowlist(policy.types),
							maxFileSize: formatBytes(policy.maxFileBytes),
						});
						try {
							await sendNotice(this, message, noticeMode, text);
							fields.attachmentNotice = { sent: true, mode: noticeMode };
						} catch (error) {
							processNoticeLedger.release(eligibility.key);
							fields.attachmentNotice = { sent: false, mode: noticeMode, detail: (error as Error).message };
						}
					} else {
						fields.attachmentNotice = { sent: false, mode: noticeMode, detail: 'a notice was already sent for this message' };
					}
				}

				output.push({
					json: { ...input.json, ...(fields as unknown as IDataObject) },
					binary: Object.keys(checked.binary).length > 0 ? checked.binary : undefined,
					pairedItem: { item: itemIndex },
				});
			} catch (error) {
				if (this.continueOnFail()) {
					output.push({ json: { ...input.json, error: (error as Error).message }, binary: input.binary, pairedItem: { item: itemIndex } });
					continue;
				}
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			}
		}
		return [output];
	}
}
