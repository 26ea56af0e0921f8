/**
 * Parts of the Sunshine emulator without HTTP: authentication (Basic, JWT rules), message paging,
 * metadata rules, ids, the webhook retry schedule, and what a message shows in a ticket.
 */
import { createHmac } from 'node:crypto';

import { authenticate, signAppJwt } from '../../../../emulators/sunshine/auth';
import { SunshineError } from '../../../../emulators/sunshine/errors';
import { buildSunshineFixtures, SunshineStore } from '../../../../emulators/sunshine/store';
import { EmulatorClock } from '../../../../emulators/zendesk/clock';

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
