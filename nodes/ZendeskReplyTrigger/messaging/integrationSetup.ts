/**
 * The Sunshine custom integration (with its one webhook) the trigger creates on activation in its
 * Zendesk messaging source, and what it remembers about it in the workflow's static data. Pure.
 *
 * Why a custom integration outside the switchboard: the switchboard decides which *switchboard
 * integration* is active; `deliverStandbyEvents` is a setting of a switchboard integration ("if
 * webhooks should be sent when the switchboard integration is not in control of a conversation",
 * specs/sunshine-conversations/openapi.yaml), and a disabled switchboard lets "integrations linked
 * to the switchboard … receive all events" (Switchboard.enabled). An integration that is not linked
 * to any switchboard integration is not routed at all, so its webhook gets every
 * `conversation:message` ("dispatched whenever a message is sent in a conversation, regardless of
 * author", developer.zendesk.com … programmable-conversations/receiving-messages) also while the
 * agent workspace is in control. ASSUMPTION: Zendesk states this only through those definitions.
 * Staying out of the switchboard also means the trigger can never take control of a conversation.
 */
export const MESSAGING_TRIGGERS = ['conversation:message', 'switchboard:releaseControl'] as const;

/** Custom integration `displayName`: at most 100 characters (the spec's integration schema). */
export const MAX_DISPLAY_NAME = 100;

export interface IntegrationCreateBody {
	type: 'custom';
	displayName: string;
	webhooks: Array<{
		target: string;
		triggers: string[];
		/** The trigger needs no user profile: the Slack destination is in the conversation's metadata. */
		includeFullUser: false;
		includeFullSource: false;
	}>;
}

export function buildIntegrationCreateBody(name: string, target: string): IntegrationCreateBody {
	return {
		type: 'custom',
		displayName: name.slice(0, MAX_DISPLAY_NAME),
		webhooks: [{ target, triggers: [...MESSAGING_TRIGGERS], includeFullUser: false, includeFullSource: false }],
	};
}

export interface SunshineWebhookObject {
	id: string;
	target?: string;
	triggers?: string[];
	secret?: string;
}

export interface SunshineIntegrationObject {
	id: string;
	type?: string;
	displayName?: string | null;
	webhooks?: SunshineWebhookObject[];
}

export function sameTarget(a: string | undefined, b: string): boolean {
	return Boolean(a) && (a as string).replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** Our integration: custom, our exact name, and a webhook at our target. Anything else is never touched. */
export function isOwnIntegration(integration: SunshineIntegrationObject, name: string, target: string): boolean {
	return (
		integration.type === 'custom' &&
		integration.displayName === name.slice(0, MAX_DISPLAY_NAME) &&
		(integration.webhooks ?? []).some((webhook) => sameTarget(webhook.target, target))
	);
}

/** Our webhook of our integration: at our target and subscribed to what the trigger needs. */
export function ownWebhookOf(
	integration: SunshineIntegrationObject,
	target: string,
): SunshineWebhookObject | undefined {
	return (integration.webhooks ?? []).find(
		(webhook) =>
			sameTarget(webhook.target, target) &&
			MESSAGING_TRIGGERS.every((trigger) => (webhook.triggers ?? []).includes(trigger)),
	);
}

/** What the messaging source keeps in the node's static data (beside the Support source's keys). */
export interface MessagingStaticData {
	sunshineIntegrationId?: string;
	sunshineWebhookId?: string;
	sunshineSecret?: string;
	sunshineTarget?: string;
	sunshineName?: string;
}

export function rememberIntegration(
	data: MessagingStaticData,
	input: { integrationId: string; webhookId: string; secret: string; target: string; name: string },
): void {
	data.sunshineIntegrationId = input.integrationId;
	data.sunshineWebhookId = input.webhookId;
	data.sunshineSecret = input.secret;
	data.sunshineTarget = input.target;
	data.sunshineName = input.name;
}

/** Writes back a secret found again after the static data lost it (ids too; name and target stay as activation wrote them). */
export function restoreIntegration(
	data: MessagingStaticData,
	found: { webhookId: string; secret: string; integrationId?: string },
): void {
	if (found.integrationId) data.sunshineIntegrationId = found.integrationId;
	data.sunshineWebhookId = found.webhookId;
	data.sunshineSecret = found.secret;
}

export function forgetIntegration(data: MessagingStaticData): void {
	delete data.sunshineIntegrationId;
	delete data.sunshineWebhookId;
	delete data.sunshineSecret;
	delete data.sunshineTarget;
	delete data.sunshineName;
}
