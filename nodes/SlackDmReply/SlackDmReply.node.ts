import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { outsideHoursProperties, sendOutsideHoursNotice } from './actions/outsideHours';
import { alertChannelV2, searchChannels } from './methods/channels';
import { locatorValue } from '../shared/zendesk/pickers';
import { toNodeError } from '../shared/n8n/errors';
import { errorItem, usesErrorOutput } from '../shared/n8n/perItem';
import { commentToMrkdwn, escapeSlackText, toMrkdwn, type CommentTextFormat } from '../shared/slack/mrkdwn';
import { alertFromItem, deliveryErrorMessage, renderAlert } from '../shared/slack/replyAlert';
import {
	destinationFromItem,
	isSlackId,
	channelPostLimits,
	destinationProblem,
	identityProblem,
	noticeKindOf,
	planMessages,
	renderNotice,
	senderPrefixLine,
	SLACK_RECOMMENDED_TEXT_LIMIT,
	ticketIdOf,
	tokenKind,
	type NoticeKind,
	type PostAs,
	type ReplyDestination,
} from '../shared/slack/reply';
import { SLACK_POST_RETRY_POLICY } from '../shared/transport/slackPosts';
import { ambiguousPostError } from '../shared/transport/slackUpload';
import { secretDigest } from '../shared/transport/accounts';
import { sendWithRetry } from '../shared/transport/http';
import { callSlack, SLACK_CREDENTIAL_TYPE } from '../shared/transport/slackTransport';
import { uploadFilesToSlack, type SlackUploadFile } from '../shared/transport/slackUpload';
import { zendeskBaseUrl, zendeskCredentialType } from '../shared/transport/zendeskTransport';
import { zendeskAuthenticationProperty } from '../shared/zendesk/nodeParameters';
import { isTrustedAttachmentUrl, type ReplyAttachment } from '../shared/zendesk/replyEvents';
import { credentialData } from '../shared/n8n/credentialData';
import { dmChannels, postPacer } from './replyState';

/** Zendesk is called only to download a reply's attachments. */
const ZENDESK_SLOT_HIDDEN = { operation: ['alert', 'notice'], sendAttachments: [false] };

const DEFAULT_CREATED_NOTICE = 'Thanks, we received your message. Your request #{ticketId} is open and our team will answer here.';
const DEFAULT_SOLVED_NOTICE = 'Your request #{ticketId} has been marked as solved. Reply here if you need anything else.';

interface ReplyOptions {
	allowMentions?: boolean;
	maxMessageLength?: number;
	botUsername?: string;
	botIconUrl?: string;
	botIconEmoji?: string;
	solvedNotice?: boolean;
	solvedNoticeText?: string;
	createdNoticeText?: string;
	alertTitle?: string;
	ticketUrlBase?: string;
}

interface Delivery {
	channelId?: string;
	threadTs?: string;
	messageTs: string[];
	fileIds: string[];
	notice?: NoticeKind | 'outsideHours';
	skipped?: string;
}

