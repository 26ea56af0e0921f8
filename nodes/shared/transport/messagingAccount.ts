import type { IDataObject } from 'n8n-workflow';

/** The Zendesk messaging (Sunshine Conversations) credential: an app's Conversations API key. */
export const MESSAGING_CREDENTIAL_TYPE = 'zendeskMessagingApi';

/**
 * The messaging account's address: the credential's Base URL Override, else
 * `https://{subdomain}.zendesk.com` (the API is under `/sc`, attachments' `mediaUrl` too).
 */
export function messagingBaseUrl(credentials: IDataObject): string {
	const override = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	if (override) return override.replace(/\/+$/, '');
	return `https://${String(credentials.subdomain ?? '').trim()}.zendesk.com`;
}
