import {
	existingProfileTarget,
	handleTeamIdOf,
	linkOptionsFrom,
	participantsToLink,
	profileLinkSummary,
	userFieldsFrom,
} from '../../../../../nodes/ProfileLinker/helpers/linkParameters';
import type { SlackDmItem } from '../../../../../nodes/shared/types';

function item(overrides: Partial<SlackDmItem> = {}): SlackDmItem {
	return {
		teamId: 'T1',
		user: { id: 'U1', teamId: 'T1' },
		handle: { name: 'IT', userId: 'UH', teamId: 'T1' },
		channel: { id: 'G1', type: 'mpim', participants: ['U1', 'UH', 'U2', 'U3'] },
		...overrides,
	} as unknown as SlackDmItem;
}

describe('userFieldsFrom', () => {
	it('maps rows to user_fields by trimmed key, empty values as null', () => {
		expect(userFieldsFrom({ field: [{ key: ' plan ', value: 'gold' }, { key: 'source' }] })).toEqual({
			plan: 'gold',
			source: null,
		});
	});

	it('skips rows without a key and answers nothing for no rows', () => {
		expect(userFieldsFrom({ field: [{ key: '  ', value: 'x' }, { value: 'y' }] })).toEqual({});
		expect(userFieldsFrom(undefined)).toEqual({});
	});
});

describe('linkOptionsFrom', () => {
	it('uses an hour of cache, per-team partner organizations and no employee organization by default', () => {
		expect(linkOptionsFrom({})).toEqual({
			cacheTtlMs: 3_600_000,
			tags: [],
			userFields: {},
			organizationPolicy: { partners: 'perTeam', employees: 'none', employeeOrganizationId: undefined },
		});
	});

	it('reads the set options', () => {
		const options = linkOptionsFrom({
			cachePeriod: 5,
			tags: 'slack, partner',
			partnerOrganization: 'none',
			employeeOrganization: 'fixed',
			employeeOrganizationId: 77,
			userFields: { field: [{ key: 'plan', value: 'gold' }] },
		});
		expect(options.cacheTtlMs).toBe(300_000);
		expect(options.tags).toEqual(['slack', 'partner']);
		expect(options.userFields).toEqual({ plan: 'gold' });
		expect(options.organizationPolicy).toEqual({ partners: 'none', employees: 'fixed', employeeOrganizationId: 77 });
	});

	it('turns a negative cache period into no cache', () => {
		expect(linkOptionsFrom({ cachePeriod: -3 }).cacheTtlMs).toBe(0);
	});
});

describe('participantsToLink', () => {
	it('links the other people of the group DM, never the sender or the handle', () => {
		expect(participantsToLink(item(), undefined)).toEqual(['U2', 'U3']);
		expect(participantsToLink(item(), true)).toEqual(['U2', 'U3']);
	});

	it('links nobody when switched off or when the item has no participants', () => {
		expect(participantsToLink(item(), false)).toEqual([]);
		expect(participantsToLink(item({ channel: { id: 'D1', type: 'im' } as SlackDmItem['channel'] }), true)).toEqual([]);
	});
});

describe('handleTeamIdOf', () => {
	it("prefers the handle's team, then the event's, then the sender's", () => {
		expect(
			handleTeamIdOf(
				item({ handle: { name: 'IT', userId: 'UH', teamId: 'TH' } as SlackDmItem['handle'], teamId: 'TE' }),
			),
		).toBe('TH');
		expect(handleTeamIdOf(item({ handle: { name: 'IT', userId: 'UH' } as SlackDmItem['handle'], teamId: 'TE' }))).toBe(
			'TE',
		);
		expect(
			handleTeamIdOf(item({ handle: undefined, teamId: '', user: { id: 'U1', teamId: 'TU' } as SlackDmItem['user'] })),
		).toBe('TU');
	});
});

describe('existingProfileTarget', () => {
	it('trims the ids and reads the target as a number', () => {
		expect(existingProfileTarget(' U1 ', 'T1 ', '42')).toEqual({
			slackUserId: 'U1',
			slackTeamId: 'T1',
			targetUserId: 42,
		});
	});

	it('refuses a missing id or a target that is not a positive number', () => {
		expect(existingProfileTarget('', 'T1', 42)).toBeUndefined();
		expect(existingProfileTarget('U1', '  ', 42)).toBeUndefined();
		expect(existingProfileTarget('U1', 'T1', 0)).toBeUndefined();
		expect(existingProfileTarget('U1', 'T1', 'abc')).toBeUndefined();
	});
});

describe('profileLinkSummary', () => {
	it('names the merged profile for a merge', () => {
		expect(profileLinkSummary({ action: 'merge', sourceId: 5, targetId: 9, setExternalIdOnTarget: true })).toEqual({
			action: 'merge',
			mergedUserId: 5,
			targetUserId: 9,
		});
	});

	it('names no merged profile otherwise', () => {
		expect(profileLinkSummary({ action: 'linkOnly', targetId: 9, setExternalIdOnTarget: true })).toEqual({
			action: 'linkOnly',
			mergedUserId: null,
			targetUserId: 9,
		});
		expect(profileLinkSummary({ action: 'nothing', targetId: 9 }).mergedUserId).toBeNull();
	});
});
