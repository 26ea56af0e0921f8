/**
 * Zendesk user endpoints the Profile Linker calls, through callZendesk (retries 429 with
 * Retry-After, counts calls). Thin: every decision about the answers is in users.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import type { HttpContext } from '../transport/http';
import { callZendesk } from '../transport/zendeskTransport';
import type { ZendeskUser } from './users';

interface UsersBody {
	users?: ZendeskUser[];
}

interface UserBody {
	user?: ZendeskUser;
}

function userOf(body: UserBody | undefined, what: string): ZendeskUser {
	if (!body?.user || typeof body.user.id !== 'number') throw new Error(`Zendesk ${what} answered without a user`);
	return body.user;
}

/** Exact lookup by external ids (up to 100): GET /users/show_many.json?external_ids=. */
export async function findUsersByExternalIds(ctx: HttpContext, credentialType: string, externalIds: string[]): Promise<ZendeskUser[]> {
	if (externalIds.length === 0) return [];
	const result = await callZendesk<UsersBody>(ctx, credentialType, {
		method: 'GET',
		path: '/users/show_many.json',
		qs: { external_ids: externalIds.join(',') },
	});
	return result.body?.users ?? [];
}

/**
 * Users whose email is `email`. Zendesk has no exact read-only lookup by email, so this asks
 * the users search for `email:<address>` and the caller keeps exact matches only. It is used
 * only after the exact external-id lookup missed, to find profiles that existed before.
 */
export async function findUsersByEmail(ctx: HttpContext, credentialType: string, email: string): Promise<ZendeskUser[]> {
	const result = await callZendesk<UsersBody>(ctx, credentialType, {
		method: 'GET',
		path: '/users/search.json',
		qs: { query: `email:${email}` },
	});
	return result.body?.users ?? [];
}

export async function getUser(ctx: HttpContext, credentialType: string, userId: number): Promise<ZendeskUser | undefined> {
	const result = await callZendesk<UserBody>(ctx, credentialType, {
		method: 'GET',
		path: `/users/${userId}.json`,
		acceptStatuses: [404],
	});
	return result.statusCode === 404 ? undefined : userOf(result.body, 'GET /users/{id}');
}

/** POST /users/create_or_update.json: 201 when Zendesk created the user, 200 when it existed. */
export async function createOrUpdateUser(
	ctx: HttpContext,
	credentialType: string,
	body: IDataObject,
): Promise<{ user: ZendeskUser; created: boolean }> {
	const result = await callZendesk<UserBody>(ctx, credentialType, {
		method: 'POST',
		path: '/users/create_or_update.json',
		body,
	});
	return { user: userOf(result.body, 'create_or_update'), created: result.statusCode === 201 };
}

/** POST /users/{id}/identities.json; false when Zendesk refuses it (422, e.g. address in use). */
export async function addUserIdentity(ctx: HttpContext, credentialType: string, userId: number, body: IDataObject): Promise<boolean> {
	const result = await callZendesk(ctx, credentialType, {
		method: 'POST',
		path: `/users/${userId}/identities.json`,
		body,
		acceptStatuses: [422],
	});
	return result.statusCode !== 422;
}

export async function setUserExternalId(ctx: HttpContext, credentialType: string, userId: number, externalId: string): Promise<ZendeskUser> {
	const result = await callZendesk<UserBody>(ctx, credentialType, {
		method: 'PUT',
		path: `/users/${userId}.json`,
		body: { user: { external_id: externalId } },
	});
	return userOf(result.body, 'PUT /users/{id}');
}

/** PUT /users/{source}/merge.json with the target in the body, as Zendesk documents it. */
export async function mergeUsers(ctx: HttpContext, credentialType: string, sourceId: number, targetId: number): Promise<ZendeskUser> {
	const result = await callZendesk<UserBody>(ctx, credentialType, {
		method: 'PUT',
		path: `/users/${sourceId}/merge.json`,
		body: { user: { id: targetId } },
	});
	return userOf(result.body, 'merge');
}
