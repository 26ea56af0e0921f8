import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { zendeskAuthenticationProperty } from '../shared/zendesk/nodeParameters';
import { DEFAULT_SIGNATURE_TOLERANCE_SECONDS } from './helpers/webhooks';
import { createOwnObjects, deleteOwnObjects, ownObjectsExist } from './actions/lifecycle';
import { receiveReply } from './actions/receiveReply';
import {
	createMessagingIntegration,
	deleteMessagingIntegration,
	messagingIntegrationExists,
} from './messaging/lifecycle';
import { receiveMessaging } from './messaging/receiveMessaging';
import { handlesProperties } from '../shared/slack/handleParameters';
import { searchSlackUsers } from '../shared/slack/userPicker';

/** Where agent replies come from: the "Source" parameter (absent in workflows made before it: Support tickets). */
const SUPPORT = 'supportTickets';
const MESSAGING = 'zendeskMessaging';
const onSupport = { show: { source: [SUPPORT] } };
const onMessaging = { show: { source: [MESSAGING] } };

function isMessaging(ctx: IHookFunctions | IWebhookFunctions): boolean {
	return ctx.getNodeParameter('source', SUPPORT) === MESSAGING;
}

export class ZendeskReplyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zendesk Reply Trigger',
		name: 'zendeskReplyTrigger',
		icon: { light: 'file:zendesk.svg', dark: 'file:zendesk.dark.svg' },
		group: ['trigger'],
		// Version 2 behaves as 1. n8n evaluates an expression (its old Webhook node's binaryData
		// option) on every request to a version-1 trigger, in a fresh isolate: a few ms each.
		// Version 3 picks each handle's Slack user from a list (users.list); 1 and 2 type the ID.
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle:
			'={{$parameter["source"] === "zendeskMessaging" ? "Agent messages in Zendesk messaging" : "Public agent replies on tickets tagged " + $parameter["ticketTag"]}}',
		description:
			'Starts when an agent adds a public reply to a Slack DM ticket in Zendesk, or answers a Slack DM conversation in Zendesk messaging',
		defaults: { name: 'Zendesk Reply Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'zendeskDmApi',
				required: true,
				displayOptions: { show: { source: [SUPPORT], authentication: ['apiToken'] } },
			},
			{
				name: 'zendeskDmOAuth2Api',
				required: true,
				displayOptions: { show: { source: [SUPPORT], authentication: ['oAuth2'] } },
			},
			{ name: 'zendeskMessagingApi', required: true, displayOptions: onMessaging },
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// An empty 200 when items start the workflow: without it n8n 2.41 answers the literal text "firstEntryJson".
				responseData: 'noData',
				path: 'zendesk-reply',
			},
		],
		properties: [
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Support Tickets',
						value: SUPPORT,
						description: 'Public agent comments on the tickets the Upsert creates (Tickets API)',
					},
					{
						name: 'Zendesk Messaging (Sunshine Conversations)',
						value: MESSAGING,
						description: "Agents' messages in the messaging conversations the Upsert's messaging mode opens",
					},
				],
				default: SUPPORT,
			},
			{ ...zendeskAuthenticationProperty, displayOptions: onSupport },
			{
				displayName:
					'On activation this node creates a Zendesk webhook and a trigger named after this workflow and node; on deactivation it deletes exactly those. The Zendesk user needs admin rights.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
				displayOptions: onSupport,
			},
			{
				displayName:
					'On activation this node creates a Zendesk messaging (Sunshine Conversations) custom integration with one webhook, named after this workflow and node; on deactivation it deletes exactly that integration. Needs a Conversations API key of the app.',
				name: 'messagingSetupNotice',
				type: 'notice',
				default: '',
				displayOptions: onMessaging,
			},
			{
				displayName: 'Ticket Tag',
				name: 'ticketTag',
				type: 'string',
				default: 'slack_dm',
				required: true,
				displayOptions: onSupport,
				description: 'Tag the inbound pipeline puts on the tickets it creates; only replies on tagged tickets are sent',
			},
			...handlesProperties({
				description:
					"The Slack handles (as in the Slack DM Trigger) whose tickets this trigger sees. The output's handle (from the ticket's slack_handle_… tag) then carries this name and user ID: Switch on handle.name to send each reply with its handle's own Slack credential.",
				nameDescription:
					'The handle name used in the Slack DM Trigger (the ticket tag is slack_handle_ plus this name in lower case)',
			}),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				displayOptions: onSupport,
				options: [
					{
						displayName: 'Include Replies Made Through the API',
						name: 'includeApiComments',
						type: 'boolean',
						default: false,
						description:
							'Whether public agent comments added through the API (apps, integrations) are sent too. Off by default: the bridge itself writes through the API.',
					},
					{
						displayName: 'Signature Tolerance (Seconds)',
						name: 'signatureToleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 30 },
						default: DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
						description: 'Requests signed longer ago than this are refused as replays',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'messagingOptions',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				displayOptions: onMessaging,
				options: [
					{
						displayName: 'Emit Ticket Solved Events',
						name: 'solvedEvents',
						type: 'boolean',
						default: false,
						description:
							'Whether to emit an item (event "ticketSolved", ticketStatus "solved") when the agent workspace lets a conversation go because its ticket was solved or closed. Slack DM Reply posts the solved notice for it.',
					},
				],
			},
		],
	};

	methods = {
		listSearch: { searchSlackUsers },
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return isMessaging(this) ? await messagingIntegrationExists(this) : await ownObjectsExist(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return isMessaging(this) ? await createMessagingIntegration(this) : await createOwnObjects(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return isMessaging(this) ? await deleteMessagingIntegration(this) : await deleteOwnObjects(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return isMessaging(this) ? await receiveMessaging(this) : await receiveReply(this);
	}
}
