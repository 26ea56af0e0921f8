/**
 * Events API delivery of the Slack emulator and its standalone driver, against a local receiver:
 * signatures verify independently, retries follow Slack's policy (short delays here), and the
 * emulator emits the events Slack would for DMs, group DMs, channels, Slack Connect, edits, deletions.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { SlackEventsDriver, startSlackEmulator } from '../../emulators/slack';
import type { SlackEmulatorInstance, SlackEventEnvelope } from '../../emulators/slack';
import { eventSampleFor, eventSampleProblems } from '../harness/slackSpec';

interface Received {
	headers: http.IncomingHttpHeaders;
	rawBody: string;
	body: Record<string, unknown>;
}

/** A webhook receiver whose answer each test decides. */
class Receiver {
	received: Received[] = [];

	respond: (
		req: Received,
		index: number,
	) => { status: number; delayMs?: number; headers?: Record<string, string>; body?: string } = () => ({ status: 200 });

	private server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const rawBody = Buffer.concat(chunks).toString('utf8');
			const entry = { headers: req.headers, rawBody, body: JSON.parse(rawBody) as Record<string, unknown> };
			this.received.push(entry);
			const answer = this.respond(entry, this.received.length - 1);
			const send = () => {
				if (res.destroyed) return;
				res.writeHead(answer.status, answer.headers ?? {});
				res.end(answer.body ?? '');
			};
			if (answer.delayMs) setTimeout(send, answer.delayMs);
			else send();
		});
	});

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slack/events`;
	}

	async start(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	envelopes(): SlackEventEnvelope[] {
		return this.received.map((r) => r.body as unknown as SlackEventEnvelope);
	}
}

/** Independent verification, as a receiver written from Slack's docs would do it. */
function signatureValid(secret: string, entry: Received): boolean {
	const timestamp = String(entry.headers['x-slack-request-timestamp']);
	const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${entry.rawBody}`).digest('hex')}`;
	const actual = String(entry.headers['x-slack-signature'] ?? '');
	return actual.length === expected.length && timingSafeEqual(Buffer.from(actual), Buffer.from(expected));
}

const FAST = { timeoutMs: 150, retryDelaysMs: [0, 20, 20] };

let receiver: Receiver;
let emulator: SlackEmulatorInstance;

beforeAll(async () => {
	receiver = new Receiver();
	await receiver.start();
	emulator = await startSlackEmulator({ eventsRetryPolicy: FAST });
});

afterAll(async () => {
	await emulator.close();
	await receiver.close();
});

beforeEach(() => {
	emulator.reset();
	emulator.setEventsUrl(receiver.url);
	receiver.received = [];
	receiver.respond = () => ({ status: 200 });
});

function expectConforms(envelope: SlackEventEnvelope): void {
	expect(eventSampleProblems(eventSampleFor(envelope.event), envelope)).toEqual([]);
}

describe('SlackEventsDriver', () => {
	it('signs requests so an independent v0 check passes, and url_verification gets the challenge back', async () => {
		receiver.respond = (req) => ({
			status: 200,
			headers: { 'Content-Type': 'text/plain' },
			body: String(req.body.challenge),
		});
		const driver = new SlackEventsDriver({ url: receiver.url, signingSecret: 'driver-secret' });
		const result = await driver.urlVerification('challenge-123');
		expect(result).toMatchObject({ status: 200, body: 'challenge-123', timedOut: false });
		expect(receiver.received[0].body).toEqual({
			token: emulator.fixtures.verificationToken,
			challenge: 'challenge-123',
			type: 'url_verification',
		});
		expect(signatureValid('driver-secret', receiver.received[0])).toBe(true);
		expect(signatureValid('another-secret', receiver.received[0])).toBe(false);
		expect(receiver.received[0].headers['content-type']).toBe('application/json');
	});

	it('sends a chosen timestamp, a wrong signature, or none, for receivers that must refuse them', async () => {
		const driver = new SlackEventsDriver({ url: receiver.url, signingSecret: 's' });
		await driver.send(
			{ type: 'url_verification', challenge: 'x', token: 't' },
			{ timestamp: 1000, signature: 'v0=bad' },
		);
		await driver.send({ type: 'url_verification', challenge: 'x', token: 't' }, { signature: 'omit' });
		expect(receiver.received[0].headers['x-slack-request-timestamp']).toBe('1000');
		expect(receiver.received[0].headers['x-slack-signature']).toBe('v0=bad');
		expect(receiver.received[1].headers['x-slack-signature']).toBeUndefined();
	});

	it('sends the signed bytes exactly (no re-serialising, no trimming), and reports a redirect or a refused connection without following it', async () => {
		const driver = new SlackEventsDriver({ url: receiver.url, signingSecret: 's' });
		const rawBody = '  {"type":"url_verification", "challenge":"h\u00e9 ✓","token":"t"}\n';
		await driver.send({}, { rawBody });
		expect(receiver.received[0].rawBody).toBe(rawBody);
		expect(signatureValid('s', receiver.received[0])).toBe(true);

		receiver.respond = () => ({ status: 302, headers: { Location: `${receiver.url}?moved=1` } });
		const redirected = await driver.send({ type: 'url_verification', challenge: 'x', token: 't' });
		expect(redirected).toMatchObject({ status: 302, timedOut: false });
		expect(redirected.headers.location).toBe(`${receiver.url}?moved=1`);
		expect(receiver.received).toHaveLength(2);

		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
		const refused = await new SlackEventsDriver({ url: deadUrl, signingSecret: 's' }).send({
			type: 'url_verification',
			challenge: 'x',
			token: 't',
		});
		expect(refused).toMatchObject({ status: 0, timedOut: false, error: 'ECONNREFUSED' });
	});

	it('retries with X-Slack-Retry-Num and http_timeout when no answer comes within the deadline', async () => {
		receiver.respond = (_req, index) => ({ status: 200, delayMs: index < 2 ? 400 : 0 });
		const driver = new SlackEventsDriver({ url: receiver.url, signingSecret: 's', policy: FAST });
		const envelope =
			emulator.fixtures &&
			(await import('../../emulators/slack/builders')).messageIm({
				user: emulator.fixtures.employeeId,
				channel: 'D0000000A',
				text: 'hi',
			});
		const result = await driver.deliver(envelope);
		expect(result.delivered).toBe(true);
		expect(result.attempts.map((a) => a.timedOut)).toEqual([true, true, false]);
		expect(receiver.received.map((r) => [r.headers['x-slack-retry-num'], r.headers['x-slack-retry-reason']])).toEqual([
			[undefined, undefined],
			['1', 'http_timeout'],
			['2', 'http_timeout'],
		]);
		// Same event, same event_id, on every attempt.
		expect(new Set(receiver.envelopes().map((e) => e.event_id))).toEqual(new Set([envelope.event_id]));
		receiver.received.forEach((r) => expect(signatureValid('s', r)).toBe(true));
	});

	it('gives up after three retries on errors (http_error), and at once when the receiver says X-Slack-No-Retry', async () => {
		receiver.respond = () => ({ status: 500 });
		const driver = new SlackEventsDriver({ url: receiver.url, signingSecret: 's', policy: FAST });
		const failed = await driver.deliver({ type: 'url_verification', challenge: 'x', token: 't' });
		expect(failed.delivered).toBe(false);
		expect(failed.attempts.map((a) => a.status)).toEqual([500, 500, 500, 500]);
		expect(receiver.received.slice(1).map((r) => r.headers['x-slack-retry-reason'])).toEqual([
			'http_error',
			'http_error',
			'http_error',
		]);
		receiver.received = [];
		receiver.respond = () => ({ status: 503, headers: { 'X-Slack-No-Retry': '1' } });
		const stopped = await driver.deliver({ type: 'url_verification', challenge: 'x', token: 't' });
		expect(stopped.attempts).toHaveLength(1);
	});
});

describe('emulator event delivery', () => {
	it('a DM to the bot arrives as a signed message.im for the bot authorization', async () => {
		const f = emulator.fixtures;
		const sent = await emulator.userSends({ userId: f.employeeId, text: 'My laptop is broken' });
		expect(sent.deliveries[0].delivered).toBe(true);
		const [envelope] = receiver.envelopes();
		expect(signatureValid(f.signingSecret, receiver.received[0])).toBe(true);
		expect(envelope).toMatchObject({
			type: 'event_callback',
			team_id: f.teamId,
			api_app_id: f.appId,
			is_ext_shared_channel: false,
			authorizations: [{ user_id: f.botUserId, is_bot: true, team_id: f.teamId }],
			event: {
				type: 'message',
				channel_type: 'im',
				channel: sent.channel,
				user: f.employeeId,
				text: 'My laptop is broken',
				ts: sent.ts,
			},
		});
		expectConforms(envelope);
		expect(emulator.messagesIn(sent.channel).map((m) => m.text)).toEqual(['My laptop is broken']);
	});

	it('a DM to a handle account is delivered for that handle (user authorization), not the bot', async () => {
		const f = emulator.fixtures;
		await emulator.userSends({ userId: f.employeeId, toUserId: f.hrHandleUserId, text: 'Payroll question' });
		expect(receiver.envelopes()[0].authorizations).toEqual([
			{
				enterprise_id: null,
				team_id: f.teamId,
				user_id: f.hrHandleUserId,
				is_bot: false,
				is_enterprise_install: false,
			},
		]);
	});

	it('no event for conversations the app is not part of', async () => {
		const f = emulator.fixtures;
		const dm = emulator.openDm(f.employeeId, f.employee2Id);
		const sent = await emulator.userSends({ userId: f.employeeId, channelId: dm, text: 'private chat' });
		expect(sent.envelopes).toEqual([]);
		expect(receiver.received).toEqual([]);
	});

	it('the bot’s own chat.postMessage comes back as a message event with bot_id and app_id (echo)', async () => {
		const f = emulator.fixtures;
		const res = await fetch(`${emulator.apiUrl}/chat.postMessage`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${f.botToken}`, 'Content-Type': 'application/json; charset=utf-8' },
			body: JSON.stringify({ channel: f.employeeId, text: 'Agent reply', username: 'IT Support' }),
		});
		const posted = (await res.json()) as { ts: string; channel: string };
		await emulator.waitForEvents();
		const [envelope] = receiver.envelopes();
		expect(envelope.event).toMatchObject({
			type: 'message',
			user: f.botUserId,
			bot_id: f.botId,
			app_id: f.appId,
			ts: posted.ts,
			channel: posted.channel,
			username: 'IT Support',
		});
		expect(envelope.event.subtype).toBeUndefined();
		expectConforms(envelope);
	});

	it('the bot deleting its own message (chat.delete) comes back as message_deleted with the message as it was', async () => {
		const f = emulator.fixtures;
		const call = async (method: string, body: object) =>
			(await (
				await fetch(`${emulator.apiUrl}/${method}`, {
					method: 'POST',
					headers: { Authorization: `Bearer ${f.botToken}`, 'Content-Type': 'application/json; charset=utf-8' },
					body: JSON.stringify(body),
				})
			).json()) as { ok: boolean; ts: string; channel: string };
		const posted = await call('chat.postMessage', { channel: f.employeeId, text: 'Notice' });
		expect(await call('chat.delete', { channel: posted.channel, ts: posted.ts })).toEqual({
			ok: true,
			channel: posted.channel,
			ts: posted.ts,
		});
		await emulator.waitForEvents();
		const [echo, deleted] = receiver.envelopes();
		expect(echo.event).toMatchObject({ type: 'message', ts: posted.ts });
		expect(deleted.event).toMatchObject({
			type: 'message',
			subtype: 'message_deleted',
			channel: posted.channel,
			deleted_ts: posted.ts,
			previous_message: { user: f.botUserId, text: 'Notice', ts: posted.ts },
		});
		expectConforms(deleted);
		expect(emulator.messagesIn(posted.channel)).toEqual([]);
	});

	it('a handle’s user-token post comes back with the handle’s user id and app_id, no bot_id', async () => {
		const f = emulator.fixtures;
		await fetch(`${emulator.apiUrl}/chat.postMessage`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${f.handleToken}`, 'Content-Type': 'application/json; charset=utf-8' },
			body: JSON.stringify({ channel: f.employeeId, text: 'Reply as the handle' }),
		});
		await emulator.waitForEvents();
		const [envelope] = receiver.envelopes();
		expect(envelope.event).toMatchObject({ user: f.handleUserId, app_id: f.appId, text: 'Reply as the handle' });
		expect(envelope.event.bot_id).toBeUndefined();
		expect(envelope.authorizations[0]).toMatchObject({ user_id: f.handleUserId, is_bot: false });
		expectConforms(envelope);
	});

	it('Slack Connect: a partner DM is ext-shared with user_team, and its files arrive as stubs', async () => {
		const f = emulator.fixtures;
		await emulator.userSends({
			userId: f.partnerUserId,
			toUserId: f.handleUserId,
			text: 'Invoice attached',
			files: [{ name: 'invoice.pdf', mimetype: 'application/pdf', content: Buffer.from('%PDF') }],
		});
		const [envelope] = receiver.envelopes();
		expect(envelope.is_ext_shared_channel).toBe(true);
		expect(envelope.event).toMatchObject({
			subtype: 'file_share',
			user: f.partnerUserId,
			user_team: f.partnerTeamId,
			source_team: f.partnerTeamId,
			team: f.partnerTeamId,
		});
		expect((envelope.event.files as Array<Record<string, unknown>>)[0]).toMatchObject({
			file_access: 'check_file_info',
		});
		expectConforms(envelope);
	});

	it('an internal file share carries full file objects whose download needs the token', async () => {
		const f = emulator.fixtures;
		await emulator.userSends({
			userId: f.employeeId,
			text: 'screenshot',
			files: [{ name: 'screen.png', mimetype: 'image/png', content: Buffer.from([137, 80, 78, 71]) }],
		});
		const [envelope] = receiver.envelopes();
		const file = (envelope.event.files as Array<{ url_private_download: string; mimetype: string; size: number }>)[0];
		expect(file).toMatchObject({ mimetype: 'image/png', size: 4 });
		expectConforms(envelope);
		const download = await fetch(file.url_private_download, { headers: { Authorization: `Bearer ${f.botToken}` } });
		expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from([137, 80, 78, 71]));
	});

	it('a bot upload (raw bytes to the upload URL) shared into a DM thread arrives as file_share with bot_id', async () => {
		const f = emulator.fixtures;
		const auth = { Authorization: `Bearer ${f.botToken}` };
		const parent = await emulator.userSends({ userId: f.employeeId, text: 'send me the form' });
		receiver.received = [];
		const url = (await (
			await fetch(`${emulator.apiUrl}/files.getUploadURLExternal?filename=form.txt&length=4`, { headers: auth })
		).json()) as { upload_url: string; file_id: string };
		expect((await fetch(url.upload_url, { method: 'POST', body: Buffer.from('form') })).status).toBe(200);
		const done = await fetch(`${emulator.apiUrl}/files.completeUploadExternal`, {
			method: 'POST',
			headers: { ...auth, 'Content-Type': 'application/json; charset=utf-8' },
			body: JSON.stringify({
				files: [{ id: url.file_id, title: 'Form' }],
				channel_id: parent.channel,
				thread_ts: parent.ts,
				initial_comment: 'Here you go',
			}),
		});
		expect(await done.json()).toEqual({ ok: true, files: [{ id: url.file_id, title: 'Form' }] });
		await emulator.waitForEvents();
		const [envelope] = receiver.envelopes();
		expect(envelope.event).toMatchObject({
			subtype: 'file_share',
			bot_id: f.botId,
			user: f.botUserId,
			text: 'Here you go',
			thread_ts: parent.ts,
			files: [{ id: url.file_id, title: 'Form' }],
		});
		expectConforms(envelope);
		expect(emulator.uploadedFiles[0]).toMatchObject({
			fileId: url.file_id,
			bytes: Buffer.from('form'),
			thread_ts: parent.ts,
		});
	});

	it('thread replies, group DMs, channel mentions, edits and deletions produce Slack’s events', async () => {
		const f = emulator.fixtures;
		const first = await emulator.userSends({ userId: f.employeeId, text: 'first' });
		await emulator.userSends({ userId: f.employeeId, channelId: first.channel, threadTs: first.ts, text: 'in thread' });
		const mpim = emulator.openGroupDm([f.employeeId, f.employee2Id, f.botUserId]);
		await emulator.userSends({ userId: f.employee2Id, channelId: mpim, text: 'group question' });
		await emulator.userSends({
			userId: f.employeeId,
			channelId: f.helpChannelId,
			text: `<@${f.botUserId}> printer on fire`,
		});
		await emulator.userEdits({ channelId: first.channel, ts: first.ts, text: 'first (edited)' });
		await emulator.userDeletes({ channelId: first.channel, ts: first.ts });
		const events = receiver.envelopes().map((e) => e.event);
		expect(events.map((e) => [e.type, e.subtype ?? null, e.channel_type ?? null])).toEqual([
			['message', null, 'im'],
			['message', null, 'im'],
			['message', null, 'mpim'],
			['message', null, 'channel'],
			['app_mention', null, null],
			['message', 'message_changed', 'im'],
			['message', 'message_deleted', 'im'],
		]);
		expect(events[1]).toMatchObject({ thread_ts: first.ts, parent_user_id: f.employeeId });
		expect(events[5]).toMatchObject({
			message: { text: 'first (edited)', ts: first.ts },
			previous_message: { text: 'first' },
		});
		expect(events[6]).toMatchObject({ deleted_ts: first.ts });
		expect(emulator.messagesIn(first.channel).map((m) => m.text)).toEqual(['in thread']);
		receiver.envelopes().forEach(expectConforms);
		expect(new Set(receiver.envelopes().map((e) => e.event_id)).size).toBe(7);
	});

	it('retries a slow receiver like Slack and logs every attempt', async () => {
		receiver.respond = (_req, index) => ({ status: 200, delayMs: index === 0 ? 400 : 0 });
		const sent = await emulator.userSends({ userId: emulator.fixtures.employeeId, text: 'slow' });
		expect(sent.deliveries[0].attempts.map((a) => a.timedOut)).toEqual([true, false]);
		expect(receiver.received.map((r) => r.headers['x-slack-retry-num'])).toEqual([undefined, '1']);
		expect(emulator.deliveries).toHaveLength(1);
	});
});

describe('inspection API', () => {
	it('makes a user send a DM over HTTP and lists messages, posts, uploads and call counts', async () => {
		const f = emulator.fixtures;
		const send = await fetch(`${emulator.url}/__emulator/users/${f.employeeId}/messages`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ text: 'from the console' }),
		});
		const sent = (await send.json()) as {
			ok: boolean;
			channel: string;
			ts: string;
			deliveries: Array<{ delivered: boolean }>;
		};
		expect(sent).toMatchObject({ ok: true, deliveries: [{ delivered: true }] });
		expect(receiver.envelopes()[0].event).toMatchObject({ text: 'from the console', user: f.employeeId });
		await fetch(`${emulator.apiUrl}/chat.postMessage`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${f.botToken}`, 'Content-Type': 'application/json; charset=utf-8' },
			body: JSON.stringify({ channel: sent.channel, text: 'answer', thread_ts: sent.ts }),
		});
		const messages = (await (await fetch(`${emulator.url}/__emulator/messages?channel=${sent.channel}`)).json()) as {
			messages: Array<{ text: string }>;
		};
		expect(messages.messages.map((m) => m.text)).toEqual(['from the console', 'answer']);
		const posted = (await (await fetch(`${emulator.url}/__emulator/posted`)).json()) as {
			messages: Array<{ text: string; thread_ts: string }>;
		};
		expect(posted.messages).toMatchObject([{ text: 'answer', thread_ts: sent.ts }]);
		const calls = (await (await fetch(`${emulator.url}/__emulator/calls`)).json()) as {
			counts: Record<string, number>;
		};
		expect(calls.counts).toEqual({ 'chat.postMessage': 1 });
		const detail = (await (await fetch(`${emulator.url}/__emulator/calls?route=chat.postMessage`)).json()) as {
			calls: Array<{ request: { headers: Record<string, string> } }>;
		};
		expect(detail.calls[0].request.headers.authorization).toBe('<redacted>');
		await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
		expect(emulator.messagesIn(sent.channel)).toEqual([]);
		expect(emulator.server.countCalls('chat.postMessage')).toBe(0);
	});

	it('injects faults by route over HTTP', async () => {
		await fetch(`${emulator.url}/__emulator/faults`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ route: 'auth.test', fault: { kind: 'status', status: 503 } }),
		});
		const first = await fetch(`${emulator.apiUrl}/auth.test`, {
			headers: { Authorization: `Bearer ${emulator.fixtures.botToken}` },
		});
		const second = await fetch(`${emulator.apiUrl}/auth.test`, {
			headers: { Authorization: `Bearer ${emulator.fixtures.botToken}` },
		});
		expect([first.status, second.status]).toEqual([503, 200]);
	});
});

