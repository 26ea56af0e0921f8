import {
	emptyWindow,
	recordRateLimited,
	recordUpdate,
	updateLimitConfig,
	windowRetentionMs,
} from '../../../../../nodes/ZendeskMessagingUpsert/supportTickets/coalesce';

describe('Zendesk update windows retention', () => {
	const limits = updateLimitConfig(30, 600);

	it('keeps a window until its newest update leaves it', () => {
		const state = recordUpdate(recordUpdate(emptyWindow(), limits, 0), limits, 1_000);
		expect(windowRetentionMs(state, limits, 1_000)).toBe(600_000);
		expect(windowRetentionMs(state, limits, 5_000)).toBe(596_000);
	});

	it('keeps a window blocked by a 429 at least until the block ends', () => {
		const state = recordRateLimited(emptyWindow(), limits, 0, 3_600_000);
		expect(windowRetentionMs(state, limits, 0)).toBe(3_600_000);
	});
});
