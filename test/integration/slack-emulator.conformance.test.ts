/**
 * The official @slack/web-api WebClient, pointed at the Slack emulator, calls every emulated
 * method and gets what it expects; every call is checked against Slack's specs (slackSpec.ts).
 */
import { ErrorCode, WebClient } from '@slack/web-api';
import type { WebAPIPlatformError, WebAPIRateLimitedError } from '@slack/web-api';

import { startSlackEmulator } from '../../emulators/slack';
import type { SlackEmulatorInstance } from '../../emulators/slack';
import { apiSampleProblems, callSpecProblems, openApiResponseProblems } from '../harness/slackSpec';
import { specGuard } from '../harness/specGuard';

let emulator: SlackEmulatorInstance;
let bot: WebClient;
let handle: WebClient;
const specProblems: string[] = [];

function client(token: string, extra: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
	return new WebClient(token, { slackApiUrl: `${emulator.apiUrl}/`, retryConfig: { retries: 0 }, ...extra });
}

async function platformError(promise: Promise<unknown>): Promise<WebAPIPlatformError> {
	try {
		await promise;
	} catch (error) {
		return error as WebAPIPlatformError;
	}
	throw new Error('expected a Slack platform error');
}

beforeAll(async () => {
	emulator = await startSlackEmulator();
	emulator.server.observers.push((call) => specProblems.push(...callSpecProblems(call)));
	bot = client(emulator.fixtures.botToken);
	handle = client(emulator.fixtures.handleToken);
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => {
	emulator.reset();
	specProblems.length = 0;
});

afterEach(() => {
	// Every request and response of the test agreed with the OpenAPI spec and the samples.
	expect(specProblems).toEqual([]);
});

describe('auth and tokens', () => {
	it('auth.test identifies the bot token and the handle user token', async () => {
		const f = emulator.fixtures;
		const botAuth = await bot.auth.test();
		expect(botAuth).toMatchObject({
			ok: true,
			team_id: f.teamId,
			user_id: f.botUserId,
			bot_id: f.botId,
			team: 'Acme',
			url: 'https://acme.slack.com/',
		});
		const userAuth = await handle.auth.test();
		expect(userAuth).toMatchObject({ ok: true, team_id: f.teamId, user_id: f.handleUserId });
		expect(userAuth.bot_id).toBeUndefined();
	});

	it('answers not_authed without a token and invalid_auth for an unknown one, as HTTP 200 ok:false', async () => {
		const noToken = await platformError(
			new WebClient(undefined, { slackApiUrl: `${emulator.apiUrl}/`, retryConfig: { retries: 0 } }).auth.test(),
		);
		expect(noToken.code).toBe(ErrorCode.PlatformError);
		expect(noToken.data.error).toBe('not_authed');
		const badToken = await platformError(client('xoxb-nope').auth.test());
		expect(badToken.data.error).toBe('invalid_auth');
		expect(emulator.server.callsTo('auth.test').map((c) => c.status)).toEqual([200, 200]);
	});

	it('answers missing_scope with needed and provided when the token lacks the scope', async () => {
		emulator.issueToken('xoxb-narrow', {
			kind: 'bot',
			userId: emulator.fixtures.botUserId,
			teamId: emulator.fixtures.teamId,
			botId: emulator.fixtures.botId,
			scopes: ['chat:write'],
		});
		const error = await platformError(client('xoxb-narrow').users.info({ user: emulator.fixtures.employeeId }));
		expect(error.data).toMatchObject({
			ok: false,
			error: 'missing_scope',
			needed: 'users:read',
			provided: 'chat:write',
		});
	});
});

describe('users and teams', () => {
	it('users.info returns an internal user with email, and a Slack Connect stranger without it', async () => {
		const f = emulator.fixtures;
		const employee = await bot.users.info({ user: f.employeeId });
		expect(employee.user).toMatchObject({
			id: f.employeeId,
			team_id: f.teamId,
			is_bot: false,
			profile: { email: f.employeeEmail, real_name: 'Erin Example' },
		});
		const partner = await bot.users.info({ user: f.partnerUserId });
		expect(partner.user).toMatchObject({ id: f.partnerUserId, team_id: f.partnerTeamId, is_stranger: true });
		expect(partner.user?.profile?.email).toBeUndefined();
		const botUser = await bot.users.info({ user: f.botUserId });
		expect(botUser.user).toMatchObject({ is_bot: true, profile: { bot_id: f.botId, api_app_id: f.appId } });
	});

	it('users.info: user_not_found for unknown ids, user_not_visible for an unconnected organisation', async () => {
		expect((await platformError(bot.users.info({ user: 'U0NOBODY' }))).data.error).toBe('user_not_found');
		emulator.addTeam({ id: 'T0OTHER', name: 'Other Org', connected: false });
		emulator.addUser({ id: 'U0OTHER', teamId: 'T0OTHER', name: 'olga' });
		expect((await platformError(bot.users.info({ user: 'U0OTHER' }))).data.error).toBe('user_not_visible');
	});

	it('team.info returns the home team and, with ?team=, the partner team', async () => {
		const home = await bot.team.info();
		expect(home.team).toMatchObject({ id: 'T0ACME', name: 'Acme', domain: 'acme', email_domain: 'acme.test' });
		const partner = await bot.team.info({ team: emulator.fixtures.partnerTeamId });
		expect(partner.team).toMatchObject({ id: 'T0PARTNER', name: 'Partner Co' });
		expect((await platformError(bot.team.info({ team: 'T0MISSING' }))).data.error).toBe('team_not_found');
	});
});

describe('conversations', () => {
	it('conversations.open opens a DM once and answers already_open for the existing one', async () => {
		const first = await bot.conversations.open({ users: emulator.fixtures.employeeId });
		expect(first.channel?.id).toMatch(/^D/);
		expect(first.already_open).toBeUndefined();
		const again = await bot.conversations.open({ users: emulator.fixtures.employeeId });
		expect(again).toMatchObject({ no_op: true, already_open: true, channel: { id: first.channel?.id } });
		expect(emulator.openDm(emulator.fixtures.botUserId, emulator.fixtures.employeeId)).toBe(first.channel?.id);
		const group = await bot.conversations.open({
			users: `${emulator.fixtures.employeeId},${emulator.fixtures.employee2Id}`,
		});
		expect(group.channel?.id).toMatch(/^G/);
	});

	it('conversations.info describes DMs, group DMs and Slack Connect channels; channel_not_found otherwise', async () => {
		const f = emulator.fixtures;
		const dm = emulator.openDm(f.botUserId, f.employeeId);
		const im = await bot.conversations.info({ channel: dm });
		expect(im.channel).toMatchObject({ id: dm, is_im: true, user: f.employeeId });
		const shared = await bot.conversations.info({ channel: f.sharedChannelId, include_num_members: true });
		expect(shared.channel).toMatchObject({ is_channel: true, is_ext_shared: true, is_member: true, num_members: 3 });
		const mpim = emulator.openGroupDm([f.botUserId, f.employeeId, f.employee2Id]);
		expect((await bot.conversations.info({ channel: mpim })).channel).toMatchObject({
			is_mpim: true,
			is_private: true,
		});
		const foreignDm = emulator.openDm(f.employeeId, f.employee2Id);
		expect((await platformError(bot.conversations.info({ channel: foreignDm }))).data.error).toBe('channel_not_found');
	});

	it("conversations.members pages with a cursor (WebClient paginate) and checks the conversation's own read scope", async () => {
		const f = emulator.fixtures;
		const mpim = emulator.openGroupDm([f.botUserId, f.employeeId, f.employee2Id]);
		const first = await bot.conversations.members({ channel: mpim, limit: 2 });
		expect(first.members).toHaveLength(2);
		expect(first.response_metadata?.next_cursor).toBeTruthy();
		const all: string[] = [];
		for await (const page of bot.paginate('conversations.members', { channel: mpim, limit: 1 }))
			all.push(...((page as { members?: string[] }).members ?? []));
		expect(all.sort()).toEqual([f.botUserId, f.employeeId, f.employee2Id].sort());
		const whole = await bot.conversations.members({ channel: mpim });
		expect(whole.response_metadata?.next_cursor).toBe('');
		expect((await platformError(bot.conversations.members({ channel: mpim, cursor: 'bm9wZQ==' }))).data.error).toBe(
			'invalid_cursor',
		);
		const foreignDm = emulator.openDm(f.employeeId, f.employee2Id);
		expect((await platformError(bot.conversations.members({ channel: foreignDm }))).data.error).toBe(
			'channel_not_found',
		);
		emulator.issueToken('xoxb-im-only', { kind: 'bot', userId: f.botUserId, teamId: f.teamId, scopes: ['im:read'] });
		const scoped = await platformError(client('xoxb-im-only').conversations.members({ channel: mpim }));
		expect(scoped.data).toMatchObject({ error: 'missing_scope', needed: 'mpim:read' });
	});

	it('conversations.replies: the parent first, then the replies in range oldest first; thread_not_found, missing_scope', async () => {
		const f = emulator.fixtures;
		const parent = await emulator.userSends({ userId: f.employeeId, text: 'parent', wait: false });
		const replies = [];
		for (const text of ['one', 'two', 'three'])
			replies.push(await emulator.userSends({ userId: f.employeeId, text, threadTs: parent.ts, wait: false }));
		await emulator.userSends({ userId: f.employeeId, text: 'top level', wait: false });
		const all = await bot.conversations.replies({ channel: parent.channel, ts: parent.ts });
		expect(all.messages?.map((m) => m.text)).toEqual(['parent', 'one', 'two', 'three']);
		const range = await bot.conversations.replies({
			channel: parent.channel,
			ts: parent.ts,
			oldest: replies[0].ts,
			latest: replies[2].ts,
		});
		expect(range.messages?.map((m) => m.text)).toEqual(['parent', 'two']);
		const paged = await bot.conversations.replies({ channel: parent.channel, ts: parent.ts, limit: 2 });
		expect(paged.has_more).toBe(true);
		expect(paged.response_metadata?.next_cursor).toBeTruthy();
		const missing = await platformError(bot.conversations.replies({ channel: parent.channel, ts: '1.000001' }));
		expect(missing.data.error).toBe('thread_not_found');
		emulator.issueToken('xoxb-no-history', { kind: 'bot', userId: f.botUserId, teamId: f.teamId, scopes: ['im:read'] });
		const scoped = await platformError(
			client('xoxb-no-history').conversations.replies({ channel: parent.channel, ts: parent.ts }),
		);
		expect(scoped.data.error).toBe('missing_scope');
	});

	it("conversations.history: a thread's parent carries its replies' summary (reply_count, reply_users, latest_reply)", async () => {
		const f = emulator.fixtures;
		const parent = await emulator.userSends({ userId: f.employeeId, text: 'summary parent', wait: false });
		await emulator.userSends({ userId: f.employeeId, text: 'r1', threadTs: parent.ts, wait: false });
		const last = await emulator.userSends({ userId: f.employeeId, text: 'r2', threadTs: parent.ts, wait: false });
		const history = await bot.conversations.history({ channel: parent.channel });
		expect(history.messages?.find((m) => m.ts === parent.ts)).toMatchObject({
			thread_ts: parent.ts,
			reply_count: 2,
			reply_users: [f.employeeId],
			reply_users_count: 1,
			latest_reply: last.ts,
		});
		expect(history.messages?.map((m) => m.text)).not.toContain('r1');
	});
});

describe('chat', () => {
	it('chat.postMessage to a user id opens the DM, threads, and records who posted', async () => {
		const f = emulator.fixtures;
		const posted = await bot.chat.postMessage({ channel: f.employeeId, text: 'Hello Erin' });
		const dm = emulator.openDm(f.botUserId, f.employeeId);
		expect(posted).toMatchObject({
			ok: true,
			channel: dm,
			message: { text: 'Hello Erin', bot_id: f.botId, app_id: f.appId, user: f.botUserId },
		});
		const reply = await bot.chat.postMessage({ channel: dm, text: 'In thread', thread_ts: posted.ts });
		expect(reply.message).toMatchObject({ thread_ts: posted.ts, parent_user_id: f.botUserId });
		expect(emulator.messagesIn(dm).map((m) => m.text)).toEqual(['Hello Erin', 'In thread']);
		expect(emulator.postedMessages.map((m) => [m.method, m.channel, m.thread_ts, m.user, m.tokenKind])).toEqual([
			['chat.postMessage', dm, undefined, f.botUserId, 'bot'],
			['chat.postMessage', dm, posted.ts, f.botUserId, 'bot'],
		]);
	});

	it("chat.delete removes the token's own message; another's, or one not there, is refused", async () => {
		const f = emulator.fixtures;
		const posted = await bot.chat.postMessage({ channel: f.employeeId, text: 'Notice' });
		const dm = posted.channel as string;
		const erinSays = await emulator.userSends({ userId: f.employeeId, text: 'hello' });
		expect((await platformError(bot.chat.delete({ channel: dm, ts: erinSays.ts }))).data.error).toBe(
			'cant_delete_message',
		);
		expect(await bot.chat.delete({ channel: dm, ts: posted.ts as string })).toMatchObject({
			ok: true,
			channel: dm,
			ts: posted.ts,
		});
		expect((await platformError(bot.chat.delete({ channel: dm, ts: posted.ts as string }))).data.error).toBe(
			'message_not_found',
		);
		expect((await platformError(bot.chat.delete({ channel: 'D0NOSUCH', ts: posted.ts as string }))).data.error).toBe(
			'channel_not_found',
		);
		expect(emulator.messagesIn(dm).map((m) => m.text)).toEqual(['hello']);
	});

	it('custom username and icon need a bot token with chat:write.customize; user tokens post as the handle', async () => {
		const f = emulator.fixtures;
		const custom = await bot.chat.postMessage({
			channel: f.employeeId,
			text: 'hi',
			username: 'IT Support',
			icon_emoji: ':wrench:',
		});
		expect(custom.message).toMatchObject({ username: 'IT Support', icons: { emoji: ':wrench:' } });
		const asHandle = await handle.chat.postMessage({
			channel: f.employeeId,
			text: 'hi from the handle',
			username: 'ignored',
		});
		expect(asHandle.message).toMatchObject({ user: f.handleUserId, app_id: f.appId });
		expect(asHandle.message?.bot_id).toBeUndefined();
		expect(asHandle.message?.username).toBeUndefined();
	});

	it('chat.postMessage errors: no_text, msg_too_long, channel_not_found, not_in_channel', async () => {
		const f = emulator.fixtures;
		expect((await platformError(bot.chat.postMessage({ channel: f.employeeId, text: '' }))).data.error).toBe('no_text');
		expect(
			(await platformError(bot.chat.postMessage({ channel: f.employeeId, text: 'x'.repeat(40_001) }))).data.error,
		).toBe('msg_too_long');
		expect((await platformError(bot.chat.postMessage({ channel: 'C0MISSING', text: 'x' }))).data.error).toBe(
			'channel_not_found',
		);
		emulator.addChannel({ id: 'C0RANDOM', name: 'random', members: [f.employeeId] });
		expect((await platformError(bot.chat.postMessage({ channel: 'C0RANDOM', text: 'x' }))).data.error).toBe(
			'not_in_channel',
		);
		expect(emulator.postedMessages).toHaveLength(0);
	});

	it('chat.postEphemeral answers message_ts and is not stored in the conversation', async () => {
		const f = emulator.fixtures;
		const result = await bot.chat.postEphemeral({ channel: f.helpChannelId, user: f.employeeId, text: 'only you' });
		expect(result.message_ts).toMatch(/^\d+\.\d{6}$/);
		expect(emulator.messagesIn(f.helpChannelId)).toHaveLength(0);
		expect(emulator.postedMessages[0]).toMatchObject({ method: 'chat.postEphemeral', ephemeralTo: f.employeeId });
		expect(
			(await platformError(bot.chat.postEphemeral({ channel: f.helpChannelId, user: f.partnerUserId, text: 'x' }))).data
				.error,
		).toBe('user_not_in_channel');
	});

	it('reactions.add adds once, then already_reacted; message_not_found for unknown ts', async () => {
		const f = emulator.fixtures;
		const posted = await emulator.userSends({ userId: f.employeeId, text: 'help please' });
		await bot.reactions.add({ channel: posted.channel, timestamp: posted.ts, name: 'eyes' });
		expect(emulator.reactions).toEqual([{ channel: posted.channel, ts: posted.ts, name: 'eyes', user: f.botUserId }]);
		expect(
			(await platformError(bot.reactions.add({ channel: posted.channel, timestamp: posted.ts, name: 'eyes' }))).data
				.error,
		).toBe('already_reacted');
		expect(
			(await platformError(bot.reactions.add({ channel: posted.channel, timestamp: '1.000001', name: 'eyes' }))).data
				.error,
		).toBe('message_not_found');
	});
});

describe('files', () => {
	it('files.uploadV2 uploads end to end and shares into the DM thread with the initial comment', async () => {
		const f = emulator.fixtures;
		const parent = await bot.chat.postMessage({ channel: f.employeeId, text: 'Here is your file' });
		const content = Buffer.from('%PDF-1.4 emulator test\n');
		const result = (await bot.files.uploadV2({
			channel_id: parent.channel!,
			thread_ts: parent.ts!,
			file: content,
			filename: 'report.pdf',
			title: 'Report',
			initial_comment: 'From your agent',
		})) as unknown as { ok: boolean; files: Array<{ ok: boolean; files: Array<{ id: string; title: string }> }> };
		expect(result.ok).toBe(true);
		const fileId = result.files[0].files[0].id;
		expect(emulator.uploadedFiles).toHaveLength(1);
		expect(emulator.uploadedFiles[0]).toMatchObject({
			fileId,
			filename: 'report.pdf',
			title: 'Report',
			channel: parent.channel,
			thread_ts: parent.ts,
			initial_comment: 'From your agent',
		});
		expect(emulator.uploadedFiles[0].bytes.equals(content)).toBe(true);
		const info = await bot.files.info({ file: fileId });
		expect(info.file).toMatchObject({
			id: fileId,
			name: 'report.pdf',
			size: content.length,
			mimetype: 'application/pdf',
		});
		const download = await fetch(info.file!.url_private_download!, {
			headers: { Authorization: `Bearer ${f.botToken}` },
		});
		expect(download.status).toBe(200);
		expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);
		expect(emulator.server.countCalls('files.upload_url')).toBe(1);
	});

	it('file downloads need the Bearer token: without it Slack redirects to its sign-in page', async () => {
		const f = emulator.fixtures;
		const file = emulator.addFile({
			ownerId: f.employeeId,
			name: 'notes.txt',
			mimetype: 'text/plain',
			content: Buffer.from('secret notes'),
		});
		const anonymous = await fetch(file.url_private_download, { redirect: 'manual' });
		expect(anonymous.status).toBe(302);
		expect(anonymous.headers.get('location')).toContain('/?redirect=');
		const followed = await fetch(file.url_private_download);
		expect(followed.status).toBe(200);
		expect(followed.headers.get('content-type')).toContain('text/html');
		expect(await followed.text()).not.toContain('secret notes');
		const badToken = await fetch(file.url_private_download, {
			headers: { Authorization: 'Bearer xoxb-wrong' },
			redirect: 'manual',
		});
		expect(badToken.status).toBe(302);
		const authed = await fetch(file.url_private_download, { headers: { Authorization: `Bearer ${f.botToken}` } });
		expect(await authed.text()).toBe('secret notes');
	});

	it('files.info resolves a Slack Connect file stub from an event into the full file', async () => {
		const f = emulator.fixtures;
		const sent = await emulator.userSends({
			userId: f.partnerUserId,
			toUserId: f.handleUserId,
			text: 'log attached',
			files: [{ name: 'log.txt', mimetype: 'text/plain', content: Buffer.from('log line') }],
		});
		const stub = (sent.envelopes[0].event.files as Array<Record<string, unknown>>)[0];
		expect(stub).toMatchObject({ file_access: 'check_file_info' });
		expect(stub.url_private_download).toBeUndefined();
		const info = await handle.files.info({ file: stub.id as string });
		expect(info.file).toMatchObject({
			id: stub.id,
			name: 'log.txt',
			user: f.partnerUserId,
			user_team: f.partnerTeamId,
			file_access: 'visible',
		});
		expect((await platformError(bot.files.info({ file: 'F0MISSING' }))).data.error).toBe('file_not_found');
	});
});

