/**
 * Webhook deliveries as the spec's Webhooks section documents them: a POST of
 * `{app:{id}, webhook:{id, version}, events:[…]}` to each webhook subscribed to the event's trigger,
 * with the webhook's secret in `X-API-Key`; "attempted up to 5 times over a 15 minute window … at an
 * exponentially increasing interval" unless the answer is 2xx or non-recoverable (400, 401, 403,
 * 404, 406); no answer within 20 seconds counts as a failure and is retried.
 * ASSUMPTION: the intervals are 1, 2, 4 and 8 minutes (exponential, 15 minutes in all); the spec
 * gives only the bounds. All waits are multiplied by `timeScale`, so tests need no real minutes.
 */
import type { AxiosError } from 'axios';

import { sendExactBytes } from '../common/http';

import type { SunshineStore, Webhook } from './store';
import { PendingWork } from '../common/pendingWork';

export const NON_RECOVERABLE = [400, 401, 403, 404, 406];
export const RETRY_INTERVALS_MS = [60_000, 120_000, 240_000, 480_000];
export const MAX_ATTEMPTS = 5;
export const WEBHOOK_TIMEOUT_MS = 20_000;

export interface SunshineDeliveryAttempt {
	at: string;
	/** Nominal wait before this attempt (unscaled), 0 for the first. */
	afterMs: number;
	status?: number;
	error?: string;
}

export interface SunshineDelivery {
	id: string;
	webhookId: string;
	target: string;
	trigger: string;
	/** The exact body sent (JSON). */
	body: string;
	attempts: SunshineDeliveryAttempt[];
	delivered: boolean;
	done: boolean;
}

export interface WebhookTiming {
	/** Multiplies the retry intervals and the timeout. Default 1 (real time). */
	timeScale: number;
	/** Overrides the (scaled) 20 s timeout. */
	timeoutMs?: number;
}

export type EventPayloadBuilder = (webhook: Webhook) => Record<string, unknown>;

export class SunshineWebhooks {
	readonly deliveries: SunshineDelivery[] = [];

	private readonly work = new PendingWork();

	private readonly timers = new Set<NodeJS.Timeout>();

	private closed = false;

	constructor(
		private readonly store: SunshineStore,
		private readonly timing: WebhookTiming,
	) {}

	/**
	 * One event to every webhook that subscribes to `trigger` and `accepts` it (switchboard standby
	 * filtering is the caller's). Each webhook gets its own payload (includeFullUser differs).
	 */
	emit(trigger: string, payload: EventPayloadBuilder, accepts: (webhook: Webhook) => boolean = () => true): void {
		for (const webhook of this.store.webhooks.values()) {
			if (!webhook.triggers.includes(trigger)) continue;
			if (!accepts(webhook)) continue;
			const event = { id: this.store.newId(), type: trigger, createdAt: this.store.iso(), payload: payload(webhook) };
			const body = JSON.stringify({
				app: { id: this.store.app.id },
				webhook: { id: webhook.id, version: 'v2' },
				events: [event],
			});
			const delivery: SunshineDelivery = {
				id: event.id,
				webhookId: webhook.id,
				target: webhook.target,
				trigger,
				body,
				attempts: [],
				delivered: false,
				done: false,
			};
			this.deliveries.push(delivery);
			this.work.track(this.deliver(delivery));
		}
	}

	/** Resolves when every delivery (with its retries) has finished. */
	async flush(): Promise<void> {
		await this.work.flush();
	}

	close(): void {
		this.closed = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}

	reset(): void {
		this.deliveries.length = 0;
	}

	private wait(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				resolve();
			}, ms);
			this.timers.add(timer);
		});
	}

	private async attempt(delivery: SunshineDelivery): Promise<{ status?: number; error?: string }> {
		const webhook = this.store.webhooks.get(delivery.webhookId);
		if (!webhook) return { error: 'webhook deleted' };
		const timeout = this.timing.timeoutMs ?? WEBHOOK_TIMEOUT_MS * this.timing.timeScale;
		const signal = AbortSignal.timeout(Math.max(1, Math.round(timeout)));
		const headers = {
			'Content-Type': 'application/json',
			'X-API-Key': webhook.secret,
			'User-Agent': 'Sunshine Conversations Emulator',
		};
		try {
			const response = await sendExactBytes({
				url: webhook.target,
				method: 'POST',
				headers,
				body: Buffer.from(delivery.body, 'utf8'),
				signal,
			});
			return { status: response.status };
		} catch (error) {
			return { error: signal.aborted ? 'timeout' : ((error as AxiosError).code ?? (error as Error).message) };
		}
	}

	private async deliver(delivery: SunshineDelivery): Promise<void> {
		for (let attempt = 0; attempt < MAX_ATTEMPTS && !this.closed; attempt++) {
			const afterMs = attempt === 0 ? 0 : RETRY_INTERVALS_MS[attempt - 1];
			if (afterMs > 0) await this.wait(afterMs * this.timing.timeScale);
			if (this.closed) break;
			const outcome = await this.attempt(delivery);
			delivery.attempts.push({ at: this.store.iso(), afterMs, ...outcome });
			if (outcome.error === 'webhook deleted') break;
			if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
				delivery.delivered = true;
				break;
			}
			if (outcome.status !== undefined && NON_RECOVERABLE.includes(outcome.status)) break;
		}
		delivery.done = true;
	}
}
