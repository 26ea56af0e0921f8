/**
 * Parts of the Sunshine emulator without HTTP: authentication (Basic, JWT rules), message paging,
 * metadata rules, ids, the webhook retry schedule, and what a message shows in a ticket.
 */
import { createHmac } from 'node:crypto';

import { textOf } from '../../emulators/sunshine/agentWorkspace';
import { messagePage } from '../../emulators/sunshine/api';
import { authenticate, signAppJwt } from '../../emulators/sunshine/auth';
import { SunshineError } from '../../emulators/sunshine/errors';
import { newId } from '../../emulators/sunshine/ids';
import { buildSunshineFixtures, SunshineStore } from '../../emulators/sunshine/store';
import type { StoredMessage } from '../../emulators/sunshine/store';
import { metadataOf } from '../../emulators/sunshine/validate';
import { MAX_ATTEMPTS, NON_RECOVERABLE, RETRY_INTERVALS_MS } from '../../emulators/sunshine/webhooks';
import { EmulatorClock } from '../../emulators/zendesk/clock';

const clock = new EmulatorClock();
const store = new SunshineStore(clock, buildSunshineFixtures('acme', clock.now()));
const key = store.fixtures.appKey;

function refused(authorization: string | undefined): number {
	try {
		authenticate(authorization ? { authorization } : {}, store);
		return 0;
	} catch (error) {
		return (error as SunshineError).status;
	}
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (head: string, secret = key.secret) =>
	`${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;

describe('authenticate', () => {
	it('accepts Basic with the key and an app-scoped HS256 JWT naming the key in kid', () => {
		expect(
			authenticate({ authorization: `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}` }, store),
		).toEqual({ keyId: key.id, method: 'basic' });
		expect(authenticate({ authorization: `Bearer ${signAppJwt(key.id, key.secret)}` }, store)).toEqual({
			keyId: key.id,
			method: 'jwt',
		});
	});

	it('refuses with 401 what the spec does not allow', () => {
		expect(refused(undefined)).toBe(401);
		expect(refused(`Bearer ${sign(`${b64({ alg: 'HS512', kid: key.id })}.${b64({ scope: 'app' })}`)}`)).toBe(401);
		expect(refused(`Bearer ${sign(`${b64({ alg: 'HS256' })}.${b64({ scope: 'app' })}`)}`)).toBe(401);
		expect(refused(`Bearer ${sign(`${b64({ alg: 'HS256', kid: key.id })}.${b64({})}`)}`)).toBe(401);
		expect(refused(`Bearer ${sign(`${b64({ alg: 'HS256', kid: key.id })}.${b64({ scope: 'app', exp: 1 })}`)}`)).toBe(
			401,
		);
		expect(refused(`Bearer ${sign(`${b64({ alg: 'HS256', kid: key.id })}.${b64({ scope: 'app' })}`, 'other')}`)).toBe(
			401,
		);
		expect(refused(`Basic ${Buffer.from(key.id).toString('base64')}`)).toBe(401);
		expect(refused(`Bearer not.a.jwt`)).toBe(401);
	});
});

describe('messagePage', () => {
	const all = Array.from({ length: 7 }, (_, i) => ({ id: newId(1_700_000_000_000 + i * 1000) }) as StoredMessage);

	it('returns the latest page by default and pages back and forward', () => {
		expect(messagePage(all, {}, 3)).toEqual({ items: all.slice(4), hasMore: true, direction: 'before' });
		expect(messagePage(all, { before: all[4].id }, 3)).toEqual({
			items: all.slice(1, 4),
			hasMore: true,
			direction: 'before',
		});
		expect(messagePage(all, { before: all[1].id }, 3)).toEqual({
			items: all.slice(0, 1),
			hasMore: false,
			direction: 'before',
		});
		expect(messagePage(all, { after: all[0].id }, 3)).toEqual({
			items: all.slice(1, 4),
			hasMore: true,
			direction: 'after',
		});
	});

	it('refuses both cursors at once and malformed cursors', () => {
		expect(() => messagePage(all, { before: all[1].id, after: all[0].id })).toThrow(/Only one/);
		expect(() => messagePage(all, { before: 'x' })).toThrow(/24-character/);
	});
});

describe('rules', () => {
	it('ids are 24 hex characters and sort in creation order', () => {
		const ids = [newId(1000), newId(1000), newId(5000)];
		expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
		expect([...ids].sort()).toEqual(ids);
	});

	it('metadata is flat, of strings, numbers and booleans, at most 4 KB', () => {
		expect(metadataOf({ a: 'x', b: 1, c: false })).toEqual({ a: 'x', b: 1, c: false });
		expect(metadataOf(undefined)).toBeNull();
		expect(() => metadataOf({ a: null })).toThrow(/flat/);
		expect(() => metadataOf({ a: [1] })).toThrow(/flat/);
		expect(() => metadataOf(['x'])).toThrow(/object/);
		expect(() => metadataOf({ a: 'é'.repeat(2100) })).toThrow(/4KB/);
	});

	it('webhook retries: 5 attempts over 15 minutes, growing intervals, the documented final statuses', () => {
		expect(MAX_ATTEMPTS).toBe(5);
		expect(RETRY_INTERVALS_MS).toHaveLength(MAX_ATTEMPTS - 1);
		expect(RETRY_INTERVALS_MS.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(15 * 60_000);
		for (let i = 1; i < RETRY_INTERVALS_MS.length; i++)
			expect(RETRY_INTERVALS_MS[i]).toBeGreaterThan(RETRY_INTERVALS_MS[i - 1]);
		expect(NON_RECOVERABLE).toEqual([400, 401, 403, 404, 406]);
	});

	it('a message shows in a ticket as its text, a file as text and link', () => {
		const m = (content: Record<string, unknown>) => ({ content }) as StoredMessage;
		expect(textOf(m({ type: 'text', text: 'hi' }))).toBe('hi');
		expect(textOf(m({ type: 'file', mediaUrl: 'https://x/f.pdf', text: 'see' }))).toBe('see\nhttps://x/f.pdf');
		expect(textOf(m({ type: 'carousel', items: [] }))).toBe('[carousel]');
	});
});
