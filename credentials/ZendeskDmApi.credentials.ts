import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { zendeskBaseUrlField, zendeskSubdomainField } from './zendeskFields';

/**
 * Zendesk Support with an API token (email/token Basic auth). Zendesk switches API tokens
 * off for good on 2027-04-30: prefer the OAuth2 credential for new set-ups.
 */
export class ZendeskDmApi implements ICredentialType {
	name = 'zendeskDmApi';

	displayName = 'Zendesk Slack DM Token (Ends 2027-04-30) API';

	icon = 'file:zendesk.svg' as const;

	documentationUrl = 'https://developer.zendesk.com/api-reference/introduction/security-and-auth/';

	properties: INodeProperties[] = [
		zendeskSubdomainField,
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			default: '',
			description: 'Email of the agent or admin the API token belongs to',
		},
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Zendesk no longer creates API tokens and switches the existing ones off on 2027-04-30: use the Zendesk Slack DM OAuth2 API credential for new set-ups',
		},
		zendeskBaseUrlField('Zendesk', 'http://127.0.0.1:4020'),
	];

	// A function rather than a generic template: n8n evaluates template values with its expression
	// engine (an isolate under N8N_EXPRESSION_ENGINE=vm) on every request.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			auth: { username: `${String(credentials.email ?? '')}/token`, password: String(credentials.apiToken ?? '') },
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : "https://" + $credentials.subdomain + ".zendesk.com"}}',
			url: '/api/v2/users/me.json',
			method: 'GET',
		},
		rules: [
			{
				// Zendesk answers /users/me for unauthenticated callers too, with an anonymous user (id null).
				type: 'responseSuccessBody',
				properties: { key: 'user.id', value: null, message: 'Zendesk did not accept the email and API token' },
			},
		],
	};
}
