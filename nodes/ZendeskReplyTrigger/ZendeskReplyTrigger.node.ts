import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { callZendesk, zendeskCredentialType } from '../shared/transport/zendeskTransport';
import type { HttpContext } from '../shared/transport/http';
import { zendeskAuthenticationProperty, zendeskCredentials } from '../shared/zendesk/nodeParameters';
import {
	buildReplyItem,
	decideEmission,
	newDeliveryClaims,
	parseReplyWebhookPayload,
	rememberDelivered,
	selectComment,
	wasDelivered,
	type ZendeskCommentJson,
	type ZendeskTicketJson,
	type ZendeskUserJson,
} from '../shared/zendesk/replyEvents';
import {
	buildTriggerCreateBody,
	buildWebhookCreateBody,
	DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
	isOwnTrigger,
	isOwnWebhook,
	ownedObjectName,
	verifyZendeskSignature,
	type ReturnPathStaticData,
	type ZendeskTriggerObject,
	type ZendeskWebhookObject,
} from '../shared/zendesk/webhooks';

/** Claims per process: two concurrent deliveries of one comment start one execution. */
const deliveryClaims = newDeliveryClaims();

/** Pages of webhooks/triggers read when looking for our own objects again. */
const MAX_LIST_PAGES = 20;

interface Setup {
	credentialType: string;
	name: string;
	endpoint: string;
	data: ReturnPathStaticData & IDataObject;
}

function setupOf(ctx: IHookFunctions): Setup {
	const endpoint = ctx.getNodeWebhookUrl('default');
	if (!endpoint) throw new NodeOperationError(ctx.getNode(), 'n8n did not give this trigger a webhook URL');
	return {
		credentialType: zendeskCredentialType(ctx.getNodeParameter('authentication', 'apiToken')),
		name: ownedObjectName({ workflowId: String(ctx.getWorkflow().id ?? ''), nodeId: ctx.getNode().id }),
		endpoint,
		data: ctx.getWorkflowStaticData('node') as ReturnPathStaticData & IDataObject,
	};
}

function asNodeError(ctx: HttpContext, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : String(error));
}

function nextPath(next: unknown): string | undefined {
	if (typeof next !== 'string' || !next) return undefined;
	const at = next.indexOf('/api/v2');
	return at === -1 ? undefined : next.slice(at + '/api/v2'.length);
}

function splitPath(path: string): { path: string; qs: IDataObject } {
	const [base, query] = path.split('?');
	return { path: base, qs: Object.fromEntries(new URLSearchParams(query ?? '')) };
}

interface WebhookList {
	webhooks?: ZendeskWebhookObject[];
	links?: { next?: string | null };
	meta?: { has_more?: boolean };
}

async function findOwnWebhooks(ctx: HttpContext, setup: Setup): Promise<ZendeskWebhookObject[]> {
	const found: ZendeskWebhookObject[] = [];
	let request: { path: string; qs: IDataObject } | undefined = { path: '/webhooks', qs: { 'filter[name_contains]': setup.name, 'page[size]': 100 } };
	for (let page = 0; request && page < MAX_LIST_PAGES; page++) {
		const response: { body: WebhookList } = await callZendesk<WebhookList>(
			ctx,
			setup.credentialType,
			{ method: 'GET', ...request },
		);
		found.push(...(response.body.webhooks ?? []).filter((webhook) => isOwnWebhook(webhook, setup.name, setup.endpoint)));
		const next: string | undefined = response.body.meta?.has_more ? nextPath(response.body.links?.next) : undefined;
		request = next ? splitPath(next) : undefined;
	}
	return found;
}

