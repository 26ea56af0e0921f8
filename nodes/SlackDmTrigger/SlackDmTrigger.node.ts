import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { SLACK_CREDENTIAL_TYPE } from '../shared/transport/slackTransport';
import { identityKey, selfIdentity } from './actions/handleIdentity';
import { receiveSlackEvent } from './actions/receiveEvent';
import { handlesProperties } from '../shared/slack/handleParameters';
import { searchSlackUsers } from '../shared/slack/userPicker';
import { parameterFields } from './helpers/webhookDescription';
import { MAX_GROUP_SIZE } from './helpers/triggerRequest';

export class SlackDmTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack DM Trigger',
		name: 'slackDmTrigger',
		icon: { light: 'file:slack.svg', dark: 'file:slack.dark.svg' },
		group: ['trigger'],
		// Version 2 behaves as 1. n8n evaluates an expression (its old Webhook node's binaryData
		// option) on every request to a version-1 trigger, in a fresh isolate: a few ms each.
		// Version 3 picks each handle's Slack user from a list (users.list); 1 and 2 type the ID.
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle: '={{$parameter["responseMode"] === "lastNode" ? "Respond after workflow" : "Respond at once"}}',
		description: 'Starts the workflow when someone sends a direct message to a Slack handle',
		eventTriggerDescription: 'Waiting for a direct message to the Slack handle',
		activationMessage: 'Direct messages to the handle now start this workflow.',
		defaults: { name: 'Slack DM Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: SLACK_CREDENTIAL_TYPE, required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// Resolved without the expression engine when the node's parameters are static.
				...parameterFields({ responseMode: { parameter: 'responseMode', fallback: 'onReceived' } }),
				responseData: 'noData',
				path: 'slack-events',
			},
		],
		properties: [
			{
				displayName:
					"Paste this node's production URL as the Request URL under Event Subscriptions in your Slack app, and put the app's signing secret in the credential: requests without a valid signature are refused.",
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Respond to Slack',
				name: 'responseMode',
				type: 'options',
				options: [
					{
						name: 'At Once',
						value: 'onReceived',
						description:
							"Answer Slack before the workflow runs. Always within Slack's 3 seconds, but a workflow that fails later (say, Zendesk is down) is not redelivered by Slack.",
					},
					{
						name: 'When the Workflow Finished',
						value: 'lastNode',
						description:
							'Answer when the workflow finished: a failed workflow answers with an error and Slack redelivers the message (up to 3 times within about 6 minutes). The workflow must finish within 3 seconds, or Slack retries while it still runs.',
					},
				],
				default: 'onReceived',
				description: 'When Slack gets its answer: trade speed against redelivery of failed runs',
			},
			...handlesProperties({
				description:
					"The Slack users this trigger answers for and the names the output gives them (Switch on handle.name to route). Leave empty to answer only for the credential's own user, named after its Slack user name.",
				nameDescription: 'Name used for routing, e.g. IT, HR or Onboarding',
			}),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Accept Messages From These Apps',
						name: 'acceptedBotApps',
						type: 'string',
						default: '',
						placeholder: 'A0123ABCD, B0456EFGH',
						description:
							'Slack app IDs (A…) or bot IDs (B…), separated by commas, whose messages are emitted although Ignore Messages From Any Bot is on. Never this app itself.',
					},
					{
						displayName: 'Forward Edits and Deletions',
						name: 'includeEdits',
						type: 'boolean',
						default: false,
						description:
							'Whether edited and deleted messages are emitted too, as kind "edit" or "delete" (with the earlier text in message.previousText)',
					},
					{
						displayName: 'Group Messages Under Load',
						name: 'groupUnderLoad',
						type: 'boolean',
						default: false,
						description: `Whether messages that arrive while n8n is still starting the previous execution start one execution together (up to ${MAX_GROUP_SIZE} items, one per message) instead of one each. Saves n8n's per-execution work at peaks; an idle trigger still starts each message at once. Every message is acknowledged only once its execution exists. Applies when Respond to Slack is At Once; every node after the trigger must handle several items.`,
					},
					{
						displayName: 'Ignore Messages From Any Bot',
						name: 'ignoreAllBots',
						type: 'boolean',
						default: true,
						description:
							'Whether messages posted by bots and apps (bot_id, bot_message, app_id) are dropped, so that no bot becomes a Zendesk user and two bots cannot loop. Messages of this app, of the handle itself and of Slackbot are always dropped.',
					},
					{
						displayName: 'Include Group DMs',
						name: 'includeGroupDms',
						type: 'boolean',
						default: false,
						description:
							'Whether group direct messages with the handle are emitted too, with all participants in channel.participants. Off: 1:1 DMs only.',
					},
					{
						displayName: 'Include Raw Event',
						name: 'includeRawEvent',
						type: 'boolean',
						default: false,
						description: 'Whether to add Slack\'s event envelope (without its verification token) as "raw"',
					},
					{
						displayName: 'Include Thread Replies',
						name: 'includeThreadReplies',
						type: 'boolean',
						default: false,
						description:
							'Whether replies inside a thread of the DM are emitted too, with message.threadKey so one ticket per thread can be kept. Off: thread replies are dropped.',
					},
					{
						displayName: 'Open Tickets From Channel Mentions',
						name: 'channelMentions',
						type: 'boolean',
						default: false,
						description:
							'Whether an @-mention of the handle in a channel starts a conversation (one per thread). Off: channel mentions start nothing.',
					},
					{
						displayName: 'Remember Deliveries Across Restarts',
						name: 'rememberAcrossRestarts',
						type: 'boolean',
						default: false,
						description:
							"Whether recent event IDs are also kept in the workflow's static data, so a Slack retry that arrives after an n8n restart emits nothing. Off: n8n writes no static data per event (faster answers to Slack); the Zendesk node still never writes a retried message twice.",
					},
					{
						displayName: 'Tell Senders Thread Replies Are Not Forwarded',
						name: 'notifyThreadReplies',
						type: 'boolean',
						default: false,
						description:
							'Whether a person who replies inside a thread of the DM gets one message in that thread (once per thread) saying that thread replies do not reach the team, while Include Thread Replies is off',
					},
					{
						displayName: 'Thread Reply Notice Text',
						name: 'threadReplyNoticeText',
						type: 'string',
						default: '',
						placeholder:
							'Replies in a thread do not reach the support team. Please send your message in the main conversation, not in a thread.',
						description: 'The text of that message; empty uses the placeholder text',
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
			// Slack's Request URL is set in the app's settings, not by API: there is nothing to
			// register. Activation only primes the identity cache, which also checks the token.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				await selfIdentity(this, await identityKey(this));
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveSlackEvent(this);
	}
}
