/**
 * The Sunshine Conversations emulator over HTTP: each route a channel integration uses, each limit
 * and each authentication failure. The spec guard checks every request and answer against the
 * vendored OpenAPI; deliberately refused traffic opts out where the spec cannot describe it.
 */
import { startSunshineEmulator } from '../../emulators/sunshine';
import type { SunshineEmulator } from '../../emulators/sunshine';
import { specGuard } from '../harness/specGuard';

let emu: SunshineEmulator;

/** A parsed JSON answer (as zendesk-emulator.test.ts types it). */
type Body = ReturnType<typeof JSON.parse>;

interface Answer {
	status: number;
	headers: Headers;
	body: Body;
}

function basic(id = emu.fixtures.appKey.id, secret = emu.fixtures.appKey.secret): string {
	return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function call(
	method: string,
	path: string,
	body?: unknown,
	authorization: string | null = basic(),
	raw?: { data: Buffer | string; type: string },
): Promise<Answer> {
	const headers: Record<string, string> = {};
	if (authorization) headers.Authorization = authorization;
	let payload: Buffer | string | undefined;
	if (raw) {
		headers['Content-Type'] = raw.type;
		payload = raw.data;
	} else if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		payload = JSON.stringify(body);
	}
	const response = await fetch(`${emu.apiUrl}${path.replace('{app}', emu.fixtures.appId)}`, {
		method,
		headers,
		body: payload,
	});
	const text = await response.text();
	return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

async function newUser(
	externalId: string,
	profile: Record<string, unknown> = { givenName: 'Ada', surname: 'Lovelace', email: 'ada@example.com' },
): Promise<Body> {
	const answer = await call('POST', '/v2/apps/{app}/users', { externalId, profile });
	expect(answer.status).toBe(201);
	return answer.body.user;
}

async function newConversation(userId: string): Promise<Body> {
	const answer = await call('POST', '/v2/apps/{app}/conversations', { type: 'personal', participants: [{ userId }] });
	expect(answer.status).toBe(201);
	return answer.body.conversation;
}

const text = (t: string) => ({ type: 'text', text: t });

beforeAll(async () => {
	emu = await startSunshineEmulator({ maxMessagesPerConversation: 5 });
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => emu.reset());

describe('app and auth', () => {
	it('GET /v2/apps/{appId} answers the app with Basic and with an app-scoped JWT', async () => {
		const withBasic = await call('GET', '/v2/apps/{app}');
		expect(withBasic.status).toBe(200);
		expect(withBasic.body.app.id).toBe(emu.fixtures.appId);
		const withJwt = await call('GET', '/v2/apps/{app}', undefined, `Bearer ${emu.appJwt()}`);
		expect(withJwt.status).toBe(200);
	});

	it('refuses a missing, wrong or unsigned key with 401 unauthorized and never echoes the secret', async () => {
		const key = emu.fixtures.appKey;
		const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.id })).toString('base64url')}.${Buffer.from('{"scope":"app"}').toString('base64url')}.`;
		const refused = [
			null,
			basic(key.id, 'wrong-secret'),
			basic('app_000000000000000000000000', key.secret),
			`Bearer ${unsigned}`,
			`Bearer ${emu.appJwt({ scope: 'account' })}`,
			`Bearer ${emu.appJwt().slice(0, -2)}xx`,
			'Token abc',
		];
		for (const authorization of refused) {
			const answer = await call('GET', '/v2/apps/{app}', undefined, authorization);
			expect(answer.status).toBe(401);
			expect(answer.body.errors[0].code).toBe('unauthorized');
			expect(JSON.stringify(answer.body)).not.toContain(key.secret);
		}
		const signedWithOtherSecret = (await import('../../emulators/sunshine')).signAppJwt(key.id, 'not-the-secret');
		expect((await call('GET', '/v2/apps/{app}', undefined, `Bearer ${signedWithOtherSecret}`)).status).toBe(401);
	});

	it('answers 404 app_not_found for another app id', async () => {
		const answer = await call('GET', '/v2/apps/000000000000000000000000');
		expect(answer.status).toBe(404);
		expect(answer.body.errors[0].code).toBe('app_not_found');
	});
});

describe('users', () => {
	it('creates a user with externalId and profile, gets it by id and by externalId, 409 on a taken externalId', async () => {
		const user = await newUser('slack:T1:U1');
		expect(user).toMatchObject({
			externalId: 'slack:T1:U1',
			zendeskId: null,
			profile: { givenName: 'Ada', surname: 'Lovelace', email: 'ada@example.com' },
		});
		expect(user.id).toMatch(/^[0-9a-f]{24}$/);
		expect((await call('GET', `/v2/apps/{app}/users/${user.id}`)).body.user.externalId).toBe('slack:T1:U1');
		expect((await call('GET', '/v2/apps/{app}/users/slack:T1:U1')).body.user.id).toBe(user.id);
		const taken = await call('POST', '/v2/apps/{app}/users', { externalId: 'slack:T1:U1' });
		expect(taken.status).toBe(409);
		expect(taken.body).toEqual({ errors: [{ code: 'conflict', title: 'User already exists' }] });
		expect((await call('GET', '/v2/apps/{app}/users/nobody')).status).toBe(404);
	});
});

describe('conversations', () => {
	it('creates a personal conversation with exactly one participant, gets it and lists the user’s', async () => {
		const user = await newUser('u-conv');
		const conversation = await newConversation(user.id);
		expect(conversation).toMatchObject({
			type: 'personal',
			activeSwitchboardIntegration: { integrationType: 'zd:agentWorkspace' },
		});
		expect((await call('GET', `/v2/apps/{app}/conversations/${conversation.id}`)).body.conversation.id).toBe(
			conversation.id,
		);
		const byExternal = await call('POST', '/v2/apps/{app}/conversations', {
			type: 'personal',
			participants: [{ userExternalId: 'u-conv' }],
		});
		expect(byExternal.status).toBe(201);
		const list = await call('GET', `/v2/apps/{app}/conversations?filter[userId]=${user.id}`);
		expect(list.body.conversations.map((c: { id: string }) => c.id)).toEqual([
			conversation.id,
			byExternal.body.conversation.id,
		]);
		expect(
			(await call('GET', '/v2/apps/{app}/conversations?filter[userExternalId]=u-conv')).body.conversations,
		).toHaveLength(2);
	});

	it('refuses a personal conversation with no or two participants, and an unknown conversation', async () => {
		const user = await newUser('u-two');
		const other = await newUser('u-three');
		expect((await call('POST', '/v2/apps/{app}/conversations', { type: 'personal', participants: [] })).status).toBe(
			400,
		);
		expect(
			(
				await call('POST', '/v2/apps/{app}/conversations', {
					type: 'personal',
					participants: [{ userId: user.id }, { userId: other.id }],
				})
			).status,
		).toBe(400);
		const missing = await call('GET', '/v2/apps/{app}/conversations/000000000000000000000000');
		expect(missing.status).toBe(404);
		expect(missing.body.errors[0].code).toBe('conversation_not_found');
	});
});

describe('messages', () => {
	it('posts as user and as business with metadata, and lists them', async () => {
		const user = await newUser('u-msg');
		const conversation = await newConversation(user.id);
		const asUser = await call('POST', `/v2/apps/{app}/conversations/${conversation.id}/messages`, {
			author: { type: 'user', userId: user.id },
			content: text('hello'),
			metadata: { slackTs: '1.2', n: 3, ok: true },
		});
		expect(asUser.status).toBe(201);
		expect(asUser.body.messages[0]).toMatchObject({
			author: { type: 'user', userId: user.id },
			content: text('hello'),
			metadata: { slackTs: '1.2', n: 3, ok: true },
			source: { type: 'api:conversations' },
		});
		const asBusiness = await call('POST', `/v2/apps/{app}/conversations/${conversation.id}/messages`, {
			author: { type: 'business', displayName: 'IT' },
			content: text('hi!'),
		});
		expect(asBusiness.body.messages[0].author).toEqual({ type: 'business', displayName: 'IT' });
		const list = await call('GET', `/v2/apps/{app}/conversations/${conversation.id}/messages`);
		expect(list.body.messages.map((m: { content: { text: string } }) => m.content.text)).toEqual(['hello', 'hi!']);
		expect(list.body.meta.hasMore).toBe(false);
	});

	it('refuses a user author who is not the participant', async () => {
		const user = await newUser('u-own');
		const stranger = await newUser('u-stranger');
		const conversation = await newConversation(user.id);
		const answer = await call('POST', `/v2/apps/{app}/conversations/${conversation.id}/messages`, {
			author: { type: 'user', userId: stranger.id },
			content: text('x'),
		});
		expect(answer.status).toBe(400);
	});

	it('pages backwards 100 at a time with beforeCursor / prev and forwards with page[after]', async () => {
		const big = await startSunshineEmulator();
		try {
			const user = big.messaging.createUser({ externalId: 'pager' });
			const conversation = big.messaging.createConversation({ type: 'personal', participants: [{ userId: user.id }] });
			for (let i = 0; i < 130; i++)
				big.messaging.postMessage(
					conversation,
					big.messaging.messageInputOf(conversation, { author: { type: 'business' }, content: text(`m${i}`) }),
				);
			const get = async (query: string) =>
				(await fetch(`${big.apiUrl}/v2/apps/${big.fixtures.appId}/conversations/${conversation.id}/messages${query}`, {
					headers: { Authorization: `Bearer ${big.appJwt()}` },
				}).then((r) => r.json())) as Body;
			const latest = await get('');
			expect(latest.messages).toHaveLength(100);
			expect(latest.messages[0].content.text).toBe('m30');
			expect(latest.meta).toMatchObject({ hasMore: true, beforeCursor: latest.messages[0].id });
			expect(latest.links.prev).toContain(`page[before]=${latest.messages[0].id}`);
			const older = await get(`?page[before]=${latest.meta.beforeCursor}`);
			expect(older.messages.map((m: Body) => m.content.text)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
			expect(older.meta.hasMore).toBe(false);
			const newer = await get(`?page[after]=${older.messages[28].id}`);
			expect(newer.messages.map((m: Body) => m.content.text)).toEqual(
				Array.from({ length: 100 }, (_, i) => `m${i + 29}`),
			);
			expect(newer.meta).toMatchObject({ hasMore: true, afterCursor: newer.messages[99].id });
			expect(newer.links.next).toContain(`page[after]=${newer.messages[99].id}`);
			const last = await get(`?page[after]=${newer.meta.afterCursor}`);
			expect(last.messages.map((m: Body) => m.content.text)).toEqual(['m129']);
			expect(last.meta.hasMore).toBe(false);
		} finally {
			await big.close();
		}
	});

	it('answers 423 locked once the conversation holds the configured maximum', async () => {
		const user = await newUser('u-full');
		const conversation = await newConversation(user.id);
		for (let i = 0; i < 5; i++)
			expect(
				(
					await call('POST', `/v2/apps/{app}/conversations/${conversation.id}/messages`, {
						author: { type: 'business' },
						content: text(`${i}`),
					})
				).status,
			).toBe(201);
		const full = await call('POST', `/v2/apps/{app}/conversations/${conversation.id}/messages`, {
			author: { type: 'business' },
			content: text('one too many'),
		});
		expect(full.status).toBe(423);
		expect(full.body.errors[0]).toEqual({ code: 'locked', title: 'Message limit of 5 per conversation reached.' });
	});
});

describe('limits', () => {
	it('refuses JSON bodies over 100 KB with 413', async () => {
		const user = await newUser('u-big');
		const conversation = await newConversation(user.id);
		specGuard.allow(/\/messages$/, 'the oversized text also breaks the schema (maxLength 4096)');
		const answer = await call('POST', `/v2/apps/{app}/conversations/${conversation.id}/messages`, {
			author: { type: 'business' },
			content: text('x'.repeat(101 * 1024)),
		});
		expect(answer.status).toBe(413);
		const justUnder = await call('POST', '/v2/apps/{app}/users', {
			externalId: 'x',
			metadata: { a: 'y'.repeat(3000) },
			profile: { givenName: 'z'.repeat(100) },
		});
		expect(justUnder.status).toBe(201);
	});

	it('refuses metadata that is nested or over 4 KB', async () => {
		const nested = await call('POST', '/v2/apps/{app}/users', { externalId: 'n', metadata: { a: { b: 1 } } });
		expect(nested.status).toBe(400);
		const large = await call('POST', '/v2/apps/{app}/users', { externalId: 'l', metadata: { a: 'y'.repeat(4100) } });
		expect(large.status).toBe(400);
		expect(large.body.errors[0].title).toMatch(/4KB/);
	});

	it('answers 429 with Retry-After once the configured rate is exceeded', async () => {
		emu.setRateLimit({ requests: 3, windowMs: 60_000 });
		try {
			for (let i = 0; i < 3; i++) expect((await call('GET', '/v2/apps/{app}')).status).toBe(200);
			const limited = await call('GET', '/v2/apps/{app}');
			expect(limited.status).toBe(429);
			expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
			emu.clock.advance(60_001);
			expect((await call('GET', '/v2/apps/{app}')).status).toBe(200);
		} finally {
			emu.setRateLimit(undefined);
		}
	});
});