function str(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

function attachmentsOf(json: IDataObject): ReplyAttachment[] {
	const list = Array.isArray(json.attachments) ? json.attachments : [];
	return list.filter(
		(entry): entry is ReplyAttachment =>
			Boolean(entry) && typeof entry === 'object' && typeof (entry as ReplyAttachment).contentUrl === 'string' && typeof (entry as ReplyAttachment).fileName === 'string',
	);
}

export class SlackDmReply implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack DM Reply',
		name: 'slackDmReply',
		icon: { light: 'file:slack.svg', dark: 'file:slack.dark.svg' },
		group: ['output'],
		// 2: the Alert Channel is a picker (resource locator); 1 took a raw channel ID.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["operation"] === "notice" ? "Status notice" : $parameter["operation"] === "alert" ? "Team alert" : "Agent reply"}}',
		description: 'Posts Zendesk agent replies and status notices into the Slack DM of the conversation, and failed-delivery alerts into a team channel',
		defaults: { name: 'Slack DM Reply' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Named per service: n8n's editor labels every slot of a node with an authentication
		// parameter just "Credential", so the Slack and the Zendesk one would look alike.
		// n8n's editor treats every parameter named in a credential's `displayOptions.show` as an
		// authentication field and hides each parameter named in such a field's own `show` (it
		// would have moved into the credential section): the Operation selector disappeared when
		// these slots were shown by operation. So: the Slack slot is shown by Post As (always
		// displayed, no displayOptions of its own; a slot without `show` would be taken for one of
		// the Zendesk authentication choices), and the Zendesk slots and `authentication` are
		// hidden, not shown, outside replies with attachments.
		credentials: [
			{ name: 'slackDmApi', displayName: 'Slack Credential', required: true, displayOptions: { show: { postAs: ['bot', 'user'] } } },
			{ name: 'zendeskDmApi', displayName: 'Zendesk Credential', required: true, displayOptions: { show: { authentication: ['apiToken'] }, hide: ZENDESK_SLOT_HIDDEN } },
			{ name: 'zendeskDmOAuth2Api', displayName: 'Zendesk Credential', required: true, displayOptions: { show: { authentication: ['oAuth2'] }, hide: ZENDESK_SLOT_HIDDEN } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Alert Channel',
						value: 'alert',
						action: 'Post a failed delivery alert to the team channel',
						description: 'Tell the support team in a channel that a delivery failed (use after an Error Trigger)',
					},
					{ name: 'Send Agent Reply', value: 'reply', action: 'Send an agent reply to the DM', description: 'Post a Zendesk Reply Trigger item into the DM' },
					{ name: 'Send Status Notice', value: 'notice', action: 'Send a status notice to the DM', description: 'Tell the user their ticket was created or solved' },
				],
				default: 'reply',
			},
			{
				displayName: 'Post As',
				name: 'postAs',
				type: 'options',
				options: [
					{ name: 'Bot', value: 'bot', description: 'The credential holds the app\'s bot token (xoxb-)' },
					{ name: 'Handle User', value: 'user', description: 'The credential holds the handle account\'s user token (xoxp-)' },
				],
				default: 'bot',
				description: 'Who the message comes from. Either way it is posted with the credential\'s token, so the Slack DM Trigger recognises it as its own and ignores it.',
			},
			{
				displayName: 'Text',
				name: 'textSource',
				type: 'options',
				displayOptions: { show: { operation: ['reply'] } },
				options: [
					{ name: 'From the Zendesk Comment', value: 'comment', description: 'The item\'s comment.htmlBody (or comment.body)' },
					{ name: 'Custom', value: 'custom' },
				],
				default: 'comment',
			},
			{
				displayName: 'Custom Text',
				name: 'customText',
				type: 'string',
				typeOptions: { rows: 4 },
				displayOptions: { show: { operation: ['reply'], textSource: ['custom'] } },
				default: '',
			},
			{
				displayName: 'Custom Text Format',
				name: 'customTextFormat',
				type: 'options',
				displayOptions: { show: { operation: ['reply'], textSource: ['custom'] } },
				options: [
					{ name: 'HTML', value: 'html' },
					{ name: 'Markdown', value: 'markdown' },
					{ name: 'Plain Text', value: 'plain' },
				],
				default: 'markdown',
			},
			{
				displayName: 'Prefix Agent Name',
				name: 'prefixAgentName',
				type: 'boolean',
				displayOptions: { show: { operation: ['reply'] } },
				default: true,
				description: 'Whether the reply starts with the agent\'s name in bold',
			},
			{
				displayName: 'Prefix Template',
				name: 'prefixTemplate',
				type: 'string',
				displayOptions: { show: { operation: ['reply'], prefixAgentName: [true] } },
				default: '{name}',
				placeholder: '{name} (IT Support)',
				description: '{name} is the agent\'s name, e.g. "{name} (IT Support)" gives "Anna (IT Support)"',
			},
			{
				displayName: 'Send Attachments',
				name: 'sendAttachments',
				type: 'boolean',
				displayOptions: { show: { operation: ['reply'] } },
				default: true,
				description: 'Whether the comment\'s attachments are downloaded from Zendesk and uploaded to the DM',
			},
			{ ...zendeskAuthenticationProperty, displayOptions: { hide: ZENDESK_SLOT_HIDDEN } },
			{
				displayName: 'Notice',
				name: 'noticeKind',
				type: 'options',
				displayOptions: { show: { operation: ['notice'] } },
				options: [
					{
						name: 'From the Item',
						value: 'auto',
						description:
							'Created for a new ticket (Upsert outcome created/followUp), solved for a solved ticket; nothing otherwise. With Business Hours set, a new message outside them gets the out-of-hours notice instead (once per closed period).',
					},
					{ name: 'Outside Business Hours', value: 'outsideHours', description: 'Tell the user when the team is back, if the message arrived outside business hours (once per conversation per closed period)' },
					{ name: 'Ticket Created', value: 'ticketCreated' },
					{ name: 'Ticket Solved', value: 'ticketSolved' },
				],
				default: 'auto',
			},
			...outsideHoursProperties,
			{
				displayName: 'Alert Channel ID',
				name: 'alertChannelId',
				type: 'string',
				required: true,
				displayOptions: { show: { operation: ['alert'], '@version': [1] } },
				default: '',
				placeholder: 'C0123456789',
				description: 'The Slack channel the team watches (channel details → channel ID); the bot or handle must be a member',
			},
			alertChannelV2,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Alert Title',
						name: 'alertTitle',
						type: 'string',
						default: 'A Slack DM delivery failed',
						description: 'Only for Alert Channel: the first line of the alert',
					},
					{
						displayName: 'Allow Mentions',
						name: 'allowMentions',
						type: 'boolean',
						default: false,
						description: 'Whether Slack mention syntax in the text (&lt;@U…&gt;, &lt;#C…&gt;, &lt;!here&gt;, &lt;!channel&gt;) is kept. Off: it is shown as plain text.',
					},
					{
						displayName: 'Bot Icon Emoji',
						name: 'botIconEmoji',
						type: 'string',
						default: '',
						placeholder: ':headphones:',
						description: 'Only for Post As: Bot (needs the chat:write.customize scope)',
					},
					{
						displayName: 'Bot Icon URL',
						name: 'botIconUrl',
						type: 'string',
						default: '',
						description: 'Only for Post As: Bot (needs the chat:write.customize scope)',
					},
					{
						displayName: 'Bot Username',
						name: 'botUsername',
						type: 'string',
						default: '',
						description: 'Only for Post As: Bot (needs the chat:write.customize scope), e.g. an expression with the agent\'s name',
					},
					{
						displayName: 'Created Notice Text',
						name: 'createdNoticeText',
						type: 'string',
						default: DEFAULT_CREATED_NOTICE,
						description: '{ticketId} is replaced by the ticket number',
					},
					{
						displayName: 'Max Message Length',
						name: 'maxMessageLength',
						type: 'number',
						typeOptions: { minValue: 500, maxValue: 40000 },
						default: SLACK_RECOMMENDED_TEXT_LIMIT,
						description: 'Longer replies are split into several messages at paragraph, line or word boundaries',
					},
					{
						displayName: 'Notify When Solved',
						name: 'solvedNotice',
						type: 'boolean',
						default: false,
						description: 'Whether a reply on a solved ticket is followed by the solved notice',
					},
					{
						displayName: 'Solved Notice Text',
						name: 'solvedNoticeText',
						type: 'string',
						default: DEFAULT_SOLVED_NOTICE,
						description: '{ticketId} is replaced by the ticket number',
					},
					{
						displayName: 'Ticket URL Base',
						name: 'ticketUrlBase',
						type: 'string',
						default: '',
						placeholder: 'https://acme.zendesk.com/agent/tickets/',
						description: 'Only for Alert Channel: links the ticket number to the agent workspace',
					},
				],
			},
		],
	};

	methods = { listSearch: { searchChannels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const slackCredentials = await credentialData(this, SLACK_CREDENTIAL_TYPE);
		const kind = tokenKind(slackCredentials.accessToken);
		// Caches and pacing tell handles apart by this digest, never by the token itself.
		const handleKey = secretDigest(slackCredentials.accessToken);

		// Pacer paces starts: the post goes out right after its turn is granted.
		const pace = async (channel: string) => {
			const limits = channelPostLimits(handleKey, channel);
			await postPacer.run(limits[0].key, limits, async () => undefined);
		};

		const openDm = async (userId: string): Promise<string> => {
			const key = `${handleKey}:${userId}`;
			const cached = dmChannels.get(key);
			if (cached) return cached;
			const response = await callSlack<{ ok: boolean; channel?: { id?: string } }>(this, 'conversations.open', { users: userId });
			const channelId = response.channel?.id;
			if (!channelId) throw new NodeApiError(this.getNode(), { error: 'no_channel' } as JsonObject, { message: 'Slack conversations.open returned no channel' });
			dmChannels.set(key, channelId);
			return channelId;
		};

		const postOnce = async (message: IDataObject) => {
			try {
				return await callSlack<{ ok: boolean; ts?: string }>(this, 'chat.postMessage', message, { policy: SLACK_POST_RETRY_POLICY });
			} catch (error) {
				throw ambiguousPostError(this, 'chat.postMessage', error);
			}
		};

		for (let i = 0; i < items.length; i++) {
			const json = items[i].json;
			const delivery: Delivery = { messageTs: [], fileIds: [] };
			try {
				const operation = this.getNodeParameter('operation', i) as 'reply' | 'notice' | 'alert';
				const postAs = this.getNodeParameter('postAs', i) as PostAs;
				const options = this.getNodeParameter('options', i, {}) as ReplyOptions;
				const problem = identityProblem(postAs, kind);
				if (problem) throw new NodeOperationError(this.getNode(), problem, { itemIndex: i });

				let destination: ReplyDestination;
				if (operation === 'alert') {
					const alertChannel = String(locatorValue(this.getNodeParameter('alertChannelId', i)) ?? '').trim();
					if (!isSlackId(alertChannel, 'CDG')) {
						throw new NodeOperationError(this.getNode(), `Alert Channel ID "${alertChannel}" is not a Slack channel id (C…, G… or D…)`, { itemIndex: i });
					}
					destination = { channelId: alertChannel };
				} else {
					destination = destinationFromItem(json);
					const destinationError = destinationProblem(destination);
					if (destinationError) throw new NodeOperationError(this.getNode(), destinationError, { itemIndex: i });
				}
				const channel = destination.channelId ?? (await openDm(destination.userId as string));
				delivery.channelId = channel;
				if (destination.threadTs) delivery.threadTs = destination.threadTs;

				const appearance = { username: options.botUsername, iconUrl: options.botIconUrl, iconEmoji: options.botIconEmoji };
				const limit = options.maxMessageLength ?? SLACK_RECOMMENDED_TEXT_LIMIT;
				const post = async (mrkdwn: string, prefixLine?: string) => {
					for (const message of planMessages({ channel, threadTs: destination.threadTs, mrkdwn, prefixLine, postAs, appearance, limit })) {
						await pace(channel);
						const response = await postOnce(message as unknown as IDataObject);
						if (response.ts) delivery.messageTs.push(response.ts);
					}
				};
				const notice = async (noticeKind: NoticeKind) => {
					const template = noticeKind === 'ticketCreated' ? (options.createdNoticeText ?? DEFAULT_CREATED_NOTICE) : (options.solvedNoticeText ?? DEFAULT_SOLVED_NOTICE);
					const text = renderNotice(template, { ticketId: ticketIdOf(json) }, escapeSlackText);
					if (!text) return;
					await post(text);
					delivery.notice = noticeKind;
				};

				if (operation === 'alert') {
					const alert = alertFromItem(json);
					await post(renderAlert(alert, { title: options.alertTitle, ticketUrlBase: options.ticketUrlBase }, escapeSlackText));
				} else if (operation === 'notice') {
					const chosen = this.getNodeParameter('noticeKind', i) as NoticeKind | 'auto' | 'outsideHours';
					const outsideHours =
						chosen === 'auto' || chosen === 'outsideHours'
							? await sendOutsideHoursNotice(this, i, { json, explicit: chosen === 'outsideHours', conversationKey: `${handleKey}:${channel}`, post })
							: undefined;
					const noticeKind = chosen === 'auto' ? noticeKindOf(json) : chosen === 'outsideHours' ? undefined : chosen;
					if (outsideHours?.sent) delivery.notice = 'outsideHours';
					else if (chosen === 'outsideHours') delivery.skipped = outsideHours?.reason ?? 'noNotice';
					else if (noticeKind) await notice(noticeKind);
					else delivery.skipped = 'noNotice';
				} else {
					const mrkdwnOptions = { allowMentions: options.allowMentions === true };
					const textSource = this.getNodeParameter('textSource', i) as 'comment' | 'custom';
					const comment = (json.comment ?? {}) as { htmlBody?: string; body?: string; author?: { name?: string } };
					const mrkdwn =
						textSource === 'custom'
							? toMrkdwn(this.getNodeParameter('customText', i) as string, this.getNodeParameter('customTextFormat', i) as CommentTextFormat, mrkdwnOptions)
							: commentToMrkdwn({ htmlBody: str(comment.htmlBody), body: str(comment.body) }, mrkdwnOptions);
					let prefixLine = '';
					if (this.getNodeParameter('prefixAgentName', i) as boolean) {
						const template = this.getNodeParameter('prefixTemplate', i, '{name}') as string;
						const agentName = str(comment.author?.name);
						prefixLine = agentName || !template.includes('{name}') ? senderPrefixLine(template.replace(/\{name\}/g, agentName), escapeSlackText) : '';
					}
					const attachments = (this.getNodeParameter('sendAttachments', i) as boolean) ? attachmentsOf(json) : [];
					if (!mrkdwn && attachments.length === 0) throw new NodeOperationError(this.getNode(), 'The reply has no text and no attachments', { itemIndex: i });
					if (mrkdwn || prefixLine) await post(mrkdwn, prefixLine);
					if (attachments.length > 0) {
						const files = await downloadAttachments(this, i, attachments);
						await pace(channel);
						const result = await uploadFilesToSlack(this, files, { channelId: channel, threadTs: destination.threadTs });
						delivery.fileIds.push(...result.fileIds);
					}
					if (options.solvedNotice && noticeKindOf(json) === 'ticketSolved') await notice('ticketSolved');
				}
				out.push({ json: { ...json, slackReply: { delivered: !delivery.skipped, ...delivery } as unknown as IDataObject }, pairedItem: { item: i } });
			} catch (error) {
				// The team finds the conversation by its ticket: every delivery error names it.
				const operation = this.getNodeParameter('operation', i, 'reply') as string;
				if (operation !== 'alert' && error instanceof Error) error.message = deliveryErrorMessage(ticketIdOf(json), error.message);
				const nodeError = toNodeError(this.getNode(), error, i);
				if (!this.continueOnFail()) throw nodeError;
				// The reply stays intact in the item; slackReply says what did reach Slack.
				out.push(
					errorItem(items[i], i, nodeError.message, {
						errorOutput: usesErrorOutput(this),
						extra: { slackReply: { delivered: false, ...delivery } as unknown as IDataObject },
					}),
				);
			}
		}
		return [out];
	}
}

