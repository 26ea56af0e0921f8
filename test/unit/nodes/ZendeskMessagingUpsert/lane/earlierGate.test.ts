import {
	EARLIER_WAIT_MS,
	earlierDecision,
	earlierGateOf,
} from '../../../../../nodes/ZendeskMessagingUpsert/lane/earlierGate';

describe('earlierGateOf', () => {
	it("makes a gate of the item's earlier message keys", () => {
		expect(earlierGateOf(['k1', 'k2'], 'acct')).toEqual({ keys: ['k1', 'k2'], account: 'acct', open: false });
	});

	it('no gate without keys, and only strings count', () => {
		expect(earlierGateOf(undefined, 'acct')).toBeUndefined();
		expect(earlierGateOf([], 'acct')).toBeUndefined();
		expect(earlierGateOf('k1', 'acct')).toBeUndefined();
		expect(earlierGateOf([1, '', null], 'acct')).toBeUndefined();
		expect(earlierGateOf([1, 'k1'], 'acct')?.keys).toEqual(['k1']);
	});
});

describe('earlierDecision', () => {
	it('goes when nothing is missing', () => {
		expect(earlierDecision({ missing: 0, sinceMs: 0, nowMs: 0 })).toBe('go');
		expect(earlierDecision({ missing: 0, sinceMs: 0, nowMs: EARLIER_WAIT_MS * 2 })).toBe('go');
	});

	it('waits while missing ones may still come, gives up after the wait', () => {
		expect(earlierDecision({ missing: 1, sinceMs: 1000, nowMs: 1000 })).toBe('wait');
		expect(earlierDecision({ missing: 2, sinceMs: 1000, nowMs: 1000 + EARLIER_WAIT_MS - 1 })).toBe('wait');
		expect(earlierDecision({ missing: 1, sinceMs: 1000, nowMs: 1000 + EARLIER_WAIT_MS })).toBe('giveUp');
	});
});
