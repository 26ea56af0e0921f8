import {
	auditsAfterStamp,
	auditsCoverStamp,
	heldBeforePrevious,
} from '../../../../../nodes/ZendeskMessagingUpsert/helpers/auditStamps';

describe('audits against the ticket this process holds (another worker wrote since)', () => {
	const audits = [{ created_at: '2024-05-01T10:00:01Z' }, { created_at: '2024-05-01T10:00:05Z' }, {}];

	it('an audit after the held updated_at: the ticket changed, a safe update would be refused', () => {
		expect(auditsAfterStamp(audits, '2024-05-01T10:00:04Z')).toBe(true);
		expect(auditsAfterStamp(audits, '2024-05-01T10:00:05Z')).toBe(false); // same second: undecided
		expect(auditsAfterStamp(audits, '2024-05-01T10:00:06Z')).toBe(false);
		expect(auditsAfterStamp(audits, undefined)).toBe(false);
		expect(auditsAfterStamp([{}], '2024-05-01T10:00:04Z')).toBe(false);
	});

	it('the audits cover the ticket read after them when the newest is not older than its updated_at', () => {
		expect(auditsCoverStamp(audits, '2024-05-01T10:00:05Z')).toBe(true);
		expect(auditsCoverStamp(audits, '2024-05-01T10:00:04Z')).toBe(true);
		expect(auditsCoverStamp(audits, '2024-05-01T10:00:06Z')).toBe(false); // written after the read
		expect(auditsCoverStamp([], '2024-05-01T10:00:04Z')).toBe(false);
		expect(auditsCoverStamp(audits, 'not a date')).toBe(false);
	});
});

describe('heldBeforePrevious', () => {
	it('the previous message, not written here and not among the markers read here, may be newer than the held ticket', () => {
		expect(heldBeforePrevious('k1', new Map(), false)).toBe(true);
		expect(heldBeforePrevious('k1', new Map(), true)).toBe(false);
		expect(heldBeforePrevious('k1', new Map([['k1', 5]]), false)).toBe(false);
		expect(heldBeforePrevious(undefined, new Map(), false)).toBe(false);
		expect(heldBeforePrevious('', new Map(), false)).toBe(false);
	});
});
