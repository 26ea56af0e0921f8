import type { IWebhookFunctions } from 'n8n-workflow';

import { selfIdentityForEvent } from '../../../../../nodes/SlackDmTrigger/actions/handleIdentity';
import { lastKnownIdentities, resetSlackTriggerState } from '../../../../../nodes/SlackDmTrigger/triggerState';
import type { SelfIdentity } from '../../../../../nodes/shared/slack/identity';

/** A webhook context whose every Slack call is recorded (and would fail: there is no HTTP here). */
function webhookContext(calls: string[]): IWebhookFunctions {
	const node = {
		id: 'n1',
		name: 'Slack DM Trigger',
		type: 'slackDmTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	return {
		getNode: () => node,
		getCredentials: async () => {
			calls.push('getCredentials');
			return { accessToken: 'xoxb-test', signingSecret: 's' };
		},
		helpers: {
			httpRequestWithAuthentication: async () => {
				calls.push('http');
				throw new Error('no network in unit tests');
			},
		},
		logger: { warn: () => undefined, debug: () => undefined, info: () => undefined, error: () => undefined },
	} as unknown as IWebhookFunctions;
}

describe('Slack DM Trigger identity when the webhook budget is spent (no call plan)', () => {
	beforeEach(() => resetSlackTriggerState());

	it('goes on with the last known identity without calling Slack', async () => {
		const known = { userId: 'U0BOT', teamId: 'T0TEAM' } as SelfIdentity;
		lastKnownIdentities.set('key-1', known);
		const calls: string[] = [];
		await expect(selfIdentityForEvent(webhookContext(calls), 'key-1', undefined)).resolves.toBe(known);
		expect(calls).toEqual([]);
	});

	it('with no identity ever known, fails at once (Slack retries) instead of an unbounded auth.test', async () => {
		const calls: string[] = [];
		await expect(selfIdentityForEvent(webhookContext(calls), 'key-2', undefined)).rejects.toThrow(/No time left/);
		expect(calls).toEqual([]);
	});
});
