import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { HttpContext } from './http';
import { SLACK_CREDENTIAL_TYPE, slackBaseUrl } from './slackTransport';
import { zendeskBaseUrl, zendeskCredentialType } from './zendeskTransport';
import { credentialData } from '../n8n/credentialData';

export interface ResolvedAccount {
	credentials: IDataObject;
	/** The account's API address (credential override or the vendor's), for cache keys and links. */
	baseUrl: string;
}

/** The Zendesk credential an action node uses: its `authentication` parameter (not per item). */
export function zendeskCredentialTypeOfItems(ctx: IExecuteFunctions): string {
	return zendeskCredentialType(ctx.getNodeParameter('authentication', 0));
}

/** The Zendesk credential a trigger uses, in its webhook and its lifecycle methods. */
export function zendeskCredentialTypeOfTrigger(ctx: IHookFunctions | IWebhookFunctions): string {
	return zendeskCredentialType(ctx.getNodeParameter('authentication', 'apiToken'));
}

export async function zendeskAccount(ctx: HttpContext, credentialType: string): Promise<ResolvedAccount> {
	const credentials = await credentialData(ctx, credentialType);
	return { credentials, baseUrl: zendeskBaseUrl(credentials) };
}

export async function slackAccount(ctx: HttpContext): Promise<ResolvedAccount> {
	const credentials = await credentialData(ctx, SLACK_CREDENTIAL_TYPE);
	return { credentials, baseUrl: slackBaseUrl(credentials) };
}

/**
 * Cache key of a Zendesk account as one credential sees it: the API address plus a digest of the
 * caller's identity (API-token user and token, or OAuth client). Two workflows with different
 * Zendesk accounts or callers never share cached tickets, handled messages or update windows.
 */
export function zendeskAccountKey(credentialType: string, credentials: IDataObject): string {
	const identity = [credentials.email, credentials.apiToken, credentials.clientId]
		.map((part) => (typeof part === 'string' ? part : ''))
		.join('\n');
	return `${zendeskBaseUrl(credentials)}|${credentialType}|${secretDigest(identity)}`;
}

/** A one-way digest of a token: caches tell credentials apart without holding their secrets. */
export function secretDigest(secret: unknown): string {
	return createHash('sha256')
		.update(typeof secret === 'string' ? secret : '')
		.digest('hex')
		.slice(0, 16);
}
