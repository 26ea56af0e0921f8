/**
 * Waiting out an outage: when an item parks, how long it waits, and when it gives up. Pure: the
 * runner (outageRunner.ts) feeds it the item's earlier `retry` and the clock. docs/outages.md
 * says why the wait is done by n8n's Wait node and why it is at least 65 s.
 */
import type { IDataObject } from 'n8n-workflow';

/**
 * n8n's Wait node keeps a wait shorter than 65 s in memory (a timer in the running process) and
 * only a longer one in its database, where it survives a restart and is resumed by any main
 * process (n8n-nodes-base Wait.node.js: `if (waitValue < 65000)` … `putToWait`).
 */
export const MIN_DURABLE_WAIT_SECONDS = 65;
export const DEFAULT_MAX_WAIT_SECONDS = 180;
export const DEFAULT_GIVE_UP_MINUTES = 60;
/** A message parked behind an earlier one is tried this long after it, so the earlier one goes first. */
export const BEHIND_STAGGER_MS = 5_000;

/**
 * After a restart, new messages are held until every message parked before it has come back once:
 * the longest wait, plus this for n8n's wait tracker (it looks for due executions every 60 s,
 * n8n/dist/wait-tracker.js) and the resumed execution's own run.
 */
export const RESTART_HOLD_MARGIN_MS = 60_000;
/** How the reason of every park behind other messages begins (such a park sends no queued notice). */
export const WAITING_BEHIND = 'waiting behind';
/** The reason of a held message. */
export const RESTART_HOLD_REASON = `${WAITING_BEHIND} messages parked before n8n restarted`;

/** Whether a park's reason is a wait behind other messages rather than the service's own failure. */
export function isWaitingBehind(reason: unknown): boolean {
	return typeof reason === 'string' && reason.startsWith(WAITING_BEHIND);
}

/**
 * Thrown by a node's work on an item that must wait for an earlier message it cannot see yet
 * (the Upsert's order gate, when that message may be waiting out an outage in another process):
 * the runner parks the item for one durable wait, as behind an earlier parked message.
 */
export class WaitBehindError extends Error {
	/** @param what after "waiting behind", e.g. "an earlier message … (key)". */
	constructor(what: string) {
		super(`${WAITING_BEHIND} ${what}`);
		this.name = 'WaitBehindError';
	}
}

/**
 * The field a node adds to an item it passes on after the item waited out an outage there: when
 * the item first failed (ISO; an earlier node's value is kept). The item was held, so its
 * conversation's earlier messages may be held too (the Upsert's order gate, earlierGate.ts).
 */
export const WAITED_OUT_SINCE = 'waitedOutSince';

/** Whether the item waited out an outage at some node before (it carries WAITED_OUT_SINCE). Pure. */
export function waitedOutBefore(json: IDataObject): boolean {
	return typeof json[WAITED_OUT_SINCE] === 'string';
}

/** What a parked item carries in `json.retry`. */
export interface RetryInfo {
	/** Parks so far, this one included (1: the first). */
	attempt: number;
	/** When the item first could not be delivered (ISO). */
	firstFailedAt: string;
	/** When it is tried again (ISO): now + waitSeconds. */
	nextAttemptAt: string;
	/** What the template's Wait node waits (`{{ $json.retry.waitSeconds }}`). */
	waitSeconds: number;
	/** Why: the service's answer (e.g. `HTTP 503`) or the earlier message it waits behind. */
	reason: string;
	/** The node that parked it: only that node reads it back (another node's retry starts afresh). */
	node: string;
	/** When the node stops trying and fails the execution (ISO). */
	giveUpAt: string;
	/**
	 * Since when (ISO) the node's work has kept asking to wait for a message it cannot see
	 * (WaitBehindError, parks in a row): such waits end after the longest wait (behindWindowOpen).
	 */
	behindSince?: string;
}

