import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { zendeskCredentialTypeOfTrigger } from '../../shared/transport/accounts';
import type { HttpContext } from '../../shared/transport/http';
import { callZendesk } from '../../shared/transport/zendeskTransport';
import type { PageRequest } from '../helpers/pagination';
import { nextPageRequest } from '../helpers/pagination';
import {
	isActiveWebhook,
	isOwnTrigger,
	isOwnWebhook,
	ownedObjectName,
	type ReturnPathStaticData,
	type ZendeskTriggerObject,
	type ZendeskWebhookObject,
} from '../helpers/webhooks';

/** Pages of webhooks/triggers read when looking for our own objects again. */
export const MAX_LIST_PAGES = 20;

/** What the lifecycle methods work with: the credential, our objects' name and endpoint, static data. */
export interface Setup {
	credentialType: string;
	name: string;
	endpoint: string;
	data: ReturnPathStaticData & IDataObject;
}

export function setupOf(ctx: IHookFunctions | IWebhookFunctions): Setup {
	const endpoint = ctx.getNodeWebhookUrl('default');
	if (!endpoint) throw new NodeOperationError(ctx.getNode(), 'n8n did not give this trigger a webhook URL');
	return {
		credentialType: zendeskCredentialTypeOfTrigger(ctx),
		name: ownedObjectName({ workflowId: String(ctx.getWorkflow().id ?? ''), nodeId: ctx.getNode().id }),
		endpoint,
		data: ctx.getWorkflowStaticData('node') as ReturnPathStaticData & IDataObject,
	};
}

interface WebhookList {
	webhooks?: ZendeskWebhookObject[];
	links?: { next?: string | null };
	meta?: { has_more?: boolean };
}

export async function findOwnWebhooks(ctx: HttpContext, setup: Setup): Promise<ZendeskWebhookObject[]> {
	const found: ZendeskWebhookObject[] = [];
	let request: PageRequest | undefined = {
		path: '/webhooks',
		qs: { 'filter[name_contains]': setup.name, 'page[size]': 100 },
	};
	for (let page = 0; request && page < MAX_LIST_PAGES; page++) {
		const response: { body: WebhookList } = await callZendesk<WebhookList>(ctx, setup.credentialType, {
			method: 'GET',
			...request,
		});
		found.push(
			...(response.body.webhooks ?? []).filter((webhook) => isOwnWebhook(webhook, setup.name, setup.endpoint)),
		);
		request = response.body.meta?.has_more ? nextPageRequest(response.body.links?.next) : undefined;
	}
	return found;
}

/** Triggers with our title that notify one of `webhookIds` (webhooks known to be ours). */
export async function findOwnTriggers(
	ctx: HttpContext,
	setup: Setup,
	webhookIds: readonly string[],
): Promise<ZendeskTriggerObject[]> {
	const found: ZendeskTriggerObject[] = [];
	if (webhookIds.length === 0) return found;
	let request: PageRequest | undefined = { path: '/triggers.json', qs: { per_page: 100 } };
	for (let page = 0; request && page < MAX_LIST_PAGES; page++) {
		const response: { body: { triggers?: ZendeskTriggerObject[]; next_page?: string | null } } = await callZendesk(
			ctx,
			setup.credentialType,
			{
				method: 'GET',
				...request,
			},
		);
		found.push(...(response.body.triggers ?? []).filter((trigger) => isOwnTrigger(trigger, setup.name, webhookIds)));
		request = nextPageRequest(response.body.next_page);
	}
	return found;
}

export async function getWebhook(
	ctx: HttpContext,
	setup: Setup,
	id: string,
): Promise<ZendeskWebhookObject | undefined> {
	const response = await callZendesk<{ webhook?: ZendeskWebhookObject }>(ctx, setup.credentialType, {
		method: 'GET',
		path: `/webhooks/${encodeURIComponent(id)}`,
		acceptStatuses: [404],
	});
	return response.statusCode === 404 ? undefined : response.body.webhook;
}

export async function getTrigger(
	ctx: HttpContext,
	setup: Setup,
	id: number,
): Promise<ZendeskTriggerObject | undefined> {
	const response = await callZendesk<{ trigger?: ZendeskTriggerObject }>(ctx, setup.credentialType, {
		method: 'GET',
		path: `/triggers/${id}.json`,
		acceptStatuses: [404],
	});
	return response.statusCode === 404 ? undefined : response.body.trigger;
}

export async function fetchSigningSecret(ctx: HttpContext, setup: Setup, webhookId: string): Promise<string> {
	const response = await callZendesk<{ signing_secret?: { secret?: string } }>(ctx, setup.credentialType, {
		method: 'GET',
		path: `/webhooks/${encodeURIComponent(webhookId)}/signing_secret`,
	});
	const secret = response.body.signing_secret?.secret;
	if (!secret) throw new NodeOperationError(ctx.getNode(), 'Zendesk returned no signing secret for the webhook');
	return secret;
}

export async function deleteTrigger(ctx: HttpContext, setup: Setup, id: number): Promise<void> {
	await callZendesk(ctx, setup.credentialType, {
		method: 'DELETE',
		path: `/triggers/${id}.json`,
		acceptStatuses: [404],
	});
}

export async function deleteWebhook(ctx: HttpContext, setup: Setup, id: string): Promise<void> {
	await callZendesk(ctx, setup.credentialType, {
		method: 'DELETE',
		path: `/webhooks/${encodeURIComponent(id)}`,
		acceptStatuses: [404],
	});
}

/** Our active webhook at this endpoint and its signing secret, looked up again (a webhook call whose static data lost them). */
export async function lookUpOwnSigningSecret(
	ctx: IWebhookFunctions,
): Promise<{ webhookId: string; secret: string } | undefined> {
	const setup = setupOf(ctx);
	const webhook = (await findOwnWebhooks(ctx, setup)).find(isActiveWebhook);
	return webhook ? { webhookId: webhook.id, secret: await fetchSigningSecret(ctx, setup, webhook.id) } : undefined;
}
