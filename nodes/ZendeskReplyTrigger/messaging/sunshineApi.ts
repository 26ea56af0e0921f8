/**
 * The Zendesk Reply Trigger's calls to Zendesk messaging (Sunshine Conversations API v2, served at
 * `https://{subdomain}.zendesk.com/sc`) with the `zendeskMessagingApi` credential, through the
 * package's one HTTP path (`sendWithRetry`: retries 429/5xx/no answer, call counts).
 */
import type { IDataObject, IHttpRequestMethods, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { credentialData } from '../../shared/n8n/credentialData';
import type { HttpContext, HttpResult } from '../../shared/transport/http';
import { sendWithRetry } from '../../shared/transport/http';
import { MESSAGING_CREDENTIAL_TYPE, messagingBaseUrl } from '../../shared/transport/messagingAccount';

export interface SunshineRequest {
	method: IHttpRequestMethods;
	/** Path below `/sc/v2/apps/{appId}`, e.g. `/integrations`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** Statuses the caller handles (returned instead of thrown), e.g. 404. */
	acceptStatuses?: number[];
}

/** The route used for call counting: ids replaced, so counts group by endpoint. */
export function sunshineRoute(method: string, path: string): string {
	return `${method} /sc/v2/apps/{appId}${path.replace(/\/[0-9a-fA-F]{24}(?=\/|$)/g, '/{id}')}`;
}

/** The first error title of a Sunshine answer (`{errors:[{code,title}]}`). */
export function sunshineErrorMessage(body: unknown): string {
	const errors = (body as { errors?: Array<{ code?: unknown; title?: unknown }> } | undefined)?.errors;
	const first = Array.isArray(errors) ? errors[0] : undefined;
	if (!first) return 'Zendesk messaging error';
	return [first.code, first.title].filter((part) => typeof part === 'string' && part).join(': ');
}

function sunshineApiError(node: INode, route: string, statusCode: number, body: unknown): NodeApiError {
	const message = sunshineErrorMessage(body);
	return new NodeApiError(node, { statusCode, message } as JsonObject, {
		message: `Zendesk messaging ${route} failed (HTTP ${statusCode}): ${message}`,
		httpCode: String(statusCode),
	});
}

/** Calls the Conversations API for the credential's app; non-2xx answers not accepted become a NodeApiError. */
export async function callSunshine<T = unknown>(ctx: HttpContext, request: SunshineRequest): Promise<HttpResult<T>> {
	const credentials = await credentialData(ctx, MESSAGING_CREDENTIAL_TYPE);
	const appId = encodeURIComponent(String(credentials.appId ?? '').trim());
	const route = sunshineRoute(request.method, request.path);
	const result = await sendWithRetry<T>(ctx, {
		service: 'zendesk',
		route,
		credentialType: MESSAGING_CREDENTIAL_TYPE,
		request: {
			method: request.method,
			url: `${messagingBaseUrl(credentials)}/sc/v2/apps/${appId}${request.path}`,
			qs: request.qs,
			body: request.body,
			json: true,
		},
	});
	const ok = result.statusCode >= 200 && result.statusCode < 300;
	if (!ok && !request.acceptStatuses?.includes(result.statusCode))
		throw sunshineApiError(ctx.getNode(), route, result.statusCode, result.body);
	return result;
}
