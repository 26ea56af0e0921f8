import { createHmac } from 'node:crypto';

import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { zendeskBaseUrlField, zendeskSubdomainField } from './zendeskFields';

/** base64url of a string or bytes (RFC 7515), for the JWT's three parts. */
function base64url(value: string | Buffer): string {
	return Buffer.from(value).toString('base64url');
}

/**
 * An app-scoped JWT as the Sunshine Conversations API documents it: header `{alg: HS256, typ: JWT,
 * kid: <key id>}`, payload `{scope: "app"}`, signed with the key's secret.
 */
export function appScopedJwt(keyId: string, secret: string): string {
	const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: keyId }))}.${base64url(JSON.stringify({ scope: 'app' }))}`;
	return `${head}.${base64url(createHmac('sha256', secret).update(head).digest())}`;
}

/**
 * Zendesk messaging (Sunshine Conversations, Conversations API v2, served at
 * https://{subdomain}.zendesk.com/sc) with an app API key: Basic (key id and secret) or a JWT the
 * credential signs for every request.
 */
export class ZendeskMessagingApi implements ICredentialType {
	name = 'zendeskMessagingApi';

	displayName = 'Zendesk Messaging (Sunshine Conversations) API';

	icon = 'file:zendesk.svg' as const;

	documentationUrl = 'https://developer.zendesk.com/documentation/conversations/getting-started/api-authentication/';

	properties: INodeProperties[] = [
		zendeskSubdomainField,
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			description: 'Admin Center > Apps and integrations > Conversations API: the app ID shown with the API key',
		},
		{
			displayName: 'Key ID',
			name: 'keyId',
			type: 'string',
			default: '',
			placeholder: 'app_5f...',
			description: 'ID of the Conversations API key (app scope)',
		},
		{
			displayName: 'Secret Key',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Secret of the Conversations API key',
		},
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'Basic (Key ID and Secret)', value: 'basic' },
				{ name: 'JWT (Signed with the Secret)', value: 'jwt' },
			],
			default: 'basic',
			description:
				'Basic sends the key ID and secret with each request; JWT sends an app-scoped token (HS256, kid = key ID) signed with the secret',
		},
		zendeskBaseUrlField('Sunshine', 'http://127.0.0.1:4030', ' (the API is under /sc)'),
	];

	// A function rather than a generic template: the JWT is signed here, and n8n evaluates template
	// values with its expression engine on every request.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const keyId = String(credentials.keyId ?? '');
		const secret = String(credentials.secret ?? '');
		if (credentials.authMethod === 'jwt') {
			return {
				...requestOptions,
				headers: { ...(requestOptions.headers ?? {}), Authorization: `Bearer ${appScopedJwt(keyId, secret)}` },
			};
		}
		return { ...requestOptions, auth: { username: keyId, password: secret } };
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{($credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : "https://" + $credentials.subdomain + ".zendesk.com") + "/sc"}}',
			url: '=/v2/apps/{{$credentials.appId}}',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Zendesk messaging refused the key: check the key ID and secret (and that the key belongs to this app)',
				},
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'Zendesk messaging knows no app with this App ID' },
			},
		],
	};
}
