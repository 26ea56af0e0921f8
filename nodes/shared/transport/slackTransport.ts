import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { HttpContext } from './http';
import { sendWithRetry } from './http';
import type { RetryPolicy } from './retryPolicy';
import { credentialData } from '../n8n/credentialData';

export const SLACK_CREDENTIAL_TYPE = 'slackDmApi';
export const SLACK_DEFAULT_BASE_URL = 'https://slack.com/api';

export interface SlackResponse {
	ok: boolean;
	error?: string;
	[key: string]: unknown;
}

/** Slack methods that only read: sent as GET with query parameters, as Slack documents. */
const READ_METHODS = new Set([
	'auth.test',
	'users.info',
	'users.list',
	'team.info',
	'conversations.info',
	'conversations.members',
	'conversations.history',
	'conversations.list',
	'conversations.replies',
	'files.info',
	'bots.info',
]);

export function slackBaseUrl(credentials: IDataObject): string {
	const configured = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return (configured || SLACK_DEFAULT_BASE_URL).replace(/\/+$/, '');
}

export interface SlackCallOptions {
	/** Slack error codes the caller handles itself (returned, not thrown), e.g. `user_not_found`. */
	allowErrors?: string[];
	policy?: RetryPolicy;
	/** Per attempt (default: the transport's); webhooks that must answer Slack quickly pass less. */
	timeoutMs?: number;
}

/**
 * Calls one Slack Web API method with the `slackDmApi` credential. Slack reports most errors
 * as HTTP 200 with `ok: false`; those become a NodeApiError naming the method and Slack's code.
 */
export async function callSlack<T extends SlackResponse = SlackResponse>(
	ctx: HttpContext,
	method: string,
	params: IDataObject = {},
	options: SlackCallOptions = {},
): Promise<T> {
	const credentials = await credentialData(ctx, SLACK_CREDENTIAL_TYPE);
	const url = `${slackBaseUrl(credentials)}/${method}`;
	const isRead = READ_METHODS.has(method);
	const result = await sendWithRetry<T>(ctx, {
		service: 'slack',
		route: method,
		credentialType: SLACK_CREDENTIAL_TYPE,
		policy: options.policy,
		timeoutMs: options.timeoutMs,
		request: isRead
			? { method: 'GET', url, qs: params, json: true }
			: {
					method: 'POST',
					url,
					body: params,
					json: true,
					headers: { 'Content-Type': 'application/json; charset=utf-8' },
				},
		slackErrorOf: (body) => {
			const response = body as SlackResponse | undefined;
			return response && response.ok === false ? response.error : undefined;
		},
	});
	const body = result.body;
	if (result.statusCode >= 400 || !body || typeof body !== 'object') {
		throw new NodeApiError(ctx.getNode(), { statusCode: result.statusCode } as JsonObject, {
			message: `Slack ${method} failed with HTTP ${result.statusCode}`,
			httpCode: String(result.statusCode),
		});
	}
	if (!body.ok && !(body.error && options.allowErrors?.includes(body.error))) {
		throw new NodeApiError(ctx.getNode(), { error: body.error ?? 'unknown_error' } as JsonObject, {
			message: `Slack ${method} failed: ${body.error ?? 'unknown_error'}`,
			httpCode: String(result.statusCode),
		});
	}
	return body;
}

/** The Slack error code (`channel_not_found`, …) of an error callSlack threw, if it was Slack's answer. */
export function slackErrorCodeOf(error: unknown): string | undefined {
	const response = (error as { errorResponse?: { error?: unknown } } | undefined)?.errorResponse;
	return typeof response?.error === 'string' ? response.error : undefined;
}

/**
 * Slack answers that say a DM cannot be posted to now or later (the conversation or the person is
 * gone or unreachable): retrying does not help. https://api.slack.com/methods/chat.postMessage#errors
 */
export const UNDELIVERABLE_DM_ERRORS: ReadonlySet<string> = new Set([
	'channel_not_found',
	'not_in_channel',
	'is_archived',
	'account_inactive',
	'user_not_found',
	'user_disabled',
	'cannot_dm_bot',
	'messages_tab_disabled',
]);
