/**
 * The Profile Linker's decision flow: Slack user → Zendesk end user, exactly once.
 *
 * Order of calls on first contact (each step only when the previous one did not settle it):
 *   1. users.info (cached per Slack user for the cache period)
 *   2. Zendesk users by our external id (exact: show_many?external_ids=)
 *   3. Zendesk users by the Slack email, when Slack shows one (read-only; staff are never linked)
 *   4. organization create_or_update for a new partner team (cached per team)
 *   5. POST /users.json with our external id, which Zendesk keeps unique (the cross-process guard
 *      against duplicates: a second create gets 422 and links the holder instead); create_or_update
 *      (paced at Zendesk's 1 per second) only when the holder then cannot be read back exactly
 *   6. the email as a verified identity of the new profile
 * A linked user is cached for the cache period: a known user then costs no call at all.
 * Concurrent resolutions of one user in this process share one flight.
 *
 * I/O is injected through `LinkerPorts`, so the flow is unit-tested with fakes.
 */
import type { TeamInfoResponse, UsersInfoResponse } from '@slack/web-api';
import type { IDataObject } from 'n8n-workflow';

import type { LinkedZendeskUser } from '../../shared/types';
import type { SlackUserFacts } from './slackUsers';
import { isPartnerUser, slackTeamName, slackUserFacts } from './slackUsers';
import type { OrganizationPolicy } from './organizations';
import { planOrganization } from './organizations';
import type { IdentityAnswer, UserUpsertAnswer, ZendeskUser } from './users';
import {
	buildEmailIdentityBody,
	buildUserUpsertBody,
	decideEmailLink,
	holdsEmail,
	isStaff,
	refuseExternalIdHolder,
	secondaryEmailCandidates,
	toLinkedUser,
	userWithExternalId,
} from './users';
import { organizationExternalId, userExternalId } from '../../shared/externalIds';
import { SingleFlight, TtlMap } from '../../shared/state/ttlCache';
import { slackDisplayNames } from '../../shared/identity/slackNames';

export interface LinkerPorts {
	/** users.info; an answer with ok:false (user_not_found, user_not_visible) is returned, not thrown. */
	slackUserInfo(userId: string): Promise<UsersInfoResponse>;
	/** team.info for a partner team; undefined or ok:false when Slack will not say. */
	slackTeamInfo(teamId: string): Promise<TeamInfoResponse | undefined>;
	findUsersByExternalIds(externalIds: string[]): Promise<ZendeskUser[]>;
	findUsersByEmail(email: string): Promise<ZendeskUser[]>;
	/** The email addresses of a user's identities (primary and secondary). */
	userEmails(userId: number): Promise<string[]>;
	/** POST /users.json; `externalIdTaken` for Zendesk's 422 DuplicateValue on external_id. */
	createUser(body: IDataObject): Promise<UserUpsertAnswer>;
	/** POST /users/create_or_update.json (paced); `created` is true for 201. */
	createOrUpdateUser(body: IDataObject): Promise<UserUpsertAnswer>;
	/** Zendesk's reason when it refuses the identity (422: the address belongs to someone else). */
	addIdentity(userId: number, body: IDataObject): Promise<IdentityAnswer>;
	/** Logs a problem that does not fail the item (n8n's logger). */
	warn(message: string): void;
	setUserExternalId(userId: number, externalId: string): Promise<ZendeskUser>;
	/** POST /organizations/create_or_update.json keyed by the team's external id; returns the id. */
	upsertPartnerOrganization(teamId: string, name: string): Promise<number>;
}

export interface LinkOptions {
	cacheTtlMs: number;
	tags: string[];
	userFields: IDataObject;
	organizationPolicy: OrganizationPolicy;
}

export interface LinkRequest {
	/** Identifies the Zendesk account (its base URL): caches never mix accounts. */
	zendeskAccount: string;
	/** Identifies the Slack API endpoint: caches never mix emulators and Slack. */
	slackAccount: string;
	userId: string;
	/** The user's home team when the event says it; unknown for group-DM participants. */
	teamId?: string;
	handleTeamId: string;
	handleEnterpriseId?: string;
	/** The trigger marked the user as external (Slack Connect). */
	markedExternal?: boolean;
}

export class ProfileLinkError extends Error {}

/** A group-DM participant Slack will not describe: their team, hence their key, is unknown. */
export class UnknownParticipantTeamError extends ProfileLinkError {}

export class LinkerState {
	readonly slackUsers: TtlMap<SlackUserFacts>;

	readonly links: TtlMap<LinkedZendeskUser>;

	readonly organizations: TtlMap<number>;

