import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DEFAULT_NOTICE_TEMPLATE } from '../shared/attachments/notice';
import { DEFAULT_MAX_FILE_MB, DEFAULT_MAX_MESSAGE_MB } from './helpers/plan';
import { fileUrlTrust } from './transport/fileUrlTrust';
import { slackAccount } from '../shared/transport/accounts';
import { OUTAGE_OUTPUTS, outageProperties, outageSettingsOf } from '../shared/n8n/outageParameters';
import { describeSlackMessage } from '../shared/n8n/outageRetry';
import { runPerItemWithOutages } from '../shared/n8n/outageRunner';
import { slackMessagePlace } from '../shared/slack/messagePlace';
import { unavailableReason } from '../shared/transport/serviceAvailability';
import { SLACK_CREDENTIAL_TYPE } from '../shared/transport/slackTransport';
import { checkAttachments } from './actions/checkAttachments';

export class AttachmentAllowlist implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Attachment Allowlist',
		name: 'attachmentAllowlist',
		icon: { light: 'file:bridge.svg', dark: 'file:bridge.dark.svg' },
		subtitle: '={{$parameter["fileSending"] ? "Files on" : "Files off"}}',
		group: ['transform'],
		// 2: Wait Out Outages (on by default) and its Service Unavailable output (docs/outages.md).
		version: [1, 2],
		defaultVersion: 2,
		description:
			'Downloads the Slack files of each message, keeps only allowed and genuine ones as binary data, and tells the sender about the rest',
		defaults: { name: 'Attachment Allowlist' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTAGE_OUTPUTS,
		// Named like the slots of the other nodes (n8n's editor would say just "Credential").
		credentials: [{ name: SLACK_CREDENTIAL_TYPE, displayName: 'Slack Credential', required: true }],
		properties: [
			{
				displayName: 'File Sending',
				name: 'fileSending',
				type: 'boolean',
				default: true,
				description:
					'Whether files are passed on at all. When off, every file is refused (reason fileSendingDisabled).',
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
				// No numberPrecision: n8n's editor shows that many decimals, and 50 became "50.000".
				typeOptions: { minValue: 0.001, maxValue: DEFAULT_MAX_FILE_MB },
				default: DEFAULT_MAX_FILE_MB,
				description:
					'Largest file passed on, in megabytes (1 MB = 1,000,000 bytes; decimals allowed, e.g. 0.5). Zendesk accepts attachments up to 50 MB.',
			},
			{
				displayName: 'Max Size per Message (MB)',
				name: 'maxMessageSizeMb',
				type: 'number',
				typeOptions: { minValue: 0.001 },
				default: DEFAULT_MAX_MESSAGE_MB,
				description: 'Largest total of the files passed on from one message, in megabytes',
			},
			{
				displayName: 'Notice to Sender',
				name: 'noticeMode',
				type: 'options',
				options: [
					{ name: 'Direct Message', value: 'dm', description: 'A message in the DM with the handle' },
					{
						name: 'Ephemeral Message',
						value: 'ephemeral',
						description: 'Visible only to the sender, in the conversation',
					},
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
				description:
					'Placeholders: {files} (one line per refused file with its reason), {count}, {allowedTypes}, {maxFileSize}',
				displayOptions: { hide: { noticeMode: ['off'] } },
			},
			...outageProperties('Slack', 2),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const trust = fileUrlTrust((await slackAccount(this)).baseUrl);
		return await runPerItemWithOutages(
			this,
			async (input, itemIndex) => await checkAttachments(this, input, itemIndex, trust),
			{
				settings: outageSettingsOf(this),
				service: 'Slack',
				unavailableReason,
				placeOf: slackMessagePlace,
				describe: describeSlackMessage,
			},
		);
	}
}
