import type { UsersInfoResponse } from '@slack/web-api';

import { slackUserFacts } from '../../../../../nodes/ProfileLinker/helpers/slackUsers';
import type { ZendeskUser } from '../../../../../nodes/ProfileLinker/helpers/users';
import {
	buildEmailIdentityBody,
	buildUserUpsertBody,
	createOrUpdatePaceLimits,
	decideEmailLink,
	decideMerge,
	isStaff,
	refuseExternalIdHolder,
	toLinkedUser,
	userWithExternalId,
} from '../../../../../nodes/ProfileLinker/helpers/users';
import { parseTagList } from '../../../../../nodes/shared/zendesk/tags';

const endUser = (over: Partial<ZendeskUser> = {}): ZendeskUser => ({
	id: 10,
	name: 'Erin',
	email: 'erin@acme.test',
	external_id: null,
	role: 'end-user',
	...over,
});

describe('Zendesk user decisions', () => {
	it('treats every role but end-user as staff', () => {
		expect(isStaff({ role: 'end-user' })).toBe(false);
		expect(isStaff({ role: 'agent' })).toBe(true);
		expect(isStaff({ role: 'admin' })).toBe(true);
	});

	it('finds the holder of an external id case-insensitively, skipping inactive users', () => {
		const users = [
			endUser({ id: 1, external_id: 'slack:T1:U1', active: false }),
			endUser({ id: 2, external_id: 'SLACK:t1:u1' }),
		];
		expect(userWithExternalId(users, 'slack:T1:U1')?.id).toBe(2);
		expect(userWithExternalId(users, 'slack:T1:U2')).toBeUndefined();
	});

	it('refuses a staff member who carries the external id', () => {
		expect(refuseExternalIdHolder(endUser({ role: 'agent' }))).toMatch(/agent/);
		expect(refuseExternalIdHolder(endUser())).toBeUndefined();
	});

	it('links an end user who has the email, setting our external id only when theirs is empty', () => {
		expect(decideEmailLink('erin@acme.test', [endUser()])).toEqual({
			action: 'link',
			user: endUser(),
			setExternalId: true,
		});
		const withSso = endUser({ external_id: 'sso-42' });
		expect(decideEmailLink('ERIN@acme.test', [withSso])).toEqual({
			action: 'link',
			user: withSso,
			setExternalId: false,
		});
	});

	it('never links an agent or admin by email, and keeps the email off the new profile', () => {
		expect(decideEmailLink('erin@acme.test', [endUser({ role: 'agent' })])).toEqual({
			action: 'create',
			addEmail: false,
			reason: 'emailOwnedByStaff',
		});
		expect(decideEmailLink('erin@acme.test', [endUser({ role: 'admin' })])).toEqual({
			action: 'create',
			addEmail: false,
			reason: 'emailOwnedByStaff',
		});
	});

	it('ignores partial matches from the search answer', () => {
		expect(decideEmailLink('erin@acme.test', [endUser({ email: 'erin@acme.test.example' })])).toEqual({
			action: 'create',
			addEmail: true,
			reason: 'noMatch',
		});
		expect(decideEmailLink(undefined, [endUser()])).toEqual({ action: 'create', addEmail: false, reason: 'noEmail' });
	});

	it('builds a create_or_update body keyed by external id, without email or role', () => {
		const facts = slackUserFacts(
			{
				ok: true,
				user: { id: 'U1', team_id: 'T1', profile: { real_name: 'Erin', email: 'erin@acme.test' } },
			} as UsersInfoResponse,
			{
				userId: 'U1',
				teamId: 'T1',
			},
		);
		const body = buildUserUpsertBody(facts, 'slack:T1:U1', {
			tags: ['Slack', 'slack', 'vip user'],
			userFields: { plan: 'pro' },
			organizationId: 7,
		});
		expect(body).toEqual({
			user: {
				name: 'Erin',
				external_id: 'slack:T1:U1',
				skip_verify_email: true,
				tags: ['slack', 'vip_user'],
				user_fields: { plan: 'pro' },
				organization_id: 7,
			},
		});
		const bare = buildUserUpsertBody(facts, 'slack:T1:U1', { tags: [], userFields: {} }).user as Record<
			string,
			unknown
		>;
		expect(Object.keys(bare).sort()).toEqual(['external_id', 'name', 'skip_verify_email']);
	});

	it("paces create_or_update at Zendesk's limits: one lane per account, a budget per user (external id and email, any case)", () => {
		const [account, user] = createOrUpdatePaceLimits('https://acme.zendesk.com', {
			external_id: 'slack:T1:U1',
			name: 'Erin',
		});
		expect(account).toEqual({
			key: 'https://acme.zendesk.com|POST /users/create_or_update',
			limit: 1,
			windowMs: 1_100,
		});
		expect(user).toMatchObject({ limit: 5, windowMs: 61_000 });
		expect(createOrUpdatePaceLimits('https://acme.zendesk.com', { external_id: 'SLACK:t1:u1' })[1].key).toBe(user.key);
		expect(createOrUpdatePaceLimits('https://acme.zendesk.com', { external_id: 'slack:T1:U2' })[1].key).not.toBe(
			user.key,
		);
		expect(createOrUpdatePaceLimits('https://other.zendesk.com', { external_id: 'slack:T1:U1' })[0].key).not.toBe(
			account.key,
		);
	});

	it('adds email identities verified and without verification email', () => {
		expect(buildEmailIdentityBody('a@b.test')).toEqual({
			identity: { type: 'email', value: 'a@b.test', verified: true, skip_verify_email: true },
		});
	});

	it('parses tag lists', () => {
		expect(parseTagList('slack, partner  vip,,')).toEqual(['slack', 'partner', 'vip']);
		expect(parseTagList(undefined)).toEqual([]);
	});

	it('reports the link without an email it does not know', () => {
		expect(toLinkedUser(endUser({ email: null }), 'slack:T1:U1', 'created')).toEqual({
			id: 10,
			name: 'Erin',
			organizationId: null,
			externalId: 'slack:T1:U1',
			linkedBy: 'created',
		});
	});
});

