/**
 * Who "we" are on Slack: the identity behind the credential's token (from auth.test) and the
 * handles a trigger answers for. Pure; the trigger fetches auth.test once and caches it.
 */
import { locatorValue, textOrNumber } from '../values';

export interface SelfIdentity {
	/** The token's user: the bot user (bot token) or the handle account (user token). */
	userId: string;
	/** auth.test `user`: the user name, used as the default handle name. */
	userName: string;
	teamId: string;
	enterpriseId?: string;
	/** Present for bot tokens only. */
	botId?: string;
}

export interface HandleConfig {
	userId: string;
	name: string;
}

/** Parses an auth.test answer; undefined when it lacks the ids the trigger needs. */
export function selfIdentityFromAuthTest(response: Record<string, unknown>): SelfIdentity | undefined {
	const userId = typeof response.user_id === 'string' ? response.user_id : '';
	const teamId = typeof response.team_id === 'string' ? response.team_id : '';
	if (!userId || !teamId) return undefined;
	const identity: SelfIdentity = {
		userId,
		userName: typeof response.user === 'string' && response.user !== '' ? response.user : userId,
		teamId,
	};
	if (typeof response.enterprise_id === 'string' && response.enterprise_id !== '')
		identity.enterpriseId = response.enterprise_id;
	if (typeof response.bot_id === 'string' && response.bot_id !== '') identity.botId = response.bot_id;
	return identity;
}

/**
 * The handles a trigger answers for: the configured rows as parseHandleRows reads them (the
 * Zendesk Reply Trigger reads the same rows the same way). Without configured handles it is the
 * credential's own identity, named after its Slack user name.
 */
export function resolveHandles(
	configured: Array<Partial<HandleConfig>> | undefined,
	self: SelfIdentity,
): HandleConfig[] {
	const handles = parseHandleRows(configured);
	return handles.length > 0 ? handles : [{ userId: self.userId, name: self.userName }];
}

/** Cache key of an identity: never the token itself, only a digest of it. */
export function identityCacheKey(parts: { credentialId?: string; baseUrl: string; tokenDigest: string }): string {
	return `${parts.credentialId ?? 'inline'}|${parts.baseUrl}|${parts.tokenDigest}`;
}

/**
 * Both triggers read their "Handles" rows (name → Slack user id) with parseHandleRows: the Slack
 * DM Trigger names the handle in its items, the Upsert turns that name into the ticket's handle
 * tag (zendesk/tags.ts), and the Zendesk Reply Trigger finds the row again from that tag. With one
 * rule on both sides, one configuration names the same handle on the way in and on the way back.
 */
/** A parameter value as text: expressions may give numbers; anything else counts as empty. */
function text(value: unknown): string {
	return textOrNumber(value) ?? '';
}

/**
 * The configured handles, in order. A row without a user id is not a handle (no trigger can
 * answer for it or route to it) and is ignored, as is a repeated user id. A row without a name
 * is named after its user id, so routing (Switch on handle.name) and the ticket tag never see an
 * empty name.
 */
export function parseHandleRows(
	rows: ReadonlyArray<Partial<Record<keyof HandleConfig, unknown>>> | undefined,
): HandleConfig[] {
	const handles: HandleConfig[] = [];
	for (const row of rows ?? []) {
		// A row saved by the Handle picker (version 3) holds a resource locator; earlier ones a string.
		const userId = text(locatorValue(row?.userId));
		if (!userId || handles.some((handle) => handle.userId === userId)) continue;
		handles.push({ userId, name: text(row?.name) || userId });
	}
	return handles;
}