describe('rate limits', () => {
	it('WebClient retries an injected 429 after Retry-After', async () => {
		emulator.server.injectFault('chat.postMessage', { kind: 'rateLimit', retryAfterSeconds: 1 });
		const retrying = client(emulator.fixtures.botToken, { retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 10 } });
		const started = Date.now();
		const result = await retrying.chat.postMessage({ channel: emulator.fixtures.employeeId, text: 'after the limit' });
		expect(result.ok).toBe(true);
		expect(Date.now() - started).toBeGreaterThanOrEqual(900);
		expect(emulator.server.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
	});

	it('WebClient with rejectRateLimitedCalls raises RateLimitedError carrying retryAfter', async () => {
		emulator.server.injectFault('users.info', { kind: 'rateLimit', retryAfterSeconds: 7 });
		const rejecting = client(emulator.fixtures.botToken, { rejectRateLimitedCalls: true });
		const error = (await platformError(
			rejecting.users.info({ user: emulator.fixtures.employeeId }),
		)) as unknown as WebAPIRateLimitedError;
		expect(error.code).toBe(ErrorCode.RateLimitedError);
		expect(error.retryAfter).toBe(7);
		expect(emulator.server.callsTo('users.info')[0].response.body).toEqual({ ok: false, error: 'ratelimited' });
	});

	it('per-method tier limits answer 429 with Retry-After (Tier 3 team.info: 50 per minute)', async () => {
		const rejecting = client(emulator.fixtures.botToken, { rejectRateLimitedCalls: true });
		for (let i = 0; i < 50; i++) await rejecting.team.info();
		const error = (await platformError(rejecting.team.info())) as unknown as WebAPIRateLimitedError;
		expect(error.code).toBe(ErrorCode.RateLimitedError);
		expect(error.retryAfter).toBeGreaterThanOrEqual(1);
		expect(error.retryAfter).toBeLessThanOrEqual(60);
	});
});

