/**
 * The emulated workspace: teams, users, tokens, conversations, messages, files, reactions.
 * Plain data and the operations Slack performs on it; the HTTP layer is webApi.ts.
 */
import { DEFAULT_BOT_SCOPES, DEFAULT_USER_SCOPES, FIXTURE_IDS } from './fixtures';
import { nextTs } from './builders';

export interface TeamRecord {
	id: string;
	name: string;
	domain: string;
	emailDomain: string;
	/** Connected to the home team through Slack Connect (users visible, DMs allowed). */
	connected: boolean;
}

export interface UserRecord {
	id: string;
	teamId: string;
	name: string;
	realName: string;
	email?: string;
	emailHidden: boolean;
	isStranger: boolean;
	isBot: boolean;
	botId?: string;
	appId?: string;
	isAdmin: boolean;
	deleted: boolean;
	tz: string;
	title: string;
}

export interface TokenRecord {
	token: string;
	kind: 'bot' | 'user';
	userId: string;
	teamId: string;
	appId: string;
	botId?: string;
	scopes: string[];
}

export type ConversationKind = 'im' | 'mpim' | 'channel' | 'group';

export interface ChannelRecord {
	id: string;
	kind: ConversationKind;
	name: string;
	members: string[];
	/** The workspace that hosts the conversation. */
	teamId: string;
	isExtShared: boolean;
	created: number;
	creator: string;
	topic: string;
	purpose: string;
}

export interface MessageRecord {
	channel: string;
	ts: string;
	type: 'message';
	subtype?: string;
	user?: string;
	bot_id?: string;
	app_id?: string;
	text: string;
	blocks?: unknown[];
	attachments?: unknown[];
	files?: string[];
	thread_ts?: string;
	parent_user_id?: string;
	username?: string;
	icons?: Record<string, string>;
	team: string;
	client_msg_id?: string;
	edited?: { user: string; ts: string };
	reply_count?: number;
	reply_users?: string[];
	latest_reply?: string;
	upload?: boolean;
}

export interface FileRecord {
	id: string;
	teamId: string;
	ownerId: string;
	name: string;
	title: string;
	mimetype: string;
	filetype: string;
	content: Buffer;
	created: number;
	/** Events show this file as a Slack Connect stub (`file_access: check_file_info`); files.info resolves it. */
	slackConnectStub: boolean;
	/** Channels the file is shared in, with the message ts of each share. */
	shares: Array<{ channel: string; ts: string; threadTs?: string; userId: string }>;
	/** Set while an external upload waits for files.completeUploadExternal. */
	pendingUpload?: { declaredLength: number; uploaded: boolean; altText?: string };
}

export interface ReactionRecord {
	channel: string;
	ts: string;
	name: string;
	user: string;
}

export interface PostedMessage {
	method: 'chat.postMessage' | 'chat.postEphemeral';
	channel: string;
	/** chat.postMessage: the message ts; chat.postEphemeral: the message_ts Slack answers. */
	ts: string;
	thread_ts?: string;
	text: string;
	blocks?: unknown[];
	attachments?: unknown[];
	username?: string;
	icon_emoji?: string;
	icon_url?: string;
	/** Who posted: the bot user for bot tokens, the handle account for user tokens. */
	user: string;
	bot_id?: string;
	app_id: string;
	tokenKind: 'bot' | 'user';
	/** chat.postEphemeral: the user who sees it. */
	ephemeralTo?: string;
	/** Arguments as received (the token removed). */
	params: Record<string, unknown>;
}

export interface UploadedFile {
	fileId: string;
	filename: string;
	title: string;
	bytes: Buffer;
	mimetype: string;
	userId: string;
	channel?: string;
	thread_ts?: string;
	initial_comment?: string;
	/** ts of the message that shares the file, when it was shared to a channel. */
	messageTs?: string;
}

export interface AddUserInput {
	id: string;
	teamId: string;
	name: string;
	realName?: string;
	email?: string;
	emailHidden?: boolean;
	isStranger?: boolean;
	isBot?: boolean;
	botId?: string;
	appId?: string;
	isAdmin?: boolean;
	deleted?: boolean;
	title?: string;
	tz?: string;
}

export interface AddChannelInput {
	id?: string;
	name: string;
	members: string[];
	isExtShared?: boolean;
	isPrivate?: boolean;
	teamId?: string;
}

