/**
 * Activation of the messaging source: one Sunshine custom integration with one webhook at this
 * trigger's URL, named after the workflow and node; only those are ever removed. See
 * integrationSetup.ts for why it stays outside the switchboard.
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ownedObjectName } from '../helpers/webhooks';
import {
	buildIntegrationCreateBody,
	forgetIntegration,
	MAX_DISPLAY_NAME,
	isOwnIntegration,
	ownWebhookOf,
	rememberIntegration,
	type MessagingStaticData,
	type SunshineIntegrationObject,
} from './integrationSetup';
import { callSunshine } from '../../shared/transport/sunshineTransport';

/** Pages of integrations read when looking for ours again. */
const MAX_LIST_PAGES = 20;

interface MessagingSetup {
	name: string;
	target: string;
	data: MessagingStaticData & IDataObject;
}

function setupOf(ctx: IHookFunctions | IWebhookFunctions): MessagingSetup {
	const target = ctx.getNodeWebhookUrl('default');
	if (!target) throw new NodeOperationError(ctx.getNode(), 'n8n did not give this trigger a webhook URL');
	return {
		name: ownedObjectName({ workflowId: String(ctx.getWorkflow().id ?? ''), nodeId: ctx.getNode().id }).slice(
			0,
			MAX_DISPLAY_NAME,
		),
		target,
		data: ctx.getWorkflowStaticData('node') as MessagingStaticData & IDataObject,
	};
}

/** n8n's test webhook runs these with the test URL and the stored static data: it touches only objects at its own URL. */
function isTestRun(ctx: IHookFunctions): boolean {
	return ctx.getMode() === 'manual' || ctx.getActivationMode() === 'manual';
}

async function getIntegration(ctx: IHookFunctions, id: string): Promise<SunshineIntegrationObject | undefined> {
	const response = await callSunshine<{ integration?: SunshineIntegrationObject }>(ctx, {
		method: 'GET',
		path: `/integrations/${encodeURIComponent(id)}`,
		acceptStatuses: [404],
	});
	return response.statusCode === 404 ? undefined : response.body.integration;
}

/** Our integrations at this URL (custom, our name, a webhook at our target), across pages. */
async function findOwnIntegrations(
	ctx: IHookFunctions | IWebhookFunctions,
	setup: MessagingSetup,
): Promise<SunshineIntegrationObject[]> {
	const found: SunshineIntegrationObject[] = [];
	let after: string | undefined;
	for (let page = 0; page < MAX_LIST_PAGES; page++) {
		const response = await callSunshine<{ integrations?: SunshineIntegrationObject[]; meta?: { hasMore?: boolean } }>(
			ctx,
			{
				method: 'GET',
				path: '/integrations',
				qs: { 'filter[types]': 'custom', ...(after ? { 'page[after]': after } : {}) },
			},
		);
		const integrations = response.body.integrations ?? [];
		found.push(...integrations.filter((integration) => isOwnIntegration(integration, setup.name, setup.target)));
		after = integrations[integrations.length - 1]?.id;
		if (!response.body.meta?.hasMore || !after) break;
	}
	return found;
}

async function deleteIntegration(ctx: IHookFunctions, id: string): Promise<void> {
	await callSunshine(ctx, { method: 'DELETE', path: `/integrations/${encodeURIComponent(id)}`, acceptStatuses: [404] });
}

/** Our integration and webhook still exist at this URL; static data follows what was found (restart, lost data). */
export async function messagingIntegrationExists(ctx: IHookFunctions): Promise<boolean> {
	const setup = setupOf(ctx);
	const remembered = setup.data.sunshineIntegrationId
		? await getIntegration(ctx, setup.data.sunshineIntegrationId)
		: undefined;
	const integration =
		remembered && isOwnIntegration(remembered, setup.name, setup.target)
			? remembered
			: (await findOwnIntegrations(ctx, setup))[0];
	const webhook = integration ? ownWebhookOf(integration, setup.target) : undefined;
	if (!integration || !webhook?.secret) return false;
	rememberOwn(setup, { integrationId: integration.id, webhookId: webhook.id, secret: webhook.secret });
	return true;
}

/** Our integration's webhook and secret at this URL, looked up again (a webhook call whose static data lost them). */
export async function lookUpOwnWebhook(
	ctx: IWebhookFunctions,
): Promise<{ integrationId: string; webhookId: string; secret: string } | undefined> {
	const setup = setupOf(ctx);
	for (const integration of await findOwnIntegrations(ctx, setup)) {
		const webhook = ownWebhookOf(integration, setup.target);
		if (webhook?.secret) return { integrationId: integration.id, webhookId: webhook.id, secret: webhook.secret };
	}
	return undefined;
}

/** Keeps what this instance made (ids, secret, address, name) in the node's static data. */
function rememberOwn(setup: MessagingSetup, made: { integrationId: string; webhookId: string; secret: string }): void {
	rememberIntegration(setup.data, { ...made, target: setup.target, name: setup.name });
}

/** The integration this instance made for an earlier WEBHOOK_URL (remembered, our name, another target). Never in a test run. */
async function integrationOfEarlierUrl(
	ctx: IHookFunctions,
	setup: MessagingSetup,
): Promise<SunshineIntegrationObject | undefined> {
	const id = setup.data.sunshineIntegrationId;
	if (isTestRun(ctx) || !id || setup.data.sunshineTarget === setup.target) return undefined;
	const remembered = await getIntegration(ctx, id);
	return remembered?.type === 'custom' && remembered.displayName === setup.name ? remembered : undefined;
}

/** Removes leftovers at this URL (and the integration of an earlier URL), then creates the integration with its webhook. */
export async function createMessagingIntegration(ctx: IHookFunctions): Promise<boolean> {
	const setup = setupOf(ctx);
	const stale = await findOwnIntegrations(ctx, setup);
	const earlier = await integrationOfEarlierUrl(ctx, setup);
	if (earlier) stale.push(earlier);
	for (const id of new Set(stale.map((integration) => integration.id))) await deleteIntegration(ctx, id);
	const created = await callSunshine<{ integration?: SunshineIntegrationObject }>(ctx, {
		method: 'POST',
		path: '/integrations',
		body: buildIntegrationCreateBody(setup.name, setup.target) as unknown as IDataObject,
	});
	const integration = created.body.integration;
	const webhook = integration ? ownWebhookOf(integration, setup.target) : undefined;
	if (!integration?.id || !webhook?.id || !webhook.secret) {
		if (integration?.id) await deleteIntegration(ctx, integration.id);
		throw new NodeOperationError(ctx.getNode(), 'Zendesk messaging did not return the created webhook and its secret');
	}
	rememberOwn(setup, { integrationId: integration.id, webhookId: webhook.id, secret: webhook.secret });
	return true;
}

/** Deletes exactly ours: found by name and URL, and the remembered one when it has our name (its own URL only in a test run). */
export async function deleteMessagingIntegration(ctx: IHookFunctions): Promise<boolean> {
	const setup = setupOf(ctx);
	const ids = new Set((await findOwnIntegrations(ctx, setup)).map((integration) => integration.id));
	const rememberedId = setup.data.sunshineIntegrationId;
	if (rememberedId && !ids.has(rememberedId)) {
		const remembered = await getIntegration(ctx, rememberedId);
		const ours = remembered?.type === 'custom' && remembered.displayName === setup.name;
		if (remembered && ours && (!isTestRun(ctx) || isOwnIntegration(remembered, setup.name, setup.target)))
			ids.add(remembered.id);
	}
	for (const id of ids) await deleteIntegration(ctx, id);
	forgetIntegration(setup.data);
	return true;
}