async function findOwnTriggers(ctx: HttpContext, setup: Setup, webhookId?: string): Promise<ZendeskTriggerObject[]> {
	const found: ZendeskTriggerObject[] = [];
	let request: { path: string; qs: IDataObject } | undefined = { path: '/triggers.json', qs: { per_page: 100 } };
	for (let page = 0; request && page < MAX_LIST_PAGES; page++) {
		const response: { body: { triggers?: ZendeskTriggerObject[]; next_page?: string | null } } = await callZendesk(ctx, setup.credentialType, {
			method: 'GET',
			...request,
		});
		found.push(...(response.body.triggers ?? []).filter((trigger) => isOwnTrigger(trigger, setup.name, webhookId)));
		const next: string | undefined = nextPath(response.body.next_page);
		request = next ? splitPath(next) : undefined;
	}
	return found;
}

async function getWebhook(ctx: HttpContext, setup: Setup, id: string): Promise<ZendeskWebhookObject | undefined> {
	const response = await callZendesk<{ webhook?: ZendeskWebhookObject }>(ctx, setup.credentialType, {
		method: 'GET',
		path: `/webhooks/${encodeURIComponent(id)}`,
		acceptStatuses: [404],
	});
	return response.statusCode === 404 ? undefined : response.body.webhook;
}

async function getTrigger(ctx: HttpContext, setup: Setup, id: number): Promise<ZendeskTriggerObject | undefined> {
	const response = await callZendesk<{ trigger?: ZendeskTriggerObject }>(ctx, setup.credentialType, {
		method: 'GET',
		path: `/triggers/${id}.json`,
		acceptStatuses: [404],
	});
	return response.statusCode === 404 ? undefined : response.body.trigger;
}

async function fetchSigningSecret(ctx: HttpContext, setup: Setup, webhookId: string): Promise<string> {
	const response = await callZendesk<{ signing_secret?: { secret?: string } }>(ctx, setup.credentialType, {
		method: 'GET',
		path: `/webhooks/${encodeURIComponent(webhookId)}/signing_secret`,
	});
	const secret = response.body.signing_secret?.secret;
	if (!secret) throw new NodeOperationError(ctx.getNode(), 'Zendesk returned no signing secret for the webhook');
	return secret;
}

async function deleteTrigger(ctx: HttpContext, setup: Setup, id: number): Promise<void> {
	await callZendesk(ctx, setup.credentialType, { method: 'DELETE', path: `/triggers/${id}.json`, acceptStatuses: [404] });
}

async function deleteWebhook(ctx: HttpContext, setup: Setup, id: string): Promise<void> {
	await callZendesk(ctx, setup.credentialType, { method: 'DELETE', path: `/webhooks/${encodeURIComponent(id)}`, acceptStatuses: [404] });
}

function forgetSetup(data: ReturnPathStaticData & IDataObject): void {
	delete data.webhookId;
	delete data.triggerId;
	delete data.signingSecret;
	delete data.endpoint;
	delete data.name;
}

async function readComment(ctx: HttpContext, credentialType: string, ticketId: number, commentId: number | undefined): Promise<ZendeskCommentJson | undefined> {
	// Newest first: the comment that fired the trigger is almost always on the first page.
	let request: { path: string; qs: IDataObject } | undefined = { path: `/tickets/${ticketId}/comments.json`, qs: { sort_order: 'desc', per_page: 100 } };
	for (let page = 0; request && page < MAX_LIST_PAGES; page++) {
		const response: { body: { comments?: ZendeskCommentJson[]; next_page?: string | null } } = await callZendesk(ctx, credentialType, { method: 'GET', ...request });
		const comments = response.body.comments ?? [];
		const comment = selectComment(commentId === undefined ? [...comments].reverse() : comments, commentId);
		if (comment) return comment;
		if (commentId === undefined) return undefined;
		const next: string | undefined = nextPath(response.body.next_page);
		request = next ? splitPath(next) : undefined;
	}
	return undefined;
}

async function readUsers(ctx: HttpContext, credentialType: string, ids: number[]): Promise<Map<number, ZendeskUserJson>> {
	const unique = [...new Set(ids)];
	const response = await callZendesk<{ users?: ZendeskUserJson[] }>(ctx, credentialType, {
		method: 'GET',
		path: '/users/show_many.json',
		qs: { ids: unique.join(',') },
	});
	return new Map((response.body.users ?? []).map((user) => [user.id, user]));
}

