/**
 * Zendesk OAuth2 end to end in n8n-core: the emulator issues expiring access tokens and rotating
 * refresh tokens as Zendesk documents (emulators/zendesk/oauth.ts), and a run that outlives its
 * access token still succeeds: n8n's OAuth2 helper renews the token on the 401 and the package's
 * transport (nodes/shared/transport/http.ts) sends the call again with it.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { ZendeskEmulator } from '../../emulators/zendesk';
import { EMULATOR_OAUTH_CLIENT } from '../../emulators/zendesk/oauth';
import { ProfileLinker } from '../../nodes/ProfileLinker/ProfileLinker.node';
import type { RetryPolicy } from '../../nodes/shared/transport/retryPolicy';
import { NO_AMBIGUOUS_RESEND_POLICY } from '../../nodes/shared/transport/retryPolicy';
import { callZendesk } from '../../nodes/shared/transport/zendeskTransport';
import { slackCredentials, useEmulators } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { fixtureHandle, slackDmItem } from '../harness/items';

const { slack, zendesk } = useEmulators({ slack: {}, zendesk: {}, lifetime: 'test' });

const CALLBACK = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';

/** Between two Zendesk calls of one execution, `between` runs (the test moves the emulator's clock). */
let between: () => void = () => undefined;
/** The probe's second call (a test may give it the no-resend policy of ticket writes). */
let secondPolicy: RetryPolicy | undefined;

const probe: INodeType = {
	description: {
		displayName: 'OAuth Probe',
		name: 'oauthProbe',
		group: ['transform'],
		version: 1,
		description: 'Two Zendesk calls through the package transport',
		defaults: { name: 'OAuth Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'zendeskDmOAuth2Api', required: true }],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const first = await callZendesk<{ user: { id: number } }>(this, 'zendeskDmOAuth2Api', {
			method: 'GET',
			path: '/users/me.json',
		});
		between();
		const second = await callZendesk<{ brands: unknown[] }>(this, 'zendeskDmOAuth2Api', {
			method: 'GET',
			path: '/brands.json',
			policy: secondPolicy,
		});
		return [[{ json: { me: first.body.user.id, brands: second.body.brands.length } }]];
	},
};

