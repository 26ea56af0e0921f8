import { messagingBaseUrl } from '../../../../../nodes/shared/transport/messagingAccount';

describe('messagingBaseUrl', () => {
	it('the subdomain on zendesk.com, or the override without a trailing slash', () => {
		expect(messagingBaseUrl({ subdomain: 'acme' })).toBe('https://acme.zendesk.com');
		expect(messagingBaseUrl({ subdomain: 'acme', baseUrl: 'http://127.0.0.1:4030/' })).toBe('http://127.0.0.1:4030');
		expect(messagingBaseUrl({ subdomain: ' acme ', baseUrl: '  ' })).toBe('https://acme.zendesk.com');
	});
});
