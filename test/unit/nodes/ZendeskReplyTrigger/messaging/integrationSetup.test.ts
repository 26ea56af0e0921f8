import {
	buildIntegrationCreateBody,
	forgetIntegration,
	isOwnIntegration,
	MAX_DISPLAY_NAME,
	ownWebhookOf,
	rememberIntegration,
	type MessagingStaticData,
} from '../../../../../nodes/ZendeskReplyTrigger/messaging/integrationSetup';

const NAME = 'n8n Slack DM reply [wf1/node-1]';
const TARGET = 'https://n8n.example.com/webhook/abc/zendesk-reply';
const webhook = { id: 'w1', target: TARGET, triggers: ['conversation:message', 'switchboard:releaseControl'] };

describe('buildIntegrationCreateBody', () => {
	it('a custom integration with one webhook at the target, for agent messages and released control', () => {
		expect(buildIntegrationCreateBody(NAME, TARGET)).toEqual({
			type: 'custom',
			displayName: NAME,
			webhooks: [
				{
					target: TARGET,
					triggers: ['conversation:message', 'switchboard:releaseControl'],
					includeFullUser: false,
					includeFullSource: false,
				},
			],
		});
	});

	it('keeps the display name within the API limit', () => {
		expect(buildIntegrationCreateBody('x'.repeat(150), TARGET).displayName).toHaveLength(MAX_DISPLAY_NAME);
	});
});

describe('isOwnIntegration', () => {
	it('needs type custom, the exact name and a webhook at our target', () => {
		expect(isOwnIntegration({ id: 'i', type: 'custom', displayName: NAME, webhooks: [webhook] }, NAME, TARGET)).toBe(
			true,
		);
		expect(
			isOwnIntegration(
				{ id: 'i', type: 'custom', displayName: NAME, webhooks: [{ ...webhook, target: `${TARGET}/` }] },
				NAME,
				TARGET,
			),
		).toBe(true);
		expect(isOwnIntegration({ id: 'i', type: 'web', displayName: NAME, webhooks: [webhook] }, NAME, TARGET)).toBe(
			false,
		);
		expect(
			isOwnIntegration({ id: 'i', type: 'custom', displayName: `${NAME} copy`, webhooks: [webhook] }, NAME, TARGET),
		).toBe(false);
		expect(
			isOwnIntegration(
				{ id: 'i', type: 'custom', displayName: NAME, webhooks: [{ ...webhook, target: 'https://other/x' }] },
				NAME,
				TARGET,
			),
		).toBe(false);
		expect(isOwnIntegration({ id: 'i', type: 'custom', displayName: NAME }, NAME, TARGET)).toBe(false);
	});
});

describe('ownWebhookOf', () => {
	it('the webhook at our target with both triggers', () => {
		expect(ownWebhookOf({ id: 'i', webhooks: [webhook] }, TARGET)).toBe(webhook);
		expect(
			ownWebhookOf({ id: 'i', webhooks: [{ ...webhook, triggers: ['conversation:message'] }] }, TARGET),
		).toBeUndefined();
	});
});

describe('static data', () => {
	it('remembers and forgets only the messaging keys', () => {
		const data: MessagingStaticData & { webhookId?: string } = { webhookId: 'support' };
		rememberIntegration(data, { integrationId: 'i', webhookId: 'w', secret: 's', target: TARGET, name: NAME });
		expect(data).toMatchObject({ sunshineIntegrationId: 'i', sunshineWebhookId: 'w', sunshineSecret: 's' });
		forgetIntegration(data);
		expect(data).toEqual({ webhookId: 'support' });
	});
});