describe('merge decisions', () => {
	const ext = 'slack:T1:U1';
	const source = endUser({ id: 1, email: null, external_id: ext });
	const target = endUser({ id: 2 });

	it('merges the Slack profile into the target and moves our external id when the target has none', () => {
		expect(decideMerge(source, target, ext)).toEqual({
			action: 'merge',
			sourceId: 1,
			targetId: 2,
			setExternalIdOnTarget: true,
		});
		expect(decideMerge(source, endUser({ id: 2, external_id: 'sso-1' }), ext)).toMatchObject({
			action: 'merge',
			setExternalIdOnTarget: false,
		});
	});

	it('refuses agents and admins on either side', () => {
		expect(decideMerge(source, endUser({ id: 2, role: 'agent' }), ext)).toMatchObject({ action: 'refuse' });
		expect(decideMerge(endUser({ id: 1, role: 'admin' }), target, ext)).toMatchObject({ action: 'refuse' });
		expect(decideMerge(source, undefined, ext)).toMatchObject({ action: 'refuse' });
	});

	it('only sets the external id when no profile was created yet, and does nothing twice', () => {
		expect(decideMerge(undefined, target, ext)).toEqual({
			action: 'linkOnly',
			targetId: 2,
			setExternalIdOnTarget: true,
		});
		expect(decideMerge(undefined, endUser({ id: 2, external_id: ext }), ext)).toEqual({
			action: 'nothing',
			targetId: 2,
		});
		expect(decideMerge(undefined, endUser({ id: 2, external_id: 'sso-1' }), ext)).toMatchObject({ action: 'refuse' });
		expect(decideMerge(source, source, ext)).toEqual({ action: 'nothing', targetId: 1 });
	});
});
