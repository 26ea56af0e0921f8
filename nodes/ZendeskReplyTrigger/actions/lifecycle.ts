import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../../shared/n8n/errors';
import { callZendesk } from '../../shared/transport/zendeskTransport';
import { forgetSetup, rememberSetup } from '../helpers/returnPathSetup';
import {
	buildTriggerCreateBody,
	buildWebhookCreateBody,
	isActiveTrigger,
	isActiveWebhook,
	isOwnTrigger,
	isOwnWebhook,
	sameEndpoint,
	type ZendeskTriggerObject,
	type ZendeskWebhookObject,
} from '../helpers/webhooks';
import {
	deleteTrigger,
	deleteWebhook,
	fetchSigningSecret,
	findOwnTriggers,
	findOwnWebhooks,
	getTrigger,
	getWebhook,
	setupOf,
	type Setup,
} from './zendeskObjects';

/**
 * n8n's test webhook ("Listen for test event") runs these methods with the test URL and the
 * workflow's stored static data, which holds the production objects' ids: a test run must only
 * ever touch objects at its own (test) endpoint.
 */
function isTestRun(ctx: IHookFunctions): boolean {
	return ctx.getMode() === 'manual' || ctx.getActivationMode() === 'manual';
}

/** Our webhook at this endpoint: the remembered one if it still is ours here, else found by name and endpoint. */
async function currentWebhook(ctx: IHookFunctions, setup: Setup): Promise<ZendeskWebhookObject | undefined> {
	const remembered = setup.data.webhookId ? await getWebhook(ctx, setup, setup.data.webhookId) : undefined;
	if (remembered && isOwnWebhook(remembered, setup.name, setup.endpoint)) return remembered;
	return (await findOwnWebhooks(ctx, setup))[0];
}

/**
 * Our webhook and trigger exist and are active. A deactivated one counts as missing, so n8n calls
 * create, which replaces the pair. Static data follows what was found (restart, lost data).
 */
export async function ownObjectsExist(ctx: IHookFunctions): Promise<boolean> {
	const setup = setupOf(ctx);
	const { data } = setup;
	const webhook = await currentWebhook(ctx, setup);
	if (!webhook || !isActiveWebhook(webhook)) return false;
	let trigger = data.triggerId ? await getTrigger(ctx, setup, data.triggerId) : undefined;
	if (!trigger || !isOwnTrigger(trigger, setup.name, webhook.id))
		trigger = (await findOwnTriggers(ctx, setup, [webhook.id]))[0];
	if (!trigger || !isActiveTrigger(trigger)) return false;
	const signingSecret =
		data.webhookId !== webhook.id || !data.signingSecret
			? await fetchSigningSecret(ctx, setup, webhook.id)
			: data.signingSecret;
	rememberSetup(data, {
		webhookId: webhook.id,
		triggerId: trigger.id,
		signingSecret,
		endpoint: setup.endpoint,
		name: setup.name,
	});
	return true;
}

/** Deletes the given webhooks (all known to be ours) and the triggers of ours that notify them, triggers first. */
async function removePairs(ctx: IHookFunctions, setup: Setup, webhooks: ZendeskWebhookObject[]): Promise<void> {
	const ids = [...new Set(webhooks.map((webhook) => webhook.id))];
	if (ids.length === 0) return;
	const triggers: ZendeskTriggerObject[] = await findOwnTriggers(ctx, setup, ids);
	for (const trigger of triggers) await deleteTrigger(ctx, setup, trigger.id);
	for (const id of ids) await deleteWebhook(ctx, setup, id);
}

/**
 * The webhook this n8n instance created for an earlier WEBHOOK_URL: its id is in our static data,
 * it has our name, and its endpoint is no longer ours. Never in a test run (see isTestRun).
 */
async function webhookOfEarlierUrl(ctx: IHookFunctions, setup: Setup): Promise<ZendeskWebhookObject | undefined> {
	if (isTestRun(ctx) || !setup.data.webhookId) return undefined;
	const remembered = await getWebhook(ctx, setup, setup.data.webhookId);
	return remembered && remembered.name === setup.name && !sameEndpoint(remembered.endpoint, setup.endpoint)
		? remembered
		: undefined;
}

/** Creates the webhook, then the trigger that calls it; a half set-up is removed again. */
export async function createOwnObjects(ctx: IHookFunctions): Promise<boolean> {
	const setup = setupOf(ctx);
	const ticketTag = String(ctx.getNodeParameter('ticketTag', 'slack_dm')).trim();
	const options = ctx.getNodeParameter('options', {}) as { includeApiComments?: boolean };
	// Leftovers at this endpoint (an interrupted or deactivated set-up) and the pair of an earlier URL go first.
	const stale = await findOwnWebhooks(ctx, setup);
	const earlier = await webhookOfEarlierUrl(ctx, setup);
	if (earlier) stale.push(earlier);
	await removePairs(ctx, setup, stale);

	const created = await callZendesk<{ webhook?: ZendeskWebhookObject }>(ctx, setup.credentialType, {
		method: 'POST',
		path: '/webhooks',
		body: buildWebhookCreateBody(setup.name, setup.endpoint) as unknown as IDataObject,
	});
	const webhookId = created.body.webhook?.id;
	if (!webhookId) throw new NodeOperationError(ctx.getNode(), 'Zendesk did not return the created webhook');
	try {
		const signingSecret = await fetchSigningSecret(ctx, setup, webhookId);
		const trigger = await callZendesk<{ trigger?: ZendeskTriggerObject }>(ctx, setup.credentialType, {
			method: 'POST',
			path: '/triggers.json',
			body: buildTriggerCreateBody(setup.name, webhookId, {
				ticketTag: ticketTag || 'slack_dm',
				excludeApiUpdates: options.includeApiComments !== true,
			}) as unknown as IDataObject,
		});
		if (!trigger.body.trigger?.id)
			throw new NodeOperationError(ctx.getNode(), 'Zendesk did not return the created trigger');
		rememberSetup(setup.data, {
			webhookId,
			triggerId: trigger.body.trigger.id,
			signingSecret,
			endpoint: setup.endpoint,
			name: setup.name,
		});
	} catch (error) {
		// Do not leave a webhook without its trigger behind. If that fails too, the original error is
		// what the user must see; the webhook (our name, our endpoint) goes at the next activation.
		try {
			await deleteWebhook(ctx, setup, webhookId);
		} catch {
			// Intentionally ignored: see above.
		}
		throw toNodeError(ctx.getNode(), error);
	}
	return true;
}

/**
 * Deletes exactly our objects: our webhooks at this endpoint (name and endpoint), the remembered
 * one (also after a WEBHOOK_URL change, but never in a test run), and the triggers of ours that
 * notify them.
 */
export async function deleteOwnObjects(ctx: IHookFunctions): Promise<boolean> {
	const setup = setupOf(ctx);
	const webhooks = await findOwnWebhooks(ctx, setup);
	const { webhookId } = setup.data;
	if (webhookId && !webhooks.some((webhook) => webhook.id === webhookId)) {
		const remembered = await getWebhook(ctx, setup, webhookId);
		if (
			remembered &&
			remembered.name === setup.name &&
			(!isTestRun(ctx) || sameEndpoint(remembered.endpoint, setup.endpoint))
		)
			webhooks.push(remembered);
	}
	await removePairs(ctx, setup, webhooks);
	forgetSetup(setup.data);
	return true;
}