export interface OutageSettings {
	giveUpMs: number;
	maxWaitSeconds: number;
}

export function outageSettings(giveUpMinutes: unknown, maxWaitSeconds: unknown): OutageSettings {
	const minutes = Number(giveUpMinutes);
	const seconds = Number(maxWaitSeconds);
	return {
		giveUpMs: (Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_GIVE_UP_MINUTES) * 60_000,
		maxWaitSeconds: Math.max(
			MIN_DURABLE_WAIT_SECONDS,
			Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) : DEFAULT_MAX_WAIT_SECONDS,
		),
	};
}

/** The item's earlier park by `node`, if it carries a well-formed one. */
export function retryInfoOf(json: IDataObject, node: string): RetryInfo | undefined {
	const retry = json.retry as Partial<RetryInfo> | undefined;
	if (!retry || typeof retry !== 'object' || retry.node !== node) return undefined;
	const attempt = Number(retry.attempt);
	if (!Number.isInteger(attempt) || attempt < 1) return undefined;
	if (Number.isNaN(Date.parse(String(retry.firstFailedAt)))) return undefined;
	return retry as RetryInfo;
}

/** The item's JSON without a `retry` field (what the node works on and passes on). */
export function withoutRetry(json: IDataObject): IDataObject {
	if (!('retry' in json)) return json;
	const rest = { ...json };
	delete rest.retry;
	return rest;
}

/** 65 s, doubling, at most maxWaitSeconds (never under 65 s: shorter waits are not durable). */
export function backoffSeconds(attempt: number, maxWaitSeconds: number): number {
	const doubled = MIN_DURABLE_WAIT_SECONDS * 2 ** Math.max(0, attempt - 1);
	return Math.max(MIN_DURABLE_WAIT_SECONDS, Math.min(maxWaitSeconds, doubled));
}

export interface RestartHoldInput {
	/** When this process began keeping its ledger. */
	startedAtMs: number;
	nowMs: number;
	maxWaitSeconds: number;
	/** The process met a waiting message of the workflow that it did not park (parked before it started). */
	sawForeign: boolean;
	/** The item itself comes back from a wait of this node (those are what new messages wait for). */
	resumed: boolean;
}

/**
 * Until when a new message is held after a restart, or undefined. Static data (the ledger's mirror)
 * can miss messages parked before a restart (docs/outages.md, Order across a restart); every one of
 * them comes back within the longest wait after the start, and from then on this process knows
 * each one that still waits. Only once a waiting message from before the start has been seen:
 * a process that parked everything itself knows it all.
 */
export function restartHoldUntil(input: RestartHoldInput): number | undefined {
	if (input.resumed || !input.sawForeign) return undefined;
	const until = input.startedAtMs + input.maxWaitSeconds * 1000 + RESTART_HOLD_MARGIN_MS;
	return input.nowMs < until ? until : undefined;
}

export type OutageDecision =
	| { do: 'park'; retry: RetryInfo }
	| { do: 'giveUp'; attempts: number; firstFailedAt: string; waitedMs: number };

export interface UnavailableInput {
	previous?: RetryInfo;
	reason: string;
	node: string;
	nowMs: number;
	settings: OutageSettings;
	/**
	 * Behind an earlier parked message (its next attempt plus a stagger) or held after a restart:
	 * the item waits until then (at least the durable minimum, at most its give-up time), with no
	 * backoff step of its own.
	 */
	notBeforeMs?: number;
	/** The work asked to wait for a message it cannot see (WaitBehindError) since then: kept on the retry. */
	behindSinceMs?: number;
}

/**
 * The item could not be delivered now: park it for the next backoff step, or give up once the
 * give-up time since its first failure has passed (a first failure always parks). The wait is cut
 * so that the last attempt comes at about the give-up time, never under the durable minimum.
 */
