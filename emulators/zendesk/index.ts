/**
 * Zendesk Support emulator: a local HTTP server that answers like Zendesk's REST API for what
 * this package uses, plus agent actions and an inspection API for tests and the sandbox.
 * See README.md in this folder for routes, fixtures and options.
 */
import { EmulatorServer } from '../common/server';
import type { EmulatorRequest, EmulatorResponse } from '../common/server';
import { ZendeskApi } from './api';
import { EmulatorClock } from './clock';
import { ZendeskError } from './errors';
import type { Plan } from './rateLimits';
import { ZendeskRateLimits } from './rateLimits';
import { buildFixtures, ZendeskStore } from './store';
import type { UpdateResult, ZendeskFixtures } from './store';
import type { User } from './model';
import { Views } from './views';
import { TriggerEngine } from './webhooks';
import type { WebhookDelivery } from './webhooks';

export type { ZendeskFixtures } from './store';
export type { WebhookDelivery } from './webhooks';
export { signWebhook } from './webhooks';
export type { Plan } from './rateLimits';

export interface ZendeskEmulatorOptions {
	port?: number;
	plan?: Plan;
	/** How long new or changed records stay invisible to search (Zendesk's index lag). Default 0. */
	searchDelayMs?: number;
	/** Per-plan, ticket-update and create_or_update limits. Default true. */
	rateLimits?: boolean;
	subdomain?: string;
	/** Upload token lifetime. Default 60 minutes (Zendesk's Upload Files docs). */
	uploadTokenTtlMs?: number;
	/** content_url downloads need authentication (private attachments on). Default true. */
	privateAttachments?: boolean;
	/** Webhook retry delay after 409 / timeout / connection error. Default 5 s. */
	webhookRetryDelayMs?: number;
	/** Factor applied to a webhook endpoint's Retry-After. Default 1. */
	webhookRetryAfterScale?: number;
	/** Webhook request timeout. Default 10 s. */
	webhookTimeoutMs?: number;
}

export interface AgentReplyInput {
	body?: string;
	htmlBody?: string;
	public: boolean;
	/** Defaults to the fixture agent Anna. */
	authorId?: number;
	attachments?: Array<{ filename: string; contentType: string; content: Buffer }>;
	/** Submit as (Zendesk's agent workspace submit button); default keeps the status (new becomes open). */
	status?: 'open' | 'pending' | 'hold' | 'solved';
}

export interface TicketTranscript {
	ticket: Record<string, unknown>;
	comments: Array<Record<string, unknown>>;
}

export interface ZendeskEmulator {
	/** What credentials put in "Base URL Override"; the API is under `${url}/api/v2`. */
	url: string;
	server: EmulatorServer;
	fixtures: ZendeskFixtures;
	store: ZendeskStore;
	clock: EmulatorClock;
	/** Webhook deliveries made by triggers (with attempts). */
	deliveries: WebhookDelivery[];
	/** Trigger conditions/actions the emulator does not evaluate. */
	warnings: string[];
	/** Switch rate limiting on or off at run time. */
	setRateLimits(on: boolean): void;
	agentReply(ticketId: number, reply: AgentReplyInput): Promise<Record<string, unknown>>;
	solve(ticketId: number): Promise<Record<string, unknown>>;
	/** Closes a ticket as Zendesk's automation does (solved first if needed). Same as close(ticketId). */
	closeTicket(ticketId: number): Promise<Record<string, unknown>>;
	/** `close(ticketId)` closes a ticket; `close()` shuts the emulator down. */
	close(ticketId: number): Promise<Record<string, unknown>>;
	close(): Promise<void>;
	tickets(): TicketTranscript[];
	/** Waits until all webhook deliveries (and retries) are finished. */
	flushWebhooks(): Promise<void>;
	/** Sends a delivery again with the same invocation id (Zendesk may deliver twice). */
	redeliver(invocationId: string): Promise<void>;
	reset(): void;
	/** What Zendesk messaging does to tickets (emulators/sunshine/agentWorkspace.ts joins through this). */
	messaging: ZendeskMessagingHook;
}

/** Writes of the messaging channel (via `native_messaging`), with triggers run, and every ticket change seen. */
export interface ZendeskMessagingHook {
	/** Opens a ticket as the messaging channel does; the requester is the author of its first comment. */
	createTicket(input: Record<string, unknown>, requesterId: number): Record<string, unknown>;
	/** Adds to a ticket as `actorId` through the messaging channel (e.g. the end user's next message). */
	updateTicket(ticketId: number, input: Record<string, unknown>, actorId: number): Record<string, unknown>;
	/** Called after every ticket change (API, agent, automation) once triggers ran; returns an unsubscribe. */
	onTicketChange(listener: (result: UpdateResult, actor: User) => void): () => void;
}

