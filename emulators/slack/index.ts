/**
 * Slack emulator: the Web API methods this package uses, private file downloads, the external
 * upload flow, and Events API delivery (signed, retried as Slack does) to a configurable URL.
 * Start it with `startSlackEmulator()`; see README.md beside this file.
 */
import { EmulatorServer } from '../common/server';
import type { EmulatorRequest, EmulatorResponse, Fault } from '../common/server';
import type { SlackAuthorization, SlackEvent, SlackEventEnvelope, SlackEventsPayload } from './builders';
import {
	appMention,
	appMessageEvent,
	envelope,
	messageChanged,
	messageDeleted,
	nextTs,
	userMessageEvent,
} from './builders';
import type { DeliveryResult, EventsRetryPolicy } from './events';
import { SLACK_EVENTS_RETRY_POLICY, SlackEventsDriver } from './events';
import { FIXTURE_IDS } from './fixtures';
import { RateLimiter } from './rateLimits';
import { fileObject, fileStub } from './render';
import type {
	AddChannelInput,
	AddUserInput,
	ChannelRecord,
	MessageRecord,
	PostedMessage,
	ReactionRecord,
	TokenRecord,
	UploadedFile,
	UserRecord,
} from './state';
import { SlackWorkspace, seedDefaultWorkspace } from './state';
import type { SlackApiHost } from './webApi';
import { registerWebApi } from './webApi';

export * from './builders';
export { SlackEventsDriver, SLACK_EVENTS_RETRY_POLICY } from './events';
export type { DeliveryResult, EventsRetryPolicy, SendOptions, SendResult } from './events';
export { FIXTURE_IDS } from './fixtures';
export type { SlackFixtureIds } from './fixtures';
export { signSlackRequest } from './signing';
export type {
	MessageRecord,
	PostedMessage,
	UploadedFile,
	ReactionRecord,
	ChannelRecord,
	UserRecord,
	TokenRecord,
} from './state';

export interface SlackEmulatorOptions {
	/** Signing secret for event deliveries; defaults to fixtures.signingSecret. */
	signingSecret?: string;
	port?: number;
	/** Per-method rate limits (default true); the benchmark switches them off. */
	rateLimits?: boolean;
	/** Deliver events here from the start (see setEventsUrl). */
	eventsUrl?: string;
	/** Event retry timing; Slack's is a 3 s deadline and retries after 0 s, 1 min, 5 min. */
	eventsRetryPolicy?: Partial<EventsRetryPolicy>;
	/**
	 * Id space of the DMs, group DMs, channels and files this emulator creates: 3 characters A-Z/0-9
	 * after the kind letter (`D` + prefix + counter). By default every emulator gets its own
	 * (consecutive within a process, from a random start), so two emulators in one test never hand
	 * out the same conversation id and the Zendesk keys (`slack-dm:{team}:{channel}`) never collide.
	 * '000' gives the fixed ids D00000001, C00000001, … for a test that wants them.
	 */
	idPrefix?: string;
}

const ID_SPACES = 36 ** 3;
let nextIdSpace = Math.floor(Math.random() * ID_SPACES);

/** A fresh 3-character id prefix for each emulator in this process. */
function nextIdPrefix(): string {
	const prefix = (nextIdSpace % ID_SPACES).toString(36).toUpperCase().padStart(3, '0');
	nextIdSpace += 1;
	return prefix;
}

export interface EventDelivery {
	envelope: SlackEventEnvelope;
	result: DeliveryResult;
}

export interface UserFileInput {
	name: string;
	mimetype?: string;
	content: Buffer;
	title?: string;
}

export interface UserSendsInput {
	userId: string;
	/** The conversation; defaults to the DM between userId and toUserId. */
	channelId?: string;
	/** With no channelId: the DM partner (default: the app's bot user). */
	toUserId?: string;
	text?: string;
	/** Files the person attaches (uploaded as theirs), or ids of files already added. */
	files?: Array<UserFileInput | string>;
	threadTs?: string;
	/** Edit this earlier message instead of sending a new one. */
	asEdit?: string;
	/** Wait for the event deliveries (and their retries) to finish (default true). */
	wait?: boolean;
}