const MIME_FILETYPES: Record<string, { filetype: string; pretty: string }> = {
	'application/pdf': { filetype: 'pdf', pretty: 'PDF' },
	'image/png': { filetype: 'png', pretty: 'PNG' },
	'image/jpeg': { filetype: 'jpg', pretty: 'JPEG' },
	'image/gif': { filetype: 'gif', pretty: 'GIF' },
	'text/plain': { filetype: 'text', pretty: 'Plain Text' },
	'text/csv': { filetype: 'csv', pretty: 'CSV' },
	'application/zip': { filetype: 'zip', pretty: 'Zip' },
	'application/x-msdownload': { filetype: 'exe', pretty: 'Windows Executable' },
};

export function filetypeOf(mimetype: string, name: string): { filetype: string; pretty: string } {
	const known = MIME_FILETYPES[mimetype.toLowerCase()];
	if (known) return known;
	const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : 'binary';
	return { filetype: ext, pretty: ext.toUpperCase() };
}

export function mimetypeOfName(name: string): string {
	const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
	const byExt: Record<string, string> = {
		pdf: 'application/pdf',
		png: 'image/png',
		jpg: 'image/jpeg',
		jpeg: 'image/jpeg',
		gif: 'image/gif',
		txt: 'text/plain',
		csv: 'text/csv',
		zip: 'application/zip',
		exe: 'application/x-msdownload',
	};
	return byExt[ext] ?? 'application/octet-stream';
}

export class SlackWorkspace {
	teams = new Map<string, TeamRecord>();

	users = new Map<string, UserRecord>();

	tokens = new Map<string, TokenRecord>();

	channels = new Map<string, ChannelRecord>();

	messages = new Map<string, MessageRecord[]>();

	files = new Map<string, FileRecord>();

	reactions: ReactionRecord[] = [];

	postedMessages: PostedMessage[] = [];

	uploadedFiles: UploadedFile[] = [];

	/** The workspace the app is installed in. */
	homeTeamId: string = FIXTURE_IDS.teamId;

	appId: string = FIXTURE_IDS.appId;

	private dmByPair = new Map<string, string>();

	private counters = { dm: 0, mpim: 0, channel: 0, file: 0 };

	/**
	 * @param idPrefix three characters [A-Z0-9] after the kind letter of every generated DM, group
	 * DM, channel and file id (`D` + prefix + 5-digit counter: 9 characters, as Slack's ids). '000'
	 * gives D00000001, G00000001, …
	 */
	constructor(readonly idPrefix = '000') {
		if (!/^[A-Z0-9]{3}$/.test(idPrefix))
			throw new Error(`Slack emulator: idPrefix must be 3 characters A-Z/0-9, got "${idPrefix}"`);
	}

	private newId(kind: 'D' | 'G' | 'C' | 'F', n: number): string {
		return `${kind}${this.idPrefix}${String(n).padStart(5, '0')}`;
	}

	addTeam(input: { id: string; name: string; domain?: string; emailDomain?: string; connected?: boolean }): TeamRecord {
		const domain = input.domain ?? input.name.toLowerCase().replace(/[^a-z0-9]+/g, '');
		const team: TeamRecord = {
			id: input.id,
			name: input.name,
			domain,
			emailDomain: input.emailDomain ?? `${domain}.test`,
			connected: input.connected ?? input.id === this.homeTeamId,
		};
		this.teams.set(team.id, team);
		return team;
	}

	addUser(input: AddUserInput): UserRecord {
		const user: UserRecord = {
			id: input.id,
			teamId: input.teamId,
			name: input.name,
			realName: input.realName ?? input.name,
			email: input.email,
			emailHidden: input.emailHidden ?? false,
			isStranger: input.isStranger ?? false,
			isBot: input.isBot ?? false,
			botId: input.botId,
			appId: input.appId,
			isAdmin: input.isAdmin ?? false,
			deleted: input.deleted ?? false,
			tz: input.tz ?? 'Europe/Berlin',
			title: input.title ?? '',
		};
		this.users.set(user.id, user);
		return user;
	}

	issueToken(
		token: string,
		input: { kind: 'bot' | 'user'; userId: string; teamId: string; appId?: string; botId?: string; scopes?: string[] },
	): TokenRecord {
		const record: TokenRecord = {
			token,
			kind: input.kind,
			userId: input.userId,
			teamId: input.teamId,
			appId: input.appId ?? this.appId,
			botId: input.botId,
			scopes: input.scopes ?? (input.kind === 'bot' ? [...DEFAULT_BOT_SCOPES] : [...DEFAULT_USER_SCOPES]),
		};
		this.tokens.set(token, record);
		return record;
	}