export async function startZendeskEmulator(options: ZendeskEmulatorOptions = {}): Promise<ZendeskEmulator> {
	const server = new EmulatorServer('zendesk', 'zendesk');
	const clock = new EmulatorClock();
	server.dateClock = () => clock.now();
	const fixtures = buildFixtures(options.subdomain ?? 'acme');
	const baseUrl = () => server.url;
	const store = new ZendeskStore(clock, fixtures, {
		searchDelayMs: options.searchDelayMs ?? 0,
		uploadTokenTtlMs: options.uploadTokenTtlMs ?? 60 * 60_000,
		baseUrl,
	});
	const views = new Views(store, baseUrl);
	const engine = new TriggerEngine(store, views, clock, {
		retryDelayMs: options.webhookRetryDelayMs ?? 5_000,
		retryAfterScale: options.webhookRetryAfterScale ?? 1,
		timeoutMs: options.webhookTimeoutMs ?? 10_000,
	});
	const limits = new ZendeskRateLimits(options.plan ?? 'professional');
	let rateLimitsOn = options.rateLimits ?? true;
	const api = new ZendeskApi({
		server,
		store,
		views,
		engine,
		clock,
		limits,
		rateLimits: () => rateLimitsOn,
		privateAttachments: options.privateAttachments ?? true,
		baseUrl,
	});
	store.describe = (kind, id) => api.describe(kind, id);
	store.reset();
	api.register();

	const agentAct = (ticketId: number, input: Record<string, unknown>, actorId: number): Record<string, unknown> => {
		const actor = store.getUser(actorId);
		const ticket = store.getTicket(ticketId);
		const result = store.updateTicket(ticket, input, actor, 'web');
		engine.run(result, actor, 'web');
		return views.ticket(result.ticket);
	};

	async function shutdown(): Promise<void> {
		engine.close();
		await server.close();
	}
	function closeOverload(): Promise<void>;
	function closeOverload(ticketId: number): Promise<Record<string, unknown>>;
	function closeOverload(ticketId?: number): Promise<void | Record<string, unknown>> {
		return ticketId === undefined ? shutdown() : emulator.closeTicket(ticketId);
	}

	const emulator: ZendeskEmulator = {
		url: '',
		server,
		fixtures,
		store,
		clock,
		deliveries: engine.deliveries,
		warnings: engine.warnings,
		setRateLimits(on) {
			rateLimitsOn = on;
		},
		async agentReply(ticketId, reply) {
			const authorId = reply.authorId ?? fixtures.anna.id;
			const attachmentIds = (reply.attachments ?? []).map(
				(a) => store.newAttachment(a.filename, a.contentType, a.content).id,
			);
			const upload = attachmentIds.length > 0 ? `agent-${attachmentIds.join('-')}` : undefined;
			if (upload)
				store.uploads.set(upload, {
					token: upload,
					attachment_ids: attachmentIds,
					expiresAt: clock.now() + 60_000,
					consumed: false,
				});
			const comment: Record<string, unknown> = {
				public: reply.public,
				author_id: authorId,
				...(upload ? { uploads: [upload] } : {}),
			};
			if (reply.htmlBody) comment.html_body = reply.htmlBody;
			else comment.body = reply.body ?? '';
			const input: Record<string, unknown> = { comment, ...(reply.status ? { status: reply.status } : {}) };
			return agentAct(ticketId, input, authorId);
		},
		async solve(ticketId) {
			return agentAct(ticketId, { status: 'solved' }, fixtures.anna.id);
		},
		async closeTicket(ticketId: number) {
			// Zendesk closes solved tickets by automation (via "closed_ticket" rule), not by an agent.
			const ticket = store.getTicket(ticketId);
			if (ticket.status === 'closed') return views.ticket(ticket);
			if (ticket.status !== 'solved') agentAct(ticketId, { status: 'solved' }, fixtures.anna.id);
			const previous = store.snapshot(ticket);
			ticket.status = 'closed';
			ticket.updated_at = clock.iso();
			ticket.audits.push({
				id: 0,
				author_id: -1,
				via: { channel: 'rule', source: { from: {}, to: {}, rel: 'automation' } },
				created_at: ticket.updated_at,
				custom: {},
				comment_id: null,
				changes: [{ field_name: 'status', value: 'closed', previous_value: 'solved' }],
			});
			store.reindex('ticket', ticket.id);
			engine.run({ ticket, previous, comment: null, auditId: 0 }, store.getUser(fixtures.anna.id), 'rule');
			return views.ticket(ticket);
		},
		tickets() {
			return [...store.tickets.values()].map((t) => ({
				ticket: views.ticket(t),
				comments: t.comments.map((c) => views.comment(c)),
			}));
		},
		flushWebhooks: () => engine.flush(),
		redeliver: (invocationId) => engine.redeliver(invocationId),
		reset() {
			store.reset();
			engine.reset();
			limits.clear();
			clock.reset();
			server.resetCalls();
			server.clearFaults();
		},
		close: closeOverload,
		messaging: {
			createTicket(input, requesterId) {
				const requester = store.getUser(requesterId);
				const result = store.createTicket(input, requester, 'native_messaging');
				engine.run(result, requester, 'native_messaging');
				return views.ticket(result.ticket);
			},
			updateTicket(ticketId, input, actorId) {
				const actor = store.getUser(actorId);
				const result = store.updateTicket(store.getTicket(ticketId), input, actor, 'native_messaging');
				engine.run(result, actor, 'native_messaging');
				return views.ticket(result.ticket);
			},
			onTicketChange(listener) {
				const wrapped = (result: UpdateResult, actor: User) => listener(result, actor);
				engine.changeListeners.push(wrapped);
				return () => {
					const index = engine.changeListeners.indexOf(wrapped);
					if (index >= 0) engine.changeListeners.splice(index, 1);
				};
			},
		},
	};

	registerControlRoutes(server, emulator);
	await server.start(options.port ?? 0);
	emulator.url = server.url;
	return emulator;
}

