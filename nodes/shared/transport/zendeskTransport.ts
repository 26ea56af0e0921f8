import type { IDataObject, IHttpRequestMethods, INode, NodeApiError } from 'n8n-workflow';

import type { HttpContext, HttpResult } from './http';
import { sendWithRetry } from './http';
import type { RetryPolicy } from './retryPolicy';
import { credentialData } from '../n8n/credentialData';
import { serviceApiError } from '../n8n/errors';

export type ZendeskAuthentication = 'apiToken' | 'oAuth2';

/** The credential a Zendesk node uses for its `authentication` parameter value. */
export function zendeskCredentialType(authentication: unknown): string {
	return authentication === 'oAuth2' ? 'zendeskDmOAuth2Api' : 'zendeskDmApi';
}

/** `https://{subdomain}.zendesk.com`, or the credential's base URL override (sandbox, tests). */
export function zendeskBaseUrl(credentials: IDataObject): string {
	const override = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	if (override) return override.replace(/\/+$/, '');
	const subdomain = String(credentials.subdomain ?? '').trim();
	return `https://${subdomain}.zendesk.com`;
}

export interface ZendeskRequest {
	method: IHttpRequestMethods;
	/** Path below /api/v2, e.g. `/tickets.json`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	headers?: IDataObject;
	/** Statuses the caller handles (returned instead of thrown), e.g. 404 or 422. */
	acceptStatuses?: number[];
	policy?: RetryPolicy;
}

/** The route used for call counting: the path with ids replaced, so counts group by endpoint. */
export function zendeskRoute(method: string, path: string): string {
	return `${method} ${path.replace(/\/\d+(?=\/|\.json|$)/g, '/{id}')}`;
}

interface ZendeskErrorBody {
	error?: string | { title?: string; message?: string };
	description?: string;
	details?: unknown;
}

export function zendeskErrorMessage(body: unknown): string {
	const parsed = (body ?? {}) as ZendeskErrorBody;
	if (typeof parsed.error === 'string')
		return parsed.description ? `${parsed.error}: ${parsed.description}` : parsed.error;
	if (parsed.error && typeof parsed.error === 'object')
		return parsed.error.message ?? parsed.error.title ?? 'Zendesk error';
	return parsed.description ?? 'Zendesk error';
}

/** Calls the Zendesk Support API; non-2xx answers not in acceptStatuses become a NodeApiError. */
export async function callZendesk<T = unknown>(
	ctx: HttpContext,
	credentialType: string,
	request: ZendeskRequest,
): Promise<HttpResult<T>> {
	const credentials = await credentialData(ctx, credentialType);
	const route = zendeskRoute(request.method, request.path);
	const result = await sendWithRetry<T>(ctx, {
		service: 'zendesk',
		route,
		credentialType,
		policy: request.policy,
		request: {
			method: request.method,
			url: `${zendeskBaseUrl(credentials)}/api/v2${request.path}`,
			qs: request.qs,
			body: request.body,
			headers: request.headers,
			json: true,
		},
	});
	const ok = result.statusCode >= 200 && result.statusCode < 300;
	if (!ok && !request.acceptStatuses?.includes(result.statusCode))
		throw zendeskApiError(ctx.getNode(), route, result.statusCode, result.body);
	return result;
}

/**
 * The one NodeApiError of a Zendesk answer: HTTP status, Zendesk's message and its validation
 * details (the item's error text keeps only the message, so the details go into it). `message`
 * replaces the whole text when the caller can say what to do (e.g. a refused requester).
 */
export function zendeskApiError(
	node: INode,
	route: string,
	statusCode: number,
	body: unknown,
	options: { itemIndex?: number; message?: string } = {},
): NodeApiError {
	const details = (body as ZendeskErrorBody | undefined)?.details;
	const message = `${zendeskErrorMessage(body)}${details ? ` ${JSON.stringify(details)}` : ''}`;
	return serviceApiError(node, { service: 'Zendesk', route, statusCode, message }, options);
}