	/** Users whose tokens belong to the app: the bot user and the handle accounts. Events are delivered for them. */
	authorizedUsers(): TokenRecord[] {
		const seen = new Set<string>();
		const result: TokenRecord[] = [];
		const sorted = [...this.tokens.values()]
			.filter((t) => t.appId === this.appId)
			.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'bot' ? -1 : 1));
		for (const token of sorted) {
			if (seen.has(token.userId)) continue;
			seen.add(token.userId);
			result.push(token);
		}
		return result;
	}

	openDm(userA: string, userB: string): string {
		const key = [userA, userB].sort().join('|');
		const existing = this.dmByPair.get(key);
		if (existing) return existing;
		this.counters.dm += 1;
		const id = this.newId('D', this.counters.dm);
		const a = this.users.get(userA);
		const b = this.users.get(userB);
		const teams = new Set([a?.teamId ?? this.homeTeamId, b?.teamId ?? this.homeTeamId]);
		this.channels.set(id, {
			id,
			kind: 'im',
			name: id,
			members: userA === userB ? [userA] : [userA, userB],
			teamId: this.homeTeamId,
			isExtShared: teams.size > 1,
			created: Math.floor(Date.now() / 1000),
			creator: userA,
			topic: '',
			purpose: '',
		});
		this.dmByPair.set(key, id);
		return id;
	}

	findDm(userA: string, userB: string): string | undefined {
		return this.dmByPair.get([userA, userB].sort().join('|'));
	}

	openGroupDm(userIds: string[]): string {
		const members = [...new Set(userIds)].sort();
		for (const channel of this.channels.values()) {
			if (
				channel.kind === 'mpim' &&
				channel.members.length === members.length &&
				[...channel.members].sort().every((m, i) => m === members[i])
			) {
				return channel.id;
			}
		}
		this.counters.mpim += 1;
		const id = this.newId('G', this.counters.mpim);
		const names = members.map((m) => this.users.get(m)?.name ?? m.toLowerCase());
		const teams = new Set(members.map((m) => this.users.get(m)?.teamId ?? this.homeTeamId));
		this.channels.set(id, {
			id,
			kind: 'mpim',
			name: `mpdm-${names.join('--')}-1`,
			members,
			teamId: this.homeTeamId,
			isExtShared: teams.size > 1,
			created: Math.floor(Date.now() / 1000),
			creator: members[0],
			topic: '',
			purpose: `Group messaging with: ${names.map((n) => `@${n}`).join(' ')}`,
		});
		return id;
	}

	addChannel(input: AddChannelInput): ChannelRecord {
		let id = input.id;
		if (!id) {
			this.counters.channel += 1;
			id = this.newId('C', this.counters.channel);
		}
		const channel: ChannelRecord = {
			id,
			kind: input.isPrivate ? 'group' : 'channel',
			name: input.name,
			members: [...input.members],
			teamId: input.teamId ?? this.homeTeamId,
			isExtShared: input.isExtShared ?? false,
			created: Math.floor(Date.now() / 1000),
			creator: input.members[0] ?? '',
			topic: '',
			purpose: '',
		};
		this.channels.set(id, channel);
		return channel;
	}

	newFileId(): string {
		this.counters.file += 1;
		return this.newId('F', this.counters.file);
	}

	addFileRecord(input: {
		ownerId: string;
		teamId?: string;
		name: string;
		title?: string;
		mimetype?: string;
		content: Buffer;
		slackConnectStub?: boolean;
		id?: string;
	}): FileRecord {
		const mimetype = input.mimetype ?? mimetypeOfName(input.name);
		const owner = this.users.get(input.ownerId);
		const file: FileRecord = {
			id: input.id ?? this.newFileId(),
			teamId: input.teamId ?? owner?.teamId ?? this.homeTeamId,
			ownerId: input.ownerId,
			name: input.name,
			title: input.title ?? input.name,
			mimetype,
			filetype: filetypeOf(mimetype, input.name).filetype,
			content: input.content,
			created: Math.floor(Date.now() / 1000),
			slackConnectStub: input.slackConnectStub ?? false,
			shares: [],
		};
		this.files.set(file.id, file);
		return file;
	}

	messagesIn(channelId: string): MessageRecord[] {
		return this.messages.get(channelId) ?? [];
	}

	findMessage(channelId: string, ts: string): MessageRecord | undefined {
		return this.messagesIn(channelId).find((m) => m.ts === ts);
	}

	/** Stores a message and updates its thread parent's reply counters. */
	storeMessage(message: Omit<MessageRecord, 'ts' | 'type'> & { ts?: string }): MessageRecord {
		const stored: MessageRecord = { type: 'message', ...message, ts: message.ts ?? nextTs() };
		const list = this.messages.get(stored.channel) ?? [];
		list.push(stored);
		this.messages.set(stored.channel, list);
		if (stored.thread_ts && stored.thread_ts !== stored.ts) {
			const parent = list.find((m) => m.ts === stored.thread_ts);
			if (parent) {
				parent.thread_ts = parent.ts;
				parent.reply_count = (parent.reply_count ?? 0) + 1;
				parent.reply_users = [...new Set([...(parent.reply_users ?? []), stored.user ?? ''])].filter(Boolean);
				parent.latest_reply = stored.ts;
				stored.parent_user_id = parent.user;
			}
		}
		return stored;
	}

	removeMessage(channelId: string, ts: string): MessageRecord | undefined {
		const list = this.messages.get(channelId) ?? [];
		const index = list.findIndex((m) => m.ts === ts);
		if (index < 0) return undefined;
		const [removed] = list.splice(index, 1);
		return removed;
	}

	isMember(channelId: string, userId: string): boolean {
		return this.channels.get(channelId)?.members.includes(userId) ?? false;
	}

	/** Can this token's user see the conversation at all (Slack answers channel_not_found otherwise)? */
	canSee(channel: ChannelRecord, token: TokenRecord): boolean {
		if (channel.members.includes(token.userId)) return true;
		return channel.kind === 'channel' && channel.teamId === token.teamId;
	}

	/** Can this token read this user (users.info): own team, or a team connected through Slack Connect. */
	canSeeUser(user: UserRecord, token: TokenRecord): boolean {
		if (user.teamId === token.teamId) return true;
		return this.teams.get(user.teamId)?.connected ?? false;
	}

	canAccessFile(file: FileRecord, token: TokenRecord): boolean {
		if (file.ownerId === token.userId) return true;
		if (file.shares.some((s) => this.isMember(s.channel, token.userId))) return true;
		return file.teamId === token.teamId && file.shares.length === 0 && !file.pendingUpload;
	}
}

