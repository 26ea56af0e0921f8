/**
 * Integrations of type `custom` with their webhook (and its secret), the webhooks sub-resource, the
 * app's switchboard and its switchboard integrations (paths and bodies from the spec).
 */
import { randomBytes } from 'node:crypto';

import { badRequest, notFound } from './errors';
import { operation } from './http';
import type { SunshineHost } from './http';
import type { Webhook } from './store';
import { integrationView, switchboardIntegrationView, webhookView } from './views';

const APP = '/v2/apps/:appId';
/** "An app is limited to 10 webhooks" (the spec's Webhooks section). */
export const MAX_WEBHOOKS_PER_APP = 10;

/** The spec's Webhook Triggers table ("This property is case sensitive"). */
export const WEBHOOK_TRIGGERS = [
	'client:add',
	'client:remove',
	'client:update',
	'conversation:create',
	'conversation:join',
	'conversation:leave',
	'conversation:remove',
	'conversation:message',
	'conversation:message:delivery:channel',
	'conversation:message:delivery:failure',
	'conversation:message:delivery:user',
	'conversation:postback',
	'conversation:read',
	'conversation:referral',
	'passthrough:messaging',
	'conversation:typing',
	'switchboard:acceptControl',
	'switchboard:acceptControl:failure',
	'switchboard:offerControl',
	'switchboard:offerControl:failure',
	'switchboard:passControl',
	'switchboard:passControl:failure',
	'switchboard:releaseControl',
	'user:merge',
	'user:update',
	'user:remove',
];

