/**
 * The trigger's "ask again" answer, for both sources: 503 with Retry-After (Zendesk does not
 * redeliver after a 500; Sunshine redelivers anything but 2xx and 400/401/403/404/406), with the
 * reason in n8n's log.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { redeliveryAnswer } from './helpers/webhooks';

export function answerRedelivery(ctx: IWebhookFunctions, warning: string, meta?: IDataObject): IWebhookResponseData {
	ctx.logger.warn(warning, meta);
	const answer = redeliveryAnswer();
	ctx.getResponseObject().status(answer.status).set(answer.headers).json(answer.body);
	return { noWebhookResponse: true };
}
