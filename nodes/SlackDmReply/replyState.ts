/**
 * Process-wide state of Slack DM Reply. n8n loads a node module once per process and runs every
 * execution of the node in it, so this is what one execution leaves for the next: the post pacing
 * and the DM channels already opened. Keyed by the token's digest, never by the token.
 */
import { Pacer } from '../shared/state/pacer';
import { TtlMap } from '../shared/state/ttlCache';

/**
 * Slack allows about one post per second per channel: posts per (credential digest, channel) start
 * one second apart, in arrival order, across every execution in this process. Other n8n processes
 * (queue mode workers) pace their own; Slack's 429 + Retry-After covers what they add. Its queue
 * is unbounded: a reply waits its turn rather than failing.
 */
export const postPacer = new Pacer({ maxQueue: Number.POSITIVE_INFINITY });

/** conversations.open answers the same DM channel every time; a day bounds how long a closed one is believed. */
export const DM_CHANNEL_TTL_MS = 24 * 60 * 60 * 1000;
export const DM_CHANNEL_MAX_ENTRIES = 10_000;

/** DM channel per (credential digest, user), as conversations.open answered it. */
export const dmChannels = new TtlMap<string>({ ttlMs: DM_CHANNEL_TTL_MS, maxEntries: DM_CHANNEL_MAX_ENTRIES });

/** When each conversation (credential digest, channel) was last told its message is queued (queuedNotice.ts). */
export const queuedNoticesTold = new TtlMap<number>({ ttlMs: 2 * 60 * 60 * 1000, maxEntries: DM_CHANNEL_MAX_ENTRIES });
