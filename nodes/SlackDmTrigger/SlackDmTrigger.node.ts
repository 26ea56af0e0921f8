import { createHash } from 'crypto';
import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { TriggerFilterOptions } from '../shared/slack/classify';
import { DEFAULT_FILTER_OPTIONS, classifyEvent, groupParticipants } from '../shared/slack/classify';
import {
	recordStaticDelivery,
	retryInfoFromHeaders,
	retryReplacesEarlierDelivery,
	staticDataHasDelivered,
} from '../shared/slack/dedupe';
import type { StaticDedupeData } from '../shared/slack/dedupe';
import { classifyEnvelope } from '../shared/slack/events';
import type { HandleConfig, SelfIdentity } from '../shared/slack/identity';
import { identityCacheKey, resolveHandles, selfIdentityFromAuthTest } from '../shared/slack/identity';
import { verifySlackSignature } from '../shared/slack/signature';
import { deliveryLedger, groupMembersCache, identityCache } from '../shared/slack/triggerState';
import { SLACK_CREDENTIAL_TYPE, callSlack, slackBaseUrl } from '../shared/transport/slackTransport';

type HookOrWebhook = IHookFunctions | IWebhookFunctions;

async function identityKey(ctx: HookOrWebhook): Promise<string> {
	const credentials = await ctx.getCredentials(SLACK_CREDENTIAL_TYPE);
	const token = typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
	return identityCacheKey({
		credentialId: ctx.getNode().credentials?.[SLACK_CREDENTIAL_TYPE]?.id ?? undefined,
		baseUrl: slackBaseUrl(credentials),
		tokenDigest: createHash('sha256').update(token).digest('hex').slice(0, 16),
	});
}

/** auth.test once per credential and process (shared by concurrent first events), never per event. */
async function selfIdentity(ctx: HookOrWebhook, key: string): Promise<SelfIdentity> {
	return await identityCache.get(key, async () => {
		const response = await callSlack(ctx, 'auth.test');
		const identity = selfIdentityFromAuthTest(response);
		if (!identity) {
			throw new NodeOperationError(ctx.getNode(), 'Slack auth.test answered without a user id and team id', {
				description: 'Check that the Slack DM Handle credential holds a bot or user token of the handle.',
			});
		}
		return identity;
	});
}

async function groupMembers(ctx: IWebhookFunctions, key: string, channelId: string): Promise<string[]> {
	return await groupMembersCache.get(`${key}|${channelId}`, async () => {
		const response = await callSlack(ctx, 'conversations.members', { channel: channelId, limit: 200 }, { allowErrors: ['missing_scope'] });
		if (!response.ok) {
			// A message without its CC list beats a message lost after Slack's last retry.
			ctx.logger.warn('Slack DM Trigger cannot list group DM members: the token lacks the mpim:read scope');
			return [];
		}
		return Array.isArray(response.members) ? response.members.filter((m): m is string => typeof m === 'string') : [];
	});
}

function filterOptions(raw: IDataObject): TriggerFilterOptions {
	const flag = (name: keyof TriggerFilterOptions) => (typeof raw[name] === 'boolean' ? (raw[name] as boolean) : DEFAULT_FILTER_OPTIONS[name]);
	return {
		includeGroupDms: flag('includeGroupDms'),
		includeThreadReplies: flag('includeThreadReplies'),
		ignoreAllBots: flag('ignoreAllBots'),
		channelMentions: flag('channelMentions'),
		includeEdits: flag('includeEdits'),
		includeRawEvent: flag('includeRawEvent'),
	};
}

