/**
 * Pure decisions about Zendesk users for the Profile Linker: which user an answer means,
 * whether a user may be linked (never agents or admins), what to create, what to merge.
 * The HTTP calls live in usersApi.ts; these functions only look at data.
 */
import type { IDataObject } from 'n8n-workflow';

import type { LinkedZendeskUser, LinkMethod } from '../../shared/types';
import type { SlackUserFacts } from './slackUsers';
import { normaliseTags } from '../../shared/zendesk/tags';

export type ZendeskRole = 'end-user' | 'agent' | 'admin';

/** The fields of a Zendesk user object this package reads. */
export interface ZendeskUser {
	id: number;
	name: string;
	email?: string | null;
	external_id?: string | null;
	role: ZendeskRole | string;
	organization_id?: number | null;
	active?: boolean;
	suspended?: boolean;
}

/** A create's answer: the user (201: created), or Zendesk's 422 "External has already been taken". */
export type UserUpsertAnswer = { user: ZendeskUser; created: boolean } | { externalIdTaken: true };

/** POST /users/{id}/identities.json: added, or Zendesk's reason for refusing it. */
export type IdentityAnswer = { added: true } | { added: false; problem: string };

/** Agents and admins (and any custom staff role) are never linked to Slack users or merged. */
export function isStaff(user: Pick<ZendeskUser, 'role'>): boolean {
	return user.role !== 'end-user';
}

function sameText(a: string | null | undefined, b: string): boolean {
	return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}

/** The user whose external_id is exactly ours (Zendesk matches external ids case-insensitively). */
export function userWithExternalId(users: ZendeskUser[], externalId: string): ZendeskUser | undefined {
	return users.find((user) => sameText(user.external_id, externalId) && user.active !== false);
}

/** Users whose primary email is exactly `email` (a search answer also holds partial matches). */
export function usersWithEmail(users: ZendeskUser[], email: string): ZendeskUser[] {
	return users.filter((user) => sameText(user.email, email) && user.active !== false);
}

/** How many users of a search answer are checked for the address as a secondary identity. */
export const MAX_SECONDARY_EMAIL_CHECKS = 5;

/**
 * Users of an `email:` search answer whose primary email is not the address: the search also
 * matches secondary identities, so they may hold it as one (their identities tell).
 */
export function secondaryEmailCandidates(users: ZendeskUser[], email: string): ZendeskUser[] {
	return users
		.filter((user) => !sameText(user.email, email) && user.active !== false)
		.slice(0, MAX_SECONDARY_EMAIL_CHECKS);
}

/** Whether a list of identity values (GET /users/{id}/identities.json, type email) holds the address. */
export function holdsEmail(identityEmails: string[], email: string): boolean {
	return identityEmails.some((value) => sameText(value, email));
}

/** A create refused because another user holds our external id (a race between processes). */
export function isExternalIdTaken(statusCode: number, body: unknown): boolean {
	if (statusCode !== 422) return false;
	const details = (body as { details?: { external_id?: Array<{ error?: string; description?: string }> } } | undefined)
		?.details?.external_id;
	return (
		Array.isArray(details) &&
		details.some((detail) => detail.error === 'DuplicateValue' || /taken/i.test(detail.description ?? ''))
	);
}

export type EmailLinkDecision =
	/** An end user already has the email: link to them; set our external id only when they have none. */
	| { action: 'link'; user: ZendeskUser; setExternalId: boolean }
	/** Nobody (or only staff) has the email: create a profile keyed by our external id. */
	| { action: 'create'; addEmail: boolean; reason: 'noEmail' | 'noMatch' | 'emailOwnedByStaff' };

/**
 * How to link a Slack user whom no Zendesk user carries by external id yet.
 * - The email belongs to an end user: link to them. Their external_id is set to ours only
 *   when empty, because another system (SSO, HR sync) may own a non-empty one.
 * - The email belongs to an agent or admin: never link; a separate end-user profile is created
 *   without the email (Zendesk emails are unique, and staff must not become requesters by Slack).
 * - Nobody has it: create, then add the email as a verified identity.
 */
export function decideEmailLink(
	email: string | undefined,
	owners: ZendeskUser[],
	secondaryOwners: ZendeskUser[] = [],
): EmailLinkDecision {
	if (!email) return { action: 'create', addEmail: false, reason: 'noEmail' };
	// Primary owners first; then users holding the address as a secondary identity.
	const matches = [...usersWithEmail(owners, email), ...secondaryOwners.filter((user) => user.active !== false)];
	if (matches.length === 0) return { action: 'create', addEmail: true, reason: 'noMatch' };
	const endUser = matches.find((user) => !isStaff(user));
	if (!endUser) return { action: 'create', addEmail: false, reason: 'emailOwnedByStaff' };
	return { action: 'link', user: endUser, setExternalId: !endUser.external_id };
}

