import { sunshineErrorMessage, sunshineRoute } from '../../../../../nodes/ZendeskReplyTrigger/messaging/sunshineApi';

describe('sunshineRoute', () => {
	it('groups calls by endpoint: 24-hex ids become {id}', () => {
		expect(sunshineRoute('GET', '/conversations/5e552ef595e5206375bb835d/messages')).toBe(
			'GET /sc/v2/apps/{appId}/conversations/{id}/messages',
		);
		expect(sunshineRoute('DELETE', '/integrations/5e4af71a81966cfff3ef6550')).toBe(
			'DELETE /sc/v2/apps/{appId}/integrations/{id}',
		);
		expect(sunshineRoute('GET', '/integrations')).toBe('GET /sc/v2/apps/{appId}/integrations');
	});
});

describe('sunshineErrorMessage', () => {
	it("reads the API's error format", () => {
		expect(
			sunshineErrorMessage({ errors: [{ code: 'conversation_not_found', title: 'Conversation not found' }] }),
		).toBe('conversation_not_found: Conversation not found');
		expect(sunshineErrorMessage({})).toBe('Zendesk messaging error');
		expect(sunshineErrorMessage(undefined)).toBe('Zendesk messaging error');
	});
});
