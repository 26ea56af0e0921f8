/**
 * Sends one signed Events API envelope to the Slack DM Trigger's URL, as Slack would: the body
 * signed with the app's signing secret (`X-Slack-Signature`, shared/slack/signature.ts), signed
 * again for each attempt so that the timestamp stays inside the trigger's five-minute window. No
 * credential goes with it: plain `httpRequest`, so the Slack token never reaches that URL.
 * Retries 429 (after Retry-After), 5xx (the trigger's 503 when an earlier delivery of the message
 * is still pending) and network failures by the shared retry policy.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { computeSlackSignature } from '../../shared/slack/signature';
import { networkErrorCode } from '../../shared/transport/http';
import { DEFAULT_RETRY_POLICY, decideRetry } from '../../shared/transport/retryPolicy';

const TIMEOUT_MS = 30_000;

interface TriggerAnswer {
	statusCode: number;
	body: unknown;
}

function parsedBody(body: unknown): unknown {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof text !== 'string') return text;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

async function attempt(
	ctx: IExecuteFunctions,
	url: string,
	signingSecret: string,
	body: string,
): Promise<{
	response?: { statusCode: number; headers?: Record<string, unknown>; body: unknown };
	errorCode?: string;
}> {
	const timestamp = String(Math.floor(Date.now() / 1000));
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'POST',
			url,
			body,
			headers: {
				'Content-Type': 'application/json',
				'X-Slack-Request-Timestamp': timestamp,
				'X-Slack-Signature': computeSlackSignature(signingSecret, timestamp, body),
			},
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: TIMEOUT_MS,
		})) as { statusCode: number; headers?: Record<string, unknown>; body: unknown };
		return { response };
	} catch (error) {
		return { errorCode: networkErrorCode(error) ?? 'EREQUEST' };
	}
}

/** The trigger's answer to the envelope (any status it gave after the retries), or a thrown error. */
export async function postSignedEvent(
	ctx: IExecuteFunctions,
	target: { url: string; signingSecret: string },
	envelope: IDataObject,
): Promise<TriggerAnswer> {
	const body = JSON.stringify(envelope);
	for (let n = 1; ; n++) {
		const { response, errorCode } = await attempt(ctx, target.url, target.signingSecret, body);
		const decision = decideRetry({ statusCode: response?.statusCode, headers: response?.headers, errorCode }, n);
		if (decision.retry) {
			await sleep(decision.waitMs);
			continue;
		}
		if (!response)
			throw new NodeOperationError(ctx.getNode(), `The Slack DM Trigger's URL did not answer: ${errorCode}`, {
				description: `Gave up after ${n} attempt(s) (policy: ${DEFAULT_RETRY_POLICY.maxAttempts} attempts).`,
			});
		return { statusCode: response.statusCode, body: parsedBody(response.body) };
	}
}
