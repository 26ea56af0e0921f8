import { PROCESS_TOKEN, announcedElsewhere } from '../../../../../nodes/shared/state/processToken';

describe('announcedElsewhere', () => {
	it("is true only for another process's token", () => {
		expect(announcedElsewhere('other-process')).toBe(true);
		expect(announcedElsewhere(PROCESS_TOKEN)).toBe(false);
		expect(announcedElsewhere('mine', 'mine')).toBe(false);
	});

	it('is false without a token (an item no trigger announced)', () => {
		expect(announcedElsewhere(undefined)).toBe(false);
		expect(announcedElsewhere('')).toBe(false);
		expect(announcedElsewhere(42)).toBe(false);
	});
});
