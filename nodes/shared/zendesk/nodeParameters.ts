import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

/**
 * The `authentication` parameter every Zendesk node shares. Pass its value to
 * `zendeskCredentialType()` (nodes/shared/transport/zendeskTransport.ts) to get the credential
 * name; declare both credentials on the node with `displayOptions` on this parameter, e.g.
 * `zendeskCredentials` below.
 */
export const zendeskAuthenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'API Token', value: 'apiToken' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'apiToken',
	description: 'Zendesk switches API tokens off on 2027-04-30: use OAuth2 for new set-ups',
};

/**
 * The `credentials` entries matching `zendeskAuthenticationProperty`. Use it as the whole
 * `credentials` value; a node with more credentials must write the entries out literally
 * (n8n's lint rule for credential names crashes on a spread inside the array).
 */
export const zendeskCredentials: INodeCredentialDescription[] = [
	{ name: 'zendeskDmApi', required: true, displayOptions: { show: { authentication: ['apiToken'] } } },
	{ name: 'zendeskDmOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
];
