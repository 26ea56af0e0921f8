import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** A request the trigger answers itself, before any work: status and JSON body. */
export interface WebhookRefusal {
	/** 4xx: refused, the sender must not retry; 503: asked to retry later. */
	status: number;
	body: Record<string, unknown>;
}

export type RawBodyRead = { ok: true; body: Buffer | undefined } | { ok: false; refusal: WebhookRefusal };

/**
 * Why a body cannot be read, as an answer. Multipart: n8n has already consumed the body to parse
 * its form fields, so the exact bytes a signature covers are gone (neither Slack nor Zendesk ever
 * sends multipart). Too large: n8n's own limit (N8N_PAYLOAD_SIZE_MAX, 16 MB by default) for
 * bodies it leaves to the node. Anything else: an aborted or unreadable stream. Pure.
 */
export function unreadableBodyRefusal(contentType: string | undefined, error?: unknown): WebhookRefusal {
	if ((contentType ?? '').toLowerCase().startsWith('multipart/')) {
		return {
			status: 415,
			body: {
				ok: false,
				error: 'unsupported_media_type',
				detail: 'multipart bodies are not accepted: send application/json',
			},
		};
	}
	const info = (typeof error === 'object' && error !== null ? error : {}) as {
		type?: unknown;
		status?: unknown;
		statusCode?: unknown;
	};
	if (info.type === 'entity.too.large' || info.status === 413 || info.statusCode === 413) {
		return { status: 413, body: { ok: false, error: 'payload_too_large' } };
	}
	return { status: 400, body: { ok: false, error: 'unreadable_body' } };
}

/**
 * The request body exactly as sent, for signature checks, or the refusal when it cannot be read.
 * n8n may read the body lazily: ask it to when it has not yet. Never throws: a throw here would
 * be a 500 and a failed execution for any stranger who knows the URL.
 */
export async function readWebhookRawBody(ctx: IWebhookFunctions): Promise<RawBodyRead> {
	const request = ctx.getRequestObject();
	const contentType = request.headers?.['content-type'];
	if (typeof contentType === 'string' && contentType.toLowerCase().startsWith('multipart/')) {
		return { ok: false, refusal: unreadableBodyRefusal(contentType) };
	}
	try {
		if (request.rawBody === undefined && typeof request.readRawBody === 'function') await request.readRawBody();
		return { ok: true, body: request.rawBody };
	} catch (error) {
		return {
			ok: false,
			refusal: unreadableBodyRefusal(typeof contentType === 'string' ? contentType : undefined, error),
		};
	}
}

/** Answers the request with the refusal; n8n starts no execution. */
export function answerRefusal(ctx: IWebhookFunctions, refusal: WebhookRefusal): IWebhookResponseData {
	ctx.getResponseObject().status(refusal.status).json(refusal.body);
	return { noWebhookResponse: true };
}

interface EndableResponse {
	statusCode?: number;
	end: (...args: unknown[]) => unknown;
}

/**
 * Calls `listener` with the status n8n answers this request with, once n8n sends it. Watching
 * `end` rather than 'close' or 'finish': n8n answers (and so tells whether it created the
 * execution) even when the client hung up before, and then neither event says anything.
 */
export function onWebhookAnswer(ctx: IWebhookFunctions, listener: (statusCode: number) => void): void {
	const response = ctx.getResponseObject() as unknown as EndableResponse;
	const end = response.end;
	let told = false;
	response.end = function (this: unknown, ...args: unknown[]) {
		if (!told) {
			told = true;
			listener(response.statusCode ?? 0);
		}
		return end.apply(this, args);
	};
}
