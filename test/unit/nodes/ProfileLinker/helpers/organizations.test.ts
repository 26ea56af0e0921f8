import {
	buildOrganizationUpsertBody,
	disambiguatedOrganizationName,
	isDuplicateNameError,
	planOrganization,
} from '../../../../../nodes/ProfileLinker/helpers/organizations';

describe('organization policy', () => {
	const policy = { partners: 'perTeam' as const, employees: 'none' as const };

	it('gives partners their team organization and employees none by default', () => {
		expect(planOrganization(true, 'T2', policy)).toEqual({
			kind: 'partnerTeam',
			teamId: 'T2',
			externalId: 'slack-team:T2',
		});
		expect(planOrganization(false, 'T1', policy)).toEqual({ kind: 'none' });
	});

	it('follows the configured policies', () => {
		expect(planOrganization(true, 'T2', { ...policy, partners: 'none' })).toEqual({ kind: 'none' });
		expect(planOrganization(false, 'T1', { ...policy, employees: 'fixed', employeeOrganizationId: 55 })).toEqual({
			kind: 'fixed',
			organizationId: 55,
		});
		expect(planOrganization(false, 'T1', { ...policy, employees: 'fixed', employeeOrganizationId: 0 })).toEqual({
			kind: 'none',
		});
	});

	it('keys partner organizations by the team external id and disambiguates taken names', () => {
		expect(buildOrganizationUpsertBody('T2', 'Partner Co')).toEqual({
			organization: { external_id: 'slack-team:T2', name: 'Partner Co' },
		});
		expect(disambiguatedOrganizationName('Partner Co', 'T2')).toBe('Partner Co (Slack T2)');
		expect(
			isDuplicateNameError(422, {
				error: 'RecordInvalid',
				details: { name: [{ description: 'Name: has already been taken' }] },
			}),
		).toBe(true);
		expect(
			isDuplicateNameError(422, { error: 'RecordInvalid', details: { external_id: [{ description: 'is invalid' }] } }),
		).toBe(false);
		expect(isDuplicateNameError(500, { description: 'name taken' })).toBe(false);
	});
});
