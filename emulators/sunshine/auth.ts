/**
 * API authentication as the spec's introduction describes it ("Authentication", "JWTs"): Basic with
 * an API key's id as user name and its secret as password, or `Bearer <JWT>` signed HS256 with the
 * key's secret, the key id in the header's `kid`, and a `scope` claim. App keys (`app_…`) may only
 * sign `scope: app`. Anything else is 401 `unauthorized`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { SunshineError } from './errors';
import type { SunshineStore } from './store';

export interface Caller {
	keyId: string;
	method: 'basic' | 'jwt';
}

/** The documented example body (spec introduction, "Errors"). */
const MISSING = new SunshineError(401, 'unauthorized', 'Authorization is required');
// ASSUMPTION: the title of a refused key is not documented; the code `unauthorized` is.
const INVALID = new SunshineError(401, 'unauthorized', 'Invalid credentials');

function sameText(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
	try {
		const parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
			? (parsed as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

function verifyJwt(token: string, store: SunshineStore): Caller {
	const parts = token.split('.');
	if (parts.length !== 3) throw INVALID;
	const header = decodeSegment(parts[0]);
	const payload = decodeSegment(parts[1]);
	if (!header || !payload || header.alg !== 'HS256' || typeof header.kid !== 'string') throw INVALID;
	const key = store.keys.get(header.kid);
	if (!key) throw INVALID;
	const expected = createHmac('sha256', key.secret).update(`${parts[0]}.${parts[1]}`).digest('base64url');
	if (!sameText(expected, parts[2])) throw INVALID;
	if (payload.scope !== 'app') throw INVALID;
	if (typeof payload.exp === 'number' && payload.exp * 1000 < store.clock.now()) throw INVALID;
	return { keyId: key.id, method: 'jwt' };
}

function verifyBasic(encoded: string, store: SunshineStore): Caller {
	const decoded = Buffer.from(encoded, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) throw INVALID;
	const key = store.keys.get(decoded.slice(0, colon));
	if (!key || !sameText(key.secret, decoded.slice(colon + 1))) throw INVALID;
	return { keyId: key.id, method: 'basic' };
}

/** The caller of a request, or a 401 SunshineError. Secrets never appear in the error. */
export function authenticate(headers: IncomingHttpHeaders, store: SunshineStore): Caller {
	const header = headers.authorization;
	if (!header) throw MISSING;
	const [scheme, value] = [header.slice(0, header.indexOf(' ')), header.slice(header.indexOf(' ') + 1).trim()];
	if (/^basic$/i.test(scheme) && value) return verifyBasic(value, store);
	if (/^bearer$/i.test(scheme) && value) return verifyJwt(value, store);
	throw INVALID;
}

/** Signs an app-scoped JWT as the spec describes (for tests and clients of the emulator). */
export function signAppJwt(keyId: string, secret: string, claims: Record<string, unknown> = { scope: 'app' }): string {
	const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: keyId })).toString('base64url');
	const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
	const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
	return `${header}.${payload}.${signature}`;
}
