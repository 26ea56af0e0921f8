/**
 * Sunshine Conversations (Zendesk messaging, Conversations API v2) emulator: the routes a channel
 * integration uses, served under `/sc` as on `https://{subdomain}.zendesk.com/sc`, webhook
 * deliveries with the documented retries on a scalable clock, and (given a Zendesk emulator) the
 * agent workspace that turns conversations into messaging tickets. See README.md beside this file.
 */
import type { EmulatorRequest, EmulatorResponse } from '../common/server';
import { EmulatorServer } from '../common/server';
import type { ZendeskEmulator } from '../zendesk';
import { EmulatorClock } from '../zendesk/clock';
import { SlidingWindow } from '../zendesk/rateLimits';
import { registerAdminApi } from './adminApi';
import { AgentWorkspace } from './agentWorkspace';
import { registerConversationsApi } from './api';
import { registerAttachments } from './attachments';
import { signAppJwt } from './auth';
import { SunshineError } from './errors';
import type { SunshineHost } from './http';
import { MAX_MESSAGES_PER_CONVERSATION, Messaging } from './messaging';
import { buildSunshineFixtures, SunshineStore } from './store';
import type { SunshineFixtures } from './store';
import { messageView } from './views';
import { SunshineWebhooks } from './webhooks';
import type { SunshineDelivery } from './webhooks';

export type { SunshineFixtures } from './store';
export type { SunshineDelivery, SunshineDeliveryAttempt } from './webhooks';
export { signAppJwt } from './auth';
export { AgentWorkspace } from './agentWorkspace';

export interface SunshineRateLimit {
	/** Requests allowed per window (whole app). */
	requests: number;
	windowMs: number;
}

export interface SunshineEmulatorOptions {
	port?: number;
	subdomain?: string;
	/** Join the agent workspace to this Zendesk emulator (messaging tickets). */
	zendesk?: ZendeskEmulator;
	/** Multiplies webhook retry intervals (1, 2, 4, 8 min) and the 20 s timeout. Default 1. */
	webhookTimeScale?: number;
	/** Overrides the scaled webhook timeout. */
	webhookTimeoutMs?: number;
	/** Messages a conversation may hold before 423. Default 30,000 (the spec). */
	maxMessagesPerConversation?: number;
	/** A rate limit to enforce (429 with Retry-After). ASSUMPTION: none by default, as the spec publishes no number. */
	rateLimit?: SunshineRateLimit;
	/** Agents' files in the agent workspace need the app's credentials (Zendesk's "private attachments"). Default false. */
	privateAttachments?: boolean;
}

export interface SunshineEmulator {
	/** Stands for `https://{subdomain}.zendesk.com`: the credential's base URL override. */
	url: string;
	/** The API base path clients use (`${url}/sc`), e.g. the official client's basePath. */
	apiUrl: string;
	server: EmulatorServer;
	store: SunshineStore;
	fixtures: SunshineFixtures;
	clock: EmulatorClock;
	messaging: Messaging;
	deliveries: SunshineDelivery[];
	/** Present when started with a Zendesk emulator. */
	agentWorkspace?: AgentWorkspace;
	/** An app-scoped JWT for the fixture key (HS256, kid, scope app). */
	appJwt(claims?: Record<string, unknown>): string;
	setRateLimit(limit: SunshineRateLimit | undefined): void;
	/** Fires `conversation:message:delivery:failure` for a business message a channel could not deliver. */
	reportDeliveryFailure(conversationId: string, messageId: string, error?: { code: string; message: string }): void;
	flushWebhooks(): Promise<void>;
	reset(): void;
	close(): Promise<void>;
}

