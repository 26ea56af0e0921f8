/**
 * Messages handed to an execution that have not yet reached the step that writes them, per
 * conversation. Several executions of one workflow run at once (Group Messages Under Load, or a
 * busy process), so a later message of a conversation can reach the Zendesk Messaging Upsert
 * before an earlier one: the later one waits for it, at most `maxWaitMs` after that one was
 * handed over (a workflow may drop a message before the Upsert, or fail on it).
 *
 * A message waits for messages earlier in Slack's order, also for one handed over after it (n8n
 * can take two requests of one conversation in the other order). Waits point only at strictly
 * earlier messages, and the
 * trigger hands a group over in Slack's order (handOver.ts), so they never form a cycle. One process only:
 * in queue mode the trigger announces in a webhook process and the Upsert runs on a worker; there
 * the order comes from Slack and Zendesk instead (ZendeskMessagingUpsert/lane/earlierGate.ts).
 */
import { sleep } from 'n8n-workflow';

import { deferred } from './groupCommit';
import type { Clock } from './ttlCache';

/** A message's place among the announcements of its scope, kept by the writer once it arrived. */
export interface AnnouncedPlace {
	seq: number;
	/** The message's place in Slack's order (messageOrder.ts eventOrderOf). */
	order: number;
}

interface Announced extends AnnouncedPlace {
	expiresAtMs: number;
}

interface Expiry {
	scope: string;
	key: string;
	seq: number;
	expiresAtMs: number;
}

/** How often a waiting message looks again when no arrival woke it (an expiry, a clock jump). */
const RECHECK_MS = 200;

export class MessagesInFlight {
	private readonly scopes = new Map<string, Map<string, Announced>>();

	/** Announcements in announcement order, which is also expiry order: swept from the front. */
	private readonly expiries: Expiry[] = [];

	private seq = 0;

	private wake = deferred<void>();

	constructor(
		readonly maxWaitMs: number,
		private readonly clock: Clock = Date.now,
	) {}

	/** The trigger hands `key` over. Returns the withdrawal for when n8n did not take it. */
	announce(scope: string, key: string, order: number): () => void {
		const now = this.clock();
		this.sweep(now);
		const seq = ++this.seq;
		const expiresAtMs = now + this.maxWaitMs;
		let messages = this.scopes.get(scope);
		if (!messages) {
			messages = new Map();
			this.scopes.set(scope, messages);
		}
		messages.set(key, { seq, order, expiresAtMs });
		this.expiries.push({ scope, key, seq, expiresAtMs });
		return () => this.remove(scope, key, seq);
	}

	/**
	 * `key` reached the writer (or failed before it): later messages need not wait for it. Returns
	 * its place, for its own wait (waitUntil); undefined when it was not announced (another
	 * workflow's or process's, or expired): such a message waits for nothing.
	 */
	arrived(scope: string, key: string): AnnouncedPlace | undefined {
		const announced = this.scopes.get(scope)?.get(key);
		if (!announced) return undefined;
		this.remove(scope, key, announced.seq);
		return { seq: announced.seq, order: announced.order };
	}

	/** Until when the message at `place` should wait for earlier ones still on their way, or undefined: it may go now. */
	waitUntil(scope: string, place: AnnouncedPlace, now = this.clock()): number | undefined {
		const messages = this.scopes.get(scope);
		if (!messages) return undefined;
		let until: number | undefined;
		for (const announced of messages.values()) {
			if (announced.order >= place.order || !this.pending(announced, now)) continue;
			until = Math.max(until ?? 0, announced.expiresAtMs);
		}
		return until;
	}

	/** Resolves on the next arrival or withdrawal, or by `untilMs` (waitUntil), looking again at least every RECHECK_MS. */
	async changed(untilMs: number): Promise<void> {
		await Promise.race([this.wake.promise, sleep(Math.max(0, Math.min(untilMs - this.clock(), RECHECK_MS)))]);
	}

	/** Messages announced and not yet arrived, withdrawn or expired (tests). */
	get size(): number {
		this.sweep(this.clock());
		let count = 0;
		for (const messages of this.scopes.values()) count += messages.size;
		return count;
	}

	clear(): void {
		this.scopes.clear();
		this.expiries.length = 0;
	}

	/** Still worth waiting for: not expired, and not announced "in the future" (the clock was set back since). */
	private pending(announced: Announced, now: number): boolean {
		return announced.expiresAtMs > now && announced.expiresAtMs - this.maxWaitMs <= now;
	}

	private remove(scope: string, key: string, seq: number): void {
		const messages = this.scopes.get(scope);
		// A later announcement of the same key (a redelivery) is not removed by an earlier one's end.
		if (messages?.get(key)?.seq !== seq) return;
		messages.delete(key);
		if (messages.size === 0) this.scopes.delete(scope);
		const woken = this.wake;
		this.wake = deferred<void>();
		woken.resolve();
	}

	private sweep(now: number): void {
		let expired = 0;
		while (expired < this.expiries.length && this.expiries[expired].expiresAtMs <= now) {
			const { scope, key, seq } = this.expiries[expired];
			const messages = this.scopes.get(scope);
			if (messages?.get(key)?.seq === seq) {
				messages.delete(key);
				if (messages.size === 0) this.scopes.delete(scope);
			}
			expired++;
		}
		if (expired > 0) this.expiries.splice(0, expired);
	}
}

/**
 * How long a later message of a conversation waits at most for an earlier one that is still on
 * its way (measured from the earlier one's hand-over). Covers a slow execution start and an
 * attachment download; a message the workflow drops holds its conversation up this long at most.
 */
export const ORDER_WAIT_MS = 10_000;

/** The process's messages in flight, shared by the Slack DM Trigger and the Zendesk Messaging Upsert. */
export const messagesInFlight = new MessagesInFlight(ORDER_WAIT_MS);
