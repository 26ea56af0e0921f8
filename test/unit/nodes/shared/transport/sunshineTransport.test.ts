import {
	sunshineAccountKey,
	sunshineErrorCode,
	sunshineErrorMessage,
	sunshineRoute,
} from '../../../../../nodes/shared/transport/sunshineTransport';

describe('sunshineRoute', () => {
	it('groups calls by endpoint: 24-hex ids become {id}', () => {
		expect(sunshineRoute('GET', '/conversations/5e552ef595e5206375bb835d/messages')).toBe(
			'GET /conversations/{id}/messages',
		);
		expect(sunshineRoute('DELETE', '/integrations/5e4af71a81966cfff3ef6550')).toBe('DELETE /integrations/{id}');
		expect(sunshineRoute('GET', '/integrations')).toBe('GET /integrations');
	});
});

describe('sunshineErrorMessage and sunshineErrorCode', () => {
	it("read the API's error format, in an object, a JSON text or bytes", () => {
		const body = { errors: [{ code: 'conversation_not_found', title: 'Conversation not found' }] };
		expect(sunshineErrorMessage(body)).toBe('Conversation not found');
		expect(sunshineErrorMessage(JSON.stringify(body))).toBe('Conversation not found');
		expect(sunshineErrorMessage(Buffer.from(JSON.stringify(body)))).toBe('Conversation not found');
		expect(sunshineErrorCode(body)).toBe('conversation_not_found');
		expect(sunshineErrorMessage({ errors: [{ code: 'locked' }] })).toBe('locked');
	});

	it('name the service when the answer says nothing', () => {
		expect(sunshineErrorMessage({})).toBe('Sunshine Conversations error');
		expect(sunshineErrorMessage(undefined)).toBe('Sunshine Conversations error');
		expect(sunshineErrorMessage('<html>')).toBe('Sunshine Conversations error');
		expect(sunshineErrorCode(undefined)).toBeUndefined();
	});
});

describe('sunshineAccountKey', () => {
	it('keys caches by address, app and a digest of the key id, never the secret', () => {
		const key = sunshineAccountKey({ subdomain: 'acme', appId: 'app1', keyId: 'app_key_1', secret: 's3cret' });
		expect(key).toContain('https://acme.zendesk.com');
		expect(key).toContain('app1');
		expect(key).not.toContain('app_key_1');
		expect(key).not.toContain('s3cret');
		expect(sunshineAccountKey({ subdomain: 'acme', appId: 'app1', keyId: 'app_key_2' })).not.toBe(key);
	});
});
