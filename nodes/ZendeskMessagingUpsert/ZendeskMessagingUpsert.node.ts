import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { OUTAGE_OUTPUTS, outageProperties, outageSettingsOf } from '../shared/n8n/outageParameters';
import { describeSlackMessage } from '../shared/n8n/outageRetry';
import { runPerItemWithOutages } from '../shared/n8n/outageRunner';
import { slackMessagePlace } from '../shared/slack/messagePlace';
import { unavailableReason } from '../shared/transport/serviceAvailability';
import { upsertConnection, upsertMessage } from './actions/upsert';
import { modeProperty, supportOnly, upsertAuthenticationProperty } from './descriptions/modes';
import { upsertOptions } from './descriptions/options';
import { customFieldsV1, customFieldsV2, routingPropertiesV1, routingPropertiesV2 } from './descriptions/routing';
import { listSearch } from './methods/listSearch';

export class ZendeskMessagingUpsert implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zendesk Messaging Upsert',
		name: 'zendeskMessagingUpsert',
		icon: { light: 'file:zendesk.svg', dark: 'file:zendesk.dark.svg' },
		subtitle:
			'={{$parameter["mode"] === "zendeskMessaging" ? "Zendesk messaging" : $parameter["mode"] === "supportTickets" ? "Support ticket" : $parameter["mode"]}}',
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
		// Zendesk Support in the Support Ticket mode, Zendesk messaging (Sunshine Conversations) in the other.
		credentials: [
			{
				name: 'zendeskDmApi',
				required: true,
				displayOptions: { show: { authentication: ['apiToken'], mode: ['supportTickets'] } },
			},
			{
				name: 'zendeskDmOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['oAuth2'], mode: ['supportTickets'] } },
			},
			{ name: 'zendeskMessagingApi', required: true, displayOptions: { show: { mode: ['zendeskMessaging'] } } },
		],
		properties: [
			upsertAuthenticationProperty,
			modeProperty,
			supportOnly({
				displayName: 'Requester ID',
				name: 'requesterId',
				type: 'string',
				default: '',
				description: 'Zendesk user ID of the requester. Leave empty to use zendeskUser.ID from the Profile Linker.',
			}),
			supportOnly({
				displayName: 'Subject',
				name: 'subject',
				type: 'string',
				default: '',
				description: 'Subject of a new ticket. Leave empty to use the first line of the message.',
			}),
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
			supportOnly({
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
			}),
			customFieldsV1,
			customFieldsV2,
			...outageProperties('Zendesk', 3),
			upsertOptions,
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const zendesk = await upsertConnection(this);
		const settings = outageSettingsOf(this);
		return await runPerItemWithOutages(
			this,
			async (input, itemIndex, previous) =>
				await upsertMessage(this, input, itemIndex, zendesk, { previous, maxWaitSeconds: settings?.maxWaitSeconds }),
			{
				settings,
				service: 'Zendesk',
				unavailableReason,
				placeOf: slackMessagePlace,
				describe: describeSlackMessage,
			},
		);
	}
}