	readonly userFlights = new SingleFlight<LinkedZendeskUser>();

	readonly organizationFlights = new SingleFlight<number>();

	/** Where learned Slack names go for the Zendesk node's mention rendering (process-wide by default). */
	readonly displayNames: TtlMap<string>;

	constructor(clock: () => number = Date.now, displayNames: TtlMap<string> = slackDisplayNames) {
		this.displayNames = displayNames;
		this.slackUsers = new TtlMap({ clock });
		this.links = new TtlMap({ clock });
		this.organizations = new TtlMap({ clock });
	}

	/** Forget a Slack user's link (after a merge or an explicit relink). */
	forgetLink(zendeskAccount: string, externalId: string): void {
		this.links.delete(linkKey(zendeskAccount, externalId));
	}
}

export function linkKey(zendeskAccount: string, externalId: string): string {
	return `${zendeskAccount}|${externalId.toLowerCase()}`;
}

/** Slack user ids do not repeat across workspaces, so the id is enough (participants come without team). */
function slackKey(request: Pick<LinkRequest, 'slackAccount' | 'userId'>): string {
	return `${request.slackAccount}|${request.userId}`;
}

/** Slack facts for a user: once per cache period per user. */
export async function slackFactsFor(
	state: LinkerState,
	ports: LinkerPorts,
	request: LinkRequest,
	ttlMs: number,
): Promise<SlackUserFacts> {
	const key = slackKey(request);
	const cached = state.slackUsers.get(key);
	if (cached) return cached;
	const response = await ports.slackUserInfo(request.userId);
	const facts = slackUserFacts(response, { userId: request.userId, teamId: request.teamId ?? request.handleTeamId });
	state.slackUsers.set(key, facts, ttlMs);
	if (facts.described) state.displayNames.set(request.userId, facts.name, ttlMs);
	return facts;
}

async function partnerOrganizationId(
	state: LinkerState,
	ports: LinkerPorts,
	zendeskAccount: string,
	teamId: string,
	ttlMs: number,
): Promise<number> {
	const key = `${zendeskAccount}|${organizationExternalId(teamId)}`;
	const cached = state.organizations.get(key);
	if (cached !== undefined) return cached;
	return await state.organizationFlights.run(key, async () => {
		const teamInfo = await ports.slackTeamInfo(teamId);
		const id = await ports.upsertPartnerOrganization(teamId, slackTeamName(teamInfo, teamId));
		state.organizations.set(key, id, ttlMs);
		return id;
	});
}

/** What an uncached lookup would report next time: created and relinked users carry our id. */
function asCached(user: LinkedZendeskUser, carriesExternalId: boolean): LinkedZendeskUser {
	return carriesExternalId ? { ...user, linkedBy: 'externalId' } : user;
}

/**
 * The user who already carries our external id, linked and cached; a staff holder is refused
 * (the key must never lead to an agent), whether found before the create or after losing its race.
 */
function linkHolder(
	state: LinkerState,
	key: string,
	holder: ZendeskUser,
	externalId: string,
	ttlMs: number,
): LinkedZendeskUser {
	const refusal = refuseExternalIdHolder(holder);
	if (refusal) throw new ProfileLinkError(refusal);
	const linked = toLinkedUser(holder, externalId, 'externalId');
	state.links.set(key, linked, ttlMs);
	return linked;
}

/** Whether the Slack email links an existing end user (primary or secondary identity), or a new one is made. */
async function emailDecision(
	ports: LinkerPorts,
	email: string | undefined,
): Promise<ReturnType<typeof decideEmailLink>> {
	const owners = email ? await ports.findUsersByEmail(email) : [];
	const decision = decideEmailLink(email, owners);
	if (decision.action !== 'create' || decision.reason !== 'noMatch' || !email) return decision;
	// The search also matches secondary identities: such an end user already has the address.
	const secondary: ZendeskUser[] = [];
	for (const candidate of secondaryEmailCandidates(owners, email)) {
		if (holdsEmail(await ports.userEmails(candidate.id), email)) secondary.push(candidate);
	}
	return secondary.length > 0 ? decideEmailLink(email, owners, secondary) : decision;
}

