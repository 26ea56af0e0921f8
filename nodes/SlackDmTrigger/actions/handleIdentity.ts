import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { secretDigest, slackAccount } from '../../shared/transport/accounts';
import { toNodeError } from '../../shared/n8n/errors';
import type { WebhookCallPlan } from '../helpers/triggerRequest';
import { memberIds, missingScopeReason } from '../helpers/triggerRequest';
import type { SelfIdentity } from '../../shared/slack/identity';
import { identityCacheKey, selfIdentityFromAuthTest } from '../../shared/slack/identity';
import { groupMembersCache, identityCache, lastKnownIdentities, unlistableConversations } from '../triggerState';
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

/**
 * auth.test once per credential and process (shared by concurrent first events), never per event.
 * `plan` bounds the call inside a webhook (Slack's 3 seconds); activation runs it unbounded.
 */
export async function selfIdentity(ctx: HookOrWebhook, key: string, plan?: WebhookCallPlan): Promise<SelfIdentity> {
	return await identityCache.get(key, async () => {
		const response = await callSlack(
			ctx,
			'auth.test',
			{},
			plan ? { policy: plan.policy, timeoutMs: plan.timeoutMs } : {},
		);
		const identity = selfIdentityFromAuthTest(response);
		if (!identity) {
			throw new NodeOperationError(ctx.getNode(), 'Slack auth.test answered without a user id and team id', {
				description: 'Check that the Slack DM Handle credential holds a bot or user token of the handle.',
			});
		}
		lastKnownIdentities.set(key, identity);
		return identity;
	});
}

/**
 * The identity for one event: a failed refresh falls back to the last answer this process had
 * for the credential. With none, the error stands (n8n answers 500 quickly and Slack retries).
 */
export async function selfIdentityForEvent(
	ctx: IWebhookFunctions,
	key: string,
	plan: WebhookCallPlan | undefined,
): Promise<SelfIdentity> {
	if (!plan && !identityCache.has(key)) {
		// Slack's answer deadline is too close for auth.test: no unbounded call inside a webhook.
		const lastKnown = lastKnownIdentities.get(key);
		if (lastKnown) return lastKnown;
		throw new NodeOperationError(
			ctx.getNode(),
			"No time left before Slack's 3-second answer to ask Slack who this handle is (auth.test); Slack will retry",
		);
	}
	try {
		return await selfIdentity(ctx, key, plan);
	} catch (error) {
		const lastKnown = lastKnownIdentities.get(key);
		if (!lastKnown) throw toNodeError(ctx.getNode(), error);
		ctx.logger.warn('Slack DM Trigger could not refresh its identity (auth.test); using the last known one', {
			error: (error as Error).message,
		});
		return lastKnown;
	}
}

/**
 * Members of a conversation (group DM participants, or who an IM is with), cached per identity
 * and channel. Never throws: a missing list (a scope the token lacks, a conversation this token
 * cannot see, Slack down or slow, no time left before Slack's answer deadline) is undefined and
 * logged, because a message without its CC list beats a message lost after Slack's last retry.
 * A missing scope is remembered for a while: no Slack call per event for a list it cannot get.
 */
export async function conversationMembers(
	ctx: IWebhookFunctions,
	key: string,
	channelId: string,
	plan: WebhookCallPlan | undefined,
): Promise<string[] | undefined> {
	const cacheKey = `${key}|${channelId}`;
	if (unlistableConversations.has(cacheKey)) return undefined;
	if (!plan && !groupMembersCache.has(cacheKey)) {
		ctx.logger.warn("Slack DM Trigger skipped conversations.members: no time left before Slack's 3-second answer", {
			channelId,
		});
		return undefined;
	}
	try {
		return await groupMembersCache.get(cacheKey, async () => {
			const response = await callSlack(
				ctx,
				'conversations.members',
				{ channel: channelId, limit: 200 },
				{ allowErrors: ['missing_scope'], ...(plan ? { policy: plan.policy, timeoutMs: plan.timeoutMs } : {}) },
			);
			if (!response.ok) {
				const reason = missingScopeReason(response);
				unlistableConversations.set(cacheKey, reason);
				throw new NodeOperationError(ctx.getNode(), reason);
			}
			return memberIds(response.members);
		});
	} catch (error) {
		ctx.logger.warn("Slack DM Trigger cannot list the conversation's members; the message goes on without them", {
			channelId,
			error: (error as Error).message,
		});
		return undefined;
	}
}
