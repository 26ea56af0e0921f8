import type { TeamInfoResponse, UsersInfoResponse } from '@slack/web-api';
import type { IDataObject } from 'n8n-workflow';

import type { LinkerPorts, LinkOptions, LinkRequest } from '../../../../../nodes/ProfileLinker/helpers/profileLinking';
import {
	LinkerState,
	ProfileLinkError,
	UnknownParticipantTeamError,
	linkSlackUser,
} from '../../../../../nodes/ProfileLinker/helpers/profileLinking';
import type { IdentityAnswer, UserUpsertAnswer, ZendeskUser } from '../../../../../nodes/ProfileLinker/helpers/users';

/** An in-memory Zendesk + Slack behind the ports, recording which call came when. */
class FakeWorld implements LinkerPorts {
	calls: string[] = [];
	users: ZendeskUser[] = [];
	orgs = new Map<string, number>();
	slackUsers = new Map<string, UsersInfoResponse>();
	teams = new Map<string, string>();
	/** userId → secondary email identities (the search matches them too, as Zendesk's does). */
	secondaryEmails = new Map<number, string[]>();
	warnings: string[] = [];
	/** Set: the next POST /users answers Zendesk's 422 "external id taken" (another process won). */
	externalIdRace?: ZendeskUser;
	private nextId = 100;

	async slackUserInfo(userId: string): Promise<UsersInfoResponse> {
		this.calls.push(`users.info ${userId}`);
		return this.slackUsers.get(userId) ?? { ok: false, error: 'user_not_found' };
	}

	async slackTeamInfo(teamId: string): Promise<TeamInfoResponse | undefined> {
		this.calls.push(`team.info ${teamId}`);
		const name = this.teams.get(teamId);
		return name ? { ok: true, team: { id: teamId, name } } : { ok: false, error: 'team_not_found' };
	}

	async findUsersByExternalIds(ids: string[]): Promise<ZendeskUser[]> {
		this.calls.push('show_many');
		await Promise.resolve();
		return this.users.filter((u) => ids.some((id) => id.toLowerCase() === u.external_id?.toLowerCase()));
	}

	async findUsersByEmail(email: string): Promise<ZendeskUser[]> {
		this.calls.push('users/search');
		return this.users.filter((u) => u.email?.includes(email) || (this.secondaryEmails.get(u.id) ?? []).includes(email));
	}

	async userEmails(userId: number): Promise<string[]> {
		this.calls.push(`identities of ${userId}`);
		const user = this.users.find((u) => u.id === userId);
		return [...(user?.email ? [user.email] : []), ...(this.secondaryEmails.get(userId) ?? [])];
	}

	warn(message: string): void {
		this.warnings.push(message);
	}

	private insert(fields: IDataObject): ZendeskUser {
		const user: ZendeskUser = {
			id: this.nextId++,
			name: String(fields.name),
			email: null,
			external_id: String(fields.external_id),
			role: 'end-user',
			organization_id: (fields.organization_id as number | undefined) ?? null,
		};
		this.users.push(user);
		return user;
	}

	private holderIgnoringCase(externalId: unknown): ZendeskUser | undefined {
		return this.users.find((u) => u.external_id?.toLowerCase() === String(externalId).toLowerCase());
	}

	/** POST /users.json: Zendesk keeps external ids unique (ignoring case): 422 when one holds it. */
	async createUser(body: IDataObject): Promise<UserUpsertAnswer> {
		this.calls.push('POST users');
		if (this.externalIdRace) {
			this.users.push(this.externalIdRace);
			this.externalIdRace = undefined;
			return { externalIdTaken: true };
		}
		const fields = body.user as IDataObject;
		await Promise.resolve();
		if (this.holderIgnoringCase(fields.external_id)) return { externalIdTaken: true };
		return { user: this.insert(fields), created: true };
	}

	async createOrUpdateUser(body: IDataObject): Promise<UserUpsertAnswer> {
		this.calls.push('create_or_update');
		const fields = body.user as IDataObject;
		await Promise.resolve();
		const existing = this.holderIgnoringCase(fields.external_id);
		if (existing) return { user: existing, created: false };
		return { user: this.insert(fields), created: true };
	}

	async addIdentity(userId: number, body: IDataObject): Promise<IdentityAnswer> {
		this.calls.push('identities');
		const value = (body.identity as IDataObject).value as string;
		if (
			this.users.some((u) => u.email === value) ||
			[...this.secondaryEmails.values()].some((emails) => emails.includes(value))
		) {
			return { added: false, problem: 'RecordInvalid: Value: ' + value + ' is already being used by another user' };
		}
		this.users.find((u) => u.id === userId)!.email = value;
		return { added: true };
	}

