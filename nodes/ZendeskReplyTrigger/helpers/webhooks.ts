/**
 * Zendesk webhooks for the return path: signature verification and the webhook + trigger pair the
 * Zendesk Reply Trigger creates on activation. Pure: the node does the HTTP.
 *
 * Signature (https://developer.zendesk.com/documentation/webhooks/verifying/):
 * `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(signing secret, timestamp + raw body)),
 * timestamp from `X-Zendesk-Webhook-Signature-Timestamp` (ISO 8601, e.g. 2021-03-25T05:09:27Z).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const SIGNATURE_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';

/** Requests signed longer ago (or further ahead) than this are refused as replays. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureFailure =
	| 'missingSecret'
	| 'missingSignature'
	| 'missingTimestamp'
	| 'badTimestamp'
	| 'staleTimestamp'
	| 'mismatch';

export type SignatureCheck = { valid: true } | { valid: false; reason: SignatureFailure };

export function zendeskSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
	return createHmac('sha256', secret).update(timestamp, 'utf8').update(rawBody).digest('base64');
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== name) continue;
		const first = Array.isArray(value) ? value[0] : value;
		return typeof first === 'string' ? first : undefined;
	}
	return undefined;
}

/** Parses Zendesk's signature timestamp (ISO 8601; epoch seconds accepted too). Milliseconds or undefined. */
export function parseSignatureTimestamp(timestamp: string): number | undefined {
	const trimmed = timestamp.trim();
	if (/^\d{9,11}$/.test(trimmed)) return Number(trimmed) * 1000;
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(trimmed)) return undefined;
	const ms = Date.parse(trimmed);
	return Number.isNaN(ms) ? undefined : ms;
}

/** Timing-safe check of a Zendesk webhook request; refuses timestamps outside the tolerance window. */
export function verifyZendeskSignature(input: {
	secret: string | undefined;
	headers: Record<string, unknown>;
	rawBody: Buffer | string;
	nowMs: number;
	toleranceSeconds?: number;
}): SignatureCheck {
	if (!input.secret) return { valid: false, reason: 'missingSecret' };
	const signature = headerValue(input.headers, SIGNATURE_HEADER);
	if (!signature) return { valid: false, reason: 'missingSignature' };
	const timestamp = headerValue(input.headers, SIGNATURE_TIMESTAMP_HEADER);
	if (!timestamp) return { valid: false, reason: 'missingTimestamp' };
	const signedAt = parseSignatureTimestamp(timestamp);
	if (signedAt === undefined) return { valid: false, reason: 'badTimestamp' };
	const tolerance = (input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS) * 1000;
	if (Math.abs(input.nowMs - signedAt) > tolerance) return { valid: false, reason: 'staleTimestamp' };
	const expected = Buffer.from(zendeskSignature(input.secret, timestamp, input.rawBody), 'utf8');
	const given = Buffer.from(signature.trim(), 'utf8');
	if (expected.length !== given.length || !timingSafeEqual(expected, given))
		return { valid: false, reason: 'mismatch' };
	return { valid: true };
}

// ---------------------------------------------------------------- asking Zendesk to redeliver

/**
 * What the webhook answers when it could not handle a delivery (reading the ticket or comment
 * failed). Zendesk does not retry a 500; it retries 409, and 429/503 with a Retry-After below 60
 * seconds (https://developer.zendesk.com/documentation/webhooks/troubleshooting/, up to 3 times).
 * So: 503 with a short Retry-After, and Zendesk delivers the comment again.
 */
export const REDELIVERY_RETRY_AFTER_SECONDS = 10;

export function redeliveryAnswer(): { status: 503; headers: { 'Retry-After': string }; body: { error: string } } {
	return {
		status: 503,
		headers: { 'Retry-After': String(REDELIVERY_RETRY_AFTER_SECONDS) },
		body: { error: 'temporarily unable to read the comment; please redeliver' },
	};
}

// ---------------------------------------------------------------- webhook + trigger set-up

/** Zendesk's via id for "Web service (API)": updates the bridge makes through the API. */
export const VIA_WEB_SERVICE = 5;

export interface ReturnPathNaming {
	workflowId: string;
	nodeId: string;
}

/**
 * The name of the webhook and the title of the trigger this node owns. Workflow id + node id make
 * it unique per trigger node, so two workflows (or two nodes) never claim each other's objects.
 */
export function ownedObjectName(naming: ReturnPathNaming): string {
	return `n8n Slack DM reply [${naming.workflowId}/${naming.nodeId}]`;
}

export interface WebhookCreateBody {
	webhook: {
		name: string;
		status: 'active';
		endpoint: string;
		http_method: 'POST';
		request_format: 'json';
		subscriptions: ['conditional_ticket_events'];
		description: string;
	};
}