export class SlackDmTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack DM Trigger',
		name: 'slackDmTrigger',
		icon: { light: 'file:slack.svg', dark: 'file:slack.dark.svg' },
		group: ['trigger'],
		version: 1,
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
				responseMode: '={{$parameter["responseMode"]}}',
				responseData: 'noData',
				path: 'slack-events',
			},
		],
		properties: [
			{
				displayName:
					'Paste this node\'s production URL as the Request URL under Event Subscriptions in your Slack app, and put the app\'s signing secret in the credential: requests without a valid signature are refused.',
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
							'Answer Slack before the workflow runs. Always within Slack\'s 3 seconds, but a workflow that fails later (say, Zendesk is down) is not redelivered by Slack.',
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
			{
				displayName: 'Handles',
				name: 'handles',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Handle',
				default: {},
				description:
					'The Slack users this trigger answers for and the names the output gives them (Switch on handle.name to route). Leave empty to answer only for the credential\'s own user, named after its Slack user name.',
				options: [
					{
						displayName: 'Handle',
						name: 'handle',
						values: [
							{
								displayName: 'Name',
								name: 'name',
								type: 'string',
								default: '',
								placeholder: 'IT',
								description: 'Name used for routing, e.g. IT, HR or Onboarding',
							},
							{
								displayName: 'Slack User ID',
								name: 'userId',
								type: 'string',
								default: '',
								placeholder: 'U012AB3CD',
								description: 'User ID of the handle account (user-token mode) or of the app\'s bot user (bot mode)',
							},
						],
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Forward Edits and Deletions',
						name: 'includeEdits',
						type: 'boolean',
						default: false,
						description: 'Whether edited and deleted messages are emitted too, as kind "edit" or "delete" (with the earlier text in message.previousText)',
					},
					{
						displayName: 'Ignore Messages From Any Bot',
						name: 'ignoreAllBots',
						type: 'boolean',
						default: false,
						description: 'Whether messages of every bot are dropped. Messages of this app and of the handle itself are always dropped.',
					},
					{
						displayName: 'Include Group DMs',
						name: 'includeGroupDms',
						type: 'boolean',
						default: false,
						description: 'Whether group direct messages with the handle are emitted too, with all participants in channel.participants. Off: 1:1 DMs only.',
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
						description: 'Whether replies inside a thread of the DM are emitted too, with message.threadKey so one ticket per thread can be kept. Off: thread replies are dropped.',
					},
					{
						displayName: 'Open Tickets From Channel Mentions',
						name: 'channelMentions',
						type: 'boolean',
						default: false,
						description: 'Whether an @-mention of the handle in a channel starts a conversation (one per thread). Off: channel mentions start nothing.',
					},
				],
			},
		],
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
		const req = this.getRequestObject();
		const headers = this.getHeaderData();
		const credentials = await this.getCredentials(SLACK_CREDENTIAL_TYPE);

		if (req.rawBody === undefined && typeof req.readRawBody === 'function') await req.readRawBody();
		const rawBody: Buffer | undefined = req.rawBody;
		const check = verifySlackSignature({
			signingSecret: typeof credentials.signingSecret === 'string' ? credentials.signingSecret : undefined,
			timestamp: headers['x-slack-request-timestamp'],
			signature: headers['x-slack-signature'],
			rawBody,
			nowSeconds: Math.floor(Date.now() / 1000),
		});
		if (!check.valid) {
			if (check.reason === 'missingSigningSecret') {
				this.logger.warn('Slack DM Trigger refused a request: the credential has no signing secret');
			}
			this.getResponseObject().status(401).json({ ok: false, error: 'invalid_signature' });
			return { noWebhookResponse: true };
		}

		let body: unknown;
		try {
			body = JSON.parse((rawBody as Buffer).toString('utf8'));
		} catch {
			body = undefined;
		}
		const envelope = classifyEnvelope(body);
		switch (envelope.kind) {
			case 'invalid':
				this.getResponseObject().status(400).json({ ok: false, error: envelope.reason });
				return { noWebhookResponse: true };
			case 'urlVerification':
				return { webhookResponse: { challenge: envelope.challenge } };
			case 'rateLimited':
				// Slack stops sending events for up to a minute; nothing to run, but ops must see it.
				this.logger.warn('Slack rate-limited event deliveries to this app (app_rate_limited)', {
					teamId: envelope.teamId,
					appId: envelope.appId,
					minuteRateLimited: envelope.minuteRateLimited,
				});
				return { webhookResponse: { ok: true, rateLimited: true } };
			case 'eventCallback':
				break;
		}

		const key = await identityKey(this);
		const self = await selfIdentity(this, key);
		const handlesParameter = this.getNodeParameter('handles', {}) as { handle?: Array<Partial<HandleConfig>> };
		const handles = resolveHandles(handlesParameter.handle, self);
		const options = filterOptions(this.getNodeParameter('options', {}) as IDataObject);
		const decision = classifyEvent(envelope.envelope, { self, handles, options, receivedAt: new Date().toISOString() });
		if (decision.action === 'drop') return { webhookResponse: { ok: true, ignored: decision.reason } };

		const item = decision.item;
		if (decision.needsParticipants) {
			item.channel.participants = groupParticipants(await groupMembers(this, key, item.channel.id), self, handles);
		}

		// From here to the return nothing awaits: claim and record happen in one step.
		const now = Date.now();
		const retry = retryInfoFromHeaders(headers);
		// The ledger is shared by every trigger in this process: scope its keys to this node.
		const scope = `${this.getWorkflow().id ?? ''}/${this.getNode().id}`;
		const claim = deliveryLedger.claim(
			decision.dedupeKeys.map((key) => `${scope}|${key}`),
			retry,
			now,
		);
		if (!claim.emit) return { webhookResponse: { ok: true, duplicate: true } };
		const staticData = this.getWorkflowStaticData('node') as StaticDedupeData;
		if (!claim.redelivery && !retryReplacesEarlierDelivery(retry) && staticDataHasDelivered(staticData, decision.dedupeKeys, now)) {
			return { webhookResponse: { ok: true, duplicate: true } };
		}
		recordStaticDelivery(staticData, decision.dedupeKeys, now);

		return { workflowData: [[{ json: item as unknown as IDataObject }]] };
	}
}
