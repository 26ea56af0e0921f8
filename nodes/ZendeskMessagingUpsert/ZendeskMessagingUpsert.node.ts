import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { zendeskAccount, zendeskAccountKey, zendeskCredentialTypeOfItems } from '../shared/transport/accounts';
import { OUTAGE_OUTPUTS, outageProperties, outageSettingsOf } from '../shared/n8n/outageParameters';
import { describeSlackMessage } from '../shared/n8n/outageRetry';
import { runPerItemWithOutages } from '../shared/n8n/outageRunner';
import { slackMessagePlace } from '../shared/slack/messagePlace';
import { unavailableReason } from '../shared/transport/serviceAvailability';
import { zendeskAuthenticationProperty, zendeskCredentials } from '../shared/zendesk/nodeParameters';
import { DEFAULT_SUBJECT_MAX_LENGTH } from './helpers/tickets';
import { newUpsertRun } from './helpers/upsertRequest';
import type { ZendeskConnection } from './actions/upsert';
import { upsertMessage } from './actions/upsert';
import { customFieldsV1, customFieldsV2, routingPropertiesV1, routingPropertiesV2 } from './descriptions/routing';
import { listSearch } from './methods/listSearch';

export class ZendeskMessagingUpsert implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zendesk Messaging Upsert',
		name: 'zendeskMessagingUpsert',
		icon: { light: 'file:zendesk.svg', dark: 'file:zendesk.dark.svg' },
		subtitle: '={{$parameter["mode"] === "supportTickets" ? "Support ticket" : $parameter["mode"]}}',
		group: ['transform'],
		// 2: brand, group and custom fields are pickers (resource locators); 1 took raw IDs.
		// 3: Wait Out Outages (on by default) and its Service Unavailable output (docs/outages.md).
		version: [1, 2, 3],
		defaultVersion: 3,
		description: 'Adds each Slack DM message to its conversation ticket in Zendesk, exactly once',
		defaults: { name: 'Zendesk Messaging Upsert' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTAGE_OUTPUTS,
		credentials: zendeskCredentials,
		properties: [
			zendeskAuthenticationProperty,
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Support Ticket',
						value: 'supportTickets',
						description: 'One ticket per conversation through the Zendesk Support tickets API',
					},
				],
				default: 'supportTickets',
			},
			{
				displayName: 'Requester ID',
				name: 'requesterId',
				type: 'string',
				default: '',
				description: 'Zendesk user ID of the requester. Leave empty to use zendeskUser.ID from the Profile Linker.',
			},
			{
				displayName: 'Subject',
				name: 'subject',
				type: 'string',
				default: '',
				description: 'Subject of a new ticket. Leave empty to use the first line of the message.',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'vip, onboarding',
				description:
					'Comma-separated tags for new tickets, added to slack_dm, slack_handle_{handle} and slack_connect (partners)',
			},
			...routingPropertiesV1,
			...routingPropertiesV2,
			{
				displayName: 'Priority',
				name: 'priority',
				type: 'options',
				options: [
					{ name: 'High', value: 'high' },
					{ name: 'Low', value: 'low' },
					{ name: 'Normal', value: 'normal' },
					{ name: 'Not Set', value: '' },
					{ name: 'Urgent', value: 'urgent' },
				],
				default: '',
			},
			{
				displayName: 'Ticket Type',
				name: 'ticketType',
				type: 'options',
				options: [
					{ name: 'Incident', value: 'incident' },
					{ name: 'Not Set', value: '' },
					{ name: 'Problem', value: 'problem' },
					{ name: 'Question', value: 'question' },
					{ name: 'Task', value: 'task' },
				],
				default: '',
			},
			customFieldsV1,
			customFieldsV2,
			...outageProperties('Zendesk', 3),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Agent URL Base',
						name: 'agentUrlBase',
						type: 'string',
						default: '',
						placeholder: 'https://acme.zendesk.com',
						description: "Base of the ticket links in the output. Leave empty for the credential's Zendesk address.",
					},
					{
						displayName: 'Collision Protection',
						name: 'safeUpdates',
						type: 'boolean',
						default: true,
						description:
							'Whether comments are sent as safe updates, so a copy of the same message sent by another n8n process is noticed',
					},
					{
						displayName: 'Conversation Cache (Minutes)',
						name: 'cacheMinutes',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 60,
						description:
							'How long this process remembers the ticket of a conversation. 0 looks it up for every message.',
					},
					{
						displayName: 'Group DM Participants',
						name: 'participantCopies',
						type: 'options',
						options: [
							{
								name: 'Copy as Email CCs',
								value: 'emailCcs',
								description:
									'Adds the linked participants (Profile Linker) as CCs on creation and when new ones appear (accounts with CCs and followers)',
							},
							{
								name: 'Copy as Collaborators',
								value: 'collaborators',
								description: 'Adds them as collaborators, for accounts still on legacy CCs',
							},
							{ name: 'Do Not Copy', value: 'off' },
						],
						default: 'emailCcs',
						description: 'How the other people of a group DM are copied on the ticket',
					},
					{
						displayName: 'Subject Fallback',
						name: 'subjectFallback',
						type: 'string',
						default: 'Slack message',
						description: 'Subject when the first message has no text (only files)',
					},
					{
						displayName: 'Subject Max Length',
						name: 'subjectMaxLength',
						type: 'number',
						typeOptions: { minValue: 10 },
						default: DEFAULT_SUBJECT_MAX_LENGTH,
					},
					{
						displayName: 'Thread Replies',
						name: 'threadReplies',
						type: 'options',
						options: [
							{
								name: "Join the Conversation's Ticket",
								value: 'joinConversation',
								description:
									"A reply in a thread of a DM is added to the DM's ticket, marked as a thread reply; agent replies come back into the DM",
							},
							{
								name: 'One Ticket per Thread',
								value: 'ticketPerThread',
								description:
									"Each thread of a DM gets its own ticket, which mentions the DM's ticket; agent replies go into the thread",
							},
						],
						default: 'joinConversation',
						description:
							"Where replies inside a Slack thread go (the trigger's Include Thread Replies option). Channel @-mentions always get one ticket per thread.",
					},
					{
						displayName: 'Ticket Update Limit',
						name: 'updateLimit',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 30,
						description:
							'Updates Zendesk allows per user per ticket in the window below. Near it, waiting messages are combined into one comment.',
					},
					{
						displayName: 'Ticket Update Window (Seconds)',
						name: 'updateWindowSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 600,
					},
				],
			},
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credentialType = zendeskCredentialTypeOfItems(this);
		const { credentials } = await zendeskAccount(this, credentialType);
		const zendesk: ZendeskConnection = {
			credentialType,
			credentials,
			account: zendeskAccountKey(credentialType, credentials),
			run: newUpsertRun(),
		};
		return await runPerItemWithOutages(
			this,
			async (input, itemIndex) => await upsertMessage(this, input, itemIndex, zendesk),
			{
				settings: outageSettingsOf(this),
				service: 'Zendesk',
				unavailableReason,
				placeOf: slackMessagePlace,
				describe: describeSlackMessage,
			},
		);
	}
}
