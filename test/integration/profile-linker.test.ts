/**
 * Profile Linker against the Slack and Zendesk emulators, through real n8n-core contexts.
 * Each test gets fresh emulators (fresh ports, so the node's process-wide caches never carry
 * a link from one test into another).
 */
import type { IDataObject, INodeExecutionData, INodeType } from 'n8n-workflow';

import { ProfileLinker } from '../../nodes/ProfileLinker/ProfileLinker.node';
import { PROCESS_TOKEN } from '../../nodes/shared/state/processToken';
import type { LinkedZendeskUser, SlackDmItem } from '../../nodes/shared/types';
import { nodeCredentials, useEmulators } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { fixtureHandle, slackDmItem } from '../harness/items';
import { callSpecProblems } from '../harness/slackSpec';
import type { ZendeskSpecValidator } from '../harness/zendeskSpec';
import { attachZendeskSpecValidator, expectNoSpecViolations } from '../harness/zendeskSpec';

const { slack, zendesk } = useEmulators({ slack: {}, zendesk: {}, lifetime: 'test' });
let zendeskSpec: ZendeskSpecValidator;
let slackSpecProblems: string[];

beforeEach(() => {
	// Every request the node sends, and every answer, is checked against the vendors' specs.
	zendeskSpec = attachZendeskSpecValidator(zendesk);
	slackSpecProblems = [];
	slack.server.observers.push((call) => slackSpecProblems.push(...callSpecProblems(call)));
});

afterEach(() => {
	zendeskSpec.detach();
	expect(zendeskSpec.checked).toBeGreaterThan(0);
	expectNoSpecViolations(zendeskSpec);
	expect(slackSpecProblems).toEqual([]);
});

const credentials = () => nodeCredentials(slack, zendesk);

function dmItem(
	userId: string,
	teamId: string,
	over: { isExternal?: boolean; participants?: string[] } = {},
): INodeExecutionData {
	const f = slack.fixtures;
	const item = slackDmItem({
		...fixtureHandle(f),
		eventId: `Ev-${userId}`,
		userId,
		userTeamId: teamId,
		isExternal: over.isExternal,
		channelId: `D-${userId}`,
		channelType: over.participants ? 'mpim' : 'im',
		participants: over.participants,
		isExtShared: teamId !== f.teamId,
		ts: '1700000000.000100',
		text: 'Hello',
		receivedAt: 0,
	});
	return { json: item as unknown as IDataObject };
}

async function run(
	items: INodeExecutionData[],
	parameters: IDataObject = {},
	nodeType: INodeType = new ProfileLinker(),
	continueOnFail = false,
) {
	const { outputs } = await executeNode(nodeType, {
		parameters: parameters as never,
		credentials: credentials(),
		items,
		continueOnFail,
	});
	return outputs[0];
}

const linked = (item: INodeExecutionData) => item.json.zendeskUser as unknown as LinkedZendeskUser;
const zendeskCalls = (route?: string) => zendesk.server.callsTo(route).filter((c) => c.path.startsWith('/api/v2'));
const slackCalls = (method?: string) => slack.server.callsTo(method).filter((c) => c.path.startsWith('/api/'));

