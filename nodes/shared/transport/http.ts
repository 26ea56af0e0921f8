import type {
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import type { TransportService } from './callStats';
import { countCall } from './callStats';
import type { RateLimitHistory, RetryPolicy } from './retryPolicy';
import { DEFAULT_RETRY_POLICY, decideRetry, RATE_LIMITED, rateLimitCharge } from './retryPolicy';

/** Every n8n context that can send authenticated HTTP requests. */
export type HttpContext = IExecuteFunctions | IHookFunctions | IWebhookFunctions | ILoadOptionsFunctions;

export interface HttpResult<T = unknown> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: T;
}

export interface SendOptions {
	service: TransportService;
	/** Short, secret-free name of the call for counting and errors, e.g. "POST /tickets". */
	route: string;
	credentialType: string;
	request: IHttpRequestOptions;
	policy?: RetryPolicy;
	/** Per attempt; a request with no answer by then counts as a network failure and is retried. */
	timeoutMs?: number;
	/** Classifies a 2xx answer as rate limited (Slack's `ok:false, error:ratelimited`). */
	slackErrorOf?: (body: unknown) => string | undefined;
}

const unanswered = new WeakSet<object>();

/**
 * The request got no HTTP answer (reset, timeout, refused): the server may or may not have
 * applied it. Callers of non-idempotent writes check the server's state before writing again.
 */
export function isUnansweredRequestError(error: unknown): boolean {
	return typeof error === 'object' && error !== null && unanswered.has(error);
}

/** A hung API call must not block an execution for ever; Slack and Zendesk answer within seconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

interface FullResponse {
	statusCode: number;
	headers?: Record<string, unknown>;
	body: unknown;
}

/** The network error code (ECONNRESET, ETIMEDOUT, …) of a failed request, if any. */
export function networkErrorCode(error: unknown): string | undefined {
	const candidate = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
	const code = candidate?.code ?? candidate?.cause?.code;
	return typeof code === 'string' ? code : undefined;
}

/** A streamed body of a failed attempt holds its connection until it is consumed or destroyed. */
function releaseBody(body: unknown): void {
	const stream = body as { destroy?: () => void; pipe?: unknown } | undefined;
	if (stream && typeof stream.pipe === 'function' && typeof stream.destroy === 'function') stream.destroy();
}

/**
 * n8n renews an OAuth2 access token only when the request throws its 401 (n8n-core
 * `requestOAuth2` refreshes in its catch); an answer taken with `ignoreHttpStatusErrors` never
 * renews it. So a 401 with an OAuth2 credential is sent once more the throwing way: n8n refreshes
 * the token (stored for the next calls too), resends, and the loop goes on with the new token.
 */
function isOAuth2Credential(credentialType: string): boolean {
	return /OAuth2Api$/.test(credentialType);
}

/**
 * The renewing attempt's outcome: its answer; a network error code; or `resend` when the answer
 * after the refresh was a 4xx other than 401/429 (not applied: the next attempt, with the new
 * token, gets Zendesk's whole answer, body included). A 401, 429 or 5xx goes to the retry policy
 * as a status, so a write that must not be resent after an ambiguous failure is not.
 */
type Renewal = { response?: FullResponse; errorCode?: string; resend?: true };

async function renewOAuth2Token(ctx: HttpContext, options: SendOptions): Promise<Renewal> {
	try {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, options.credentialType, {
			timeout: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
			...options.request,
			returnFullResponse: true,
		})) as FullResponse;
		return { response };
	} catch (error) {
		const httpCode = Number((error as { httpCode?: unknown }).httpCode);
		if (Number.isInteger(httpCode) && httpCode >= 400) {
			if (httpCode < 500 && httpCode !== 401 && httpCode !== 429) return { resend: true };
			return { response: { statusCode: httpCode, headers: {}, body: undefined } };
		}
		const code = networkErrorCode(error);
		if (code) return { errorCode: code };
		// The refresh itself failed, e.g. n8n's "The credential … needs to be reconnected" (refresh token expired or revoked).
		throw new NodeOperationError(
			ctx.getNode(),
			`${options.service} request ${options.route}: the OAuth2 access token expired and could not be renewed. ${(error as Error).message ?? ''}`.trim(),
			{
				description: 'Open the credential and reconnect it (Connect my account).',
			},
		);
	}
}

/**
 * Sends one logical request through `httpRequestWithAuthentication`, retrying 429 (after
 * Retry-After), 5xx and network failures. Returns any HTTP answer that is not retryable,
 * error statuses included: callers decide what a 404 or 422 means. Errors it throws carry
 * the route and status only, never headers or credentials.
 */
export async function sendWithRetry<T = unknown>(ctx: HttpContext, options: SendOptions): Promise<HttpResult<T>> {
	const policy = options.policy ?? DEFAULT_RETRY_POLICY;
	const history: RateLimitHistory = { rateLimitedAttempts: 0, rateLimitWaitedMs: 0 };
	let renewed = false;
	for (let attempt = 1; ; attempt++) {
		countCall(options.service, options.route);
		let response: FullResponse | undefined;
		let errorCode: string | undefined;
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, options.credentialType, {
				timeout: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
				...options.request,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
			})) as FullResponse;
		} catch (error) {
			errorCode = networkErrorCode(error) ?? 'EREQUEST';
		}
		if (response?.statusCode === 401 && !renewed && isOAuth2Credential(options.credentialType)) {
			renewed = true;
			countCall(options.service, options.route);
			const renewal = await renewOAuth2Token(ctx, options);
			if (renewal.resend) continue;
			response = renewal.response;
			errorCode = renewal.errorCode;
		}
		const decision = decideRetry(
			{
				statusCode: response?.statusCode,
				headers: response?.headers,
				errorCode,
				slackError: response && options.slackErrorOf ? options.slackErrorOf(response.body) : undefined,
			},
			attempt,
			policy,
			history,
		);
		if (decision.retry) {
			if (decision.reason === RATE_LIMITED) {
				history.rateLimitedAttempts++;
				history.rateLimitWaitedMs += rateLimitCharge(decision.waitMs, policy);
			}
			releaseBody(response?.body);
			await sleep(decision.waitMs);
			continue;
		}
		if (!response) {
			const error = new NodeApiError(ctx.getNode(), { code: errorCode ?? 'EREQUEST' } as JsonObject, {
				message: `${options.service} request ${options.route} failed: ${errorCode ?? 'no response'}`,
				description: `Gave up after ${attempt} attempt(s).`,
			});
			unanswered.add(error);
			throw error;
		}
		return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body as T };
	}
}