export async function startSunshineEmulator(options: SunshineEmulatorOptions = {}): Promise<SunshineEmulator> {
	const server = new EmulatorServer('sunshine', 'sunshine');
	const clock = new EmulatorClock();
	server.dateClock = () => clock.now();
	server.rateLimitBody = { errors: [{ code: 'too_many_requests', title: 'API rate limit exceeded' }] };
	const fixtures = buildSunshineFixtures(options.subdomain ?? 'acme', clock.now());
	const store = new SunshineStore(clock, fixtures);
	const webhooks = new SunshineWebhooks(store, {
		timeScale: options.webhookTimeScale ?? 1,
		timeoutMs: options.webhookTimeoutMs,
	});
	const messaging = new Messaging(store, webhooks, {
		maxMessagesPerConversation: options.maxMessagesPerConversation ?? MAX_MESSAGES_PER_CONVERSATION,
	});
	let window = options.rateLimit
		? new SlidingWindow(options.rateLimit.requests, options.rateLimit.windowMs)
		: undefined;
	const host: SunshineHost = {
		server,
		store,
		baseUrl: () => server.url,
		rateLimit: () => window,
		now: () => clock.now(),
	};
	registerConversationsApi(host, messaging);
	registerAdminApi(host);
	registerAttachments(host);
	const agentWorkspace = options.zendesk
		? new AgentWorkspace(store, messaging, options.zendesk, {
				baseUrl: () => server.url,
				privateAttachments: options.privateAttachments === true,
			})
		: undefined;

	const emulator: SunshineEmulator = {
		url: '',
		apiUrl: '',
		server,
		store,
		fixtures,
		clock,
		messaging,
		deliveries: webhooks.deliveries,
		agentWorkspace,
		appJwt: (claims) => signAppJwt(fixtures.appKey.id, fixtures.appKey.secret, claims),
		setRateLimit(limit) {
			window = limit ? new SlidingWindow(limit.requests, limit.windowMs) : undefined;
		},
		reportDeliveryFailure(
			conversationId,
			messageId,
			error = { code: 'unexpected_error', message: 'The channel refused the message' },
		) {
			const conversation = messaging.getConversation(conversationId);
			const message = store.messagesOf(conversationId).find((m) => m.id === messageId);
			if (!message) throw new Error(`no message ${messageId} in conversation ${conversationId}`);
			messaging.reportDeliveryFailure(conversation, messageId, error, { type: 'custom' });
		},
		flushWebhooks: () => webhooks.flush(),
		reset() {
			store.reset();
			webhooks.reset();
			agentWorkspace?.reset();
			window?.clear();
			clock.reset();
			server.resetCalls();
			server.clearFaults();
		},
		async close() {
			webhooks.close();
			agentWorkspace?.detach();
			await server.close();
		},
	};
	registerControlRoutes(server, emulator);
	await server.start(options.port ?? 0);
	emulator.url = server.url;
	emulator.apiUrl = `${server.url}/sc`;
	return emulator;
}

/** `/__emulator/*`: inspection over HTTP (no auth), for the sandbox and scripts. */
function registerControlRoutes(server: EmulatorServer, emu: SunshineEmulator): void {
	const wrap =
		(fn: (req: EmulatorRequest) => unknown) =>
		async (req: EmulatorRequest): Promise<EmulatorResponse> => {
			try {
				return { status: 200, body: (await fn(req)) ?? { ok: true } };
			} catch (error) {
				if (error instanceof SunshineError) return { status: error.status, body: error.body };
				return { status: 400, body: { errors: [{ code: 'emulator_control_error', title: (error as Error).message }] } };
			}
		};
	server.route(
		'GET',
		'/__emulator/fixtures',
		wrap(() => ({ ...emu.fixtures, appKey: { id: emu.fixtures.appKey.id } })),
	);
	server.route(
		'GET',
		'/__emulator/conversations',
		wrap(() => ({
			conversations: [...emu.store.conversations.values()].map((c) => ({
				conversation: c,
				user: emu.store.users.get(c.userId),
				messages: emu.store.messagesOf(c.id).map(messageView),
				tickets: (emu.agentWorkspace?.tickets ?? []).filter((t) => t.conversationId === c.id).map((t) => t.ticketId),
			})),
		})),
	);
	server.route(
		'GET',
		'/__emulator/webhook-deliveries',
		wrap(() => ({ deliveries: emu.deliveries })),
	);
	server.route(
		'POST',
		'/__emulator/reset',
		wrap(() => emu.reset()),
	);
}
