import { CATCH_UP_FIELD, catchUpEventId, catchUpMarkOf } from '../../../../../nodes/shared/slack/catchUp';
import type { SlackEventCallback } from '../../../../../nodes/shared/slack/events';

const envelope = (extra: Record<string, unknown> = {}) =>
	({ type: 'event_callback', event_id: 'Ev1', event: { type: 'message' }, ...extra }) as unknown as SlackEventCallback;

describe('catch-up mark', () => {
	it("is absent on Slack's own envelopes", () => {
		expect(catchUpMarkOf(envelope())).toBeUndefined();
		expect(catchUpMarkOf(envelope({ [CATCH_UP_FIELD]: 'yes' }))).toBeUndefined();
		expect(catchUpMarkOf(envelope({ [CATCH_UP_FIELD]: null }))).toBeUndefined();
	});

	it('names the failed execution, or none', () => {
		expect(catchUpMarkOf(envelope({ [CATCH_UP_FIELD]: { executionId: '4711' } }))).toEqual({ executionId: '4711' });
		expect(catchUpMarkOf(envelope({ [CATCH_UP_FIELD]: {} }))).toEqual({ executionId: '' });
		expect(catchUpMarkOf(envelope({ [CATCH_UP_FIELD]: { executionId: 5 } }))).toEqual({ executionId: '' });
	});

	it('gives one message one event id', () => {
		expect(catchUpEventId('D1', '1.2')).toBe('EvCatchUp.D1.1.2');
		expect(catchUpEventId('D1', '1.2')).not.toBe(catchUpEventId('D2', '1.2'));
	});
});
