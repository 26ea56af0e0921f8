/**
 * isPartnerUser: users.info's facts against the trigger's mark. The trigger cannot tell which
 * Enterprise Grid org a sender's team belongs to; users.info can, and wins.
 */
import { isPartnerUser } from '../../../../../nodes/ProfileLinker/helpers/slackUsers';

describe("isPartnerUser with the trigger's external mark", () => {
	const handle = { teamId: 'T1', enterpriseId: 'E1' };

	it('a colleague of the same Grid org (users.info enterprise_user) is internal even when the trigger marked them external', () => {
		expect(
			isPartnerUser({ teamId: 'T2', isStranger: false, enterpriseId: 'E1' }, { ...handle, markedExternal: true }),
		).toBe(false);
	});

	it('a stranger is a partner whatever the org says', () => {
		expect(isPartnerUser({ teamId: 'T2', isStranger: true, enterpriseId: 'E1' }, handle)).toBe(true);
	});

	it("another org, or no org answer, keeps the trigger's mark and the team comparison", () => {
		expect(isPartnerUser({ teamId: 'T2', isStranger: false, enterpriseId: 'E9' }, handle)).toBe(true);
		expect(isPartnerUser({ teamId: 'T1', isStranger: false }, { teamId: 'T1', markedExternal: true })).toBe(true);
		expect(isPartnerUser({ teamId: 'T2', isStranger: false }, { teamId: 'T1' })).toBe(true);
		expect(isPartnerUser({ teamId: 'T1', isStranger: false }, { teamId: 'T1' })).toBe(false);
	});
});
