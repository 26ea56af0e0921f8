import { escapeSlackText } from '../../../../../nodes/shared/slack/mrkdwn';
import { isSolvedEventItem, noticeKindOf, renderNotice } from '../../../../../nodes/SlackDmReply/helpers/reply';

describe('items of the Zendesk Reply Trigger messaging source', () => {
	it('a ticketSolved item without comment is a solved event; an agent reply is not', () => {
		const solved = { event: 'ticketSolved', ticketStatus: 'solved', slack: { channelId: 'D1' } };
		expect(isSolvedEventItem(solved)).toBe(true);
		expect(noticeKindOf(solved)).toBe('ticketSolved');
		expect(isSolvedEventItem({ event: 'agentReply', ticketStatus: 'open', comment: { body: 'x' } })).toBe(false);
		expect(isSolvedEventItem({ ticketStatus: 'solved', comment: { body: 'x' } })).toBe(false);
	});

	it('a notice without a ticket id leaves out "#{ticketId}" rather than showing a bare "#"', () => {
		expect(renderNotice('Your request #{ticketId} has been marked as solved.', {}, escapeSlackText)).toBe(
			'Your request has been marked as solved.',
		);
		expect(renderNotice('Request {ticketId} solved', { ticketId: '42' }, escapeSlackText)).toBe('Request 42 solved');
	});
});
