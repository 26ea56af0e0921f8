/**
 * Process-wide state of the Slack DM Trigger. n8n loads a node module once per process but
 * builds a new workflow object for every webhook request, so this is the only in-memory state
 * that outlives a request.
 */
import { DeliveryLedger } from './helpers/dedupe';
import type { SelfIdentity } from '../shared/slack/identity';
import { GroupCommit } from '../shared/state/groupCommit';
import { messagesInFlight } from '../shared/state/messagesInFlight';
import { LoadingCache, TtlMap } from '../shared/state/ttlCache';
import type { INodeExecutionData } from 'n8n-workflow';
import { MAX_GROUP_SIZE } from './helpers/triggerRequest';
import { forgetWebhookCredentials } from '../shared/n8n/credentialData';

/** auth.test answers, per credential, base URL and token digest. */
export const identityCache = new LoadingCache<SelfIdentity>({ ttlMs: 60 * 60 * 1000, maxEntries: 100 });
/**
 * The last auth.test answer per credential, kept well past the cache's hour: when the hourly
 * refresh fails inside a webhook, the trigger goes on with it instead of losing the message.
 */
export const lastKnownIdentities = new TtlMap<SelfIdentity>({ ttlMs: 7 * 24 * 60 * 60 * 1000, maxEntries: 100 });
/** Group DM members, per identity and channel. */
export const groupMembersCache = new LoadingCache<string[]>({ ttlMs: 10 * 60 * 1000, maxEntries: 1000 });
/**
 * Conversations whose members this credential may not list (missing_scope), per identity and
 * channel, with the scope Slack named: asked again only after this, not on every event.
 */
export const unlistableConversations = new TtlMap<string>({ ttlMs: 10 * 60 * 1000, maxEntries: 1000 });
/** Which listed handle a DM conversation belongs to, per identity and channel (learned from events). */
export const conversationHandles = new TtlMap<string>({ ttlMs: 30 * 24 * 60 * 60 * 1000, maxEntries: 10_000 });
/** Threads whose sender was told that thread replies are not forwarded (option), per trigger node. */
export const threadReplyNotices = new TtlMap<true>({ ttlMs: 24 * 60 * 60 * 1000, maxEntries: 10_000 });
/** Deliveries this process emitted (dedupe layer 1). */
export const deliveryLedger = new DeliveryLedger();

/** Messages waiting to be handed to n8n together, per trigger node ("Group Messages Under Load"). */
export const deliveryGroups = new GroupCommit<INodeExecutionData>(MAX_GROUP_SIZE);

/** Forget everything (tests; a new credential takes effect without it anyway). */
export function resetSlackTriggerState(): void {
	identityCache.clear();
	lastKnownIdentities.clear();
	groupMembersCache.clear();
	unlistableConversations.clear();
	conversationHandles.clear();
	threadReplyNotices.clear();
	deliveryLedger.clear();
	deliveryGroups.clear();
	messagesInFlight.clear();
	forgetWebhookCredentials();
}
