/**
 * The out-of-hours auto-reply: which items call for it, once per conversation per closed period,
 * and its text. Decisions are pure; the claim ledger and the clock are the process state they use.
 *
 * Queue mode: the ledger lives in the process, so each n8n worker (and each restart) keeps its
 * own; for a message whose trigger ran in another process, the worker also looks at the DM since
 * the desk closed (closedSince) before posting: a notice another worker posted there counts.
 */

import type { DateTime } from 'luxon';

import { TtlMap } from '../../shared/state/ttlCache';
import {
	formatOpening,
	nextOpening,
	openPeriodAt,
	parseBusinessSchedule,
	type BusinessSchedule,
} from './businessHours';
import { recordOrEmpty } from '../../shared/values';

/** The time the nodes read; tests replace `now` to run at a fixed instant. */
export const scheduleClock: { now: () => number } = { now: () => Date.now() };

/** Conversations told in the current closed period (key includes the period's end). */
const notified = new TtlMap<true>({ maxEntries: 10_000, clock: () => scheduleClock.now() });

/** How long a "never opens again" claim holds (a schedule that never opens is a misconfiguration). */
export const NEVER_OPENS_CLAIM_MS = 7 * 24 * 60 * 60_000;

export const DEFAULT_OUTSIDE_HOURS_NOTICE =
	"Thanks for your message. We're outside business hours right now; our team will answer here from {nextOpening}.";

const NEW_MESSAGE_OUTCOMES = new Set(['created', 'appended', 'followUp', 'reopened']);

const obj = recordOrEmpty;

/**
 * Whether an item is a user's new message: Zendesk Messaging Upsert output that created a ticket
 * or added the message to one, or a Slack DM Trigger message item. Agent replies, edits noted on
 * the ticket, duplicates and skipped items are not.
 */
export function isNewUserMessage(json: Record<string, unknown>): boolean {
	const outcome = obj(json.zendesk).outcome;
	if (typeof outcome === 'string') return NEW_MESSAGE_OUTCOMES.has(outcome);
	return json.kind === 'message' && typeof obj(json.message).ts === 'string';
}

/** Whether an item must not get the notice even when asked for explicitly: it is no new message. */
export function isNotAMessage(json: Record<string, unknown>): boolean {
	const outcome = obj(json.zendesk).outcome;
	if (typeof outcome === 'string') return !NEW_MESSAGE_OUTCOMES.has(outcome);
	return json.kind === 'edit' || json.kind === 'delete';
}

export type OutsideHoursPlan =
	| { closed: false }
	| {
			closed: true;
			/** When the desk opens again, in the schedule's zone; undefined when it never does. */
			nextOpening?: DateTime;
			/** Claim key: conversation + the end of this closed period. */
			claimKey: string;
			/** The claim lasts until the desk opens. */
			claimTtlMs: number;
	  };

/** Whether the desk is closed at `nowMs`, and if so the claim that makes the notice once per conversation and closed period. */
export function planOutsideHours(nowMs: number, schedule: BusinessSchedule, conversationKey: string): OutsideHoursPlan {
	const known = knownOpenPeriods.get(schedule);
	if (known && known.start <= nowMs && nowMs < known.end) return { closed: false };
	const period = openPeriodAt(nowMs, schedule);
	if (period) {
		knownOpenPeriods.set(schedule, period);
		return { closed: false };
	}
	const opening = nextOpening(nowMs, schedule);
	const openingMs = opening?.toMillis();
	return {
		closed: true,
		nextOpening: opening,
		claimKey: `${conversationKey}:${openingMs ?? 'never'}`,
		claimTtlMs: openingMs === undefined ? NEVER_OPENS_CLAIM_MS : Math.max(1, openingMs - nowMs),
	};
}

/**
 * The last open period found per schedule. Most messages arrive while the desk is open, and
 * finding the period costs time-zone arithmetic; within it the answer is known.
 */
const knownOpenPeriods = new WeakMap<BusinessSchedule, { start: number; end: number }>();

/** A schedule is a pure function of its texts: it is kept an hour after it was parsed, at most 100 texts. */
const parsedSchedules = new TtlMap<BusinessSchedule>({ ttlMs: 60 * 60_000, maxEntries: 100 });

/**
 * parseBusinessSchedule, remembered per text: every item of every run reads the same parameters,
 * and one schedule object per text lets planOutsideHours reuse what it found. Mistakes are not
 * remembered (they throw every time).
 */
export function businessScheduleOf(input: { hours: string; zone: string; holidays: string }): BusinessSchedule {
	const key = JSON.stringify([input.hours, input.zone, input.holidays]);
	let schedule = parsedSchedules.get(key);
	if (!schedule) {
		schedule = parseBusinessSchedule(input);
		parsedSchedules.set(key, schedule);
	}
	return schedule;
}

/** How finely closedSince looks back for the last open period (an open interval shorter than this may be missed). */
export const CLOSED_SINCE_STEP_MS = 15 * 60_000;

/**
 * When the desk closed before `nowMs` (closed then): the end of the latest open period, looking
 * back in CLOSED_SINCE_STEP_MS steps, at most NEVER_OPENS_CLAIM_MS (then that far back). Pure.
 */
export function closedSince(nowMs: number, schedule: BusinessSchedule): number {
	const horizon = nowMs - NEVER_OPENS_CLAIM_MS;
	for (let at = nowMs - CLOSED_SINCE_STEP_MS; at > horizon; at -= CLOSED_SINCE_STEP_MS) {
		const period = openPeriodAt(at, schedule);
		if (period) return Math.min(period.end, nowMs);
	}
	return horizon;
}

/** True for the first caller per claim key until the desk opens (synchronous: concurrent executions cannot both pass). */
export function claimOutsideHoursNotice(claimKey: string, claimTtlMs: number, nowMs = scheduleClock.now()): boolean {
	if (notified.has(claimKey, nowMs)) return false;
	notified.set(claimKey, true, claimTtlMs, nowMs);
	return true;
}

/** Gives a claim back when the notice could not be posted, so the next message tries again. */
export function releaseOutsideHoursNotice(claimKey: string): void {
	notified.delete(claimKey);
}

/** Forgets every claim (tests). */
export function clearOutsideHoursClaims(): void {
	notified.clear();
}

/**
 * Fills `{nextOpening}` (weekday, date, time and zone in the schedule's zone, in `locale`) and
 * `{ticketId}`, then escapes the text for Slack.
 */
export function renderOutsideHoursNotice(
	template: string,
	values: { nextOpening?: DateTime; locale?: string; ticketId?: string },
	escape: (text: string) => string,
): string {
	const opening = values.nextOpening ? formatOpening(values.nextOpening, values.locale || 'en') : '';
	const text = template
		.replace(/\{nextOpening\}/g, opening)
		.replace(/\{ticketId\}/g, values.ticketId ?? '')
		.replace(/[ \t]{2,}/g, ' ')
		.trim();
	return escape(text);
}