	async setUserExternalId(userId: number, externalId: string): Promise<ZendeskUser> {
		this.calls.push('PUT user');
		const user = this.users.find((u) => u.id === userId)!;
		user.external_id = externalId;
		return user;
	}

	async upsertPartnerOrganization(teamId: string): Promise<number> {
		this.calls.push('organizations/create_or_update');
		if (!this.orgs.has(teamId)) this.orgs.set(teamId, 900 + this.orgs.size);
		return this.orgs.get(teamId)!;
	}
}

const options: LinkOptions = {
	cacheTtlMs: 60_000,
	tags: [],
	userFields: {},
	organizationPolicy: { partners: 'perTeam', employees: 'none' },
};
const request = (over: Partial<LinkRequest> = {}): LinkRequest => ({
	zendeskAccount: 'https://acme.zendesk.com',
	slackAccount: 'https://slack.com/api',
	userId: 'U0EMPLOYEE',
	teamId: 'T0ACME',
	handleTeamId: 'T0ACME',
	...over,
});
const employeeInfo = (email = 'erin@acme.test'): UsersInfoResponse => ({
	ok: true,
	user: { id: 'U0EMPLOYEE', team_id: 'T0ACME', profile: { real_name: 'Erin', email } },
});

describe('linkSlackUser', () => {
	let world: FakeWorld;
	let now: number;
	let state: LinkerState;

	beforeEach(() => {
		world = new FakeWorld();
		now = 0;
		state = new LinkerState(() => now);
	});

	it('links an existing end user by email, sets our external id, and then costs nothing until the cache period ends', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo());
		world.users.push({ id: 7, name: 'Erin Z', email: 'erin@acme.test', external_id: null, role: 'end-user' });
		const first = await linkSlackUser(state, world, request(), options);
		expect(first).toMatchObject({
			id: 7,
			email: 'erin@acme.test',
			externalId: 'slack:T0ACME:U0EMPLOYEE',
			linkedBy: 'email',
		});
		expect(world.calls).toEqual(['users.info U0EMPLOYEE', 'show_many', 'users/search', 'PUT user']);

		world.calls = [];
		const again = await linkSlackUser(state, world, request(), options);
		expect(world.calls).toEqual([]);
		expect(again).toMatchObject({ id: 7, linkedBy: 'externalId' });

		now += 60_000;
		await linkSlackUser(state, world, request(), options);
		expect(world.calls).toEqual(['users.info U0EMPLOYEE', 'show_many']);
	});

	it('does not overwrite an external id another system owns', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo());
		world.users.push({ id: 7, name: 'Erin', email: 'erin@acme.test', external_id: 'sso-1', role: 'end-user' });
		const linked = await linkSlackUser(state, world, request(), options);
		expect(linked).toMatchObject({ id: 7, linkedBy: 'email' });
		expect(world.calls).not.toContain('PUT user');
		expect(world.users[0].external_id).toBe('sso-1');
	});

	it('creates a new internal user keyed by external id, then adds the email', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo('new@acme.test'));
		const linked = await linkSlackUser(state, world, request(), options);
		expect(linked).toMatchObject({ name: 'Erin', email: 'new@acme.test', linkedBy: 'created', organizationId: null });
		expect(world.calls).toEqual(['users.info U0EMPLOYEE', 'show_many', 'users/search', 'POST users', 'identities']);
	});

	it('never links an agent by email: a separate end-user profile without the email', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo());
		world.users.push({ id: 3, name: 'Agent Erin', email: 'erin@acme.test', external_id: null, role: 'agent' });
		const linked = await linkSlackUser(state, world, request(), options);
		expect(linked.id).not.toBe(3);
		expect(linked).toMatchObject({ linkedBy: 'created' });
		expect(linked.email).toBeUndefined();
		expect(world.users.find((u) => u.id === 3)).toMatchObject({ external_id: null, role: 'agent' });
		expect(world.calls).not.toContain('identities');
	});

	it("fails clearly when an agent carries the Slack user's external id", async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo());
		world.users.push({
			id: 3,
			name: 'Agent',
			email: 'x@acme.test',
			external_id: 'slack:T0ACME:U0EMPLOYEE',
			role: 'admin',
		});
		await expect(linkSlackUser(state, world, request(), options)).rejects.toThrow(ProfileLinkError);
		await expect(linkSlackUser(state, world, request(), options)).rejects.toThrow(/admin/);
	});

	it('creates a Slack Connect partner with hidden email in the partner team organization, once per team', async () => {
		world.slackUsers.set('U0PARTNER', {
			ok: true,
			user: { id: 'U0PARTNER', team_id: 'T0PARTNER', is_stranger: true, profile: { real_name: 'Pat' } },
		});
		world.slackUsers.set('U0PARTNER2', {
			ok: true,
			user: { id: 'U0PARTNER2', team_id: 'T0PARTNER', is_stranger: true, profile: { real_name: 'Kim' } },
		});
		world.teams.set('T0PARTNER', 'Partner Co');
		const pat = await linkSlackUser(
			state,
			world,
			request({ userId: 'U0PARTNER', teamId: 'T0PARTNER', markedExternal: true }),
			options,
		);
		expect(pat).toMatchObject({
			name: 'Pat',
			organizationId: 900,
			linkedBy: 'created',
			externalId: 'slack:T0PARTNER:U0PARTNER',
		});
		expect(world.calls).toEqual([
			'users.info U0PARTNER',
			'show_many',
			'team.info T0PARTNER',
			'organizations/create_or_update',
			'POST users',
		]);

		world.calls = [];
		const kim = await linkSlackUser(state, world, request({ userId: 'U0PARTNER2', teamId: 'T0PARTNER' }), options);
		expect(kim.organizationId).toBe(900);
		expect(world.calls).not.toContain('organizations/create_or_update');
	});

	it('builds a profile for a user Slack will not describe', async () => {
		const linked = await linkSlackUser(state, world, request({ userId: 'U0GONE' }), options);
		expect(linked).toMatchObject({ name: 'Slack user U0GONE', externalId: 'slack:T0ACME:U0GONE', linkedBy: 'created' });
		expect(world.calls).not.toContain('users/search');
	});

	it('resolves concurrent first messages once', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo('new@acme.test'));
		const results = await Promise.all([1, 2, 3].map(() => linkSlackUser(state, world, request(), options)));
		expect(new Set(results.map((r) => r.id)).size).toBe(1);
		expect(world.calls.filter((c) => c === 'POST users')).toHaveLength(1);
		expect(world.calls).not.toContain('create_or_update');
		expect(world.users).toHaveLength(1);
	});

	it("learns a participant's team from users.info", async () => {
		world.slackUsers.set('U0PARTNER', {
			ok: true,
			user: { id: 'U0PARTNER', team_id: 'T0PARTNER', is_stranger: true, profile: { real_name: 'Pat' } },
		});
		const linked = await linkSlackUser(state, world, request({ userId: 'U0PARTNER', teamId: undefined }), options);
		expect(linked.externalId).toBe('slack:T0PARTNER:U0PARTNER');
		expect(world.calls.filter((c) => c.startsWith('users.info'))).toHaveLength(1);
	});

	it('never mixes Zendesk accounts in the cache', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo('new@acme.test'));
		await linkSlackUser(state, world, request(), options);
		world.calls = [];
		await linkSlackUser(state, world, request({ zendeskAccount: 'https://other.zendesk.com' }), options);
		expect(world.calls).toContain('show_many');
	});

	it('caches nothing with a cache period of 0', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo('new@acme.test'));
		await linkSlackUser(state, world, request(), { ...options, cacheTtlMs: 0 });
		world.calls = [];
		const again = await linkSlackUser(state, world, request(), { ...options, cacheTtlMs: 0 });
		expect(again.linkedBy).toBe('externalId');
		expect(world.calls).toEqual(['users.info U0EMPLOYEE', 'show_many']);
	});

	it('links an end user who holds the Slack email only as a secondary identity, never creating a second profile', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo('erin.old@acme.test'));
		world.users.push({ id: 7, name: 'Erin Z', email: 'erin@acme.test', external_id: null, role: 'end-user' });
		world.secondaryEmails.set(7, ['erin.old@acme.test']);
		const linked = await linkSlackUser(state, world, request(), options);
		expect(linked).toMatchObject({ id: 7, linkedBy: 'email', externalId: 'slack:T0ACME:U0EMPLOYEE' });
		expect(world.calls).not.toContain('POST users');
		expect(world.users).toHaveLength(1);
	});

	it('does not link a search hit that does not hold the address as any identity', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo('erin@acme.test'));
		world.users.push({ id: 8, name: 'Erina', email: 'erin@acme.test.example', external_id: null, role: 'end-user' });
		const linked = await linkSlackUser(state, world, request(), options);
		expect(linked.linkedBy).toBe('created');
		expect(world.calls).toContain('identities of 8');
	});

	it('says so (warning in the output and the log) when Zendesk refuses the email identity of a new profile', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo('erin@acme.test'));
		const search = world.findUsersByEmail.bind(world);
		world.findUsersByEmail = async (email) => (await search(email)).filter(() => false); // search lags: the owner is not found yet
		world.users.push({ id: 9, name: 'Erin (new)', email: 'erin@acme.test', external_id: null, role: 'end-user' });
		const linked = await linkSlackUser(state, world, request(), options);
		expect(linked.linkedBy).toBe('created');
		expect(linked.warning).toMatch(/refused erin@acme\.test .*already being used/);
		expect(world.warnings).toEqual([linked.warning]);
	});

	it('links the profile another process created when POST /users answers "external id taken", without create_or_update', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo());
		world.externalIdRace = {
			id: 55,
			name: 'Erin',
			email: null,
			external_id: 'slack:T0ACME:U0EMPLOYEE',
			role: 'end-user',
		};
		const linked = await linkSlackUser(state, world, request(), options);
		expect(linked).toMatchObject({ id: 55, linkedBy: 'externalId' });
		expect(world.calls.filter((call) => call === 'show_many')).toHaveLength(2);
		expect(world.calls).not.toContain('create_or_update');
		await expect(linkSlackUser(state, world, request(), options)).resolves.toMatchObject({ id: 55 });
	});

	it('refuses an agent who took the external id in the race, as it refuses one found before creating', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo());
		world.externalIdRace = {
			id: 57,
			name: 'Agent',
			email: 'x@acme.test',
			external_id: 'slack:T0ACME:U0EMPLOYEE',
			role: 'agent',
		};
		await expect(linkSlackUser(state, world, request(), options)).rejects.toThrow(ProfileLinkError);
		expect(world.calls).not.toContain('create_or_update');
		// Nothing was cached: the next attempt looks again and is refused again.
		await expect(linkSlackUser(state, world, request(), options)).rejects.toThrow(/agent/);
	});

	it('falls back to create_or_update when the holder of a taken external id cannot be read back exactly (other case)', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo('new@acme.test'));
		world.users.push({ id: 56, name: 'Erin', email: null, external_id: 'SLACK:t0acme:u0employee', role: 'end-user' });
		world.findUsersByExternalIds = async (ids) => {
			world.calls.push('show_many');
			return world.users.filter((u) => ids.includes(u.external_id ?? '')); // an exact, case-sensitive read
		};
		const linked = await linkSlackUser(state, world, request(), options);
		expect(linked).toMatchObject({ id: 56, linkedBy: 'externalId' });
		expect(world.calls).toEqual([
			'users.info U0EMPLOYEE',
			'show_many',
			'users/search',
			'POST users',
			'show_many',
			'create_or_update',
			'identities',
		]);
		expect(world.users).toHaveLength(1);
	});

	it('refuses a staff user that create_or_update answers with', async () => {
		world.slackUsers.set('U0EMPLOYEE', employeeInfo('new@acme.test'));
		world.users.push({
			id: 57,
			name: 'Agent',
			email: 'agent@acme.test',
			external_id: 'SLACK:t0acme:u0employee',
			role: 'agent',
		});
		world.findUsersByExternalIds = async () => [];
		await expect(linkSlackUser(state, world, request(), options)).rejects.toThrow(
			/agent; agents and admins are never linked/,
		);
	});

	it('never keys a group-DM participant Slack will not describe by the handle team', async () => {
		world.slackUsers.set('U0PARTNER', { ok: false, error: 'user_not_visible' });
		await expect(
			linkSlackUser(state, world, request({ userId: 'U0PARTNER', teamId: undefined }), options),
		).rejects.toBeInstanceOf(UnknownParticipantTeamError);
		expect(world.calls).not.toContain('POST users');
		// the sender, whose team the event gives, still gets a profile from what is known
		const sender = await linkSlackUser(state, world, request({ userId: 'U0PARTNER', teamId: 'T0PARTNER' }), options);
		expect(sender.externalId).toBe('slack:T0PARTNER:U0PARTNER');
	});
});