async function downloadAttachments(ctx: IExecuteFunctions, itemIndex: number, attachments: ReplyAttachment[]): Promise<SlackUploadFile[]> {
	const credentialType = zendeskCredentialType(ctx.getNodeParameter('authentication', itemIndex, 'apiToken'));
	const credentials = await credentialData(ctx, credentialType);
	const base = zendeskBaseUrl(credentials);
	const files: SlackUploadFile[] = [];
	for (const attachment of attachments) {
		if (!isTrustedAttachmentUrl(attachment.contentUrl, base)) {
			throw new NodeOperationError(ctx.getNode(), `Attachment "${attachment.fileName}" is not on the Zendesk account's host; it was not downloaded`, { itemIndex });
		}
		const response = await sendWithRetry<Buffer | ArrayBuffer | string>(ctx, {
			service: 'zendesk',
			route: 'GET /attachments/token/{token}',
			credentialType,
			request: { method: 'GET', url: attachment.contentUrl, encoding: 'arraybuffer', json: false },
		});
		if (response.statusCode < 200 || response.statusCode >= 300) {
			throw new NodeApiError(ctx.getNode(), { statusCode: response.statusCode } as JsonObject, {
				message: `Downloading attachment "${attachment.fileName}" from Zendesk failed with HTTP ${response.statusCode}`,
				httpCode: String(response.statusCode),
				itemIndex,
			});
		}
		const body = response.body;
		const bytes = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body, 'binary') : Buffer.from(body);
		files.push({ fileName: attachment.fileName, bytes, mimeType: attachment.contentType, title: attachment.fileName });
	}
	return files;
}
