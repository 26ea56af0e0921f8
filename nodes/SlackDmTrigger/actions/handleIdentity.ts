import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { secretDigest, slackAccount } from '../../shared/n8n/credentials';
import { memberIds } from '../../shared/slack/triggerRequest';
import type { SelfIdentity } from '../../shared/slack/identity';
import { identityCacheKey, selfIdentityFromAuthTest } from '../../shared/slack/identity';
import { groupMembersCache, identityCache } from '../../shared/slack/triggerState';
import { SLACK_CREDENTIAL_TYPE, callSlack } from '../../shared/transport/slackTransport';

type HookOrWebhook = IHookFunctions | IWebhookFunctions;

/** The cache key of the handle credential: its id, account and a digest of its token. */
export async function identityKey(ctx: HookOrWebhook): Promise<string> {
	const account = await slackAccount(ctx);
	return identityCacheKey({
		credentialId: ctx.getNode().credentials?.[SLACK_CREDENTIAL_TYPE]?.id ?? undefined,
		baseUrl: account.baseUrl,
		tokenDigest: secretDigest(account.credentials.accessToken),
	});
}

/** auth.test once per credential and process (shared by concurrent first events), never per event. */
export async function selfIdentity(ctx: HookOrWebhook, key: string): Promise<SelfIdentity> {
	return await identityCache.get(key, async () => {
		const response = await callSlack(ctx, 'auth.test');
		const identity = selfIdentityFromAuthTest(response);
		if (!identity) {
			throw new NodeOperationError(ctx.getNode(), 'Slack auth.test answered without a user id and team id', {
				description: 'Check that the Slack DM Handle credential holds a bot or user token of the handle.',
			});
		}
		return identity;
	});
}

export async function groupMembers(ctx: IWebhookFunctions, key: string, channelId: string): Promise<string[]> {
	return await groupMembersCache.get(`${key}|${channelId}`, async () => {
		const response = await callSlack(ctx, 'conversations.members', { channel: channelId, limit: 200 }, { allowErrors: ['missing_scope'] });
		if (!response.ok) {
			// A message without its CC list beats a message lost after Slack's last retry.
			ctx.logger.warn('Slack DM Trigger cannot list group DM members: the token lacks the mpim:read scope');
			return [];
		}
		return memberIds(response.members);
	});
}