/** `/__emulator/*`: the agent actions and inspection over HTTP (no auth), for the sandbox. */
function registerControlRoutes(server: EmulatorServer, emu: ZendeskEmulator): void {
	const wrap =
		(fn: (req: EmulatorRequest) => Promise<unknown> | unknown) =>
		async (req: EmulatorRequest): Promise<EmulatorResponse> => {
			try {
				const body = await fn(req);
				return { status: 200, body: body ?? { ok: true } };
			} catch (error) {
				if (error instanceof ZendeskError) return { status: error.status, body: error.body };
				return { status: 400, body: { error: 'EmulatorControlError', description: (error as Error).message } };
			}
		};
	server.route(
		'GET',
		'/__emulator/fixtures',
		wrap(() => emu.fixtures),
	);
	server.route(
		'GET',
		'/__emulator/tickets',
		wrap(() => ({ tickets: emu.tickets() })),
	);
	server.route(
		'POST',
		'/__emulator/tickets/:id/reply',
		wrap(async (req) => {
			const b = req.body as Record<string, unknown>;
			const attachments = (Array.isArray(b.attachments) ? b.attachments : []).map((a) => {
				const item = a as Record<string, unknown>;
				return {
					filename: String(item.filename),
					contentType: String(item.contentType ?? 'application/octet-stream'),
					content: Buffer.from(String(item.contentBase64 ?? ''), 'base64'),
				};
			});
			const ticket = await emu.agentReply(Number(req.params.id), {
				body: typeof b.body === 'string' ? b.body : undefined,
				htmlBody: typeof b.htmlBody === 'string' ? b.htmlBody : undefined,
				public: b.public !== false,
				authorId: typeof b.authorId === 'number' ? b.authorId : undefined,
				status: typeof b.status === 'string' ? (b.status as AgentReplyInput['status']) : undefined,
				attachments,
			});
			return { ticket };
		}),
	);
	server.route(
		'POST',
		'/__emulator/tickets/:id/solve',
		wrap(async (req) => ({ ticket: await emu.solve(Number(req.params.id)) })),
	);
	server.route(
		'POST',
		'/__emulator/tickets/:id/close',
		wrap(async (req) => ({ ticket: await emu.closeTicket(Number(req.params.id)) })),
	);
	server.route(
		'GET',
		'/__emulator/webhook-deliveries',
		wrap(() => ({ deliveries: emu.deliveries, warnings: emu.warnings })),
	);
	server.route(
		'POST',
		'/__emulator/webhook-deliveries/:id/redeliver',
		wrap(async (req) => emu.redeliver(req.params.id)),
	);
	server.route(
		'POST',
		'/__emulator/clock/advance',
		wrap((req) => emu.clock.advance(Number((req.body as { ms?: unknown }).ms) || 0)),
	);
	server.route(
		'POST',
		'/__emulator/reset',
		wrap(() => emu.reset()),
	);
}
