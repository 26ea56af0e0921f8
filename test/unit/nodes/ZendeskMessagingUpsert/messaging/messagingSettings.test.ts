/** The Zendesk Messaging mode's options read into settings. */
import { messagingSettingsOf } from '../../../../../nodes/ZendeskMessagingUpsert/messaging/messagingSettings';

describe('messagingSettingsOf', () => {
	it('defaults: check every 60 s, post edits; reads the options', () => {
		expect(messagingSettingsOf({})).toEqual({ controlCheckMs: 60_000, editsAndDeletions: 'post' });
		expect(messagingSettingsOf({ controlCheckSeconds: 0, editsAndDeletions: 'skip' })).toEqual({
			controlCheckMs: 0,
			editsAndDeletions: 'skip',
		});
		expect(messagingSettingsOf({ controlCheckSeconds: -1 }).controlCheckMs).toBe(60_000);
	});
});
