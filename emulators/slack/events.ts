/**
 * Sends Events API requests the way Slack does: JSON body, v0 signature headers, a 3-second
 * deadline for a 2xx, and retries (X-Slack-Retry-Num / X-Slack-Retry-Reason) at once, after
 * 1 minute and after 5 minutes. A receiver answering `X-Slack-No-Retry: 1` gets no retries.
 * The delays are configurable so tests can run the policy in milliseconds.
 */
import type { AxiosError } from 'axios';

import { sendExactBytes } from '../common/http';
import type { SlackEventsPayload } from './builders';
import { urlVerification as urlVerificationPayload } from './builders';
import { signSlackRequest } from './signing';

export interface EventsRetryPolicy {
	/** How long Slack waits for a 2xx before counting the attempt as failed. */
	timeoutMs: number;
	/** Delay before each retry; Slack makes 3 retries: immediately, after 1 minute, after 5 minutes. */
	retryDelaysMs: number[];
}

export const SLACK_EVENTS_RETRY_POLICY: EventsRetryPolicy = { timeoutMs: 3_000, retryDelaysMs: [0, 60_000, 300_000] };

export type RetryReason =
	| 'http_timeout'
	| 'http_error'
	| 'connection_failed'
	| 'too_many_redirects'
	| 'ssl_error'
	| 'unknown_error';

export interface SendOptions {
	retryNum?: number;
	retryReason?: RetryReason | string;
	/** Seconds since the epoch; defaults to now. */
	timestamp?: number;
	/** A signature to send instead of the correct one, or 'omit' to send none. */
	signature?: string | 'omit';
	timeoutMs?: number;
	headers?: Record<string, string>;
	/** Send these bytes instead of JSON.stringify(payload) (signature is computed over them). */
	rawBody?: string;
}

export interface SendResult {
	status: number;
	body: string;
	headers: Record<string, string>;
	durationMs: number;
	/** No answer within the deadline (status is 0). */
	timedOut: boolean;
	/** Connection error (status is 0). */
	error?: string;
}

export interface DeliveryResult {
	delivered: boolean;
	attempts: SendResult[];
}

export interface SlackEventsDriverOptions {
	url: string;
	signingSecret: string;
	policy?: Partial<EventsRetryPolicy>;
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export class SlackEventsDriver {
	url: string;

	readonly signingSecret: string;

	policy: EventsRetryPolicy;

	constructor(options: SlackEventsDriverOptions) {
		this.url = options.url;
		this.signingSecret = options.signingSecret;
		this.policy = { ...SLACK_EVENTS_RETRY_POLICY, ...(options.policy ?? {}) };
	}

	sign(timestamp: number | string, rawBody: string | Buffer): string {
		return signSlackRequest(this.signingSecret, timestamp, rawBody);
	}

	/** One HTTP attempt, exactly as Slack sends it. */
	async send(payload: SlackEventsPayload | Record<string, unknown>, options: SendOptions = {}): Promise<SendResult> {
		const rawBody = options.rawBody ?? JSON.stringify(payload);
		const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
			Accept: '*/*',
			'X-Slack-Request-Timestamp': String(timestamp),
			...(options.headers ?? {}),
		};
		if (options.signature !== 'omit') headers['X-Slack-Signature'] = options.signature ?? this.sign(timestamp, rawBody);
		if (options.retryNum !== undefined) {
			headers['X-Slack-Retry-Num'] = String(options.retryNum);
			headers['X-Slack-Retry-Reason'] = options.retryReason ?? 'http_timeout';
		}
		const started = Date.now();
		// Slack's deadline covers the whole answer, not socket inactivity (axios' own `timeout`).
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? this.policy.timeoutMs);
		try {
			const response = await sendExactBytes({
				url: this.url,
				method: 'POST',
				body: Buffer.from(rawBody, 'utf8'),
				headers,
				signal: controller.signal,
			});
			return {
				status: response.status,
				body: response.body,
				headers: response.headers,
				durationMs: Date.now() - started,
				timedOut: false,
			};
		} catch (error) {
			const timedOut = controller.signal.aborted;
			return {
				status: 0,
				body: '',
				headers: {},
				durationMs: Date.now() - started,
				timedOut,
				error: timedOut ? undefined : ((error as AxiosError).code ?? (error as Error).message),
			};
		} finally {
			clearTimeout(timer);
		}
	}

	/** Sends and retries per Slack's policy until a 2xx, the retries run out, or the receiver says X-Slack-No-Retry. */
	async deliver(
		payload: SlackEventsPayload | Record<string, unknown>,
		policy: Partial<EventsRetryPolicy> = {},
	): Promise<DeliveryResult> {
		const effective = { ...this.policy, ...policy };
		const attempts: SendResult[] = [];
		const rawBody = JSON.stringify(payload);
		let reason: RetryReason | undefined;
		for (let attempt = 0; attempt <= effective.retryDelaysMs.length; attempt++) {
			if (attempt > 0) await sleep(effective.retryDelaysMs[attempt - 1]);
			const result = await this.send(payload, {
				rawBody,
				timeoutMs: effective.timeoutMs,
				...(attempt > 0 ? { retryNum: attempt, retryReason: reason } : {}),
			});
			attempts.push(result);
			if (result.status >= 200 && result.status < 300) return { delivered: true, attempts };
			if (result.headers['x-slack-no-retry'] === '1') break;
			reason = retryReasonOf(result);
		}
		return { delivered: false, attempts };
	}

	/** The url_verification handshake; a correct receiver answers with the challenge. */
	async urlVerification(challenge: string, options: SendOptions = {}): Promise<SendResult> {
		return await this.send(urlVerificationPayload(challenge), options);
	}
}

export function retryReasonOf(result: SendResult): RetryReason {
	if (result.timedOut) return 'http_timeout';
	if (result.status >= 300 && result.status < 400) return 'too_many_redirects';
	if (result.status === 0) return 'connection_failed';
	return 'http_error';
}
