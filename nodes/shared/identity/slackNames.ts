/**
 * Display names of Slack users, for showing mentions (`<@U0123>`) to agents. The Profile Linker
 * records every user it learns about (users.info) in this process-wide directory; the Zendesk
 * node adds the users linked on the item itself (sender, group-DM participants).
 */
import type { SlackNameLookup } from '../slack/slackTextToZendesk';
import { TtlMap } from '../state/ttlCache';
import type { LinkedZendeskUser } from '../types';
import { parseUserExternalId } from '../externalIds';

/** Slack user id → display name. Slack user ids do not repeat across workspaces. */
export const slackDisplayNames = new TtlMap<string>({ maxEntries: 10_000 });

/** Names from the item's linked Zendesk users (their external id holds the Slack user id), then the directory. */
export function slackNameLookup(
	linked: Array<LinkedZendeskUser | undefined>,
	directory: TtlMap<string> = slackDisplayNames,
): SlackNameLookup {
	const fromItem = new Map<string, string>();
	for (const user of linked) {
		const slackUser = parseUserExternalId(user?.externalId);
		if (slackUser && user?.name?.trim()) fromItem.set(slackUser.userId, user.name.trim());
	}
	return (userId) => fromItem.get(userId) ?? directory.get(userId);
}
