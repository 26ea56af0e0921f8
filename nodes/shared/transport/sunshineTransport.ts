/**
 * Zendesk messaging (Sunshine Conversations, Conversations API v2) through the shared transport:
 * `https://{subdomain}.zendesk.com/sc/v2/apps/{appId}…` (or the credential's Base URL Override),
 * retries and `Retry-After` as for Slack and Zendesk (sendWithRetry), calls counted as `sunshine`.
 * Errors carry the route, the status and the API's first error title, never credentials.
 */
import type { IDataObject, IHttpRequestMethods, INode, NodeApiError } from 'n8n-workflow';

import type { HttpContext, HttpResult } from './http';
import { sendWithRetry } from './http';
import type { RetryPolicy } from './retryPolicy';
import { credentialData } from '../n8n/credentialData';
import { serviceApiError } from '../n8n/errors';
import { secretDigest } from './accounts';
import { MESSAGING_CREDENTIAL_TYPE, messagingBaseUrl } from './messagingAccount';

/**
 * Cache key of a messaging app as one credential sees it: address, app and a digest of the key
 * id (never the secret itself), so two credentials never share cached conversations.
 */
export function sunshineAccountKey(credentials: IDataObject): string {
	return `${messagingBaseUrl(credentials)}|sc|${String(credentials.appId ?? '')}|${secretDigest(String(credentials.keyId ?? ''))}`;
}

export interface SunshineRequest {
	method: IHttpRequestMethods;
	/** Path below `/v2/apps/{appId}`, e.g. `/conversations/{id}/messages`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | Buffer;
	headers?: IDataObject;
	/** false for a body that is not JSON (multipart uploads). */
	json?: boolean;
	/** Statuses the caller handles (returned instead of thrown), e.g. 404 or 423. */
	acceptStatuses?: number[];
	policy?: RetryPolicy;
}

/** The route used for call counting: ids (24 hex characters in Sunshine) replaced. */
export function sunshineRoute(method: string, path: string): string {
	return `${method} ${path.replace(/\/[0-9a-f]{24}(?=\/|$)/g, '/{id}')}`;
}

interface SunshineErrorBody {
	errors?: Array<{ code?: string; title?: string }>;
}

/** The API's error format: `{"errors":[{code,title}]}`; the first title (or code) says it. */
export function sunshineErrorMessage(body: unknown): string {
	const parsed = parseJson(body) as SunshineErrorBody | undefined;
	const first = Array.isArray(parsed?.errors) ? parsed.errors[0] : undefined;
	return first?.title ?? first?.code ?? 'Sunshine Conversations error';
}

/** The `code` of the API's first error, when it sent one. */
export function sunshineErrorCode(body: unknown): string | undefined {
	const parsed = parseJson(body) as SunshineErrorBody | undefined;
	return Array.isArray(parsed?.errors) ? parsed.errors[0]?.code : undefined;
}

function parseJson(body: unknown): unknown {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof text !== 'string') return text;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** Calls the Conversations API of the credential's app; non-2xx answers not in acceptStatuses become a NodeApiError. */
export async function callSunshine<T = unknown>(ctx: HttpContext, request: SunshineRequest): Promise<HttpResult<T>> {
	const credentials = await credentialData(ctx, MESSAGING_CREDENTIAL_TYPE);
	const route = sunshineRoute(request.method, request.path);
	const appId = encodeURIComponent(String(credentials.appId ?? '').trim());
	const result = await sendWithRetry<T>(ctx, {
		service: 'sunshine',
		route,
		credentialType: MESSAGING_CREDENTIAL_TYPE,
		policy: request.policy,
		request: {
			method: request.method,
			url: `${messagingBaseUrl(credentials)}/sc/v2/apps/${appId}${request.path}`,
			qs: request.qs,
			body: request.body,
			headers: request.headers,
			json: request.json ?? true,
		},
	});
	const body = request.json === false ? (parseJson(result.body) as T) : result.body;
	const ok = result.statusCode >= 200 && result.statusCode < 300;
	if (!ok && !request.acceptStatuses?.includes(result.statusCode))
		throw sunshineApiError(ctx.getNode(), route, result.statusCode, body);
	return { ...result, body };
}

export function sunshineApiError(
	node: INode,
	route: string,
	statusCode: number,
	body: unknown,
	options: { itemIndex?: number; message?: string } = {},
): NodeApiError {
	const message = sunshineErrorMessage(body);
	return serviceApiError(node, { service: 'Zendesk messaging', route, statusCode, message }, options);
}
