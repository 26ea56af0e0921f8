/**
 * Zendesk user endpoints the Profile Linker calls, through callZendesk (retries 429 with
 * Retry-After, counts calls). Thin: every decision about the answers is in users.ts.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { PaceLimit } from '../../shared/state/pacer';
import { Pacer, PacerQueueFullError } from '../../shared/state/pacer';
import type { HttpContext } from '../../shared/transport/http';
import {
	callZendesk,
	zendeskApiError,
	zendeskBaseUrl,
	zendeskErrorMessage,
	zendeskRoute,
} from '../../shared/transport/zendeskTransport';
import type { IdentityAnswer, UserUpsertAnswer, ZendeskUser } from '../helpers/users';
import { createOrUpdatePaceLimits, isExternalIdTaken } from '../helpers/users';
import { credentialData } from '../../shared/n8n/credentialData';
import { toNodeError } from '../../shared/n8n/errors';

/** One per process: create_or_update user calls of every execution queue here per account. */
export const userWritePacer = new Pacer();

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
export async function findUsersByExternalIds(
	ctx: HttpContext,
	credentialType: string,
	externalIds: string[],
): Promise<ZendeskUser[]> {
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
export async function findUsersByEmail(
	ctx: HttpContext,
	credentialType: string,
	email: string,
): Promise<ZendeskUser[]> {
	const result = await callZendesk<UsersBody>(ctx, credentialType, {
		method: 'GET',
		path: '/users/search.json',
		qs: { query: `email:${email}` },
	});
	return result.body?.users ?? [];
}

export async function getUser(
	ctx: HttpContext,
	credentialType: string,
	userId: number,
): Promise<ZendeskUser | undefined> {
	const result = await callZendesk<UserBody>(ctx, credentialType, {
		method: 'GET',
		path: `/users/${userId}.json`,
		acceptStatuses: [404],
	});
	return result.statusCode === 404 ? undefined : userOf(result.body, 'GET /users/{id}');
}

async function writeUser(
	ctx: HttpContext,
	credentialType: string,
	path: string,
	body: IDataObject,
): Promise<UserUpsertAnswer> {
	const result = await callZendesk<UserBody>(ctx, credentialType, {
		method: 'POST',
		path,
		body,
		acceptStatuses: [422],
	});
	const route = zendeskRoute('POST', path);
	if (result.statusCode === 422) {
		if (isExternalIdTaken(result.statusCode, result.body)) return { externalIdTaken: true };
		throw zendeskApiError(ctx.getNode(), route, result.statusCode, result.body);
	}
	return { user: userOf(result.body, route), created: result.statusCode === 201 };
}

/**
 * POST /users.json: creates the user, or answers 422 "External has already been taken" when
 * someone holds the external id. Unlike create_or_update it has no limit of its own (only the
 * account's requests per minute), so a burst of new users is not queued at 1 per second.
 */
export async function createUser(
	ctx: HttpContext,
	credentialType: string,
	body: IDataObject,
): Promise<UserUpsertAnswer> {
	return await writeUser(ctx, credentialType, '/users.json', body);
}

/**
 * POST /users/create_or_update.json: 201 when Zendesk created the user, 200 when it existed.
 * Zendesk allows it 1 request per second per account and 5 per minute per user: calls of this
 * process queue in `userWritePacer` (FIFO); other processes' calls show as 429s, which the
 * transport waits out within its rate-limit budget.
 */
export async function createOrUpdateUser(
	ctx: HttpContext,
	credentialType: string,
	body: IDataObject,
): Promise<UserUpsertAnswer> {
	const account = zendeskBaseUrl(await credentialData(ctx, credentialType));
	const user = (body.user ?? {}) as IDataObject;
	const limits: PaceLimit[] = createOrUpdatePaceLimits(account, user);
	const lane = limits[0].key;
	try {
		return await userWritePacer.run(
			lane,
			limits,
			async () => await writeUser(ctx, credentialType, '/users/create_or_update.json', body),
		);
	} catch (error) {
		// The pacer refuses a caller beyond its queue at once; the node says it in Zendesk's terms.
		if (!(error instanceof PacerQueueFullError)) throw toNodeError(ctx.getNode(), error);
		throw new NodeOperationError(
			ctx.getNode(),
			`Zendesk create_or_update user: ${userWritePacer.waiting(lane)} calls are already waiting for this account`,
			{
				description:
					'Zendesk allows 1 create-or-update user call per second per account; this many at once cannot be sent in time.',
			},
		);
	}
}

/** The email addresses of a user's identities (primary and secondary). */
export async function userEmails(ctx: HttpContext, credentialType: string, userId: number): Promise<string[]> {
	const result = await callZendesk<{ identities?: Array<{ type?: string; value?: unknown }> }>(ctx, credentialType, {
		method: 'GET',
		path: `/users/${userId}/identities.json`,
	});
	return (result.body?.identities ?? [])
		.filter((identity) => identity.type === 'email' && typeof identity.value === 'string')
		.map((identity) => String(identity.value));
}

/** POST /users/{id}/identities.json; Zendesk's reason when it refuses it (422, e.g. address in use). */
export async function addUserIdentity(
	ctx: HttpContext,
	credentialType: string,
	userId: number,
	body: IDataObject,
): Promise<IdentityAnswer> {
	const result = await callZendesk(ctx, credentialType, {
		method: 'POST',
		path: `/users/${userId}/identities.json`,
		body,
		acceptStatuses: [422],
	});
	if (result.statusCode !== 422) return { added: true };
	const details = (result.body as { details?: unknown } | undefined)?.details;
	return {
		added: false,
		problem: `${zendeskErrorMessage(result.body)}${details ? ` ${JSON.stringify(details)}` : ''}`,
	};
}

export async function setUserExternalId(
	ctx: HttpContext,
	credentialType: string,
	userId: number,
	externalId: string,
): Promise<ZendeskUser> {
	const result = await callZendesk<UserBody>(ctx, credentialType, {
		method: 'PUT',
		path: `/users/${userId}.json`,
		body: { user: { external_id: externalId } },
	});
	return userOf(result.body, 'PUT /users/{id}');
}

/** PUT /users/{source}/merge.json with the target in the body, as Zendesk documents it. */
export async function mergeUsers(
	ctx: HttpContext,
	credentialType: string,
	sourceId: number,
	targetId: number,
): Promise<ZendeskUser> {
	const result = await callZendesk<UserBody>(ctx, credentialType, {
		method: 'PUT',
		path: `/users/${sourceId}/merge.json`,
		body: { user: { id: targetId } },
	});
	return userOf(result.body, 'merge');
}
