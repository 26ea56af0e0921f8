/**
 * Zendesk's OAuth endpoints: `GET /oauth/authorizations/new` (authorization code) and
 * `POST /oauth/tokens` (grant types authorization_code, refresh_token, client_credentials), with
 * expiring access tokens and rotating refresh tokens, and the Bearer check the API routes use.
 *
 * Sources:
 * - "OAuth Tokens for Grant Types" https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
 *   (code valid for 120 s; refresh returns a new access and refresh token and invalidates both old
 *   ones; `expires_in` / `refresh_token_expires_in` accepted on authorization_code and refresh_token)
 * - "Announcing the required expiration of global OAuth access and refresh tokens"
 *   https://support.zendesk.com/hc/en-us/articles/10212201463962 (TTL: access 30 min default,
 *   5 min to 48 h; refresh 30 days default, 7 to 90 days)
 * - "Using OAuth to authenticate API requests" https://developer.zendesk.com/documentation/api-basics/authentication/api-tokens-to-oauth/
 *   (two flows: authorization code, and client credentials for confidential clients acting as the
 *   client's creator)
 * - "Using OAuth authentication with your application" https://support.zendesk.com/hc/en-us/articles/4408845965210
 *   (Admin Center → Apps and integrations → APIs → OAuth clients; Identifier = client_id, Secret = client_secret)
 */
import { randomBytes } from 'node:crypto';

import type { EmulatorRequest, EmulatorResponse, EmulatorServer } from '../common/server';
import type { EmulatorClock } from './clock';

/** The emulator's one OAuth client (Admin Center: kind confidential, owned by the bridge admin). */
export const EMULATOR_OAUTH_CLIENT = {
	identifier: 'n8n_slack_dm_bridge',
	secret: 'zd-emulator-oauth-client-secret',
} as const;

export const ACCESS_TTL = { defaultSeconds: 30 * 60, minSeconds: 5 * 60, maxSeconds: 48 * 60 * 60 } as const;
export const REFRESH_TTL = {
	defaultSeconds: 30 * 24 * 3600,
	minSeconds: 7 * 24 * 3600,
	maxSeconds: 90 * 24 * 3600,
} as const;
const CODE_TTL_MS = 120_000;

interface Grant {
	userId: number;
	scope: string;
	expiresAt: number;
}

interface IssuedCode extends Grant {
	redirectUri: string;
}

interface IssuedRefresh extends Grant {
	accessToken: string;
	accessTtlSeconds: number;
}

export type BearerCheck = { userId: number; scope: string } | 'expired' | 'unknown';

/** RFC 6749 §5.2 error answer, as Zendesk sends it from /oauth/tokens. */
function oauthError(status: number, error: string, description: string): EmulatorResponse {
	return { status, body: { error, error_description: description } };
}

function str(value: unknown): string {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** `expires_in`-style parameter: absent gives the default; outside Zendesk's bounds is refused. */
export function ttlSeconds(
	value: unknown,
	bounds: { defaultSeconds: number; minSeconds: number; maxSeconds: number },
): number | undefined {
	const raw = str(value);
	if (raw === '') return bounds.defaultSeconds;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < bounds.minSeconds || n > bounds.maxSeconds) return undefined;
	return n;
}

