/**
 * Triggers firing webhooks, as Zendesk does after each ticket create/update: conditions are checked
 * in position order (a trigger fires at most once per update, and the cycle restarts after one
 * fires), actions are applied, and notification_webhook actions render their body and POST it
 * signed: X-Zendesk-Webhook-Signature = base64(HMAC-SHA256(secret, timestamp + body)).
 * Retries (https://developer.zendesk.com/documentation/webhooks/troubleshooting/): 409 up to 3
 * times; 429/503 with Retry-After under 60 s; timeouts and connection errors up to 5 times.
 */
import { createHmac, randomUUID } from 'node:crypto';

import type { AxiosError } from 'axios';

import { sendExactBytes } from '../common/http';

import type { EmulatorClock } from './clock';
import type { Ticket, Trigger, User, ViaChannel } from './model';
import { VIA_IDS } from './model';
import { renderTemplate } from './placeholders';
import type { Scope } from './placeholders';
import type { UpdateResult, ZendeskStore } from './store';
import { normalizeTags } from './store';
import { conditionsMatch, isSupportedCondition } from './triggers';
import type { Views } from './views';
import { PendingWork } from '../common/pendingWork';

export interface DeliveryAttempt {
	at: string;
	status?: number;
	error?: string;
}

export interface WebhookDelivery {
	invocationId: string;
	webhookId: string;
	triggerId: number;
	ticketId: number;
	endpoint: string;
	body: string;
	attempts: DeliveryAttempt[];
	/** True once an attempt got a 2xx. */
	delivered: boolean;
	/** True when no further attempt will be made. */
	done: boolean;
}

