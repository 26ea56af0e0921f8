/**
 * The zendeskMessagingApi credential against the Sunshine emulator: its test request (GET
 * /sc/v2/apps/{appId}) with Basic and with the JWT it signs succeeds; a wrong key is a 401 that the
 * credential test turns into a clear message, an unknown app a 404; the secret appears nowhere.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { appScopedJwt, ZendeskMessagingApi } from '../../credentials/ZendeskMessagingApi.credentials';
import { startSunshineEmulator } from '../../emulators/sunshine';
import type { SunshineEmulator } from '../../emulators/sunshine';

const credential = new ZendeskMessagingApi();
let emu: SunshineEmulator;

/** Evaluates the test request's `={{…}}` values as n8n would for these plain expressions. */
function resolve(value: string, credentials: Record<string, unknown>): string {
	if (!value.startsWith('=')) return value;
	return value
		.slice(1)
		.replace(/\{\{([\s\S]+?)\}\}/g, (_m, expression: string) =>
			String(new Function('$credentials', `return (${expression});`)(credentials)),
		);
}

async function runTest(
	credentials: ICredentialDataDecryptedObject,
): Promise<{ status: number; body: string; sent: IHttpRequestOptions }> {
	const request = credential.test.request;
	const url = `${resolve(String(request.baseURL), credentials)}${resolve(String(request.url), credentials)}`;
	const sent = await credential.authenticate(credentials, { url, method: 'GET', headers: {} });
	const headers: Record<string, string> = { ...((sent.headers ?? {}) as Record<string, string>) };
	if (sent.auth)
		headers.Authorization = `Basic ${Buffer.from(`${sent.auth.username}:${sent.auth.password}`).toString('base64')}`;
	const response = await fetch(url, { method: 'GET', headers });
	return { status: response.status, body: await response.text(), sent };
}

function credentialsFor(overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return {
		subdomain: 'acme',
		appId: emu.fixtures.appId,
		keyId: emu.fixtures.appKey.id,
		secret: emu.fixtures.appKey.secret,
		authMethod: 'basic',
		baseUrl: `${emu.url}/`,
		...overrides,
	};
}

function ruleMessage(status: number): string {
	const rule = (credential.test.rules ?? []).find((r) => r.type === 'responseCode' && r.properties.value === status);
	return rule ? String(rule.properties.message) : '';
}

beforeAll(async () => {
	emu = await startSunshineEmulator();
});

afterAll(async () => {
	await emu.close();
});

describe('zendeskMessagingApi credential', () => {
	it('passes its test request with Basic and with the JWT it signs', async () => {
		const basic = await runTest(credentialsFor());
		expect(basic.status).toBe(200);
		expect(JSON.parse(basic.body).app.id).toBe(emu.fixtures.appId);
		const jwt = await runTest(credentialsFor({ authMethod: 'jwt' }));
		expect(jwt.status).toBe(200);
		const token = String((jwt.sent.headers as Record<string, string>).Authorization).replace(/^Bearer /, '');
		const [header, payload] = token
			.split('.')
			.slice(0, 2)
			.map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));
		expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: emu.fixtures.appKey.id });
		expect(payload).toEqual({ scope: 'app' });
		expect(token).toBe(emu.appJwt());
	});

	it('fails with a clear message on a wrong key, by either method, without the secret anywhere', async () => {
		for (const authMethod of ['basic', 'jwt']) {
			const wrong = await runTest(credentialsFor({ authMethod, secret: 'not-the-secret' }));
			expect(wrong.status).toBe(401);
			expect(wrong.body).not.toContain('not-the-secret');
		}
		expect(ruleMessage(401)).toMatch(/refused the key/);
		expect(ruleMessage(401)).not.toMatch(/secret:/i);
		const otherKey = await runTest(credentialsFor({ keyId: 'app_000000000000000000000000' }));
		expect(otherKey.status).toBe(401);
	});

	it('answers 404 for an unknown app id, which the credential test names', async () => {
		const unknown = await runTest(credentialsFor({ appId: '000000000000000000000000' }));
		expect(unknown.status).toBe(404);
		expect(ruleMessage(404)).toMatch(/no app/);
	});

	it('defaults to https://{subdomain}.zendesk.com/sc without an override', () => {
		expect(resolve(String(credential.test.request.baseURL), { subdomain: 'acme', baseUrl: '' })).toBe(
			'https://acme.zendesk.com/sc',
		);
		expect(appScopedJwt('app_x', 's').split('.')).toHaveLength(3);
	});
});
