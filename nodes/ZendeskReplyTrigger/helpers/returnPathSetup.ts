/**
 * What the Zendesk Reply Trigger remembers in its static data about the webhook and trigger it
 * created, and the key that claims one delivery. Pure (mutates only the data object it is given).
 */
import type { ReplyWebhookPayload } from '../../shared/zendesk/replyEvents';
import type { ReturnPathStaticData } from './webhooks';

export interface OwnedSetup {
	webhookId: string;
	triggerId: number;
	signingSecret: string;
	endpoint: string;
	name: string;
}

export function rememberSetup(data: ReturnPathStaticData, setup: OwnedSetup): void {
	data.webhookId = setup.webhookId;
	data.triggerId = setup.triggerId;
	data.signingSecret = setup.signingSecret;
	data.endpoint = setup.endpoint;
	data.name = setup.name;
}

/** Writes back a signing secret found again after the static data lost it (the trigger id stays unknown until activation). */
export function restoreSigningSecret(data: ReturnPathStaticData, found: { webhookId: string; secret: string }): void {
	data.webhookId = found.webhookId;
	data.signingSecret = found.secret;
}

/** Forgets the objects, keeps the delivered comment ids (redeliveries stay duplicates). */
export function forgetSetup(data: ReturnPathStaticData): void {
	delete data.webhookId;
	delete data.triggerId;
	delete data.signingSecret;
	delete data.endpoint;
	delete data.name;
}

/** Claims are per webhook (or node, before set-up is known) and comment; payloads without a comment id claim nothing. */
export function deliveryClaimKey(
	payload: ReplyWebhookPayload,
	webhookId: string | undefined,
	nodeId: string,
): string | undefined {
	return payload.commentId ? `${webhookId ?? nodeId}:${payload.commentId}` : undefined;
}
