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