function webhookOf(host: SunshineHost, integrationId: string, input: unknown): Webhook {
	if (!input || typeof input !== 'object') throw badRequest('webhook is required');
	const w = input as Record<string, unknown>;
	if (typeof w.target !== 'string' || !/^https?:\/\//.test(w.target)) throw badRequest('target must be a URL');
	if (!Array.isArray(w.triggers) || w.triggers.length === 0)
		throw badRequest('triggers must list at least one trigger');
	const unknown = w.triggers.filter((t) => typeof t !== 'string' || !WEBHOOK_TRIGGERS.includes(t));
	if (unknown.length > 0) throw badRequest(`Unknown webhook trigger(s): ${unknown.map(String).join(', ')}`);
	if (host.store.webhooks.size >= MAX_WEBHOOKS_PER_APP) throw badRequest('An app is limited to 10 webhooks');
	return {
		id: host.store.newId(),
		integrationId,
		target: w.target,
		triggers: [...(w.triggers as string[])],
		secret: randomBytes(16).toString('hex'),
		includeFullUser: w.includeFullUser === true,
		includeFullSource: w.includeFullSource === true,
	};
}

function registerIntegrations(host: SunshineHost): void {
	const { store } = host;
	const integrationOf = (id: string) => {
		const integration = store.integrations.get(id);
		if (!integration) throw notFound('integration');
		return integration;
	};
	operation(host, 'POST', `${APP}/integrations`, ({ body }) => {
		if (body.type !== 'custom') throw badRequest('Only integrations of type custom are emulated');
		const webhooks = Array.isArray(body.webhooks) ? body.webhooks : [];
		if (webhooks.length !== 1) throw badRequest('A custom integration needs exactly one webhook');
		const integration = {
			id: store.newId(),
			type: 'custom' as const,
			displayName: typeof body.displayName === 'string' ? body.displayName : null,
		};
		const webhook = webhookOf(host, integration.id, webhooks[0]);
		store.integrations.set(integration.id, integration);
		store.webhooks.set(webhook.id, webhook);
		return { status: 201, body: { integration: integrationView(integration, store) } };
	});
	operation(host, 'GET', `${APP}/integrations`, () => ({
		status: 200,
		body: {
			integrations: [...store.integrations.values()].map((i) => integrationView(i, store)),
			meta: { hasMore: false },
			links: {},
		},
	}));
	operation(host, 'GET', `${APP}/integrations/:integrationId`, ({ req }) => ({
		status: 200,
		body: { integration: integrationView(integrationOf(req.params.integrationId), store) },
	}));
	operation(host, 'DELETE', `${APP}/integrations/:integrationId`, ({ req }) => {
		const integration = integrationOf(req.params.integrationId);
		store.integrations.delete(integration.id);
		for (const w of [...store.webhooks.values()]) if (w.integrationId === integration.id) store.webhooks.delete(w.id);
		return { status: 200, body: {} };
	});
	const webhooksPath = `${APP}/integrations/:integrationId/webhooks`;
	operation(host, 'POST', webhooksPath, ({ req, body }) => {
		const webhook = webhookOf(host, integrationOf(req.params.integrationId).id, body);
		store.webhooks.set(webhook.id, webhook);
		return { status: 201, body: { webhook: webhookView(webhook) } };
	});
	operation(host, 'GET', webhooksPath, ({ req }) => {
		const integration = integrationOf(req.params.integrationId);
		return {
			status: 200,
			body: {
				webhooks: [...store.webhooks.values()].filter((w) => w.integrationId === integration.id).map(webhookView),
			},
		};
	});
	const webhookOfPath = (params: Record<string, string>) => {
		const webhook = store.webhooks.get(params.webhookId);
		if (!webhook || webhook.integrationId !== integrationOf(params.integrationId).id) throw notFound('webhook');
		return webhook;
	};
	operation(host, 'GET', `${webhooksPath}/:webhookId`, ({ req }) => ({
		status: 200,
		body: { webhook: webhookView(webhookOfPath(req.params)) },
	}));
	operation(host, 'DELETE', `${webhooksPath}/:webhookId`, ({ req }) => {
		store.webhooks.delete(webhookOfPath(req.params).id);
		return { status: 200, body: {} };
	});
}

function switchboardIntegrationFields(
	host: SunshineHost,
	body: Record<string, unknown>,
	creating: boolean,
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	if (body.name !== undefined || creating) {
		if (typeof body.name !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(body.name))
			throw badRequest('name is restricted to alphanumeric characters, - and _');
		out.name = body.name;
	}
	if (body.deliverStandbyEvents !== undefined) out.deliverStandbyEvents = body.deliverStandbyEvents === true;
	if (body.nextSwitchboardIntegrationId !== undefined) {
		const next = body.nextSwitchboardIntegrationId;
		if (next !== null && (typeof next !== 'string' || !host.store.switchboardIntegrations.has(next)))
			throw notFound('switchboardIntegration');
		out.nextSwitchboardIntegrationId = next;
	}
	if (body.messageHistoryCount !== undefined) {
		const count = body.messageHistoryCount;
		if (count !== null && (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 10))
			throw badRequest('messageHistoryCount must be 1 to 10');
		out.messageHistoryCount = count;
	}
	return out;
}

function registerSwitchboards(host: SunshineHost): void {
	const { store } = host;
	const switchboardView = () => ({ ...store.switchboard });
	const switchboardOf = (id: string) => {
		if (id !== store.switchboard.id) throw notFound('switchboard');
		return store.switchboard;
	};
	operation(host, 'GET', `${APP}/switchboards`, () => ({ status: 200, body: { switchboards: [switchboardView()] } }));
	operation(host, 'PATCH', `${APP}/switchboards/:switchboardId`, ({ req, body }) => {
		const switchboard = switchboardOf(req.params.switchboardId);
		if (body.defaultSwitchboardIntegrationId !== undefined) {
			if (
				typeof body.defaultSwitchboardIntegrationId !== 'string' ||
				!store.switchboardIntegrations.has(body.defaultSwitchboardIntegrationId)
			)
				throw notFound('switchboardIntegration');
			switchboard.defaultSwitchboardIntegrationId = body.defaultSwitchboardIntegrationId;
		}
		if (body.enabled !== undefined) switchboard.enabled = body.enabled === true;
		return { status: 200, body: { switchboard: switchboardView() } };
	});
	const sis = `${APP}/switchboards/:switchboardId/switchboardIntegrations`;
	operation(host, 'GET', sis, ({ req }) => {
		switchboardOf(req.params.switchboardId);
		return {
			status: 200,
			body: { switchboardIntegrations: [...store.switchboardIntegrations.values()].map(switchboardIntegrationView) },
		};
	});
	operation(host, 'POST', sis, ({ req, body }) => {
		switchboardOf(req.params.switchboardId);
		const fields = switchboardIntegrationFields(host, body, true);
		if ([...store.switchboardIntegrations.values()].some((si) => si.name === fields.name))
			throw badRequest(`A switchboard integration named ${String(fields.name)} already exists`);
		const integration = typeof body.integrationId === 'string' ? store.integrations.get(body.integrationId) : undefined;
		if (typeof body.integrationId === 'string' && !integration) throw notFound('integration');
		if (!integration && typeof body.integrationType !== 'string')
			throw badRequest('integrationId or integrationType is required');
		const si = {
			id: store.newId(),
			name: String(fields.name),
			integrationId: integration?.id ?? store.newId(),
			integrationType: integration ? integration.type : String(body.integrationType),
			deliverStandbyEvents: (fields.deliverStandbyEvents as boolean | undefined) ?? true,
			nextSwitchboardIntegrationId: (fields.nextSwitchboardIntegrationId as string | null | undefined) ?? null,
			messageHistoryCount: (fields.messageHistoryCount as number | null | undefined) ?? null,
		};
		store.switchboardIntegrations.set(si.id, si);
		return { status: 201, body: { switchboardIntegration: switchboardIntegrationView(si) } };
	});
	const siOf = (params: Record<string, string>) => {
		switchboardOf(params.switchboardId);
		const si = store.switchboardIntegrations.get(params.switchboardIntegrationId);
		if (!si) throw notFound('switchboardIntegration');
		return si;
	};
	operation(host, 'PATCH', `${sis}/:switchboardIntegrationId`, ({ req, body }) => {
		const si = siOf(req.params);
		Object.assign(si, switchboardIntegrationFields(host, body, false));
		return { status: 200, body: { switchboardIntegration: switchboardIntegrationView(si) } };
	});
	operation(host, 'DELETE', `${sis}/:switchboardIntegrationId`, ({ req }) => {
		const si = siOf(req.params);
		if (store.switchboard.defaultSwitchboardIntegrationId === si.id)
			throw badRequest('The default switchboard integration cannot be deleted');
		store.switchboardIntegrations.delete(si.id);
		return { status: 200, body: {} };
	});
}

export function registerAdminApi(host: SunshineHost): void {
	registerIntegrations(host);
	registerSwitchboards(host);
}
