import type { IWebhookFunctions } from 'n8n-workflow';

/**
 * The request body exactly as sent, for signature checks. n8n may read the body lazily: ask it
 * to when it has not yet.
 */
export async function webhookRawBody(ctx: IWebhookFunctions): Promise<Buffer | undefined> {
	const request = ctx.getRequestObject();
	if (request.rawBody === undefined && typeof request.readRawBody === 'function') await request.readRawBody();
	return request.rawBody;
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
