import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { deliverItem } from './actions/deliver';
import { MESSAGING_AUTHENTICATION } from './actions/reply';
import { DEFAULT_CREATED_NOTICE, DEFAULT_SOLVED_NOTICE } from './actions/notice';
import { outsideHoursProperties } from './actions/outsideHours';
import { openSlackSession } from './actions/slackPosting';
import { alertChannelV2, searchChannels } from './methods/channels';
import { runPerItemWithOutages } from '../shared/n8n/outageRunner';
import { runPerItem } from '../shared/n8n/perItem';
import { describeReply, replyPlace, replyUnavailableReason } from './helpers/replyOutage';
import { REPLY_OUTAGE_OUTPUTS, replyOutageProperties, replyOutageSettings } from './actions/replyOutage';
import { DEFAULT_QUEUED_NOTICE } from './helpers/queuedNotice';
import { SLACK_RECOMMENDED_TEXT_LIMIT } from './helpers/reply';
import { zendeskAuthenticationProperty } from '../shared/zendesk/nodeParameters';

/** Zendesk is called only to download a reply's attachments. */
const ZENDESK_SLOT_HIDDEN = { operation: ['alert', 'notice'], sendAttachments: [false] };

export class SlackDmReply implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack DM Reply',
		name: 'slackDmReply',
		icon: { light: 'file:slack.svg', dark: 'file:slack.dark.svg' },
		group: ['output'],
		// 2: the Alert Channel is a picker (resource locator); 1 took a raw channel ID.
		// 3: Send Agent Reply waits out Slack outages (Wait Out Outages, on by default).
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle:
			'={{$parameter["operation"] === "notice" ? "Status notice" : $parameter["operation"] === "alert" ? "Team alert" : "Agent reply"}}',
		description:
			'Posts Zendesk agent replies and status notices into the Slack DM of the conversation, and failed-delivery alerts into a team channel',
		defaults: { name: 'Slack DM Reply' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: REPLY_OUTAGE_OUTPUTS,
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
			{
				name: 'slackDmApi',
				displayName: 'Slack Credential',
				required: true,
				displayOptions: { show: { postAs: ['bot', 'user'] } },
			},
			{
				name: 'zendeskDmApi',
				displayName: 'Zendesk Credential',
				required: true,
				displayOptions: { show: { authentication: ['apiToken'] }, hide: ZENDESK_SLOT_HIDDEN },
			},
			{
				name: 'zendeskDmOAuth2Api',
				displayName: 'Zendesk Credential',
				required: true,
				displayOptions: { show: { authentication: ['oAuth2'] }, hide: ZENDESK_SLOT_HIDDEN },
			},
			{
				name: 'zendeskMessagingApi',
				displayName: 'Zendesk Credential',
				required: true,
				displayOptions: { show: { authentication: [MESSAGING_AUTHENTICATION] }, hide: ZENDESK_SLOT_HIDDEN },
			},
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
					{
						name: 'Send Agent Reply',
						value: 'reply',
						action: 'Send an agent reply to the DM',
						description: 'Post a Zendesk Reply Trigger item into the DM',
					},
					{
						name: 'Send Status Notice',
						value: 'notice',
						action: 'Send a status notice to the DM',
						description: 'Tell the user their ticket was created or solved',
					},
				],
				default: 'reply',
			},
			{
				displayName: 'Post As',
				name: 'postAs',
				type: 'options',
				options: [
					{ name: 'Bot', value: 'bot', description: "The credential holds the app's bot token (xoxb-)" },
					{
						name: 'Handle User',
						value: 'user',
						description: "The credential holds the handle account's user token (xoxp-)",
					},
				],
				default: 'bot',
				description:
					"Who the message comes from. Either way it is posted with the credential's token, so the Slack DM Trigger recognises it as its own and ignores it.",
			},
			{
				displayName: 'Text',
				name: 'textSource',
				type: 'options',
				displayOptions: { show: { operation: ['reply'] } },
				options: [
					{
						name: 'From the Zendesk Comment',
						value: 'comment',
						description: "The item's comment.htmlBody (or comment.body)",
					},
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
				description: "Whether the reply starts with the agent's name in bold",
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
				description: "Whether the comment's attachments are downloaded from Zendesk and uploaded to the DM",
			},
			{
				...zendeskAuthenticationProperty,
				// Items of the Zendesk Reply Trigger's messaging source: their files are Sunshine `mediaUrl`s.
				options: [
					...(zendeskAuthenticationProperty.options ?? []),
					{ name: 'Zendesk Messaging (Sunshine Conversations) API Key', value: MESSAGING_AUTHENTICATION },
				],
				displayOptions: { hide: ZENDESK_SLOT_HIDDEN },
			},
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
					{
						name: 'Outside Business Hours',
						value: 'outsideHours',
						description:
							'Tell the user when the team is back, if the message arrived outside business hours (once per conversation per closed period)',
					},
					{
						name: 'Queued (Service Unavailable)',
						value: 'queued',
						description:
							"Tell the user once per outage that their message is queued: connect the Upsert's Service Unavailable output (first attempt only)",
					},
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
				description:
					'The Slack channel the team watches (channel details → channel ID); the bot or handle must be a member',
			},
			alertChannelV2,
			...replyOutageProperties,
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
						description:
							'Whether Slack mention syntax in the text (&lt;@U…&gt;, &lt;#C…&gt;, &lt;!here&gt;, &lt;!channel&gt;) is kept. Off: it is shown as plain text.',
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
						description:
							"Only for Post As: Bot (needs the chat:write.customize scope), e.g. an expression with the agent's name",
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
						displayName: 'Queued Notice Text',
						name: 'queuedNoticeText',
						type: 'string',
						default: DEFAULT_QUEUED_NOTICE,
						description: 'Only for Notice: Queued (Service Unavailable)',
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
		const session = await openSlackSession(this);
		const settings = replyOutageSettings(this);
		if (!settings)
			return [await runPerItem(this, async (input, itemIndex) => await deliverItem(this, session, input, itemIndex))];
		return await runPerItemWithOutages(
			this,
			async (input, itemIndex, previous) => await deliverItem(this, session, input, itemIndex, { previous }),
			{
				settings,
				service: 'Slack',
				unavailableReason: replyUnavailableReason,
				placeOf: replyPlace,
				describe: describeReply,
			},
		);
	}
}
