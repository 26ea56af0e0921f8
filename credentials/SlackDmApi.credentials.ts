import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Slack credential for a dedicated DM handle. The access token is either the app's bot token
 * (xoxb-, the handle is the app's bot user) or the user token of a dedicated handle account
 * (xoxp-, the handle is a real Slack user that people DM). Both are sent as a Bearer token.
 */
export class SlackDmApi implements ICredentialType {
	name = 'slackDmApi';

	displayName = 'Slack DM Handle API';

	icon = 'file:slack.svg' as const;

	documentationUrl = 'https://api.slack.com/authentication/token-types';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Bot token (xoxb-…) or the user token (xoxp-…) of the dedicated handle account',
		},
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"From the Slack app's Basic Information page. Required by the Slack DM Trigger, which refuses every request whose signature does not match it; nodes that only call Slack do not need it.",
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://slack.com/api',
			description: 'Leave as is for Slack. The sandbox and tests point it at the Slack emulator.',
		},
	];

	// A function rather than a generic template: n8n evaluates template values with its expression
	// engine (an isolate under N8N_EXPRESSION_ENGINE=vm) on every request.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.accessToken ?? '')}` },
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : "https://slack.com/api"}}',
			url: '/auth.test',
			method: 'POST',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'ok', value: false, message: 'Slack refused the token (auth.test returned ok: false)' },
			},
		],
	};
}
