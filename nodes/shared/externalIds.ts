/**
 * Every external-id format of the package lives here, and only here.
 * Zendesk lookups by external_id are exact (no search lag), so these keys are how
 * users, organizations and tickets are found again.
 */

const TICKET_PREFIX = 'slack-dm';

/** Zendesk user external_id for a Slack user. Slack user ids are unique per team. */
export function userExternalId(teamId: string, userId: string): string {
	return `slack:${teamId}:${userId}`;
}

/** Zendesk organization external_id for a Slack Connect partner team. */
export function organizationExternalId(teamId: string): string {
	return `slack-team:${teamId}`;
}

export interface ConversationKeyParts {
	teamId: string;
	channelId: string;
	threadTs?: string;
}

/** Zendesk ticket external_id: one per DM conversation, or per thread when threads are enabled. */
export function ticketExternalId(parts: ConversationKeyParts): string {
	const base = `${TICKET_PREFIX}:${parts.teamId}:${parts.channelId}`;
	return parts.threadTs ? `${base}:${parts.threadTs}` : base;
}

/**
 * Idempotency-Key of a ticket creation: one per conversation (and per closed ticket it follows
 * up), not per message, so that two processes creating the conversation's ticket with two
 * different first messages get one ticket: Zendesk refuses the second payload under the same key
 * and that process appends instead. Never scoped to a message: a second key for one conversation
 * would create a second ticket whenever the lookup lags behind the first.
 */
export function ticketCreationIdempotencyKey(conversationKey: string, predecessorTicketId?: number): string {
	return `create:${conversationKey}:${predecessorTicketId ?? 'new'}`;
}

/** Inverse of ticketExternalId; undefined for tickets this package did not create. */
export function parseTicketExternalId(externalId: string | null | undefined): ConversationKeyParts | undefined {
	if (!externalId) return undefined;
	const parts = externalId.split(':');
	if (parts[0] !== TICKET_PREFIX || parts.length < 3 || parts.length > 4) return undefined;
	const [, teamId, channelId, threadTs] = parts;
	if (!teamId || !channelId) return undefined;
	return threadTs ? { teamId, channelId, threadTs } : { teamId, channelId };
}

/** Recover the Slack user from a Zendesk user external_id. */
export function parseUserExternalId(
	externalId: string | null | undefined,
): { teamId: string; userId: string } | undefined {
	if (!externalId) return undefined;
	const parts = externalId.split(':');
	if (parts.length !== 3 || parts[0] !== 'slack' || !parts[1] || !parts[2]) return undefined;
	return { teamId: parts[1], userId: parts[2] };
}

/**
 * Idempotency key of one Slack message event. The same message delivered again (Slack retries,
 * another webhook process) gets the same key; an edit or delete gets its own key.
 */
export function messageIdempotencyKey(input: {
	teamId: string;
	channelId: string;
	ts: string;
	kind: 'message' | 'edit' | 'delete';
	eventTs?: string;
}): string {
	const suffix = input.kind === 'message' ? '' : `:${input.kind}:${input.eventTs ?? ''}`;
	return `slack:${input.teamId}:${input.channelId}:${input.ts}${suffix}`;
}

/**
 * Zendesk messaging (Sunshine Conversations) keys. A messaging user's `externalId` is
 * userExternalId(team, user) — the same as the Zendesk user's external_id, which is how the two
 * records link. A conversation's `metadata[MESSAGING_CONVERSATION_KEY]` is ticketExternalId(parts)
 * (parse it with parseTicketExternalId); a message's `metadata[MESSAGING_MESSAGE_KEY]` is its
 * messageIdempotencyKey, the exactly-once marker read back after an unanswered post.
 */
export const MESSAGING_CONVERSATION_KEY = 'slack_conversation';
export const MESSAGING_MESSAGE_KEY = 'slack_message';
/** The conversation's Slack handle (the handle tag's value, see nodes/shared/zendesk tags), when one was used. */
export const MESSAGING_HANDLE_KEY = 'slack_handle';
/** A Slack message that became several Sunshine messages (long text, files): the part's index, 0 (the first) omitted. */
export const MESSAGING_PART_KEY = 'slack_part';
/** A conversation that took over a full one (423, 30,000 messages): the id of the conversation it follows. */
export const MESSAGING_PREVIOUS_CONVERSATION_KEY = 'slack_previous_conversation';
