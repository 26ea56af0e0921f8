/** A requester or comment author Zendesk refuses (deleted, merged, suspended): recognised and explained. */
import { userRefusalMessage, userRefusalOf } from '../../../../../nodes/ZendeskMessagingUpsert/helpers/tickets';

const recordInvalid = (details: Record<string, unknown>) => ({
	error: 'RecordInvalid',
	description: 'Record validation errors',
	details,
});

describe('userRefusalOf', () => {
	it('recognises a refused requester (deleted or merged: "is invalid"; suspended)', () => {
		expect(
			userRefusalOf(
				422,
				recordInvalid({ requester: [{ description: 'Requester: is invalid', error: 'InvalidValue' }] }),
			),
		).toEqual({
			role: 'requester',
			description: 'Requester: is invalid',
		});
		expect(
			userRefusalOf(422, recordInvalid({ requester: [{ description: 'Requester: Erin is suspended.' }] }))?.description,
		).toBe('Requester: Erin is suspended.');
	});

	it('recognises a refused comment author, and not other comment problems', () => {
		expect(userRefusalOf(422, recordInvalid({ comment: [{ description: 'Comment: author is invalid' }] }))).toEqual({
			role: 'author',
			description: 'Comment: author is invalid',
		});
		expect(userRefusalOf(422, recordInvalid({ author_id: [{ description: 'Author: is invalid' }] }))?.role).toBe(
			'author',
		);
		expect(
			userRefusalOf(422, recordInvalid({ comment: [{ description: 'Comment: cannot be blank' }] })),
		).toBeUndefined();
	});

	it('ignores other statuses and other validation errors', () => {
		const body = recordInvalid({ requester: [{ description: 'Requester: is invalid' }] });
		expect(userRefusalOf(400, body)).toBeUndefined();
		expect(userRefusalOf(404, body)).toBeUndefined();
		expect(
			userRefusalOf(422, recordInvalid({ status: [{ description: 'closed prevents ticket update' }] })),
		).toBeUndefined();
		expect(userRefusalOf(422, 'plain text')).toBeUndefined();
		expect(userRefusalOf(422, undefined)).toBeUndefined();
	});
});

describe('userRefusalMessage', () => {
	it('names the Slack and Zendesk users, quotes Zendesk and says how to recover', () => {
		const message = userRefusalMessage({
			role: 'requester',
			description: 'Requester: is invalid',
			zendeskUserId: 500,
			slackUserId: 'U0ERIN',
			slackTeamId: 'T0ACME',
		});
		expect(message).toContain('Zendesk user 500 as requester for Slack user U0ERIN (team T0ACME)');
		expect(message).toContain('"Requester: is invalid"');
		expect(message).toMatch(/deleted, merged/);
		expect(message).toMatch(/Re-run this item once the Profile Linker links the Slack user again/);
	});

	it('says comment author for author refusals and stays readable without ids', () => {
		const message = userRefusalMessage({ role: 'author', description: 'Comment: author is invalid' });
		expect(message).toContain('its Zendesk user as comment author for the Slack user');
	});
});
