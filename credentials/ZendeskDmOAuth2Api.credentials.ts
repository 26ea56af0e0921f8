import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { zendeskBaseUrlField, zendeskSubdomainField } from './zendeskFields';

/**
 * Zendesk Support with OAuth2: the default for new set-ups (Zendesk switches API tokens off on
 * 2027-04-30). Authorization code (an admin connects once; Zendesk's access tokens expire and n8n
 * renews them with the refresh token) or client credentials (a confidential client acting as the
 * admin who created it; n8n asks for a new token when one expires). docs/zendesk-oauth.md says how
 * to create the client in Admin Center.
 */
export class ZendeskDmOAuth2Api implements ICredentialType {
	name = 'zendeskDmOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Zendesk Slack DM OAuth2 API';

	icon = 'file:zendesk.svg' as const;

	documentationUrl = 'https://support.zendesk.com/hc/en-us/articles/4408845965210';

	properties: INodeProperties[] = [
		zendeskSubdomainField,
		zendeskBaseUrlField('Zendesk', 'http://127.0.0.1:4020'),
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'options',
			options: [
				{
					name: 'Authorization Code',
					value: 'authorizationCode',
					description:
						'An admin connects the account once (Connect my account); n8n renews expiring tokens with the refresh token',
				},
				{
					name: 'Client Credentials',
					value: 'clientCredentials',
					description: 'A confidential OAuth client acting as the admin who created it; no sign-in',
				},
			],
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default:
				'={{$self["baseUrl"] ? $self["baseUrl"].replace(/\\/+$/, "") : "https://" + $self["subdomain"] + ".zendesk.com"}}/oauth/authorizations/new',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default:
				'={{$self["baseUrl"] ? $self["baseUrl"].replace(/\\/+$/, "") : "https://" + $self["subdomain"] + ".zendesk.com"}}/oauth/tokens',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: 'read write',
			description: 'Space-separated Zendesk scopes. docs/zendesk-oauth.md lists the narrower ones each node needs.',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

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
				properties: { key: 'user.id', value: null, message: 'Zendesk did not accept the OAuth access token' },
			},
		],
	};
}