describe('request styles the package uses', () => {
	it('accepts GET with query arguments, JSON posts with Bearer, and form posts with the token in the body', async () => {
		const f = emulator.fixtures;
		const get = await fetch(`${emulator.apiUrl}/users.info?user=${f.employeeId}`, {
			headers: { Authorization: `Bearer ${f.botToken}` },
		});
		expect(await get.json()).toMatchObject({ ok: true, user: { id: f.employeeId } });
		const json = await fetch(`${emulator.apiUrl}/chat.postMessage`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${f.botToken}`, 'Content-Type': 'application/json; charset=utf-8' },
			body: JSON.stringify({
				channel: f.employeeId,
				text: 'json',
				blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*json*' } }],
			}),
		});
		const jsonBody = (await json.json()) as Record<string, unknown>;
		expect(jsonBody).toMatchObject({ ok: true, message: { text: 'json' } });
		expect(jsonBody.warning).toBeUndefined();
		const form = await fetch(`${emulator.apiUrl}/auth.test`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: `token=${f.handleToken}`,
		});
		expect(await form.json()).toMatchObject({ ok: true, user_id: f.handleUserId });
		const jsonToken = await fetch(`${emulator.apiUrl}/auth.test`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ token: f.botToken }),
		});
		expect(await jsonToken.json()).toEqual({ ok: false, error: 'not_authed' });
		specGuard.expectViolations(1, 'unknown_method', 'calls a method Slack does not have');
		const unknown = await fetch(`${emulator.apiUrl}/chat.nothing`, {
			headers: { Authorization: `Bearer ${f.botToken}` },
		});
		expect(unknown.status).toBe(404);
		expect(await unknown.json()).toMatchObject({ ok: false, error: 'unknown_method' });
	});
});

describe('spec helper', () => {
	it('flags keys the samples do not know and type mismatches', () => {
		expect(apiSampleProblems('auth.test', { ok: true, user_id: 'U1', invented: 1 })).toEqual([
			'$.invented: not in the sample',
		]);
		expect(apiSampleProblems('auth.test', { ok: 'yes' })).toEqual(['$.ok: string where the sample has boolean']);
		expect(
			openApiResponseProblems('auth.test', {
				ok: true,
				team: 'x',
				team_id: 'T12345678',
				url: 'u',
				user: 'x',
				user_id: 'U12345678',
				extra: 1,
			}),
		).toEqual(['$.extra: must NOT have additional properties']);
		expect(openApiResponseProblems('files.getUploadURLExternal', { ok: true })).toBeUndefined();
	});
});
