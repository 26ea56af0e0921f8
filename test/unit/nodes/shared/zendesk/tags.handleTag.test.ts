/**
 * One "Handles" configuration, entered in both triggers, must name the same handle on the way in
 * (Slack DM Trigger → the Upsert's slack_handle_ tag) and on the way back (the tag → Zendesk Reply
 * Trigger), or the Switch on handle.name sends the agent's reply through the wrong credential.
 */
import { FIXTURE_IDS as F } from '../../../../../emulators/slack/fixtures';
import { HANDLE_TAG_PREFIX, handleSlugOfTag, handleTag } from '../../../../../nodes/shared/zendesk/tags';
import { ticketTags } from '../../../../../nodes/ZendeskMessagingUpsert/helpers/tickets';

describe('the handle tag', () => {
	it("is the prefix and the name's tag slug, read back by handleSlugOfTag", () => {
		expect(handleTag('HR & People')).toBe('slack_handle_hr_people');
		expect(handleTag('!!!')).toBeUndefined();
		expect(handleSlugOfTag('slack_handle_hr_people')).toBe('hr_people');
		expect(handleSlugOfTag(HANDLE_TAG_PREFIX)).toBeUndefined();
		expect(handleSlugOfTag('slack_dm')).toBeUndefined();
	});

	it('is the tag the Upsert writes on new tickets', () => {
		for (const name of ['IT', 'HR & People', 'Customer Onboarding', F.hrHandleUserId]) {
			expect(ticketTags({ handleName: name, isPartner: false, configured: [] })).toContain(handleTag(name));
		}
	});
});
