/**
 * Keeping a conversation's order across executions: Slack's order of events (messageOrder.ts)
 * and the process's messages in flight between the Slack DM Trigger and the Zendesk Messaging
 * Upsert (state/messagesInFlight.ts). Time is a fake clock.
 */
import { eventOrderOf, orderScopeOf, slackTsMicros } from '../../../../../nodes/shared/slack/messageOrder';

describe('Slack order (messageOrder.ts)', () => {
	it('reads a ts exactly, to the microsecond', () => {
		expect(slackTsMicros('1714557601.000100')).toBe(1_714_557_601_000_100);
		// Two messages in the same millisecond still compare.
		expect(slackTsMicros('1714557601.000101')! - slackTsMicros('1714557601.000100')!).toBe(1);
		expect(slackTsMicros('1714557601')).toBe(1_714_557_601_000_000);
		expect(slackTsMicros('1714557601.1')).toBe(1_714_557_601_100_000);
	});

	it('refuses what is not a Slack ts', () => {
		for (const bad of [undefined, '', 'abc', '1714557601.', '1714557601.1234567', '-1.000100', '1e9'])
			expect(slackTsMicros(bad)).toBeUndefined();
	});

	it('orders an edit or deletion by when it happened, a message by its ts', () => {
		expect(eventOrderOf({ message: { ts: '1700000030.000100', text: '', files: [] } })).toBe(1_700_000_030_000_100);
		expect(
			eventOrderOf({ message: { ts: '1700000030.000100', eventTs: '1700000090.000200', text: '', files: [] } }),
		).toBe(1_700_000_090_000_200);
	});

	it('keeps order per Slack channel and workflow (threads of a DM share their channel)', () => {
		const dm = { teamId: 'T1', channel: { id: 'D1', type: 'im' as const, isExtShared: false } };
		expect(orderScopeOf('wf1', dm)).toBe(orderScopeOf('wf1', { ...dm }));
		expect(orderScopeOf('wf1', dm)).not.toBe(orderScopeOf('wf2', dm));
		expect(orderScopeOf('wf1', dm)).not.toBe(orderScopeOf('wf1', { ...dm, channel: { ...dm.channel, id: 'D2' } }));
		expect(orderScopeOf('wf1', dm)).not.toBe(orderScopeOf('wf1', { ...dm, teamId: 'T2' }));
	});
});
