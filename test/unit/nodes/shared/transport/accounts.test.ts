import { secretDigest, zendeskAccountKey } from '../../../../../nodes/shared/transport/accounts';

describe('secretDigest', () => {
	it('tells secrets apart without containing them', () => {
		const digest = secretDigest('xoxb-secret-token');
		expect(digest).toMatch(/^[0-9a-f]{16}$/);
		expect(digest).not.toContain('secret');
		expect(secretDigest('xoxb-other-token')).not.toBe(digest);
		expect(secretDigest('xoxb-secret-token')).toBe(digest);
	});

	it('digests a missing secret like an empty one', () => {
		expect(secretDigest(undefined)).toBe(secretDigest(''));
	});
});

describe('zendeskAccountKey', () => {
	const apiToken = { subdomain: 'acme', email: 'bridge@acme.test', apiToken: 'tok-secret-1' };
	it('tells accounts and callers apart, and holds no secret', () => {
		const key = zendeskAccountKey('zendeskDmApi', apiToken);
		expect(key).toBe(zendeskAccountKey('zendeskDmApi', { ...apiToken }));
		expect(key).not.toContain('tok-secret-1');
		expect(key).toContain('https://acme.zendesk.com');
		expect(zendeskAccountKey('zendeskDmApi', { ...apiToken, subdomain: 'other' })).not.toBe(key);
		expect(zendeskAccountKey('zendeskDmApi', { ...apiToken, baseUrl: 'http://127.0.0.1:9' })).not.toBe(key);
		expect(zendeskAccountKey('zendeskDmApi', { ...apiToken, email: 'someone@acme.test' })).not.toBe(key);
		expect(zendeskAccountKey('zendeskDmOAuth2Api', { subdomain: 'acme', clientId: 'a' })).not.toBe(
			zendeskAccountKey('zendeskDmOAuth2Api', { subdomain: 'acme', clientId: 'b' }),
		);
	});
});
