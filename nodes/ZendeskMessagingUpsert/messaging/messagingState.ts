/**
 * Process-level state of the Zendesk Messaging Upsert node's Zendesk Messaging mode: the Slack
 * conversation → Sunshine conversation cache (id, who controls it and since when, the markers
 * seen). A cache only: after a restart (or in another process) the mapping is recovered from
 * Sunshine itself (the user's conversations by userExternalId, picked by metadata), see
 * messagingPerformer.ts. ../upsertState.ts forgets it with the rest of the node's state.
 */
import { TtlMap } from '../../shared/state/ttlCache';
import { upsertEnvironment } from '../state/upsertClock';
import type { ConversationState } from './messagingCommands';

/** `${account}|${conversation key}` → what this process knows of its Sunshine conversation. */
export const messagingConversations = new TtlMap<ConversationState>({ clock: () => upsertEnvironment().now() });

/** How long the switchboard's default is trusted before it is read again. */
export const SWITCHBOARD_DEFAULT_TTL_MS = 60 * 60_000;

/** account → whether its switchboard's default integration is the agent workspace. */
export const switchboardDefaults = new TtlMap<boolean>({ clock: () => upsertEnvironment().now() });

/** Forget this mode's state (resetUpsertState in ../upsertState.ts forgets all of the node's). */
export function clearMessagingState(): void {
	messagingConversations.clear();
	switchboardDefaults.clear();
}