export class ZendeskReplyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zendesk Reply Trigger',
		name: 'zendeskReplyTrigger',
		icon: { light: 'file:zendesk.svg', dark: 'file:zendesk.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '=Public agent replies on tickets tagged {{$parameter["ticketTag"]}}',
		description: 'Starts when an agent adds a public reply to a Slack DM ticket in Zendesk',
		defaults: { name: 'Zendesk Reply Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: zendeskCredentials,
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'zendesk-reply',
			},
		],
		properties: [
			zendeskAuthenticationProperty,
			{
				displayName:
					'On activation this node creates a Zendesk webhook and a trigger named after this workflow and node; on deactivation it deletes exactly those. The Zendesk user needs admin rights.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Ticket Tag',
				name: 'ticketTag',
				type: 'string',
				default: 'slack_dm',
				required: true,
				description: 'Tag the inbound pipeline puts on the tickets it creates; only replies on tagged tickets are sent',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
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
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const setup = setupOf(this);
				const { data } = setup;
				let webhook = data.webhookId ? await getWebhook(this, setup, data.webhookId) : undefined;
				if (!webhook || !isOwnWebhook(webhook, setup.name, setup.endpoint)) webhook = (await findOwnWebhooks(this, setup))[0];
				if (!webhook) {
					forgetSetup(data);
					return false;
				}
				let trigger = data.triggerId ? await getTrigger(this, setup, data.triggerId) : undefined;
				if (!trigger || !isOwnTrigger(trigger, setup.name, webhook.id)) trigger = (await findOwnTriggers(this, setup, webhook.id))[0];
				if (!trigger) return false;
				if (data.webhookId !== webhook.id || !data.signingSecret) data.signingSecret = await fetchSigningSecret(this, setup, webhook.id);
				data.webhookId = webhook.id;
				data.triggerId = trigger.id;
				data.endpoint = setup.endpoint;
				data.name = setup.name;
				return true;
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const setup = setupOf(this);
				const { data } = setup;
				const ticketTag = String(this.getNodeParameter('ticketTag', 'slack_dm')).trim();
				const options = this.getNodeParameter('options', {}) as { includeApiComments?: boolean };
				// Leftovers of an interrupted set-up of this very node (same name and endpoint) go first.
				for (const trigger of await findOwnTriggers(this, setup)) await deleteTrigger(this, setup, trigger.id);
				for (const webhook of await findOwnWebhooks(this, setup)) await deleteWebhook(this, setup, webhook.id);

				const created = await callZendesk<{ webhook?: ZendeskWebhookObject }>(this, setup.credentialType, {
					method: 'POST',
					path: '/webhooks',
					body: buildWebhookCreateBody(setup.name, setup.endpoint) as unknown as IDataObject,
				});
				const webhookId = created.body.webhook?.id;
				if (!webhookId) throw new NodeOperationError(this.getNode(), 'Zendesk did not return the created webhook');
				try {
					const signingSecret = await fetchSigningSecret(this, setup, webhookId);
					const trigger = await callZendesk<{ trigger?: ZendeskTriggerObject }>(this, setup.credentialType, {
						method: 'POST',
						path: '/triggers.json',
						body: buildTriggerCreateBody(setup.name, webhookId, {
							ticketTag: ticketTag || 'slack_dm',
							excludeApiUpdates: options.includeApiComments !== true,
						}) as unknown as IDataObject,
					});
					if (!trigger.body.trigger?.id) throw new NodeOperationError(this.getNode(), 'Zendesk did not return the created trigger');
					data.webhookId = webhookId;
					data.triggerId = trigger.body.trigger.id;
					data.signingSecret = signingSecret;
					data.endpoint = setup.endpoint;
					data.name = setup.name;
				} catch (error) {
					// Do not leave a webhook without its trigger behind.
					await deleteWebhook(this, setup, webhookId);
					throw asNodeError(this, error);
				}
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const setup = setupOf(this);
				const { data } = setup;
				const triggerIds = new Set<number>();
				const webhookIds = new Set<string>();
				if (data.triggerId) triggerIds.add(data.triggerId);
				if (data.webhookId) webhookIds.add(data.webhookId);
				if (!data.webhookId) {
					// Static data lost: find our objects by name and endpoint, never anyone else's.
					for (const webhook of await findOwnWebhooks(this, setup)) webhookIds.add(webhook.id);
					for (const trigger of await findOwnTriggers(this, setup)) triggerIds.add(trigger.id);
				}
				// The trigger references the webhook: delete it first.
				for (const id of triggerIds) {
					const trigger = await getTrigger(this, setup, id);
					if (trigger && isOwnTrigger(trigger, setup.name)) await deleteTrigger(this, setup, id);
				}
				for (const id of webhookIds) {
					const webhook = await getWebhook(this, setup, id);
					if (webhook && webhook.name === setup.name) await deleteWebhook(this, setup, id);
				}
				forgetSetup(data);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const data = this.getWorkflowStaticData('node') as ReturnPathStaticData & IDataObject;
		const options = this.getNodeParameter('options', {}) as { includeApiComments?: boolean; signatureToleranceSeconds?: number };
		const request = this.getRequestObject();
		const rawBody: Buffer = request.rawBody ?? Buffer.from(JSON.stringify(this.getBodyData()));
		const check = verifyZendeskSignature({
			secret: data.signingSecret,
			headers: this.getHeaderData() as Record<string, unknown>,
			rawBody,
			nowMs: Date.now(),
			toleranceSeconds: options.signatureToleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
		});
		if (!check.valid) {
			this.getResponseObject().status(401).json({ error: 'invalid signature' });
			return { noWebhookResponse: true };
		}

		const payload = parseReplyWebhookPayload(this.getBodyData());
		if (!payload) return { webhookResponse: { ok: true, skipped: 'noTicketId' } };
		const claimKey = payload.commentId ? `${data.webhookId ?? this.getNode().id}:${payload.commentId}` : undefined;
		if (payload.commentId && wasDelivered(data.deliveredCommentIds, payload.commentId)) return { webhookResponse: { ok: true, skipped: 'duplicate' } };
		if (claimKey && !deliveryClaims.claim(claimKey, Date.now())) return { webhookResponse: { ok: true, skipped: 'duplicate' } };

		const credentialType = zendeskCredentialType(this.getNodeParameter('authentication', 'apiToken'));
		try {
			const ticketResponse = await callZendesk<{ ticket: ZendeskTicketJson }>(this, credentialType, {
				method: 'GET',
				path: `/tickets/${payload.ticketId}.json`,
			});
			const ticket = ticketResponse.body.ticket;
			const comment = await readComment(this, credentialType, payload.ticketId, payload.commentId);
			const users = comment ? await readUsers(this, credentialType, [comment.author_id, ticket.requester_id]) : new Map<number, ZendeskUserJson>();
			const author = comment ? users.get(comment.author_id) : undefined;
			const decision = decideEmission({ ticket, comment, author, policy: { includeApiComments: options.includeApiComments === true } });
			if (!decision.emit || !comment || !author) {
				return { webhookResponse: { ok: true, skipped: decision.emit ? 'commentNotFound' : decision.reason } };
			}
			const item = buildReplyItem({ ticket, comment, author, requester: users.get(ticket.requester_id) });
			if (!item) return { webhookResponse: { ok: true, skipped: 'notOurTicket' } };
			// Redeliveries name the comment again; the claim above also covers payloads without one.
			if (!payload.commentId && wasDelivered(data.deliveredCommentIds, comment.id)) return { webhookResponse: { ok: true, skipped: 'duplicate' } };
			data.deliveredCommentIds = rememberDelivered(data.deliveredCommentIds, comment.id);
			return { workflowData: [this.helpers.returnJsonArray([item as unknown as IDataObject])] };
		} catch (error) {
			// Let Zendesk's retry deliver it again.
			if (claimKey) deliveryClaims.release(claimKey);
			throw asNodeError(this, error);
		}
	}
}