/** ASSUMPTION: redirect URLs registered on the emulator's client are any loopback http(s) URL (n8n's callback port varies per test). */
function acceptableRedirect(uri: string): boolean {
	try {
		const url = new URL(uri);
		return (
			(url.protocol === 'http:' || url.protocol === 'https:') &&
			['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
		);
	} catch {
		return false;
	}
}

export class ZendeskOAuth {
	private readonly codes = new Map<string, IssuedCode>();
	private readonly access = new Map<string, Grant>();
	private readonly refresh = new Map<string, IssuedRefresh>();

	constructor(
		private readonly clock: EmulatorClock,
		/** The admin who created the client and, in the emulator, approves every authorization. */
		private readonly ownerId: () => number,
	) {}

	register(server: EmulatorServer): void {
		server.route('GET', '/oauth/authorizations/new', (req) => this.authorize(req), 'GET /oauth/authorizations/new');
		server.route('POST', '/oauth/tokens', (req) => this.token(req), 'POST /oauth/tokens');
	}

	reset(): void {
		this.codes.clear();
		this.access.clear();
		this.refresh.clear();
	}

	/** Who a Bearer token belongs to; an expired token is told apart (Zendesk answers 401 either way). */
	check(token: string): BearerCheck {
		const grant = this.access.get(token);
		if (!grant) return 'unknown';
		if (grant.expiresAt <= this.clock.now()) return 'expired';
		return { userId: grant.userId, scope: grant.scope };
	}

	/**
	 * ASSUMPTION: the emulator skips Zendesk's sign-in and consent page and approves at once as the
	 * client's owner, redirecting with `code` and `state` as Zendesk does after "Allow".
	 */
	authorize(req: EmulatorRequest): EmulatorResponse {
		const q = req.query;
		const redirectUri = q.get('redirect_uri') ?? '';
		if (q.get('client_id') !== EMULATOR_OAUTH_CLIENT.identifier) return { status: 400, body: 'Invalid client_id' };
		if (!acceptableRedirect(redirectUri)) return { status: 400, body: 'Invalid redirect_uri' };
		const target = new URL(redirectUri);
		if (q.get('response_type') !== 'code') {
			target.searchParams.set('error', 'unsupported_response_type');
		} else {
			const code = randomBytes(16).toString('hex');
			this.codes.set(code, {
				userId: this.ownerId(),
				scope: q.get('scope') || 'read',
				redirectUri,
				expiresAt: this.clock.now() + CODE_TTL_MS,
			});
			target.searchParams.set('code', code);
		}
		const state = q.get('state');
		if (state !== null) target.searchParams.set('state', state);
		return { status: 302, headers: { Location: target.toString() }, body: '' };
	}

	/** Client authentication in the body (client_id/client_secret) or as HTTP Basic (RFC 6749 §2.3.1). */
	private clientOf(req: EmulatorRequest): { id: string; secret: string } {
		const header = String(req.headers.authorization ?? '');
		if (/^basic\s+/i.test(header)) {
			const decoded = Buffer.from(header.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
		}
		return { id: str(req.body.client_id), secret: str(req.body.client_secret) };
	}

	/**
	 * ASSUMPTION: /oauth/tokens takes the RFC 6749 form encoding as well as the JSON Zendesk's
	 * reference shows (n8n's OAuth2 client sends forms; n8n's built-in Zendesk OAuth2 credential works
	 * against Zendesk with it).
	 */
	token(req: EmulatorRequest): EmulatorResponse {
		const client = this.clientOf(req);
		if (client.id !== EMULATOR_OAUTH_CLIENT.identifier || client.secret !== EMULATOR_OAUTH_CLIENT.secret) {
			return oauthError(
				401,
				'invalid_client',
				'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
			);
		}
		const body = req.body;
		const grantType = str(body.grant_type);
		const accessTtl = ttlSeconds(body.expires_in, ACCESS_TTL);
		const refreshTtl = ttlSeconds(body.refresh_token_expires_in, REFRESH_TTL);
		if (accessTtl === undefined || refreshTtl === undefined || accessTtl >= refreshTtl) {
			return oauthError(
				400,
				'invalid_request',
				'expires_in must be between 300 and 172800 seconds and below refresh_token_expires_in',
			);
		}
		if (grantType === 'authorization_code')
			return this.exchangeCode(str(body.code), str(body.redirect_uri), accessTtl, refreshTtl);
		if (grantType === 'refresh_token')
			return this.rotate(str(body.refresh_token), body.expires_in === undefined ? undefined : accessTtl, refreshTtl);
		if (grantType === 'client_credentials') {
			// ASSUMPTION: no refresh token for client credentials (RFC 6749 §4.4.3: "SHOULD NOT be included"); the client asks again.
			return this.issue(
				{ userId: this.ownerId(), scope: str(body.scope) || 'read', expiresAt: 0 },
				accessTtl,
				undefined,
			);
		}
		return oauthError(
			400,
			'unsupported_grant_type',
			'The authorization grant type is not supported by the authorization server.',
		);
	}

	private exchangeCode(code: string, redirectUri: string, accessTtl: number, refreshTtl: number): EmulatorResponse {
		const issued = this.codes.get(code);
		this.codes.delete(code);
		if (!issued || issued.expiresAt <= this.clock.now() || (redirectUri && redirectUri !== issued.redirectUri)) {
			return oauthError(
				400,
				'invalid_grant',
				'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
			);
		}
		return this.issue(issued, accessTtl, refreshTtl);
	}

	/** A refresh returns a new pair and invalidates the old access and refresh tokens. */
	private rotate(refreshToken: string, accessTtl: number | undefined, refreshTtl: number): EmulatorResponse {
		const issued = this.refresh.get(refreshToken);
		if (!issued || issued.expiresAt <= this.clock.now()) {
			if (issued) this.refresh.delete(refreshToken);
			return oauthError(
				400,
				'invalid_grant',
				'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
			);
		}
		this.refresh.delete(refreshToken);
		this.access.delete(issued.accessToken);
		return this.issue(issued, accessTtl ?? issued.accessTtlSeconds, refreshTtl);
	}

	private issue(grant: Grant, accessTtl: number, refreshTtl: number | undefined): EmulatorResponse {
		const now = this.clock.now();
		const accessToken = randomBytes(24).toString('hex');
		this.access.set(accessToken, { userId: grant.userId, scope: grant.scope, expiresAt: now + accessTtl * 1000 });
		const body: Record<string, unknown> = {
			access_token: accessToken,
			token_type: 'bearer',
			scope: grant.scope,
			expires_in: accessTtl,
		};
		if (refreshTtl !== undefined) {
			const refreshToken = randomBytes(24).toString('hex');
			this.refresh.set(refreshToken, {
				userId: grant.userId,
				scope: grant.scope,
				expiresAt: now + refreshTtl * 1000,
				accessToken,
				accessTtlSeconds: accessTtl,
			});
			body.refresh_token = refreshToken;
			body.refresh_token_expires_in = refreshTtl;
		}
		return { status: 200, headers: { 'Cache-Control': 'no-store' }, body };
	}
}
