import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { zendeskAccount, zendeskCredentialTypeOfItems } from '../shared/transport/accounts';
import { OUTAGE_OUTPUTS, outageProperties, outageSettingsOf } from '../shared/n8n/outageParameters';
import { describeSlackMessage } from '../shared/n8n/outageRetry';
import { runPerItemWithOutages } from '../shared/n8n/outageRunner';
import { slackMessagePlace } from '../shared/slack/messagePlace';
import { unavailableReason } from '../shared/transport/serviceAvailability';
import { zendeskAuthenticationProperty } from '../shared/zendesk/nodeParameters';
import { link } from './actions/link';
import type { ZendeskTarget } from './actions/linkerPorts';
import { linkToExisting } from './actions/linkToExisting';

const OPERATIONS = { link, linkToExisting };

export class ProfileLinker implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Profile Linker',
		name: 'profileLinker',
		icon: { light: 'file:bridge.svg', dark: 'file:bridge.dark.svg' },
		subtitle: '={{$parameter["operation"] === "linkToExisting" ? "Link to Existing Profile" : "Link Slack User"}}',
		group: ['transform'],
		// 2: Wait Out Outages (on by default) and its Service Unavailable output (docs/outages.md).
		version: [1, 2],
		defaultVersion: 2,
		description:
			'Links the Slack user of a DM to the right Zendesk end user, creating the profile and partner organization when needed',
		defaults: { name: 'Profile Linker' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTAGE_OUTPUTS,
		// Named per service: n8n's editor labels every slot of a node with an authentication
		// parameter just "Credential", so the Slack and the Zendesk one would look alike.
		credentials: [
			{
				name: 'slackDmApi',
				displayName: 'Slack Credential',
				required: true,
				displayOptions: { show: { operation: ['link'] } },
			},
			{
				name: 'zendeskDmApi',
				displayName: 'Zendesk Credential',
				required: true,
				displayOptions: { show: { authentication: ['apiToken'] } },
			},
			{
				name: 'zendeskDmOAuth2Api',
				displayName: 'Zendesk Credential',
				required: true,
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
		],
		properties: [
			zendeskAuthenticationProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Profile', value: 'profile' }],
				default: 'profile',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				// No displayOptions: the Slack slot is shown by operation, and n8n's editor hides every
				// parameter named in the `show` of a parameter a credential slot is shown by.
				options: [
					{
						name: 'Link Slack User',
						value: 'link',
						description: "Find or create the Zendesk end user of the DM's Slack user (and of group DM participants)",
						action: 'Find or create the sender as an end user',
					},
					{
						name: 'Link to Existing Profile',
						value: 'linkToExisting',
						description: 'Merge the profile created for a Slack user into an existing Zendesk end user',
						action: 'Merge the sender into an existing end user',
					},
				],
				default: 'link',
			},
			{
				displayName: 'Slack User ID',
				name: 'slackUserId',
				type: 'string',
				required: true,
				default: '={{ $json.user.id }}',
				displayOptions: { show: { operation: ['linkToExisting'] } },
				description: 'The Slack user whose profile is linked, e.g. U0123ABC',
			},
			{
				displayName: 'Slack Team ID',
				name: 'slackTeamId',
				type: 'string',
				required: true,
				default: '={{ $json.user.teamId }}',
				displayOptions: { show: { operation: ['linkToExisting'] } },
				description: "The Slack user's home workspace, e.g. T0123ABC",
			},
			{
				displayName: 'Existing Zendesk User ID',
				name: 'targetUserId',
				type: 'number',
				required: true,
				default: 0,
				displayOptions: { show: { operation: ['linkToExisting'] } },
				description: 'The end user to keep. Agents and admins are refused.',
			},
			...outageProperties('Zendesk (or Slack)', 2),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { operation: ['link'] } },
				options: [
					{
						displayName: 'Cache Period (Minutes)',
						name: 'cachePeriod',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 60,
						description:
							'How long a linked user and a Slack profile are remembered in this n8n process. While remembered, a user costs no Slack or Zendesk call. 0 turns the cache off.',
					},
					{
						displayName: 'Employee Organization',
						name: 'employeeOrganization',
						type: 'options',
						options: [
							{ name: 'None', value: 'none', description: 'New employee profiles join no organization' },
							{
								name: 'Fixed Organization',
								value: 'fixed',
								description: 'New employee profiles join the organization below',
							},
						],
						default: 'none',
					},
					{
						displayName: 'Employee Organization ID',
						name: 'employeeOrganizationId',
						type: 'number',
						default: 0,
						description:
							'Zendesk organization for new profiles of the handle\'s own workspace (with Employee Organization "Fixed Organization")',
					},
					{
						displayName: 'Link Group DM Participants',
						name: 'linkParticipants',
						type: 'boolean',
						default: true,
						description:
							'Whether to also link every participant of a group DM (output as zendeskParticipants, e.g. for CCs)',
					},
					{
						displayName: 'Order Across Processes',
						name: 'earlierMessages',
						type: 'boolean',
						default: true,
						description:
							"Whether, in n8n's queue mode (the trigger in another process), to read the DM's messages of the last minute (one Slack conversations.history call per message) so that the Zendesk Messaging Upsert writes each message after the earlier ones. Off: arrival order across workers, no extra call.",
					},
					{
						displayName: 'Partner Organization',
						name: 'partnerOrganization',
						type: 'options',
						options: [
							{
								name: 'One per Partner Team',
								value: 'perTeam',
								description:
									'Slack Connect partners join a Zendesk organization per partner workspace, created on first contact',
							},
							{ name: 'None', value: 'none', description: 'Partner profiles join no organization' },
						],
						default: 'perTeam',
					},
					{
						displayName: 'Tags',
						name: 'tags',
						type: 'string',
						default: '',
						placeholder: 'slack, partner',
						description: 'Comma-separated user tags for profiles this node creates',
					},
					{
						displayName: 'User Fields',
						name: 'userFields',
						type: 'fixedCollection',
						typeOptions: { multipleValues: true },
						default: {},
						placeholder: 'Add User Field',
						description: 'Custom user field values for profiles this node creates',
						options: [
							{
								displayName: 'Field',
								name: 'field',
								values: [
									{
										displayName: 'Key',
										name: 'key',
										type: 'string',
										default: '',
										description: 'The user field key in Zendesk',
									},
									{ displayName: 'Value', name: 'value', type: 'string', default: '' },
								],
							},
						],
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation =
			this.getNodeParameter('operation', 0) === 'linkToExisting' ? OPERATIONS.linkToExisting : OPERATIONS.link;
		const credentialType = zendeskCredentialTypeOfItems(this);
		const zendesk: ZendeskTarget = { credentialType, account: (await zendeskAccount(this, credentialType)).baseUrl };
		return await runPerItemWithOutages(
			this,
			async (input, itemIndex) => ({
				...input,
				json: await operation(this, itemIndex, input.json, zendesk),
				pairedItem: { item: itemIndex },
			}),
			{
				settings: outageSettingsOf(this),
				service: 'Zendesk (or Slack)',
				unavailableReason,
				placeOf: slackMessagePlace,
				describe: describeSlackMessage,
			},
		);
	}
}
