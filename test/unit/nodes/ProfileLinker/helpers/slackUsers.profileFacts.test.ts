import type { UsersInfoResponse } from '@slack/web-api';

import { isPartnerUser, slackTeamName, slackUserFacts } from '../../../../../nodes/ProfileLinker/helpers/slackUsers';

describe('Slack profile facts', () => {
	const known = { userId: 'U1', teamId: 'T1' };

	it('takes name, lower-cased email and team from users.info', () => {
		const response = {
			ok: true,
			user: {
				id: 'U1',
				team_id: 'T9',
				real_name: 'Erin E',
				profile: { real_name: 'Erin Example', display_name: 'erin', email: 'Erin@Acme.test' },
			},
		} as UsersInfoResponse;
		expect(slackUserFacts(response, known)).toMatchObject({
			userId: 'U1',
			teamId: 'T9',
			name: 'Erin Example',
			email: 'erin@acme.test',
			described: true,
		});
	});

	it('marks strangers and has no email when Slack hides it', () => {
		const response = {
			ok: true,
			user: { id: 'U1', team_id: 'T2', is_stranger: true, name: 'pat', profile: { display_name: 'Pat' } },
		} as UsersInfoResponse;
		const facts = slackUserFacts(response, known);
		expect(facts.isStranger).toBe(true);
		expect(facts.email).toBeUndefined();
		expect(facts.name).toBe('Pat');
	});

	it('still describes a user Slack refuses, from what the event said', () => {
		const facts = slackUserFacts({ ok: false, error: 'user_not_found' } as UsersInfoResponse, known);
		expect(facts).toMatchObject({
			userId: 'U1',
			teamId: 'T1',
			name: 'Slack user U1',
			described: false,
			slackError: 'user_not_found',
		});
	});

	it('ignores an email that is not an address', () => {
		const response = { ok: true, user: { id: 'U1', profile: { email: 'not an email' } } } as UsersInfoResponse;
		expect(slackUserFacts(response, known).email).toBeUndefined();
	});

	it('names a team from team.info, or falls back to its id', () => {
		expect(slackTeamName({ ok: true, team: { id: 'T2', name: 'Partner Co' } }, 'T2')).toBe('Partner Co');
		expect(slackTeamName({ ok: false, error: 'team_not_found' }, 'T2')).toBe('Slack team T2');
		expect(slackTeamName({ ok: true, team: { id: 'T0OTHER', name: 'Own team' } }, 'T2')).toBe('Slack team T2');
	});

	it('calls partners those from another workspace, strangers and users marked external', () => {
		expect(isPartnerUser({ teamId: 'T1', isStranger: false }, { teamId: 'T1' })).toBe(false);
		expect(isPartnerUser({ teamId: 'T2', isStranger: false }, { teamId: 'T1' })).toBe(true);
		expect(isPartnerUser({ teamId: 'T1', isStranger: true }, { teamId: 'T1' })).toBe(true);
		expect(isPartnerUser({ teamId: 'T1', isStranger: false }, { teamId: 'T1', markedExternal: true })).toBe(true);
		// Another workspace of the same Enterprise Grid org is not a partner.
		expect(
			isPartnerUser({ teamId: 'T2', isStranger: false, enterpriseId: 'E1' }, { teamId: 'T1', enterpriseId: 'E1' }),
		).toBe(false);
	});
});