/** Seeds the default workspace described in fixtures.ts. */
export function seedDefaultWorkspace(ws: SlackWorkspace): void {
	const f = FIXTURE_IDS;
	ws.addTeam({ id: f.teamId, name: f.teamName, domain: f.teamDomain, emailDomain: 'acme.test', connected: true });
	ws.addTeam({
		id: f.partnerTeamId,
		name: f.partnerTeamName,
		domain: f.partnerTeamDomain,
		emailDomain: 'partner.test',
		connected: true,
	});
	ws.addUser({
		id: f.botUserId,
		teamId: f.teamId,
		name: 'bridge',
		realName: 'Bridge',
		isBot: true,
		botId: f.botId,
		appId: f.appId,
	});
	ws.addUser({
		id: f.handleUserId,
		teamId: f.teamId,
		name: 'it-support',
		realName: 'IT Support',
		email: 'it-support@acme.test',
		title: 'IT help desk',
	});
	ws.addUser({
		id: f.hrHandleUserId,
		teamId: f.teamId,
		name: 'hr',
		realName: 'HR',
		email: 'hr@acme.test',
		title: 'People team',
	});
	ws.addUser({
		id: f.employeeId,
		teamId: f.teamId,
		name: 'erin',
		realName: 'Erin Example',
		email: f.employeeEmail,
		title: 'Accountant',
	});
	ws.addUser({
		id: f.employee2Id,
		teamId: f.teamId,
		name: 'sam',
		realName: 'Sam Sample',
		email: f.employee2Email,
		title: 'Engineer',
	});
	ws.addUser({
		id: f.partnerUserId,
		teamId: f.partnerTeamId,
		name: 'pat',
		realName: 'Pat Partner',
		email: f.partnerUserEmail,
		emailHidden: true,
		isStranger: true,
	});
	ws.addUser({
		id: 'U0ADMIN',
		teamId: f.teamId,
		name: 'ada',
		realName: 'Ada Admin',
		email: 'ada@acme.test',
		isAdmin: true,
	});
	ws.issueToken(f.botToken, { kind: 'bot', userId: f.botUserId, teamId: f.teamId, appId: f.appId, botId: f.botId });
	ws.issueToken(f.handleToken, { kind: 'user', userId: f.handleUserId, teamId: f.teamId, appId: f.appId });
	ws.issueToken(f.hrHandleToken, { kind: 'user', userId: f.hrHandleUserId, teamId: f.teamId, appId: f.appId });
	ws.addChannel({
		id: f.helpChannelId,
		name: 'it-help',
		members: [f.employeeId, f.employee2Id, f.botUserId, f.handleUserId],
	});
	ws.addChannel({
		id: f.sharedChannelId,
		name: 'partner-co-support',
		members: [f.partnerUserId, f.handleUserId, f.botUserId],
		isExtShared: true,
	});
}