export interface UserSendsResult {
	channel: string;
	ts: string;
	envelopes: SlackEventEnvelope[];
	deliveries: DeliveryResult[];
}

export interface SlackEmulator extends SlackApiHost {
	readonly url: string;
	readonly apiUrl: string;
	readonly server: EmulatorServer;
	readonly fixtures: typeof FIXTURE_IDS;
	readonly signingSecret: string;
	close(): Promise<void>;
}

/** A stored message as an edit or deletion event carries it (`previous_message`). */
function previousOf(stored: MessageRecord) {
	return {
		user: stored.user ?? '',
		text: stored.text,
		ts: stored.ts,
		userTeam: stored.team,
		threadTs: stored.thread_ts,
		clientMsgId: stored.client_msg_id,
	};
}

class SlackEmulatorImpl implements SlackEmulator {
	readonly server = new EmulatorServer('Slack emulator', 'slack');

	readonly fixtures = FIXTURE_IDS;

	ws: SlackWorkspace;

	/** See SlackEmulatorOptions.idPrefix; kept across reset(). */
	readonly idPrefix: string;

	limiter = new RateLimiter();

	rateLimits: boolean;

	readonly signingSecret: string;

	/** Every envelope the emulator produced, delivered or not (no events URL set). */
	readonly emittedEvents: SlackEventEnvelope[] = [];

	readonly deliveries: EventDelivery[] = [];

	private eventsUrl?: string;

	private retryPolicy: EventsRetryPolicy;

	private readonly pending = new Set<Promise<unknown>>();

	constructor(options: SlackEmulatorOptions) {
		this.idPrefix = options.idPrefix ?? nextIdPrefix();
		this.ws = new SlackWorkspace(this.idPrefix);
		this.signingSecret = options.signingSecret ?? FIXTURE_IDS.signingSecret;
		this.rateLimits = options.rateLimits ?? true;
		this.eventsUrl = options.eventsUrl;
		this.retryPolicy = { ...SLACK_EVENTS_RETRY_POLICY, ...(options.eventsRetryPolicy ?? {}) };
		this.server.rateLimitBody = { ok: false, error: 'ratelimited' };
		seedDefaultWorkspace(this.ws);
		registerWebApi(this.server, this);
		this.registerInspectionApi();
	}

	get url(): string {
		return this.server.url;
	}

	get apiUrl(): string {
		return `${this.server.url}/api`;
	}

	async close(): Promise<void> {
		await this.server.close();
	}

	// ---- seeding and inspection -------------------------------------------------------------

	addTeam(input: { id: string; name: string; domain?: string; emailDomain?: string; connected?: boolean }) {
		return this.ws.addTeam(input);
	}

	addUser(input: AddUserInput): UserRecord {
		return this.ws.addUser(input);
	}

	issueToken(
		token: string,
		input: { kind: 'bot' | 'user'; userId: string; teamId: string; appId?: string; botId?: string; scopes?: string[] },
	): TokenRecord {
		return this.ws.issueToken(token, input);
	}

	openDm(userA: string, userB: string): string {
		return this.ws.openDm(userA, userB);
	}

	openGroupDm(userIds: string[]): string {
		return this.ws.openGroupDm(userIds);
	}

	addChannel(input: AddChannelInput): ChannelRecord {
		return this.ws.addChannel(input);
	}

	/** Adds a file (already uploaded) and returns its Slack file object. */
	addFile(input: {
		ownerId: string;
		teamId?: string;
		name: string;
		mimetype?: string;
		content: Buffer;
		title?: string;
		slackConnectStub?: boolean;
	}) {
		const file = this.ws.addFileRecord(input);
		return fileObject(this.ws, this.url, file) as {
			id: string;
			url_private: string;
			url_private_download: string;
		} & Record<string, unknown>;
	}

	messagesIn(channelId: string): MessageRecord[] {
		return this.ws.messagesIn(channelId);
	}

	get postedMessages(): PostedMessage[] {
		return this.ws.postedMessages;
	}

	get uploadedFiles(): UploadedFile[] {
		return this.ws.uploadedFiles;
	}

	get reactions(): ReactionRecord[] {
		return this.ws.reactions;
	}