export interface UserProfileOptions {
	tags: string[];
	userFields: IDataObject;
	organizationId?: number;
}

/**
 * Body of POST /users.json (and of the create_or_update fallback) for a new profile. Keyed by
 * external_id only, with no email: create_or_update also matches by email, and an email match
 * could update an agent. No role either: Zendesk makes new users end users, and sending one
 * could change the role of whoever already carries the external id.
 */
export function buildUserUpsertBody(
	facts: SlackUserFacts,
	externalId: string,
	options: UserProfileOptions,
): IDataObject {
	const user: IDataObject = {
		name: facts.name,
		external_id: externalId,
		skip_verify_email: true,
	};
	const tags = normaliseTags(options.tags);
	if (tags.length > 0) user.tags = tags;
	if (Object.keys(options.userFields).length > 0) user.user_fields = options.userFields;
	if (options.organizationId !== undefined) user.organization_id = options.organizationId;
	return { user };
}

/**
 * Zendesk's create_or_update user limits (1 per second per account, 5 per minute per user), as
 * pacer limits. Each window is 100 ms longer than Zendesk's: requests sent exactly a second apart
 * can arrive closer than that.
 */
export function createOrUpdatePaceLimits(
	account: string,
	user: IDataObject,
): Array<{ key: string; limit: number; windowMs: number }> {
	const lane = `${account}|POST /users/create_or_update`;
	const who = [user.external_id, user.email]
		.map((value) => (typeof value === 'string' || typeof value === 'number' ? String(value).toLowerCase() : ''))
		.join('|');
	return [
		{ key: lane, limit: 1, windowMs: 1_100 },
		{ key: `${lane}|${who}`, limit: 5, windowMs: 61_000 },
	];
}

/** Body of POST /users/{id}/identities.json: Slack already verified the address. */
export function buildEmailIdentityBody(email: string): IDataObject {
	return { identity: { type: 'email', value: email, verified: true, skip_verify_email: true } };
}

/** Zendesk tags: lower case, no spaces, unique. */
export function toLinkedUser(
	user: ZendeskUser,
	externalId: string,
	linkedBy: LinkMethod,
	knownEmail?: string,
): LinkedZendeskUser {
	const email = user.email ?? knownEmail;
	return {
		id: user.id,
		name: user.name,
		...(email ? { email } : {}),
		organizationId: user.organization_id ?? null,
		externalId,
		linkedBy,
	};
}

/** Why a user found by our external id cannot be used, or undefined when it can. */
export function refuseExternalIdHolder(user: ZendeskUser): string | undefined {
	if (isStaff(user)) {
		return `Zendesk user ${user.id} carries this Slack user's external id but is a ${user.role}; agents and admins are never linked to Slack users. Remove the external id from that profile.`;
	}
	return undefined;
}

export type MergeDecision =
	| { action: 'merge'; sourceId: number; targetId: number; setExternalIdOnTarget: boolean }
	| { action: 'linkOnly'; targetId: number; setExternalIdOnTarget: boolean }
	| { action: 'nothing'; targetId: number }
	| { action: 'refuse'; reason: string };

/**
 * "Link to Existing Profile": move the Slack-created profile (source, found by our external id)
 * into an existing end user (target). Agents and admins are refused on either side, as Zendesk
 * itself refuses to merge them.
 */
export function decideMerge(
	source: ZendeskUser | undefined,
	target: ZendeskUser | undefined,
	externalId: string,
): MergeDecision {
	if (!target) return { action: 'refuse', reason: 'The target Zendesk user does not exist' };
	if (isStaff(target)) {
		return {
			action: 'refuse',
			reason: `The target Zendesk user ${target.id} is a ${target.role}; only end users can be linked to Slack users`,
		};
	}
	if (source && isStaff(source)) {
		return {
			action: 'refuse',
			reason: `The Slack user's Zendesk profile ${source.id} is a ${source.role}; agents and admins are never merged`,
		};
	}
	const targetHasOtherId = Boolean(target.external_id) && !sameText(target.external_id, externalId);
	if (!source) {
		if (targetHasOtherId) {
			return {
				action: 'refuse',
				reason: `The target Zendesk user ${target.id} already has another external id; clear it first to link this Slack user`,
			};
		}
		return target.external_id
			? { action: 'nothing', targetId: target.id }
			: { action: 'linkOnly', targetId: target.id, setExternalIdOnTarget: true };
	}
	if (source.id === target.id) return { action: 'nothing', targetId: target.id };
	return { action: 'merge', sourceId: source.id, targetId: target.id, setExternalIdOnTarget: !target.external_id };
}