export interface WebhookOptions {
	/** Delay before a retry after 409 / timeout / connection error. */
	retryDelayMs: number;
	/** Multiplies Retry-After waits (tests use a small factor). */
	retryAfterScale: number;
	/** How long the emulator waits for the endpoint before counting a timeout. */
	timeoutMs: number;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
	return createHmac('sha256', secret)
		.update(timestamp + body)
		.digest('base64');
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export class TriggerEngine {
	readonly deliveries: WebhookDelivery[] = [];

	/** Trigger condition fields the emulator does not evaluate (they never match); listed for tests. */
	readonly warnings: string[] = [];

	private readonly work = new PendingWork();

	private closed = false;

	/** Told of every ticket change after the triggers ran (the Sunshine emulator's agent workspace listens). */
	readonly changeListeners: Array<(result: UpdateResult, currentUser: User, channel: ViaChannel) => void> = [];

	constructor(
		private readonly store: ZendeskStore,
		private readonly views: Views,
		private readonly clock: EmulatorClock,
		private readonly options: WebhookOptions,
	) {}

	noteUnsupported(trigger: Trigger): void {
		for (const c of [...trigger.conditions.all, ...trigger.conditions.any]) {
			if (!isSupportedCondition(c.field))
				this.warnings.push(`trigger ${trigger.id}: condition field "${c.field}" is not emulated and never matches`);
		}
	}

	/** Runs the triggers after an update made by `currentUser` through `channel`. */
	run(result: UpdateResult, currentUser: User, channel: ViaChannel): void {
		const ticket = result.ticket;
		const fired = new Set<number>();
		const ordered = () =>
			[...this.store.triggers.values()].filter((t) => t.active).sort((a, b) => a.position - b.position || a.id - b.id);
		let again = true;
		while (again) {
			again = false;
			for (const trigger of ordered()) {
				if (fired.has(trigger.id)) continue;
				const matches = conditionsMatch(trigger.conditions, {
					updateType: result.previous ? 'Change' : 'Create',
					ticket: this.store.snapshot(ticket),
					previous: result.previous,
					comment: result.comment ? { public: result.comment.public, author_id: result.comment.author_id } : null,
					currentUser: { id: currentUser.id, role: currentUser.role },
					currentViaId: VIA_IDS[channel],
				});
				if (!matches) continue;
				fired.add(trigger.id);
				this.applyActions(trigger, ticket, currentUser);
				again = true;
				break;
			}
		}
		for (const listener of this.changeListeners) listener(result, currentUser, channel);
	}

	private applyActions(trigger: Trigger, ticket: Ticket, currentUser: User): void {
		for (const action of trigger.actions) {
			switch (action.field) {
				case 'status':
					ticket.status = String(action.value) as Ticket['status'];
					break;
				case 'priority':
					ticket.priority = String(action.value) as Ticket['priority'];
					break;
				case 'group_id':
					ticket.group_id = action.value === null || action.value === '' ? null : Number(action.value);
					break;
				case 'set_tags':
					ticket.tags = normalizeTags(action.value);
					break;
				case 'current_tags':
					ticket.tags = normalizeTags([...ticket.tags, ...normalizeTags(action.value)]);
					break;
				case 'remove_tags': {
					const remove = normalizeTags(action.value);
					ticket.tags = ticket.tags.filter((t) => !remove.includes(t));
					break;
				}
				case 'notification_webhook': {
					const [webhookId, bodyTemplate] = Array.isArray(action.value) ? action.value : [action.value, ''];
					this.queue(trigger, ticket, currentUser, String(webhookId), String(bodyTemplate ?? ''));
					break;
				}
				default:
					this.warnings.push(`trigger ${trigger.id}: action "${action.field}" is not emulated`);
			}
		}
	}

	/** The placeholder scope Zendesk exposes for a ticket (the common placeholders). */
	scope(ticket: Ticket, currentUser: User): Scope {
		const person = (id: number | null) => {
			const u = id ? this.store.users.get(id) : undefined;
			if (!u) return null;
			const [first, ...rest] = u.name.split(' ');
			return {
				id: u.id,
				name: u.name,
				first_name: first,
				last_name: rest.join(' '),
				email: u.email,
				external_id: u.external_id,
				role: u.role,
				__text: u.name,
			};
		};
		const commentScope = (c: Ticket['comments'][number] | undefined) =>
			c
				? {
						__text: c.plain_body,
						id: c.id,
						value: c.plain_body,
						html_value: c.html_body,
						is_public: c.public,
						created_at: c.created_at,
						author: person(c.author_id),
						attachments: c.attachment_ids.map((id) => {
							const a = this.store.attachments.get(id)!;
							const view = this.views.attachment(a);
							return {
								id: a.id,
								filename: a.file_name,
								url: view.content_url,
								content_type: a.content_type,
								size: a.size,
							};
						}),
					}
				: null;
		const latest = ticket.comments[ticket.comments.length - 1];
		const latestPublic = [...ticket.comments].reverse().find((c) => c.public);
		const brand = this.store.brands.get(ticket.brand_id);
		const group = ticket.group_id ? this.store.groups.get(ticket.group_id) : undefined;
		const org = ticket.organization_id ? this.store.organizations.get(ticket.organization_id) : undefined;
		const ticketScope: Record<string, unknown> = {
			id: ticket.id,
			external_id: ticket.external_id,
			title: ticket.subject ?? '',
			description: ticket.description,
			status: ticket.status,
			priority: ticket.priority,
			ticket_type: ticket.type,
			via:
				ticket.via.channel === 'api' ? 'Web Service' : ticket.via.channel === 'web' ? 'Web Form' : ticket.via.channel,
			url: `${this.store.fixtures.subdomain}.zendesk.com/agent/tickets/${ticket.id}`,
			link: `https://${this.store.fixtures.subdomain}.zendesk.com/agent/tickets/${ticket.id}`,
			tags: ticket.tags.join(' '),
			created_at: ticket.created_at,
			updated_at: ticket.updated_at,
			requester: person(ticket.requester_id),
			assignee: person(ticket.assignee_id),
			brand: brand ? { id: brand.id, name: brand.name } : null,
			group: group ? { id: group.id, name: group.name } : null,
			organization: org ? { id: org.id, name: org.name, external_id: org.external_id } : null,
			latest_comment: commentScope(latest),
			latest_comment_html: latest?.html_body ?? '',
			latest_public_comment: commentScope(latestPublic),
			latest_public_comment_html: latestPublic?.html_body ?? '',
			comments: ticket.comments.map(commentScope),
			public_comments: ticket.comments.filter((c) => c.public).map(commentScope),
		};
		for (const field of ticket.custom_fields) ticketScope[`ticket_field_${field.id}`] = field.value;
		return { ticket: ticketScope, current_user: person(currentUser.id), satisfaction: {} };
	}

	private queue(trigger: Trigger, ticket: Ticket, currentUser: User, webhookId: string, template: string): void {
		const webhook = this.store.webhooks.get(webhookId);
		if (!webhook || webhook.status !== 'active') {
			this.warnings.push(`trigger ${trigger.id}: webhook ${webhookId} is missing or inactive`);
			return;
		}
		const body = renderTemplate(template, this.scope(ticket, currentUser), { json: webhook.request_format === 'json' });
		const delivery: WebhookDelivery = {
			invocationId: randomUUID(),
			webhookId,
			triggerId: trigger.id,
			ticketId: ticket.id,
			endpoint: webhook.endpoint,
			body,
			attempts: [],
			delivered: false,
			done: false,
		};
		this.deliveries.push(delivery);
		this.work.track(this.deliver(delivery));
	}

	/** Sends a delivery again with the same invocation id (a duplicate, as Zendesk may send). */
	redeliver(invocationId: string): Promise<void> {
		const delivery = this.deliveries.find((d) => d.invocationId === invocationId);
		if (!delivery) return Promise.reject(new Error(`no webhook delivery ${invocationId}`));
		delivery.done = false;
		const promise = this.deliver(delivery, true);
		this.work.track(promise);
		return promise;
	}

	/** Resolves when every queued delivery (with its retries) has finished. */
	async flush(): Promise<void> {
		await this.work.flush();
	}

	close(): void {
		this.closed = true;
	}

	reset(): void {
		this.deliveries.length = 0;
		this.warnings.length = 0;
	}

	private async attempt(delivery: WebhookDelivery): Promise<{ status?: number; retryAfter?: number; error?: string }> {
		const webhook = this.store.webhooks.get(delivery.webhookId);
		if (!webhook) return { error: 'webhook deleted' };
		const timestamp = this.clock.iso();
		const headers: Record<string, string> = {
			'Content-Type':
				webhook.request_format === 'json'
					? 'application/json'
					: webhook.request_format === 'xml'
						? 'application/xml'
						: 'application/x-www-form-urlencoded',
			'User-Agent': 'Zendesk Webhook',
			'X-Zendesk-Account-Id': '10001',
			'X-Zendesk-Webhook-Id': webhook.id,
			'X-Zendesk-Webhook-Invocation-Id': delivery.invocationId,
			'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
			'X-Zendesk-Webhook-Signature': signWebhook(webhook.signingSecret, timestamp, delivery.body),
			...(webhook.custom_headers ?? {}),
		};
		const auth = webhook.authentication;
		if (auth?.type === 'basic_auth' && auth.data)
			headers.Authorization = `Basic ${Buffer.from(`${auth.data.username}:${auth.data.password}`).toString('base64')}`;
		if (auth?.type === 'bearer_token' && auth.data) headers.Authorization = `Bearer ${auth.data.token}`;
		if (auth?.type === 'api_key' && auth.data) headers[auth.data.name] = auth.data.value;
		const method = webhook.http_method.toUpperCase();
		const signal = AbortSignal.timeout(this.options.timeoutMs);
		try {
			const response = await sendExactBytes({
				url: webhook.endpoint,
				method,
				headers,
				body: Buffer.from(delivery.body, 'utf8'),
				signal,
			});
			const header = response.headers['retry-after'];
			const retryAfter = Number(header);
			return {
				status: response.status,
				retryAfter: header !== undefined && Number.isFinite(retryAfter) ? retryAfter : undefined,
			};
		} catch (error) {
			return { error: signal.aborted ? 'timeout' : ((error as AxiosError).code ?? (error as Error).message) };
		}
	}

	private async deliver(delivery: WebhookDelivery, single = false): Promise<void> {
		let conflicts = 0;
		let throttles = 0;
		let failures = 0;
		for (;;) {
			if (this.closed) break;
			const outcome = await this.attempt(delivery);
			delivery.attempts.push({ at: this.clock.iso(), status: outcome.status, error: outcome.error });
			if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
				delivery.delivered = true;
				break;
			}
			if (single) break;
			let wait: number | undefined;
			if (outcome.status === 409 && conflicts < 3) {
				conflicts += 1;
				wait = this.options.retryDelayMs;
			} else if (
				(outcome.status === 429 || outcome.status === 503) &&
				outcome.retryAfter !== undefined &&
				outcome.retryAfter < 60 &&
				throttles < 3
			) {
				throttles += 1;
				wait = outcome.retryAfter * 1000 * this.options.retryAfterScale;
			} else if (outcome.status === undefined && outcome.error !== 'webhook deleted' && failures < 5) {
				failures += 1;
				wait = this.options.retryDelayMs;
			}
			if (wait === undefined) break;
			await sleep(wait);
		}
		delivery.done = true;
	}
}
