/**
 * Order across processes (docs/scaling.md): a message whose trigger ran in another n8n process
 * (a queue-mode worker) cannot wait on the trigger's announcements; the Profile Linker put the
 * keys of the conversation's earlier messages on it instead (shared/slack/earlierMessages.ts). At
 * its turn in the lane the message waits until each of them is handled in this process or found
 * in Zendesk by the mode, looking again every second, at most EARLIER_WAIT_MS; then it is written
 * anyway (an earlier message may have been dropped before the Upsert or have failed). Except for
 * a message that itself came back from waiting out an outage: the earlier one may still be
 * waiting out the same outage at another node or worker, so it parks for another durable wait
 * (WaitBehindError), again on each turn while the earlier one is missing, until every message
 * parked in the outage has had its turn back (outageRetry.ts behindWindowOpen); then it is written.
 *
 * The same wait keeps a Slack retry from being written twice: a retry the trigger of another
 * process emitted as new (`slackRetry`) may have had its first delivery taken by yet another
 * webhook process and written by another worker, maybe at this moment; so it waits for its own
 * key first, and is a duplicate once that is found (Sunshine has no conditional write).
 */
import { WaitBehindError, behindWindowOpen, type RetryInfo } from '../../shared/n8n/outageRetry';
import { announcedElsewhere } from '../../shared/state/processToken';
import type { SlackDmItem } from '../../shared/types';
import { handledHere } from '../state/handledMessages';
import { upsertEnvironment } from '../state/upsertClock';

/** How long a message waits for its earlier messages to appear in Zendesk. */
export const EARLIER_WAIT_MS = 20_000;
/** How often it looks again meanwhile (one read of the ticket's audits / conversation's messages). */
export const EARLIER_POLL_MS = 1_000;

/** A lane entry's wait for its earlier messages. */
export interface EarlierGate {
	/** Idempotency keys of the earlier messages, oldest first. */
	keys: string[];
	/** The account (handled-messages scope, as handledOnce.ts keys it). */
	account: string;
	sinceMs?: number;
	/** Done waiting: found them all, or gave up (then `missing` names what was not found). */
	open: boolean;
	missing?: string[];
	/** When the wait runs out: park once more (WaitBehindError) instead of writing (parksWhenEarlierMissing). */
	parkWhenMissing?: boolean;
	/** The message's own key when it is among `keys` (a Slack retry whose first delivery may be elsewhere). */
	ownKey?: string;
}

/** After "waiting behind": the reason of a park for an earlier message not in Zendesk yet. */
export const EARLIER_MISSING = 'an earlier message of the conversation that is not in Zendesk yet';
/** After "waiting behind": the reason of a park of a Slack retry whose first delivery is not in Zendesk yet. */
export const FIRST_DELIVERY_MISSING = "this Slack retry's first delivery, not in Zendesk yet";

/**
 * Whether a message whose earlier ones are still missing after the wait parks once more: only
 * when it waited out an outage itself (`heldBefore`: it came back from a park of this node, or an
 * earlier node passed it on after one), and, if it has been parking for them already
 * (`previous.behindSince`), while every message parked in the outage may still come back
 * (behindWindowOpen). Pure.
 */
export function parksWhenEarlierMissing(
	held: { heldBefore: boolean; previous?: Pick<RetryInfo, 'behindSince'> },
	nowMs: number,
	maxWaitSeconds: number,
): boolean {
	if (!held.heldBefore && held.previous === undefined) return false;
	const since = held.previous?.behindSince;
	return since === undefined || behindWindowOpen(since, nowMs, maxWaitSeconds);
}

/** The reason of the gate's park when `missing` (its first key) is still not in Zendesk. Pure. */
export function missingReason(gate: Pick<EarlierGate, 'ownKey'>, missing: string): string {
	return `${missing === gate.ownKey ? FIRST_DELIVERY_MISSING : EARLIER_MISSING} (${missing})`;
}

/**
 * Whether the message's first delivery may be written elsewhere: a Slack retry announced in another
 * process as new, or a message the Slack DM Catch-up handed over again (`caughtUpFor`: its first
 * execution may have written it before its worker stopped, shared/slack/catchUp.ts). Pure.
 */
export function mayBeWrittenElsewhere(item: Pick<SlackDmItem, 'slackRetry' | 'announcedIn' | 'caughtUpFor'>): boolean {
	if (typeof item.caughtUpFor === 'string') return true;
	return Number(item.slackRetry) > 0 && announcedElsewhere(item.announcedIn);
}

/**
 * The gate of a message (idempotency key `key`): its `earlierMessages`, and its own key when it
 * may be written elsewhere (mayBeWrittenElsewhere); none when there is nothing to wait for.
 */
export function earlierGateOf(
	item: Pick<SlackDmItem, 'earlierMessages' | 'slackRetry' | 'announcedIn' | 'caughtUpFor'>,
	own: { key: string; account: string },
	parkWhenMissing = false,
): EarlierGate | undefined {
	const earlier = Array.isArray(item.earlierMessages) ? (item.earlierMessages as unknown[]) : [];
	const keys = earlier.filter((key): key is string => typeof key === 'string' && key.length > 0);
	const ownKey = mayBeWrittenElsewhere(item) ? own.key : undefined;
	if (ownKey !== undefined && !keys.includes(ownKey)) keys.push(ownKey);
	if (keys.length === 0) return undefined;
	return { keys, account: own.account, open: false, parkWhenMissing, ...(ownKey !== undefined ? { ownKey } : {}) };
}

/** Go when nothing is missing; wait while the missing ones may still come; give up after the wait. Pure. */
export function earlierDecision(input: { missing: number; sinceMs: number; nowMs: number }): 'go' | 'wait' | 'giveUp' {
	if (input.missing === 0) return 'go';
	return input.nowMs - input.sinceMs < EARLIER_WAIT_MS ? 'wait' : 'giveUp';
}

/**
 * Whether the entry may be written now. `found` answers which of the keys the mode finds in
 * Zendesk (it reads only when some are not known yet). On "wait" it sleeps one poll first.
 */
export async function earlierArrived(
	gate: EarlierGate,
	found: (keys: string[]) => Promise<Set<string>>,
): Promise<boolean> {
	if (gate.open) return true;
	const env = upsertEnvironment();
	gate.sinceMs ??= env.now();
	const notHere = gate.keys.filter((key) => !handledHere(gate.account, key));
	const there = notHere.length > 0 ? await found(notHere) : new Set<string>();
	const missing = notHere.filter((key) => !there.has(key));
	const decision = earlierDecision({ missing: missing.length, sinceMs: gate.sinceMs, nowMs: env.now() });
	if (decision === 'wait') {
		await env.sleep(EARLIER_POLL_MS);
		return false;
	}
	if (decision === 'giveUp' && gate.parkWhenMissing) throw new WaitBehindError(missingReason(gate, missing[0]));
	gate.open = true;
	if (decision === 'giveUp') gate.missing = missing;
	return true;
}