	injectFault(route: string, fault: Fault, times = 1): void {
		this.server.injectFault(route, fault, times);
	}

	/** Back to the seeded workspace; calls, faults, rate-limit windows and event logs cleared. */
	reset(): void {
		this.ws = new SlackWorkspace(this.idPrefix);
		seedDefaultWorkspace(this.ws);
		this.limiter.reset();
		this.server.resetCalls();
		this.server.clearFaults();
		this.emittedEvents.length = 0;
		this.deliveries.length = 0;
	}

	// ---- events -----------------------------------------------------------------------------

	setEventsUrl(url: string | undefined, policy?: Partial<EventsRetryPolicy>): void {
		this.eventsUrl = url;
		if (policy) this.retryPolicy = { ...this.retryPolicy, ...policy };
	}

	setEventsRetryPolicy(policy: Partial<EventsRetryPolicy>): void {
		this.retryPolicy = { ...this.retryPolicy, ...policy };
	}

	/** Resolves when every event delivery started so far (retries included) has finished. */
	async waitForEvents(): Promise<void> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
	}

	/** The one authorization Slack lists: the bot user if it is in the conversation, else a handle account. */
	private authorizationFor(channel: ChannelRecord): SlackAuthorization | undefined {
		const party = this.ws.authorizedUsers().find((t) => channel.members.includes(t.userId));
		if (!party) return undefined;
		return {
			enterprise_id: null,
			team_id: party.teamId,
			user_id: party.userId,
			is_bot: party.kind === 'bot',
			is_enterprise_install: false,
		};
	}

	private channelTypeOf(channel: ChannelRecord): 'im' | 'mpim' | 'channel' | 'group' {
		return channel.kind;
	}

	private eventFiles(fileIds: string[], senderTeam: string): Record<string, unknown>[] {
		return fileIds
			.map((id) => this.ws.files.get(id))
			.filter((f): f is NonNullable<typeof f> => Boolean(f))
			.map((file) =>
				file.slackConnectStub || senderTeam !== this.ws.homeTeamId
					? fileStub(file)
					: fileObject(this.ws, this.url, file, { forEvent: true }),
			);
	}

	private emit(
		event: SlackEvent,
		channel: ChannelRecord,
		authorization: SlackAuthorization,
	): { envelope: SlackEventEnvelope; delivery: Promise<DeliveryResult | undefined> } {
		const built = envelope(event, {
			teamId: this.ws.homeTeamId,
			apiAppId: this.ws.appId,
			authorizations: [authorization],
			isExtSharedChannel: channel.isExtShared,
			eventTime: Math.floor(Date.now() / 1000),
		});
		this.emittedEvents.push(built);
		return { envelope: built, delivery: this.deliver(built) };
	}

	/** Delivers any Events API payload to the events URL (signed, with Slack's retries). */
	deliver(payload: SlackEventsPayload): Promise<DeliveryResult | undefined> {
		if (!this.eventsUrl) return Promise.resolve(undefined);
		const driver = new SlackEventsDriver({
			url: this.eventsUrl,
			signingSecret: this.signingSecret,
			policy: this.retryPolicy,
		});
		const promise = driver.deliver(payload).then((result) => {
			if (payload.type === 'event_callback') this.deliveries.push({ envelope: payload, result });
			return result;
		});
		this.pending.add(promise);
		void promise.finally(() => this.pending.delete(promise));
		return promise;
	}

	/** Called by the Web API for messages it stored (chat.postMessage, file shares). */
	messagePosted(message: MessageRecord): void {
		const channel = this.ws.channels.get(message.channel);
		if (!channel) return;
		const authorization = this.authorizationFor(channel);
		if (!authorization) return;
		const event = appMessageEvent({
			channel: channel.id,
			text: message.text,
			user: message.user,
			botId: message.bot_id,
			appId: message.app_id,
			asBot: Boolean(message.bot_id),
			ts: message.ts,
			threadTs: message.thread_ts,
			parentUserId: message.parent_user_id,
			username: message.username,
			blocks: message.blocks,
			channelType: this.channelTypeOf(channel),
			botName: message.bot_id ? this.ws.users.get(message.user ?? '')?.name : undefined,
			teamId: message.team,
		});
		if (message.files) {
			event.subtype = 'file_share';
			event.files = this.eventFiles(message.files, message.team);
			event.upload = true;
			event.display_as_bot = false;
		}
		this.emit(event, channel, authorization);
	}

	private conversationFor(input: { userId: string; channelId?: string; toUserId?: string }): ChannelRecord {
		const channelId =
			input.channelId ??
			this.ws.openDm(input.userId, input.toUserId ?? this.ws.authorizedUsers()[0]?.userId ?? FIXTURE_IDS.botUserId);
		const channel = this.ws.channels.get(channelId);
		if (!channel) throw new Error(`Slack emulator: no conversation ${channelId}`);
		if (!channel.members.includes(input.userId))
			throw new Error(`Slack emulator: ${input.userId} is not a member of ${channelId}`);
		return channel;
	}

	/** A person sends a message (with files, in a thread, …): stored, and its events delivered. */
	async userSends(input: UserSendsInput): Promise<UserSendsResult> {
		if (input.asEdit) {
			return await this.userEdits({
				userId: input.userId,
				channelId: input.channelId,
				toUserId: input.toUserId,
				ts: input.asEdit,
				text: input.text ?? '',
				wait: input.wait,
			});
		}
		const sender = this.ws.users.get(input.userId);
		if (!sender) throw new Error(`Slack emulator: unknown user ${input.userId}`);
		const channel = this.conversationFor(input);
		const text = input.text ?? '';
		const fileIds = (input.files ?? []).map((f) => {
			if (typeof f === 'string') return f;
			return this.ws.addFileRecord({
				ownerId: sender.id,
				teamId: sender.teamId,
				name: f.name,
				title: f.title,
				mimetype: f.mimetype,
				content: f.content,
			}).id;
		});
		const stored = this.ws.storeMessage({
			channel: channel.id,
			user: sender.id,
			text,
			team: sender.teamId,
			thread_ts: input.threadTs,
			files: fileIds.length ? fileIds : undefined,
			subtype: fileIds.length ? 'file_share' : undefined,
			upload: fileIds.length ? false : undefined,
		});
		for (const id of fileIds)
			this.ws.files
				.get(id)
				?.shares.push({ channel: channel.id, ts: stored.ts, threadTs: input.threadTs, userId: sender.id });
		const event = userMessageEvent(
			{
				user: sender.id,
				channel: channel.id,
				text,
				ts: stored.ts,
				threadTs: input.threadTs,
				parentUserId: stored.parent_user_id,
				userTeam: sender.teamId,
				channelType: this.channelTypeOf(channel),
			},
			{ teamId: this.ws.homeTeamId },
		);
		stored.client_msg_id = event.client_msg_id as string;
		stored.blocks = event.blocks as unknown[];
		if (fileIds.length) {
			event.subtype = 'file_share';
			event.files = this.eventFiles(fileIds, sender.teamId);
			event.upload = false;
			event.display_as_bot = false;
		}
		const emitted: Array<{ envelope: SlackEventEnvelope; delivery: Promise<DeliveryResult | undefined> }> = [];
		const authorization = this.authorizationFor(channel);
		if (authorization) emitted.push(this.emit(event, channel, authorization));
		const bot = this.ws.authorizedUsers().find((t) => t.kind === 'bot');
		if (
			bot &&
			(channel.kind === 'channel' || channel.kind === 'group') &&
			channel.members.includes(bot.userId) &&
			text.includes(`<@${bot.userId}>`)
		) {
			const mention = appMention(
				{
					user: sender.id,
					channel: channel.id,
					text,
					ts: stored.ts,
					threadTs: input.threadTs,
					userTeam: sender.teamId,
					clientMsgId: stored.client_msg_id,
				},
				{ teamId: this.ws.homeTeamId },
			).event;
			emitted.push(
				this.emit(mention, channel, {
					enterprise_id: null,
					team_id: bot.teamId,
					user_id: bot.userId,
					is_bot: true,
					is_enterprise_install: false,
				}),
			);
		}
		return await this.finish(channel.id, stored.ts, emitted, input.wait);
	}

	private async finish(
		channel: string,
		ts: string,
		emitted: Array<{ envelope: SlackEventEnvelope; delivery: Promise<DeliveryResult | undefined> }>,
		wait = true,
	): Promise<UserSendsResult> {
		const deliveries = wait
			? (await Promise.all(emitted.map((e) => e.delivery))).filter((d): d is DeliveryResult => Boolean(d))
			: [];
		return { channel, ts, envelopes: emitted.map((e) => e.envelope), deliveries };
	}

	/** A person edits an earlier message: message_changed. */
	async userEdits(input: {
		userId?: string;
		channelId?: string;
		toUserId?: string;
		ts: string;
		text: string;
		wait?: boolean;
	}): Promise<UserSendsResult> {
		const stored = this.findStored(input);
		const channel = this.ws.channels.get(stored.channel)!;
		const previous = previousOf(stored);
		const editedTs = nextTs();
		stored.text = input.text;
		stored.edited = { user: stored.user ?? '', ts: editedTs };
		const event = messageChanged(
			{ channel: channel.id, previous, newText: input.text, editedTs, channelType: this.channelTypeOf(channel) },
			{ teamId: this.ws.homeTeamId },
		).event;
		const authorization = this.authorizationFor(channel);
		const emitted = authorization ? [this.emit(event, channel, authorization)] : [];
		return await this.finish(channel.id, stored.ts, emitted, input.wait);
	}

	/** A message removed through the Web API (chat.delete): message_deleted to the conversation's app. */
	messageRemoved(message: MessageRecord): void {
		const channel = this.ws.channels.get(message.channel);
		if (!channel) return;
		const event = messageDeleted(
			{ channel: channel.id, previous: previousOf(message), channelType: this.channelTypeOf(channel) },
			{ teamId: this.ws.homeTeamId },
		).event;
		const authorization = this.authorizationFor(channel);
		if (authorization) this.emit(event, channel, authorization);
	}

	/** A person deletes an earlier message: message_deleted. */
	async userDeletes(input: {
		userId?: string;
		channelId?: string;
		toUserId?: string;
		ts: string;
		wait?: boolean;
	}): Promise<UserSendsResult> {
		const stored = this.findStored(input);
		const channel = this.ws.channels.get(stored.channel)!;
		this.ws.removeMessage(channel.id, stored.ts);
		const previous = previousOf(stored);
		const event = messageDeleted(
			{ channel: channel.id, previous, channelType: this.channelTypeOf(channel) },
			{ teamId: this.ws.homeTeamId },
		).event;
		const authorization = this.authorizationFor(channel);
		const emitted = authorization ? [this.emit(event, channel, authorization)] : [];
		return await this.finish(channel.id, stored.ts, emitted, input.wait);
	}

	private findStored(input: { userId?: string; channelId?: string; toUserId?: string; ts: string }): MessageRecord {
		const channelId =
			input.channelId ??
			(input.userId ? this.ws.findDm(input.userId, input.toUserId ?? FIXTURE_IDS.botUserId) : undefined) ??
			[...this.ws.messages.entries()].find(([, list]) => list.some((m) => m.ts === input.ts))?.[0];
		const stored = channelId ? this.ws.findMessage(channelId, input.ts) : undefined;
		if (!stored) throw new Error(`Slack emulator: no message ${input.ts} in ${channelId ?? 'any conversation'}`);
		return stored;
	}

	// ---- inspection HTTP API ----------------------------------------------------------------

	private registerInspectionApi(): void {
		const json = (body: unknown, status = 200): EmulatorResponse => ({ status, body });
		const s = this.server;
		s.route(
			'GET',
			'/__emulator/state',
			() =>
				json({
					fixtures: this.fixtures,
					url: this.url,
					apiUrl: this.apiUrl,
					eventsUrl: this.eventsUrl ?? null,
					teams: [...this.ws.teams.values()],
					users: [...this.ws.users.values()],
					channels: [...this.ws.channels.values()],
				}),
			'__emulator state',
		);
		s.route(
			'GET',
			'/__emulator/messages',
			(req) => {
				const channel = req.query.get('channel');
				if (channel) return json({ channel, messages: this.messagesIn(channel) });
				return json({ channels: Object.fromEntries(this.ws.messages.entries()) });
			},
			'__emulator messages',
		);
		s.route('GET', '/__emulator/posted', () => json({ messages: this.postedMessages }), '__emulator posted');
		s.route(
			'GET',
			'/__emulator/uploads',
			() =>
				json({
					files: this.uploadedFiles.map(({ bytes, ...rest }) => ({
						...rest,
						size: bytes.length,
						contentBase64: bytes.toString('base64'),
					})),
				}),
			'__emulator uploads',
		);
		s.route('GET', '/__emulator/reactions', () => json({ reactions: this.reactions }), '__emulator reactions');
		s.route(
			'GET',
			'/__emulator/calls',
			(req) => {
				const route = req.query.get('route');
				if (route)
					return json({
						route,
						calls: this.server.callsTo(route).map(({ request, ...rest }) => ({
							...rest,
							request: { ...request, headers: redactHeaders(request.headers) },
						})),
					});
				const counts: Record<string, number> = {};
				for (const call of this.server.calls)
					if (!call.route.startsWith('__emulator')) counts[call.route] = (counts[call.route] ?? 0) + 1;
				return json({ counts });
			},
			'__emulator calls',
		);
		s.route(
			'GET',
			'/__emulator/events',
			() =>
				json({
					emitted: this.emittedEvents,
					deliveries: this.deliveries.map((d) => ({ event_id: d.envelope.event_id, ...d.result })),
				}),
			'__emulator events',
		);
		s.route(
			'POST',
			'/__emulator/users/:userId/messages',
			async (req) => await this.inspectionSend(req),
			'__emulator send',
		);
		s.route(
			'POST',
			'/__emulator/events-url',
			(req) => {
				const url = typeof req.body.url === 'string' && req.body.url ? req.body.url : undefined;
				this.setEventsUrl(url);
				return json({ ok: true, eventsUrl: url ?? null });
			},
			'__emulator events-url',
		);
		s.route(
			'POST',
			'/__emulator/faults',
			(req) => {
				const { route, fault, times } = req.body as { route?: string; fault?: Fault; times?: number };
				if (!route || !fault) return json({ ok: false, error: 'route and fault are required' }, 400);
				this.server.injectFault(route, fault, times ?? 1);
				return json({ ok: true });
			},
			'__emulator faults',
		);
		s.route(
			'POST',
			'/__emulator/reset',
			() => {
				this.reset();
				return json({ ok: true });
			},
			'__emulator reset',
		);
	}

	private async inspectionSend(req: EmulatorRequest): Promise<EmulatorResponse> {
		const body = req.body as {
			text?: string;
			channel?: string;
			to?: string;
			threadTs?: string;
			files?: Array<{ name: string; mimetype?: string; contentBase64: string }>;
			wait?: boolean;
		};
		try {
			const result = await this.userSends({
				userId: req.params.userId,
				channelId: body.channel,
				toUserId: body.to,
				text: body.text,
				threadTs: body.threadTs,
				files: body.files?.map((f) => ({
					name: f.name,
					mimetype: f.mimetype,
					content: Buffer.from(f.contentBase64, 'base64'),
				})),
				wait: body.wait,
			});
			return {
				status: 200,
				body: {
					ok: true,
					channel: result.channel,
					ts: result.ts,
					event_ids: result.envelopes.map((e) => e.event_id),
					deliveries: result.deliveries.map((d) => ({
						delivered: d.delivered,
						statuses: d.attempts.map((a) => a.status),
					})),
				},
			};
		} catch (error) {
			return { status: 400, body: { ok: false, error: (error as Error).message } };
		}
	}
}

function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
	const copy = { ...headers };
	if (copy.authorization) copy.authorization = '<redacted>';
	return copy;
}

export type SlackEmulatorInstance = SlackEmulatorImpl;

/** Starts the emulator on 127.0.0.1 (ephemeral port unless `port` is given) with the default workspace seeded. */
export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulatorImpl> {
	const emulator = new SlackEmulatorImpl(options);
	await emulator.server.start(options.port ?? 0);
	return emulator;
}
