import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../../shared/n8n/errors';
import { callZendesk } from '../../shared/transport/zendeskTransport';
import { forgetSetup, rememberSetup } from '../../shared/zendesk/returnPathSetup';
import {
	buildTriggerCreateBody,
	buildWebhookCreateBody,
	isOwnTrigger,
	isOwnWebhook,
	type ZendeskTriggerObject,
	type ZendeskWebhookObject,
} from '../../shared/zendesk/webhooks';
import {
	deleteTrigger,
	deleteWebhook,
	fetchSigningSecret,
	findOwnTriggers,
	findOwnWebhooks,
	getTrigger,
	getWebhook,
	setupOf,
} from './zendeskObjects';

/** Our webhook and trigger still exist (found by id, else by name and endpoint): static data follows them. */
export async function ownObjectsExist(ctx: IHookFunctions): Promise<boolean> {
	const setup = setupOf(ctx);
	const { data } = setup;
	let webhook = data.webhookId ? await getWebhook(ctx, setup, data.webhookId) : undefined;
	if (!webhook || !isOwnWebhook(webhook, setup.name, setup.endpoint)) webhook = (await findOwnWebhooks(ctx, setup))[0];
	if (!webhook) {
		forgetSetup(data);
		return false;
	}
	let trigger = data.triggerId ? await getTrigger(ctx, setup, data.triggerId) : undefined;
	if (!trigger || !isOwnTrigger(trigger, setup.name, webhook.id)) trigger = (await findOwnTriggers(ctx, setup, webhook.id))[0];
	if (!trigger) return false;
	const signingSecret = data.webhookId !== webhook.id || !data.signingSecret ? await fetchSigningSecret(ctx, setup, webhook.id) : data.signingSecret;
	rememberSetup(data, { webhookId: webhook.id, triggerId: trigger.id, signingSecret, endpoint: setup.endpoint, name: setup.name });
	return true;
}

/** Creates the webhook, then the trigger that calls it; a half set-up is removed again. */
export async function createOwnObjects(ctx: IHookFunctions): Promise<boolean> {
	const setup = setupOf(ctx);
	const ticketTag = String(ctx.getNodeParameter('ticketTag', 'slack_dm')).trim();
	const options = ctx.getNodeParameter('options', {}) as { includeApiComments?: boolean };
	// Leftovers of an interrupted set-up of this very node (same name and endpoint) go first.
	for (const trigger of await findOwnTriggers(ctx, setup)) await deleteTrigger(ctx, setup, trigger.id);
	for (const webhook of await findOwnWebhooks(ctx, setup)) await deleteWebhook(ctx, setup, webhook.id);

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
		if (!trigger.body.trigger?.id) throw new NodeOperationError(ctx.getNode(), 'Zendesk did not return the created trigger');
		rememberSetup(setup.data, { webhookId, triggerId: trigger.body.trigger.id, signingSecret, endpoint: setup.endpoint, name: setup.name });
	} catch (error) {
		// Do not leave a webhook without its trigger behind.
		await deleteWebhook(ctx, setup, webhookId);
		throw toNodeError(ctx.getNode(), error);
	}
	return true;
}

/** Deletes exactly our objects: by the ids remembered, else found by name and endpoint. */
export async function deleteOwnObjects(ctx: IHookFunctions): Promise<boolean> {
	const setup = setupOf(ctx);
	const { data } = setup;
	const triggerIds = new Set<number>();
	const webhookIds = new Set<string>();
	if (data.triggerId) triggerIds.add(data.triggerId);
	if (data.webhookId) webhookIds.add(data.webhookId);
	if (!data.webhookId) {
		// Static data lost: find our objects by name and endpoint, never anyone else's.
		for (const webhook of await findOwnWebhooks(ctx, setup)) webhookIds.add(webhook.id);
		for (const trigger of await findOwnTriggers(ctx, setup)) triggerIds.add(trigger.id);
	}
	// The trigger references the webhook: delete it first.
	for (const id of triggerIds) {
		const trigger = await getTrigger(ctx, setup, id);
		if (trigger && isOwnTrigger(trigger, setup.name)) await deleteTrigger(ctx, setup, id);
	}
	for (const id of webhookIds) {
		const webhook = await getWebhook(ctx, setup, id);
		if (webhook && webhook.name === setup.name) await deleteWebhook(ctx, setup, id);
	}
	forgetSetup(data);
	return true;
}