describe('id spaces of several emulators', () => {
	it('two emulators never hand out the same DM, group DM, channel or file id; each keeps its own across reset()', async () => {
		const a = await startSlackEmulator({ rateLimits: false });
		const b = await startSlackEmulator({ rateLimits: false });
		try {
			const f = a.fixtures;
			const idsOf = (emu: SlackEmulatorInstance) => [
				emu.openDm(f.employeeId, f.botUserId),
				emu.openGroupDm([f.employeeId, f.employee2Id, f.botUserId]),
				emu.addChannel({ name: 'ops', members: [f.employeeId] }).id,
				String(emu.addFile({ ownerId: f.employeeId, name: 'a.txt', content: Buffer.from('a') }).id),
			];
			const fromA = idsOf(a);
			const fromB = idsOf(b);
			expect(fromA.filter((id) => fromB.includes(id))).toEqual([]);
			// Slack's shape: kind letter + 8 capitals/digits.
			for (const id of [...fromA, ...fromB]) expect(id).toMatch(/^[DGCF][A-Z0-9]{8}$/);
			expect(fromA.map((id) => id[0])).toEqual(['D', 'G', 'C', 'F']);
			a.reset();
			expect(idsOf(a)).toEqual(fromA);
		} finally {
			await a.close();
			await b.close();
		}
	});

	it('a fixed idPrefix gives fixed ids, and a malformed one is refused', async () => {
		const fixed = await startSlackEmulator({ rateLimits: false, idPrefix: '000' });
		try {
			expect(fixed.openDm(fixed.fixtures.employeeId, fixed.fixtures.botUserId)).toBe('D00000001');
			expect(fixed.addChannel({ name: 'ops', members: [] }).id).toBe('C00000001');
		} finally {
			await fixed.close();
		}
		await expect(startSlackEmulator({ idPrefix: 'ab' })).rejects.toThrow(/idPrefix/);
	});
});
