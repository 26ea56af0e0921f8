/**
 * Zendesk allows 30 updates per 10 minutes per user per ticket. This module decides, from the
 * updates this process sent for one ticket and author, when the next update may go out and how
 * many waiting messages it carries. Pure: the caller passes the clock reading.
 *
 * Plan: while plenty of the window's budget is left, every message is its own comment. When
 * `reserve` or fewer updates are left, the remaining ones are spread evenly until the oldest
 * update leaves the window; messages arriving meanwhile wait and go out together as one
 * comment. A 429 for the ticket blocks until its Retry-After. Nothing is ever dropped.
 */

export interface UpdateLimitConfig {
	/** Updates allowed per window (Zendesk: 30). */
	limit: number;
	/** Window length (Zendesk: 10 minutes). */
	windowMs: number;
	/** Below this many remaining updates, messages are paced and coalesced. */
	reserve: number;
}

export const ZENDESK_TICKET_UPDATE_LIMIT: UpdateLimitConfig = { limit: 30, windowMs: 10 * 60_000, reserve: 10 };

export function updateLimitConfig(limit: number, windowSeconds: number): UpdateLimitConfig {
	const safeLimit = Math.max(1, Math.floor(limit));
	return {
		limit: safeLimit,
		windowMs: Math.max(1, windowSeconds) * 1000,
		reserve: Math.max(1, Math.floor(safeLimit / 3)),
	};
}

export interface UpdateWindowState {
	/** Send times of this process's updates for one ticket and author, oldest first. */
	sentAt: number[];
	/** Set after a 429: nothing goes out before this time. */
	blockedUntil: number;
}

export function emptyWindow(): UpdateWindowState {
	return { sentAt: [], blockedUntil: 0 };
}

function live(state: UpdateWindowState, config: UpdateLimitConfig, now: number): number[] {
	return state.sentAt.filter((at) => at > now - config.windowMs);
}

export function recordUpdate(state: UpdateWindowState, config: UpdateLimitConfig, now: number): UpdateWindowState {
	return { sentAt: [...live(state, config, now), now], blockedUntil: state.blockedUntil };
}

/** A 429 for this ticket: wait for Retry-After (or the window) before the next update. */
export function recordRateLimited(
	state: UpdateWindowState,
	config: UpdateLimitConfig,
	now: number,
	retryAfterMs?: number,
): UpdateWindowState {
	const wait = retryAfterMs ?? config.windowMs / config.limit;
	return { sentAt: live(state, config, now), blockedUntil: Math.max(state.blockedUntil, now + wait) };
}

/** How long a window state matters: until its newest update leaves the window and any block ends. */
export function windowRetentionMs(state: UpdateWindowState, config: UpdateLimitConfig, now: number): number {
	const newest = state.sentAt.length > 0 ? state.sentAt[state.sentAt.length - 1] : now;
	return Math.max(1, newest + config.windowMs - now, state.blockedUntil - now);
}

export interface UpdatePlan {
	/** Wait this long before sending (0: send now). */
	waitMs: number;
	/** Updates left in the window before this one. */
	remaining: number;
	/** True when the limit is near: send everything waiting as one comment. */
	coalesce: boolean;
}

export function planUpdate(state: UpdateWindowState, config: UpdateLimitConfig, now: number): UpdatePlan {
	const sent = live(state, config, now);
	const remaining = config.limit - sent.length;
	if (state.blockedUntil > now) return { waitMs: state.blockedUntil - now, remaining, coalesce: true };
	if (remaining <= 0) return { waitMs: Math.max(1, sent[0] + config.windowMs - now), remaining, coalesce: true };
	if (remaining > config.reserve) return { waitMs: 0, remaining, coalesce: false };
	// Spread the last updates until the oldest one frees its slot.
	const untilSlotFrees = sent[0] + config.windowMs - now;
	const gap = untilSlotFrees / remaining;
	const last = sent[sent.length - 1];
	return { waitMs: Math.max(0, Math.ceil(last + gap - now)), remaining, coalesce: true };
}

/**
 * The entries of a batch: the first waiting one always, then — when coalescing — the following
 * ones that `canJoin` accepts, in order, until one does not (order is never broken).
 */
export function takeBatch<T>(waiting: T[], coalesce: boolean, canJoin: (batch: T[], next: T) => boolean): T[] {
	if (waiting.length === 0) return [];
	const batch = [waiting[0]];
	if (!coalesce) return batch;
	for (const next of waiting.slice(1)) {
		if (!canJoin(batch, next)) break;
		batch.push(next);
	}
	return batch;
}
