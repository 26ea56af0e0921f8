import { QUEUED_NOTICE_QUIET_MS, queuedNoticeDecision } from '../../../../../nodes/SlackDmReply/helpers/queuedNotice';

const NOW = 1_000_000;
const parked = (attempt: number, reason = 'HTTP 503') => ({ retry: { attempt, reason } });

describe('the queued notice', () => {
	it('is sent for an item parked for the first time in a conversation not told yet', () => {
		expect(queuedNoticeDecision(parked(1), undefined, NOW)).toEqual({ send: true });
	});

	it('is not sent for later attempts, messages parked behind another, or items that did not park', () => {
		expect(queuedNoticeDecision(parked(2), undefined, NOW)).toEqual({ send: false, reason: 'notFirstAttempt' });
		expect(queuedNoticeDecision(parked(1, 'waiting behind an earlier message (k)'), undefined, NOW)).toEqual({
			send: false,
			reason: 'notFirstAttempt',
		});
		expect(queuedNoticeDecision({}, undefined, NOW)).toEqual({ send: false, reason: 'notParked' });
	});

	it('is sent once per conversation per outage', () => {
		expect(queuedNoticeDecision(parked(1), NOW - 1000, NOW)).toEqual({ send: false, reason: 'alreadyTold' });
		expect(queuedNoticeDecision(parked(1), NOW - QUEUED_NOTICE_QUIET_MS, NOW)).toEqual({ send: true });
	});
});