async function resolve(
	state: LinkerState,
	ports: LinkerPorts,
	request: LinkRequest,
	options: LinkOptions,
): Promise<LinkedZendeskUser> {
	const slackFacts = await slackFactsFor(state, ports, request, options.cacheTtlMs);
	// The event's team id wins over users.info: the trigger and the Upsert node key by it too.
	const facts: SlackUserFacts = { ...slackFacts, userId: request.userId, teamId: request.teamId ?? slackFacts.teamId };
	const externalId = userExternalId(facts.teamId, facts.userId);
	const key = linkKey(request.zendeskAccount, externalId);

	const holder = userWithExternalId(await ports.findUsersByExternalIds([externalId]), externalId);
	if (holder) return linkHolder(state, key, holder, externalId, options.cacheTtlMs);

	const decision = await emailDecision(ports, facts.email);
	if (decision.action === 'link') {
		const user = decision.setExternalId ? await ports.setUserExternalId(decision.user.id, externalId) : decision.user;
		const linked = toLinkedUser(user, externalId, 'email', facts.email);
		state.links.set(key, asCached(linked, decision.setExternalId), options.cacheTtlMs);
		return linked;
	}

	const partner = isPartnerUser(facts, {
		teamId: request.handleTeamId,
		enterpriseId: request.handleEnterpriseId,
		markedExternal: request.markedExternal,
	});
	const plan = planOrganization(partner, facts.teamId, options.organizationPolicy);
	let organizationId: number | undefined;
	if (plan.kind === 'fixed') organizationId = plan.organizationId;
	if (plan.kind === 'partnerTeam') {
		organizationId = await partnerOrganizationId(state, ports, request.zendeskAccount, plan.teamId, options.cacheTtlMs);
	}

	const body = buildUserUpsertBody(facts, externalId, {
		tags: options.tags,
		userFields: options.userFields,
		organizationId,
	});
	let answer = await ports.createUser(body);
	if ('externalIdTaken' in answer) {
		// Another process created this Slack user's profile between our lookup and our write.
		const taker = userWithExternalId(await ports.findUsersByExternalIds([externalId]), externalId);
		if (taker) return linkHolder(state, key, taker, externalId, options.cacheTtlMs);
		// Zendesk compares external ids ignoring case; an exact read can miss a holder whose id
		// differs in case. create_or_update matches the way the uniqueness check does.
		answer = await ports.createOrUpdateUser(body);
		if ('externalIdTaken' in answer)
			throw new ProfileLinkError(`Zendesk says the external id ${externalId} is taken, but no active user carries it`);
	}
	const { user, created } = answer;
	if (isStaff(user)) throw new ProfileLinkError(refuseExternalIdHolder(user) ?? 'Zendesk answered with a staff user');
	let email = user.email ?? undefined;
	let warning: string | undefined;
	if (decision.addEmail && facts.email && !email) {
		const added = await ports.addIdentity(user.id, buildEmailIdentityBody(facts.email));
		if (added.added) email = facts.email;
		else {
			// Someone else holds the address (e.g. created minutes ago, not yet in search): keep the
			// profile, say so, and let an admin merge them (Link to Existing Profile).
			warning = `Zendesk refused ${facts.email} as an identity of user ${user.id}: ${added.problem}. Another Zendesk user may hold it; merge them with "Link to Existing Profile".`;
			ports.warn(warning);
		}
	}
	const linked = toLinkedUser({ ...user, email }, externalId, created ? 'created' : 'externalId');
	state.links.set(key, asCached(linked, true), options.cacheTtlMs);
	return warning ? { ...linked, warning } : linked;
}

/**
 * The Zendesk end user for a Slack user: from the cache, or resolved once (single-flight per
 * Slack user in this process; Zendesk's unique external id across processes).
 */
export async function linkSlackUser(
	state: LinkerState,
	ports: LinkerPorts,
	request: LinkRequest,
	options: LinkOptions,
): Promise<LinkedZendeskUser> {
	let teamId = request.teamId;
	if (!teamId) {
		// Participants: the team comes from users.info, itself cached. A participant Slack does not
		// describe (user_not_visible: often a Slack Connect partner) has no known team: the handle's
		// team would give a wrong key and an employee profile, so none is linked.
		const facts = await slackFactsFor(state, ports, request, options.cacheTtlMs);
		if (!facts.described) {
			throw new UnknownParticipantTeamError(
				`Slack does not describe group DM participant ${request.userId} (${facts.slackError ?? 'no profile'}): their team is unknown, so no Zendesk profile is linked for them`,
			);
		}
		teamId = facts.teamId;
	}
	const known = { ...request, teamId };
	const cached = state.links.get(linkKey(known.zendeskAccount, userExternalId(teamId, known.userId)));
	if (cached) return cached;
	const flightKey = linkKey(known.zendeskAccount, userExternalId(known.teamId, known.userId));
	return await state.userFlights.run(flightKey, async () => {
		const again = state.links.get(flightKey);
		return again ?? (await resolve(state, ports, known, options));
	});
}