export function buildWebhookCreateBody(name: string, endpoint: string): WebhookCreateBody {
	return {
		webhook: {
			name,
			status: 'active',
			endpoint,
			http_method: 'POST',
			request_format: 'json',
			subscriptions: ['conditional_ticket_events'],
			description: 'Created by n8n (Zendesk Reply Trigger). Deactivating the workflow deletes it.',
		},
	};
}

export interface TriggerCondition {
	field: string;
	operator?: string;
	value?: string;
}

export interface ReturnPathTriggerOptions {
	/** Tag the inbound pipeline puts on every ticket it creates. */
	ticketTag: string;
	/** Keep the "Update via is not Web service (API)" condition (default). */
	excludeApiUpdates: boolean;
}

/**
 * The body the webhook receives. Only ids: the node reads the comment itself through the API,
 * so placeholder text is never trusted. Placeholders render as JSON-string-escaped text.
 */
export const WEBHOOK_PAYLOAD_TEMPLATE = JSON.stringify({
	source: 'n8n-nodes-slack-dm-zendesk',
	ticket_id: '{{ticket.id}}',
	comment_id: '{{ticket.latest_comment.id}}',
});

/**
 * Trigger conditions: an update (not creation) that adds a public comment, made by an agent, on a
 * ticket carrying the package's tag, not made through the API. The API exclusion matters because
 * Zendesk's "current user" is the API caller: comments the bridge posts on behalf of the
 * requester count as updates by the bridge's own agent user.
 */
export function buildTriggerConditions(options: ReturnPathTriggerOptions): {
	all: TriggerCondition[];
	any: TriggerCondition[];
} {
	const all: TriggerCondition[] = [
		{ field: 'update_type', value: 'Change' },
		{ field: 'comment_is_public', operator: 'is', value: 'true' },
		{ field: 'role', operator: 'is', value: 'agent' },
		{ field: 'current_tags', operator: 'includes', value: options.ticketTag },
	];
	if (options.excludeApiUpdates)
		all.push({ field: 'current_via_id', operator: 'is_not', value: String(VIA_WEB_SERVICE) });
	return { all, any: [] };
}

export function buildTriggerCreateBody(name: string, webhookId: string, options: ReturnPathTriggerOptions) {
	return {
		trigger: {
			title: name,
			active: true,
			description:
				'Created by n8n (Zendesk Reply Trigger): sends public agent replies on Slack DM tickets back to Slack.',
			conditions: buildTriggerConditions(options),
			actions: [{ field: 'notification_webhook', value: [webhookId, WEBHOOK_PAYLOAD_TEMPLATE] }],
		},
	};
}

export interface ZendeskWebhookObject {
	id: string;
	name?: string;
	endpoint?: string;
	status?: string;
}

export interface ZendeskTriggerObject {
	id: number;
	title?: string;
	active?: boolean;
	actions?: Array<{ field?: string; value?: unknown }>;
}

export function sameEndpoint(a: string | undefined, b: string): boolean {
	if (!a) return false;
	return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** Our webhook: our exact name and our endpoint URL. */
export function isOwnWebhook(webhook: ZendeskWebhookObject, name: string, endpoint: string): boolean {
	return webhook.name === name && sameEndpoint(webhook.endpoint, endpoint);
}

/** The webhook id a trigger notifies, if it notifies one. */
export function triggerWebhookId(trigger: ZendeskTriggerObject): string | undefined {
	for (const action of trigger.actions ?? []) {
		if (action.field !== 'notification_webhook') continue;
		const value = action.value;
		const id = Array.isArray(value) ? value[0] : value;
		if (typeof id === 'string' || typeof id === 'number') return String(id);
	}
	return undefined;
}

/**
 * Our trigger: our exact title AND notifying one of our webhooks (found by name and endpoint, or
 * remembered). The title alone is not enough: two n8n instances imported from one template (or
 * n8n's test webhook on the active workflow) share it, and would delete each other's trigger.
 */
export function isOwnTrigger(
	trigger: ZendeskTriggerObject,
	name: string,
	ownWebhookIds: string | readonly string[],
): boolean {
	if (trigger.title !== name) return false;
	const webhookId = triggerWebhookId(trigger);
	const ids: readonly string[] = typeof ownWebhookIds === 'string' ? [ownWebhookIds] : ownWebhookIds;
	return webhookId !== undefined && ids.includes(webhookId);
}

/** A webhook Zendesk will call (`status` absent counts as active, as Zendesk's default). */
export function isActiveWebhook(webhook: ZendeskWebhookObject): boolean {
	return webhook.status === undefined || webhook.status === 'active';
}

/** A trigger Zendesk will fire. */
export function isActiveTrigger(trigger: ZendeskTriggerObject): boolean {
	return trigger.active !== false;
}

/** What the node keeps in workflow static data between activation and deactivation. */
export interface ReturnPathStaticData {
	webhookId?: string;
	triggerId?: number;
	signingSecret?: string;
	endpoint?: string;
	name?: string;
	/** Comment ids already emitted, newest last (redelivery dedupe across restarts). */
	deliveredCommentIds?: number[];
}
