/**
 * The messaging source's process-wide state: which messages and events this process has emitted
 * (Sunshine redelivers until it gets a 2xx, up to 5 times in 15 minutes), and the conversations'
 * metadata read from the API when a payload did not carry it. Per process: another n8n process
 * (queue-mode webhook processors) keeps its own.
 */
import { ClaimLedger, TtlMap } from '../../shared/state/ttlCache';

/** Longer than Sunshine's 15-minute retry window. */
export const EMITTED_TTL_MS = 24 * 60 * 60 * 1000;
/** Conversation metadata changes only when the inbound pipeline writes it: a short cache suffices. */
export const CONVERSATION_TTL_MS = 10 * 60 * 1000;

export const emittedClaims = new ClaimLedger({ ttlMs: EMITTED_TTL_MS, maxEntries: 20_000 });

export const conversationMetadata = new TtlMap<Record<string, unknown> | null>({
	ttlMs: CONVERSATION_TTL_MS,
	maxEntries: 5_000,
});

/** Forget everything (tests). */
export function resetMessagingState(): void {
	emittedClaims.clear();
	conversationMetadata.clear();
}