describe('Profile Linker: Link Slack User', () => {
	it('links an employee to the existing Zendesk end user with the same email, then costs no call in steady state', async () => {
		const f = slack.fixtures;
		const [out] = await run([dmItem(f.employeeId, f.teamId)]);
		expect(linked(out)).toEqual({
			id: zendesk.fixtures.erin.id,
			name: zendesk.fixtures.erin.name,
			email: f.employeeEmail,
			organizationId: zendesk.fixtures.organization.id,
			externalId: `slack:${f.teamId}:${f.employeeId}`,
			linkedBy: 'email',
		});
		expect(out.json.message).toMatchObject({ text: 'Hello' });
		expect(zendesk.store.users.get(zendesk.fixtures.erin.id)?.external_id).toBe(`slack:${f.teamId}:${f.employeeId}`);
		// First-contact budget: one Slack call, three Zendesk calls, no user created.
		expect(slackCalls().map((c) => c.route)).toEqual(['users.info']);
		expect(zendeskCalls().map((c) => c.route)).toEqual([
			'GET /api/v2/users/show_many.json',
			'GET /api/v2/users/search.json',
			'PUT /api/v2/users/:id.json',
		]);

		slack.server.resetCalls();
		zendesk.server.resetCalls();
		const [again] = await run([dmItem(f.employeeId, f.teamId)]);
		expect(linked(again).id).toBe(zendesk.fixtures.erin.id);
		expect(slackCalls()).toHaveLength(0);
		expect(zendeskCalls()).toHaveLength(0);
	});

	it('links the end user who holds the Slack email as a secondary identity instead of creating a second profile', async () => {
		const f = slack.fixtures;
		const existing = zendesk.store.insertUser({
			name: 'Sam (old address)',
			email: 'sam.old@acme.test',
			external_id: null,
		});
		zendesk.store.addIdentity(existing.id, 'email', f.employee2Email, true);
		zendesk.store.reindex('user', existing.id, true); // searchable, as the agent workspace would make it
		const [out] = await run([dmItem(f.employee2Id, f.teamId)]);
		expect(linked(out)).toMatchObject({
			id: existing.id,
			linkedBy: 'email',
			externalId: `slack:${f.teamId}:${f.employee2Id}`,
		});
		expect(zendeskCalls('POST /api/v2/users.json')).toHaveLength(0);
		expect(zendeskCalls('POST /api/v2/users/create_or_update.json')).toHaveLength(0);
		expect(zendeskCalls('GET /api/v2/users/:id/identities.json')).toHaveLength(1);
		expect(
			[...zendesk.store.users.values()].filter((user) => user.external_id === `slack:${f.teamId}:${f.employee2Id}`),
		).toHaveLength(1);
	});

	it('creates a new internal user as a verified end user keyed by external id, with tags, fields and the employee organization', async () => {
		const f = slack.fixtures;
		const org = zendesk.fixtures.organization.id;
		const [out] = await run([dmItem(f.employee2Id, f.teamId)], {
			options: {
				tags: 'slack, Internal',
				userFields: { field: [{ key: 'department', value: 'engineering' }] },
				employeeOrganization: 'fixed',
				employeeOrganizationId: org,
			},
		});
		const user = linked(out);
		expect(user).toMatchObject({
			name: 'Sam Sample',
			email: f.employee2Email,
			organizationId: org,
			linkedBy: 'created',
		});
		const stored = zendesk.store.users.get(user.id)!;
		expect(stored).toMatchObject({
			role: 'end-user',
			external_id: `slack:${f.teamId}:${f.employee2Id}`,
			email: f.employee2Email,
			tags: ['slack', 'internal'],
			organization_id: org,
		});
		expect(stored.user_fields).toMatchObject({ department: 'engineering' });
		const identity = zendesk.store.identitiesOf(user.id).find((i) => i.type === 'email');
		expect(identity).toMatchObject({ value: f.employee2Email, verified: true });
		// The create call never carries the email (an email match could update somebody else).
		const create = zendeskCalls('POST /api/v2/users.json');
		expect(create).toHaveLength(1);
		expect((create[0].request.body.user as IDataObject).email).toBeUndefined();
		expect((create[0].request.body.user as IDataObject).skip_verify_email).toBe(true);
		// First-contact budget of a new employee: 1 Slack call, 4 Zendesk calls.
		expect(slackCalls().map((c) => c.route)).toEqual(['users.info']);
		expect(zendeskCalls().map((c) => c.route)).toEqual([
			'GET /api/v2/users/show_many.json',
			'GET /api/v2/users/search.json',
			'POST /api/v2/users.json',
			'POST /api/v2/users/:id/identities.json',
		]);
	});

	it('creates a Slack Connect partner with hidden email, and one organization per partner team', async () => {
		const f = slack.fixtures;
		slack.addUser({
			id: 'U0PARTNER2',
			teamId: f.partnerTeamId,
			name: 'kim',
			realName: 'Kim Partner',
			email: 'kim@partner.test',
			emailHidden: true,
			isStranger: true,
		});
		const [pat] = await run([dmItem(f.partnerUserId, f.partnerTeamId)]);
		const patUser = linked(pat);
		expect(patUser).toMatchObject({
			name: 'Pat Partner',
			linkedBy: 'created',
			externalId: `slack:${f.partnerTeamId}:${f.partnerUserId}`,
		});
		expect(patUser.email).toBeUndefined();
		const org = zendesk.store.orgByExternalId(`slack-team:${f.partnerTeamId}`)!;
		expect(org).toMatchObject({ name: f.partnerTeamName });
		expect(patUser.organizationId).toBe(org.id);
		expect(zendesk.store.users.get(patUser.id)).toMatchObject({ organization_id: org.id, role: 'end-user' });
		// First-contact budget of a partner of a new team: 2 Slack calls, 3 Zendesk calls.
		expect(slackCalls().map((c) => c.route)).toEqual(['users.info', 'team.info']);
		expect(zendeskCalls().map((c) => c.route)).toEqual([
			'GET /api/v2/users/show_many.json',
			'POST /api/v2/organizations/create_or_update.json',
			'POST /api/v2/users.json',
		]);

		const [kim] = await run([dmItem('U0PARTNER2', f.partnerTeamId)]);
		expect(linked(kim).organizationId).toBe(org.id);
		expect(zendeskCalls('POST /api/v2/organizations/create_or_update.json')).toHaveLength(1);
		expect(slackCalls('team.info')).toHaveLength(1);
	});

	it('handles user_not_visible and team_not_found: profile from the event, organization named after the team id', async () => {
		// A user of a team the handle's workspace is not connected to: Slack describes neither.
		slack.addUser({ id: 'U0FAR', teamId: 'T0UNKNOWN', name: 'far', realName: 'Far Away', isStranger: true });
		const [out] = await run([dmItem('U0FAR', 'T0UNKNOWN')]);
		expect(slackCalls('users.info')[0].response.body).toMatchObject({ ok: false, error: 'user_not_visible' });
		expect(slackCalls('team.info')[0].response.body).toMatchObject({ ok: false, error: 'team_not_found' });
		expect(linked(out)).toMatchObject({
			name: 'Slack user U0FAR',
			externalId: 'slack:T0UNKNOWN:U0FAR',
			linkedBy: 'created',
		});
		expect(zendesk.store.orgByExternalId('slack-team:T0UNKNOWN')).toMatchObject({ name: 'Slack team T0UNKNOWN' });
		expect(linked(out).organizationId).toBe(zendesk.store.orgByExternalId('slack-team:T0UNKNOWN')!.id);
	});

	it('still creates a profile for a user Slack does not know (user_not_found)', async () => {
		const f = slack.fixtures;
		const [out] = await run([dmItem('U0GHOST', f.teamId)]);
		expect(linked(out)).toMatchObject({
			name: 'Slack user U0GHOST',
			externalId: `slack:${f.teamId}:U0GHOST`,
			linkedBy: 'created',
		});
		expect(slackCalls('users.info')[0].response.body).toMatchObject({ ok: false, error: 'user_not_found' });
	});

	it("never links an agent: an agent's Slack account gets its own end-user profile and the agent is untouched", async () => {
		const f = slack.fixtures;
		const anna = zendesk.fixtures.anna;
		slack.addUser({ id: 'U0ANNA', teamId: f.teamId, name: 'anna', realName: 'Anna Agent', email: anna.email });
		const [out] = await run([dmItem('U0ANNA', f.teamId)]);
		expect(linked(out).id).not.toBe(anna.id);
		expect(linked(out).email).toBeUndefined();
		expect(zendesk.store.users.get(anna.id)).toMatchObject({ role: 'agent', external_id: null });
		expect(zendesk.store.users.get(linked(out).id)).toMatchObject({ role: 'end-user' });
	});

	it('creates one Zendesk user for concurrent first messages, in one process and across two', async () => {
		const f = slack.fixtures;
		const outs = await Promise.all([run([dmItem(f.employee2Id, f.teamId)]), run([dmItem(f.employee2Id, f.teamId)])]);
		expect(linked(outs[0][0]).id).toBe(linked(outs[1][0]).id);
		expect(zendeskCalls('POST /api/v2/users.json')).toHaveLength(1);
		expect(slackCalls('users.info')).toHaveLength(1);

		// A second copy of the node module has its own caches: a second n8n process.
		let OtherProcessLinker: typeof ProfileLinker | undefined;
		jest.isolateModules(() => {
			OtherProcessLinker = (
				jest.requireActual('../../nodes/ProfileLinker/ProfileLinker.node') as { ProfileLinker: typeof ProfileLinker }
			).ProfileLinker;
		});
		slack.addUser({ id: 'U0NEW', teamId: f.teamId, name: 'nia', realName: 'Nia New', email: 'nia@acme.test' });
		zendesk.server.resetCalls();
		const [a, b] = await Promise.all([
			run([dmItem('U0NEW', f.teamId)]),
			run([dmItem('U0NEW', f.teamId)], {}, new OtherProcessLinker!()),
		]);
		expect(linked(a[0]).id).toBe(linked(b[0]).id);
		const holders = [...zendesk.store.users.values()].filter((u) => u.external_id === `slack:${f.teamId}:U0NEW`);
		expect(holders).toHaveLength(1);
		expect(zendesk.store.users.get(holders[0].id)?.email).toBe('nia@acme.test');
		// Both processes reached the create; Zendesk's unique external id refused the second (422),
		// which then linked the holder.
		const creates = zendeskCalls('POST /api/v2/users.json').map((c) => c.status);
		expect(creates.sort()).toEqual([201, 422]);
		expect(zendeskCalls('POST /api/v2/users/create_or_update.json')).toHaveLength(0);
	}, 20_000);

	it('links every group DM participant', async () => {
		const f = slack.fixtures;
		const [out] = await run([
			dmItem(f.employeeId, f.teamId, { participants: [f.employeeId, f.employee2Id, f.partnerUserId] }),
		]);
		const participants = out.json.zendeskParticipants as unknown as LinkedZendeskUser[];
		expect(participants.map((p) => p.externalId)).toEqual([
			`slack:${f.teamId}:${f.employee2Id}`,
			`slack:${f.partnerTeamId}:${f.partnerUserId}`,
		]);
		expect(linked(out).id).toBe(zendesk.fixtures.erin.id);
	}, 20_000);

	it('waits out a 429 with Retry-After and succeeds', async () => {
		const f = slack.fixtures;
		zendesk.server.injectFault('GET /api/v2/users/show_many.json', { kind: 'rateLimit', retryAfterSeconds: 1 });
		const started = Date.now();
		const [out] = await run([dmItem(f.employee2Id, f.teamId)]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		expect(linked(out).linkedBy).toBe('created');
		expect(zendeskCalls('GET /api/v2/users/show_many.json').map((c) => c.status)).toEqual([429, 200]);
	});

	it("fails with Zendesk's message and no secret; Continue On Fail keeps the item", async () => {
		const f = slack.fixtures;
		zendesk.server.injectFault('GET /api/v2/users/show_many.json', {
			kind: 'status',
			status: 403,
			body: { error: 'Forbidden', description: 'You do not have access to this page' },
		});
		await expect(run([dmItem(f.employee2Id, f.teamId)])).rejects.toThrow(/Forbidden: You do not have access/);

		zendesk.server.injectFault('GET /api/v2/users/show_many.json', {
			kind: 'status',
			status: 403,
			body: { error: 'Forbidden', description: 'You do not have access to this page' },
		});
		const [out] = await run([dmItem(f.employee2Id, f.teamId)], {}, new ProfileLinker(), true);
		expect(out.json.error).toMatch(/HTTP 403/);
		expect(out.json.user).toMatchObject({ id: f.employee2Id });
		expect(JSON.stringify(out.json)).not.toContain(zendesk.fixtures.bridge.apiToken);
	});
});

describe('Profile Linker: authentication', () => {
	it('works with the OAuth2 credential and its base URL override', async () => {
		const f = slack.fixtures;
		const { outputs } = await executeNode(new ProfileLinker(), {
			parameters: { authentication: 'oAuth2' },
			credentials: {
				slackDmApi: credentials().slackDmApi,
				zendeskDmOAuth2Api: {
					subdomain: 'acme',
					baseUrl: `${zendesk.url}/`,
					oauthTokenData: { access_token: zendesk.fixtures.bridge.oauthToken, token_type: 'Bearer' },
				},
			},
			items: [dmItem(f.employee2Id, f.teamId)],
		});
		expect(linked(outputs[0][0])).toMatchObject({ name: 'Sam Sample', linkedBy: 'created' });
		expect(zendeskCalls()[0].request.headers.authorization).toBe(`Bearer ${zendesk.fixtures.bridge.oauthToken}`);
	});
});

describe('Profile Linker: Link to Existing Profile', () => {
	it('merges the Slack-created profile into an existing end user and relinks at once', async () => {
		const f = slack.fixtures;
		const erin = zendesk.fixtures.erin.id;
		const [created] = await run([dmItem(f.employee2Id, f.teamId)]);
		const sourceId = linked(created).id;

		const [merged] = await run([dmItem(f.employee2Id, f.teamId)], { operation: 'linkToExisting', targetUserId: erin });
		expect(linked(merged)).toMatchObject({ id: erin, externalId: `slack:${f.teamId}:${f.employee2Id}` });
		expect(merged.json.profileLink).toEqual({ action: 'merge', mergedUserId: sourceId, targetUserId: erin });
		const mergeCalls = zendeskCalls('PUT /api/v2/users/:id/merge.json');
		expect(mergeCalls).toHaveLength(1);
		expect(mergeCalls[0].request.body).toEqual({ user: { id: erin } });

		// The cached link to the merged-away profile is gone: the next message finds Erin.
		const [next] = await run([dmItem(f.employee2Id, f.teamId)]);
		expect(linked(next)).toMatchObject({ id: erin, linkedBy: 'externalId' });
	});

	it('refuses agents and admins on either side with a clear error', async () => {
		const f = slack.fixtures;
		await run([dmItem(f.employee2Id, f.teamId)]);
		await expect(
			run([dmItem(f.employee2Id, f.teamId)], { operation: 'linkToExisting', targetUserId: zendesk.fixtures.anna.id }),
		).rejects.toThrow(/is a agent; only end users/);
		const [out] = await run(
			[dmItem(f.employee2Id, f.teamId)],
			{ operation: 'linkToExisting', targetUserId: zendesk.fixtures.bridge.id },
			new ProfileLinker(),
			true,
		);
		expect(out.json.error).toMatch(/admin/);
		expect(zendeskCalls('PUT /api/v2/users/:id/merge.json')).toHaveLength(0);
	});
});

describe('Profile Linker: earlier messages for a message announced in another process (queue mode)', () => {
	async function sentItem(text: string, announcedIn?: string): Promise<INodeExecutionData> {
		const f = slack.fixtures;
		const sent = await slack.userSends({ userId: f.employeeId, text, wait: false });
		const item = dmItem(f.employeeId, f.teamId);
		const json = item.json as unknown as SlackDmItem;
		json.channel.id = sent.channel;
		json.message = { ...json.message, ts: sent.ts, text };
		json.idempotencyKey = `slack:${f.teamId}:${sent.channel}:${sent.ts}`;
		if (announcedIn) json.announcedIn = announcedIn;
		return item;
	}

	it("puts the DM's earlier messages of the last minute on the item, from one conversations.history call", async () => {
		const first = await sentItem('first');
		const second = await sentItem('second');
		const third = await sentItem('third', 'another-process-token');
		slack.server.resetCalls();
		const [out] = await run([third]);
		const keyOf = (item: INodeExecutionData) => (item.json as unknown as SlackDmItem).idempotencyKey;
		expect(out.json.earlierMessages).toEqual([keyOf(first), keyOf(second)]);
		expect(slackCalls('conversations.history')).toHaveLength(1);
	});

	it("puts a thread reply's earlier replies of its thread on it, from one conversations.replies call", async () => {
		const f = slack.fixtures;
		const parent = await sentItem('parent');
		const threadTs = (parent.json as unknown as SlackDmItem).message.ts;
		const inThread = async (text: string, announcedIn?: string) => {
			const sent = await slack.userSends({ userId: f.employeeId, text, threadTs, wait: false });
			const item = dmItem(f.employeeId, f.teamId);
			const json = item.json as unknown as SlackDmItem;
			json.channel.id = sent.channel;
			json.message = { ...json.message, ts: sent.ts, text, threadTs, threadKey: `${sent.channel}:${threadTs}` };
			json.idempotencyKey = `slack:${f.teamId}:${sent.channel}:${sent.ts}`;
			if (announcedIn) json.announcedIn = announcedIn;
			return item;
		};
		const firstReply = await inThread('first reply');
		await sentItem('a top-level message meanwhile');
		const secondReply = await inThread('second reply', 'another-process-token');
		slack.server.resetCalls();
		const [out] = await run([secondReply]);
		expect(out.json.earlierMessages).toEqual([(firstReply.json as unknown as SlackDmItem).idempotencyKey]);
		expect(slackCalls('conversations.replies')).toHaveLength(1);
		expect(slackCalls('conversations.history')).toHaveLength(0);
	});

	it('names the previous message when it is older than the minute (same one call), none when it is within', async () => {
		const first = await sentItem('long ago');
		// A message two minutes after it (the emulator stamps what is sent with the time of sending).
		const later = dmItem(slack.fixtures.employeeId, slack.fixtures.teamId);
		const json = later.json as unknown as SlackDmItem;
		const firstJson = first.json as unknown as SlackDmItem;
		json.channel.id = firstJson.channel.id;
		json.message = { ...json.message, ts: (Number(firstJson.message.ts) + 120).toFixed(6), text: 'two minutes on' };
		json.idempotencyKey = `slack:${slack.fixtures.teamId}:${json.channel.id}:${json.message.ts}`;
		json.announcedIn = 'another-process-token';
		slack.server.resetCalls();
		const [out] = await run([later]);
		expect(out.json.earlierMessages).toEqual([]);
		expect(out.json.previousMessage).toBe((first.json as unknown as SlackDmItem).idempotencyKey);
		expect(slackCalls('conversations.history')).toHaveLength(1);
		const soon = await sentItem('right after', 'another-process-token');
		const [within] = await run([soon]);
		expect(within.json.previousMessage).toBeUndefined();
	});

	it('reads nothing for a message announced in this process (or by no trigger)', async () => {
		await sentItem('first');
		const own = await sentItem('second', PROCESS_TOKEN);
		const none = await sentItem('third');
		slack.server.resetCalls();
		const out = await run([own, none]);
		expect(out.map((item) => item.json.earlierMessages)).toEqual([undefined, undefined]);
		expect(slackCalls('conversations.history')).toHaveLength(0);
	});

	it('with Order Across Processes off, reads nothing', async () => {
		await sentItem('first');
		const item = await sentItem('second', 'another-process-token');
		slack.server.resetCalls();
		const [out] = await run([item], { options: { earlierMessages: false } });
		expect(out.json.earlierMessages).toBeUndefined();
		expect(slackCalls('conversations.history')).toHaveLength(0);
	});

	it('a history Slack does not answer leaves the field out and links the message all the same', async () => {
		const item = await sentItem('first', 'another-process-token');
		slack.injectFault('conversations.history', { kind: 'status', status: 500 }, 20);
		const [out] = await run([item]);
		expect(out.json.earlierMessages).toBeUndefined();
		expect(linked(out).id).toBe(zendesk.fixtures.erin.id);
	});
});
