/**
 * The Zendesk Reply Trigger names the handle a reply belongs to (from the ticket's
 * slack_handle_<slug> tag), so the outbound workflow can route each reply to the Slack DM Reply
 * with that handle's credential: a user token only sees its own conversations.
 */
import { buildReplyItem, replyHandleOf } from '../../../../../nodes/shared/zendesk/replyEvents';
import type {
	ZendeskCommentJson,
	ZendeskTicketJson,
	ZendeskUserJson,
} from '../../../../../nodes/shared/zendesk/replyEvents';
import { ticketExternalId } from '../../../../../nodes/shared/externalIds';
import { ticketTags } from '../../../../../nodes/ZendeskMessagingUpsert/helpers/tickets';

const handles = [
	{ name: 'IT', userId: 'U0ITHANDLE' },
	{ name: 'HR & People', userId: 'U0HRHANDLE' },
];

describe('replyHandleOf', () => {
	it('recovers the configured handle (name as written, user id) from the tag the Upsert writes', () => {
		for (const handle of handles) {
			const tags = ticketTags({ handleName: handle.name, isPartner: false, configured: ['vip'] });
			expect(replyHandleOf(tags, handles)).toEqual({
				name: handle.name,
				userId: handle.userId,
				slug: expect.any(String),
			});
		}
	});

	it('without a listed handle: the slug from the tag, no user id', () => {
		expect(replyHandleOf(['slack_dm', 'slack_handle_onboarding'], handles)).toEqual({
			name: 'onboarding',
			slug: 'onboarding',
		});
		expect(replyHandleOf(['slack_dm', 'slack_handle_it'])).toEqual({ name: 'it', slug: 'it' });
	});

	it('prefers a tag naming a listed handle; none without a handle tag', () => {
		expect(replyHandleOf(['slack_handle_old', 'slack_handle_it'], handles)).toMatchObject({
			name: 'IT',
			userId: 'U0ITHANDLE',
		});
		expect(replyHandleOf(['slack_dm', 'slack_handle_'], handles)).toBeUndefined();
		expect(replyHandleOf(undefined, handles)).toBeUndefined();
	});
});

describe('buildReplyItem carries the handle', () => {
	const ticket: ZendeskTicketJson = {
		id: 7,
		status: 'open',
		external_id: ticketExternalId({ teamId: 'T1', channelId: 'D0HRDM' }),
		requester_id: 100,
		tags: ['slack_dm', 'slack_handle_hr_people'],
	};
	const comment: ZendeskCommentJson = { id: 70, author_id: 200, body: 'Your payslip is attached', public: true };
	const author: ZendeskUserJson = { id: 200, name: 'Agent', role: 'agent' };

	it('in the output item, for a Switch on handle.name before the Slack DM Reply', () => {
		const item = buildReplyItem({ ticket, comment, author, handles });
		expect(item?.handle).toEqual({ name: 'HR & People', slug: 'hr_people', userId: 'U0HRHANDLE' });
		expect(item?.slack.channelId).toBe('D0HRDM');
	});

	it('no handle field for tickets without a handle tag', () => {
		expect(buildReplyItem({ ticket: { ...ticket, tags: ['slack_dm'] }, comment, author, handles })).not.toHaveProperty(
			'handle',
		);
	});
});