async function post(path: string, body: Record<string, string>): Promise<{ status: number; body: IDataObject }> {
	const response = await fetch(`${zendesk.url}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(body).toString(),
	});
	return { status: response.status, body: (await response.json()) as IDataObject };
}

/** What n8n's "Connect my account" does: the authorization redirect, then the code exchange. */
async function connect(extra: Record<string, string> = {}): Promise<IDataObject> {
	const query = new URLSearchParams({
		response_type: 'code',
		client_id: EMULATOR_OAUTH_CLIENT.identifier,
		redirect_uri: CALLBACK,
		scope: 'read write',
		state: 's1',
	});
	const redirect = await fetch(`${zendesk.url}/oauth/authorizations/new?${query.toString()}`, { redirect: 'manual' });
	expect(redirect.status).toBe(302);
	const location = new URL(String(redirect.headers.get('location')));
	expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
	expect(location.searchParams.get('state')).toBe('s1');
	const token = await post('/oauth/tokens', {
		grant_type: 'authorization_code',
		code: String(location.searchParams.get('code')),
		client_id: EMULATOR_OAUTH_CLIENT.identifier,
		client_secret: EMULATOR_OAUTH_CLIENT.secret,
		redirect_uri: CALLBACK,
		...extra,
	});
	expect(token.status).toBe(200);
	return token.body;
}

function oauthCredential(tokenData?: IDataObject, grantType = 'authorizationCode'): ICredentialDataDecryptedObject {
	return {
		subdomain: 'acme',
		baseUrl: zendesk.url,
		grantType,
		clientId: EMULATOR_OAUTH_CLIENT.identifier,
		clientSecret: EMULATOR_OAUTH_CLIENT.secret,
		// n8n resolves the credential's hidden URL expressions; the in-process runner takes them as given.
		accessTokenUrl: `${zendesk.url}/oauth/tokens`,
		authUrl: `${zendesk.url}/oauth/authorizations/new`,
		scope: 'read write',
		authentication: 'body',
		...(tokenData ? { oauthTokenData: tokenData } : {}),
	};
}

const routesCalled = () => zendesk.server.calls.map((call) => `${call.status} ${call.route}`);

beforeEach(() => {
	between = () => undefined;
	secondPolicy = undefined;
});

/** Injects `fault` into the call n8n resends right after refreshing (the one after the second 401 of the route). */
function faultAfterRefresh(route: string, fault: Parameters<ZendeskEmulator['server']['injectFault']>[1]): void {
	let unauthorized = 0;
	zendesk.server.observers.push((call) => {
		if (call.route === route && call.status === 401 && ++unauthorized === 2) zendesk.server.injectFault(route, fault);
	});
}

describe('Zendesk emulator: OAuth as Zendesk documents it', () => {
	it('issues an expiring access token with a refresh token; refreshing rotates both and invalidates the old ones', async () => {
		const token = await connect({ expires_in: '300' });
		expect(token).toMatchObject({
			token_type: 'bearer',
			scope: 'read write',
			expires_in: 300,
			refresh_token_expires_in: 30 * 24 * 3600,
		});
		const me = (access: unknown) =>
			fetch(`${zendesk.url}/api/v2/users/me.json`, { headers: { authorization: `Bearer ${String(access)}` } });
		expect((await me(token.access_token)).status).toBe(200);

		zendesk.clock.advance(301_000);
		expect((await me(token.access_token)).status).toBe(401);

		const refreshed = await post('/oauth/tokens', {
			grant_type: 'refresh_token',
			refresh_token: String(token.refresh_token),
			client_id: EMULATOR_OAUTH_CLIENT.identifier,
			client_secret: EMULATOR_OAUTH_CLIENT.secret,
		});
		expect(refreshed.status).toBe(200);
		expect(refreshed.body.access_token).not.toBe(token.access_token);
		expect(refreshed.body.refresh_token).not.toBe(token.refresh_token);
		expect(refreshed.body.expires_in).toBe(300);
		expect((await me(refreshed.body.access_token)).status).toBe(200);

		const reused = await post('/oauth/tokens', {
			grant_type: 'refresh_token',
			refresh_token: String(token.refresh_token),
			client_id: EMULATOR_OAUTH_CLIENT.identifier,
			client_secret: EMULATOR_OAUTH_CLIENT.secret,
		});
		expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
	});

	it('takes a code once, within 120 seconds, from the right client, and keeps expires_in within 5 minutes and 48 hours', async () => {
		const query = new URLSearchParams({
			response_type: 'code',
			client_id: EMULATOR_OAUTH_CLIENT.identifier,
			redirect_uri: CALLBACK,
			scope: 'read',
		});
		const codeOf = async () =>
			new URL(
				String(
					(
						await fetch(`${zendesk.url}/oauth/authorizations/new?${query.toString()}`, { redirect: 'manual' })
					).headers.get('location'),
				),
			).searchParams.get('code') ?? '';
		const exchange = (code: string, extra: Record<string, string> = {}) =>
			post('/oauth/tokens', {
				grant_type: 'authorization_code',
				code,
				client_id: EMULATOR_OAUTH_CLIENT.identifier,
				client_secret: EMULATOR_OAUTH_CLIENT.secret,
				redirect_uri: CALLBACK,
				...extra,
			});

		const code = await codeOf();
		expect((await exchange(code)).status).toBe(200);
		expect((await exchange(code)).body.error).toBe('invalid_grant');

		const late = await codeOf();
		zendesk.clock.advance(121_000);
		expect((await exchange(late)).body.error).toBe('invalid_grant');

		expect((await exchange(await codeOf(), { expires_in: '299' })).body.error).toBe('invalid_request');
		expect((await exchange(await codeOf(), { expires_in: '172801' })).body.error).toBe('invalid_request');
		expect((await exchange(await codeOf(), { client_secret: 'wrong' })).status).toBe(401);
		expect(
			(
				await post('/oauth/tokens', {
					grant_type: 'password',
					client_id: EMULATOR_OAUTH_CLIENT.identifier,
					client_secret: EMULATOR_OAUTH_CLIENT.secret,
				})
			).body.error,
		).toBe('unsupported_grant_type');
	});
});

describe('n8n renews an expired Zendesk access token during a run', () => {
	it('a run that outlives its access token succeeds, and the renewed tokens are stored for the next run', async () => {
		const token = await connect({ expires_in: '300' });
		const credentials = {
			zendeskDmOAuth2Api: oauthCredential({
				access_token: token.access_token,
				refresh_token: token.refresh_token,
				token_type: 'bearer',
				expires_in: 300,
			}),
		};
		between = () => zendesk.clock.advance(301_000);
		zendesk.server.resetCalls();

		const { outputs } = await executeNode(probe, { credentials, items: [{ json: {} }] });

		expect(outputs[0][0].json).toEqual({ me: zendesk.fixtures.bridge.id, brands: 2 });
		expect(routesCalled()).toEqual([
			'200 GET /api/v2/users/me.json',
			'401 GET /api/v2/brands.json',
			'401 GET /api/v2/brands.json',
			'200 POST /oauth/tokens',
			'200 GET /api/v2/brands.json',
		]);
		const stored = credentials.zendeskDmOAuth2Api.oauthTokenData as IDataObject;
		expect(stored.access_token).not.toBe(token.access_token);
		expect(stored.refresh_token).not.toBe(token.refresh_token);

		// The next execution starts with the renewed token: no refresh needed.
		zendesk.server.resetCalls();
		between = () => undefined;
		await executeNode(probe, { credentials, items: [{ json: {} }] });
		expect(routesCalled()).toEqual(['200 GET /api/v2/users/me.json', '200 GET /api/v2/brands.json']);
	});

	it('Profile Linker keeps working across the expiry of its OAuth2 access token', async () => {
		const token = await connect({ expires_in: '300' });
		const credentials = {
			slackDmApi: slackCredentials(slack),
			zendeskDmOAuth2Api: oauthCredential({
				access_token: token.access_token,
				refresh_token: token.refresh_token,
				token_type: 'bearer',
				expires_in: 300,
			}),
		};
		const f = slack.fixtures;
		const item = (userId: string) => ({
			json: slackDmItem({
				...fixtureHandle(f),
				eventId: `Ev-${userId}`,
				userId,
				userTeamId: f.teamId,
				channelId: `D-${userId}`,
				channelType: 'im',
				ts: '1700000000.000100',
				text: 'Hi',
				receivedAt: 0,
			}) as unknown as IDataObject,
		});
		await executeNode(new ProfileLinker(), {
			parameters: { authentication: 'oAuth2' },
			credentials,
			items: [item(f.employee2Id)],
		});
		zendesk.clock.advance(24 * 3600_000);
		const { outputs } = await executeNode(new ProfileLinker(), {
			parameters: { authentication: 'oAuth2' },
			credentials,
			items: [item(f.employeeId)],
		});
		expect(outputs[0][0].json.error).toBeUndefined();
		expect((outputs[0][0].json.zendeskUser as IDataObject | undefined)?.id).toEqual(expect.any(Number));
		expect(routesCalled()).toContain('200 POST /oauth/tokens');
	});

	it('an expired refresh token fails the run with a reconnect message and no secret in it', async () => {
		const token = await connect({ expires_in: '300', refresh_token_expires_in: String(7 * 24 * 3600) });
		const credentials = {
			zendeskDmOAuth2Api: oauthCredential({
				access_token: token.access_token,
				refresh_token: token.refresh_token,
				token_type: 'bearer',
			}),
		};
		zendesk.clock.advance(8 * 24 * 3600_000);

		const failure = executeNode(probe, { credentials, items: [{ json: {} }] });
		await expect(failure).rejects.toThrow(/could not be renewed|reconnect/i);
		const message = await failure.catch((error: Error) => `${error.message} ${JSON.stringify(error)}`);
		expect(message).not.toContain(String(token.refresh_token));
		expect(message).not.toContain(EMULATOR_OAUTH_CLIENT.secret);
	});

	it('client credentials: n8n asks for a token itself and again once it expired', async () => {
		const credentials = { zendeskDmOAuth2Api: oauthCredential(undefined, 'clientCredentials') };
		between = () => zendesk.clock.advance(31 * 60_000);

		const { outputs } = await executeNode(probe, { credentials, items: [{ json: {} }] });

		expect(outputs[0][0].json).toEqual({ me: zendesk.fixtures.bridge.id, brands: 2 });
		expect(routesCalled().filter((route) => route.endsWith('POST /oauth/tokens'))).toEqual([
			'200 POST /oauth/tokens',
			'200 POST /oauth/tokens',
		]);
		const grants = zendesk.server.calls
			.filter((call) => call.route === 'POST /oauth/tokens')
			.map((call) => call.request.body.grant_type);
		expect(grants).toEqual(['client_credentials', 'client_credentials']);
	});

	it("a 4xx answer to the resend after the refresh is sent once more with the new token, so the caller gets Zendesk's whole answer", async () => {
		const token = await connect({ expires_in: '300' });
		const credentials = {
			zendeskDmOAuth2Api: oauthCredential({
				access_token: token.access_token,
				refresh_token: token.refresh_token,
				token_type: 'bearer',
			}),
		};
		between = () => zendesk.clock.advance(301_000);
		faultAfterRefresh('GET /api/v2/brands.json', {
			kind: 'status',
			status: 404,
			body: { error: 'RecordNotFound', description: 'Not found' },
		});
		zendesk.server.resetCalls();

		const { outputs } = await executeNode(probe, { credentials, items: [{ json: {} }] });

		expect(outputs[0][0].json).toEqual({ me: zendesk.fixtures.bridge.id, brands: 2 });
		expect(routesCalled()).toEqual([
			'200 GET /api/v2/users/me.json',
			'401 GET /api/v2/brands.json',
			'401 GET /api/v2/brands.json',
			'200 POST /oauth/tokens',
			'404 GET /api/v2/brands.json',
			'200 GET /api/v2/brands.json',
		]);
	});

	it('a 5xx answer to the resend after the refresh goes to the retry policy: a write that must not be resent is not', async () => {
		const token = await connect({ expires_in: '300' });
		const credentials = {
			zendeskDmOAuth2Api: oauthCredential({
				access_token: token.access_token,
				refresh_token: token.refresh_token,
				token_type: 'bearer',
			}),
		};
		between = () => zendesk.clock.advance(301_000);
		secondPolicy = NO_AMBIGUOUS_RESEND_POLICY;
		faultAfterRefresh('GET /api/v2/brands.json', { kind: 'status', status: 502 });
		zendesk.server.resetCalls();

		await expect(executeNode(probe, { credentials, items: [{ json: {} }] })).rejects.toThrow(/HTTP 502/);
		expect(routesCalled().filter((route) => route.endsWith('brands.json'))).toEqual([
			'401 GET /api/v2/brands.json',
			'401 GET /api/v2/brands.json',
			'502 GET /api/v2/brands.json',
		]);
	});
});