export function decideUnavailable(input: UnavailableInput): OutageDecision {
	const { previous, nowMs, settings } = input;
	const firstMs = previous ? Date.parse(previous.firstFailedAt) : nowMs;
	const attempt = (previous?.attempt ?? 0) + 1;
	const giveUpAtMs = firstMs + settings.giveUpMs;
	if (previous && nowMs >= giveUpAtMs) {
		return {
			do: 'giveUp',
			attempts: previous.attempt + 1,
			firstFailedAt: previous.firstFailedAt,
			waitedMs: nowMs - firstMs,
		};
	}
	// Behind an earlier message (or held after a restart) the item itself did not fail: it waits
	// for that turn only, not a backoff step that grows with each park (a message parked behind
	// others three times would otherwise wait 65 + 130 + 180 s after they have gone).
	const untilGiveUp = Math.ceil((giveUpAtMs - nowMs) / 1000);
	const wait =
		input.notBeforeMs !== undefined
			? Math.min(Math.ceil((input.notBeforeMs - nowMs) / 1000), untilGiveUp)
			: Math.min(backoffSeconds(attempt, settings.maxWaitSeconds), untilGiveUp);
	const waitSeconds = Math.max(MIN_DURABLE_WAIT_SECONDS, wait);
	const behind = input.behindSinceMs !== undefined ? { behindSince: new Date(input.behindSinceMs).toISOString() } : {};
	return {
		do: 'park',
		retry: {
			attempt,
			firstFailedAt: new Date(firstMs).toISOString(),
			nextAttemptAt: new Date(nowMs + waitSeconds * 1000).toISOString(),
			waitSeconds,
			reason: input.reason,
			node: input.node,
			giveUpAt: new Date(giveUpAtMs).toISOString(),
			...behind,
		},
	};
}

/**
 * Whether a message that keeps waiting for one it cannot see (parks behind it since `behindSince`)
 * may park once more: every message parked during an outage comes back within the longest wait
 * after the service answers again, plus the wait tracker's look (RESTART_HOLD_MARGIN_MS); one
 * still missing after that was dropped or failed, and is not waited for. Pure.
 */
export function behindWindowOpen(behindSince: string, nowMs: number, maxWaitSeconds: number): boolean {
	const since = Date.parse(behindSince);
	if (Number.isNaN(since)) return false;
	return nowMs < since + maxWaitSeconds * 1000 + RESTART_HOLD_MARGIN_MS;
}

/** `Slack user U1 (team T1), conversation D1: "first words …"` for the give-up error and the alert. */
export function describeSlackMessage(json: IDataObject): string {
	const user = (json.user ?? {}) as { id?: unknown; teamId?: unknown };
	const channel = (json.channel ?? {}) as { id?: unknown };
	const message = (json.message ?? {}) as { text?: unknown; ts?: unknown };
	const who = user.id ? `Slack user ${String(user.id)}${user.teamId ? ` (team ${String(user.teamId)})` : ''}` : '';
	const where = channel.id ? `conversation ${String(channel.id)}` : '';
	const words = firstWords(typeof message.text === 'string' ? message.text : '');
	const parts = [who, where].filter(Boolean).join(', ');
	const text = words ? `"${words}"` : message.ts ? `message ${String(message.ts)}` : '';
	return [parts, text].filter(Boolean).join(': ') || 'the item';
}

/** The first words of a text, at most 60 characters, on one line. */
export function firstWords(text: string, max = 60): string {
	const line = text.replace(/\s+/g, ' ').trim();
	if (line.length <= max) return line;
	const cut = line.slice(0, max);
	const space = cut.lastIndexOf(' ');
	return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()} …`;
}

/** The error message when an item gives up, naming what was not delivered. */
export function giveUpMessage(service: string, what: string, decision: { attempts: number; waitedMs: number }): string {
	const minutes = Math.round(decision.waitedMs / 60_000);
	return `${service} stayed unavailable for ${minutes} min (${decision.attempts} attempts); gave up on ${what}`;
}
