/**
 * Business hours: a weekly schedule of open intervals in an IANA time zone, with holidays, and
 * the compact text form admins type into a node parameter. Pure (luxon only; n8n ships luxon).
 *
 * Semantics:
 * - Times are wall-clock times in the schedule's zone. An interval belongs to the weekday it
 *   starts on; an end at or before its start ("22:00-06:00") runs past midnight into the next day;
 *   "24:00" is the end of the day.
 * - DST: a wall time that does not exist (spring gap) means the first instant after the gap; a
 *   wall time that occurs twice (autumn) means its first occurrence. So "09:00-17:00" is 8 hours
 *   on any day, and "00:00-24:00" is 23 or 25 hours on transition days.
 * - A holiday closes its whole local calendar day (00:00-24:00), including the part of an
 *   overnight interval that runs into it; the part of a holiday's overnight interval that runs
 *   into the next (working) day stays open.
 */

import { DateTime, Info } from 'luxon';

/** ISO weekday: 1 = Monday … 7 = Sunday (as luxon's `weekday`). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** An open interval in minutes after local midnight; `end` in 1..1440, `end <= start` runs past midnight. */
export interface DayInterval {
	start: number;
	end: number;
}

export type WeeklyHours = Partial<Record<Weekday, DayInterval[]>>;

export interface BusinessSchedule {
	/** IANA zone, e.g. Europe/Berlin, America/New_York, UTC. */
	zone: string;
	weekly: WeeklyHours;
	/** Closed local dates, YYYY-MM-DD. */
	holidays?: readonly string[];
}

/** A point in time: a Date, epoch milliseconds or a luxon DateTime. */
export type Instant = Date | number | DateTime;

const MINUTES_PER_DAY = 24 * 60;
const WEEKDAYS: readonly Weekday[] = [1, 2, 3, 4, 5, 6, 7];
const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const FULL_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/** Holiday ranges longer than this are refused (a typo in the year, most likely). */
const MAX_HOLIDAY_RANGE_DAYS = 366;

/** A problem in the text an admin typed; the message says what and where. */
export class ScheduleSyntaxError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ScheduleSyntaxError';
	}
}

// ---------------------------------------------------------------- instants

function toMillis(instant: Instant): number {
	if (instant instanceof Date) return instant.getTime();
	if (typeof instant === 'number') return instant;
	return instant.toMillis();
}

interface LocalDate {
	year: number;
	month: number;
	day: number;
}

/** Comparable key of a wall-clock time: minutes since 0000-01-01 in a proleptic sense (only order matters). */
function wallKey(date: LocalDate, minuteOfDay: number): number {
	return ((date.year * 13 + date.month) * 32 + date.day) * MINUTES_PER_DAY + minuteOfDay;
}

function dateOf(dt: DateTime): LocalDate {
	return { year: dt.year, month: dt.month, day: dt.day };
}

function plusDays(date: LocalDate, days: number): LocalDate {
	return dateOf(DateTime.fromObject(date, { zone: 'UTC' }).plus({ days }));
}

/**
 * The instant a wall-clock time on a local date happens in `zone`: its first occurrence when the
 * clock shows it twice, the end of the gap when the clock skips it. `minuteOfDay` 1440 is the
 * next day's midnight.
 */
export function wallTimeToMillis(date: LocalDate, minuteOfDay: number, zone: string): number {
	if (minuteOfDay >= MINUTES_PER_DAY) return wallTimeToMillis(plusDays(date, 1), minuteOfDay - MINUTES_PER_DAY, zone);
	const hour = Math.floor(minuteOfDay / 60);
	const minute = minuteOfDay % 60;
	const dt = DateTime.fromObject({ ...date, hour, minute }, { zone });
	const wanted = wallKey(date, minuteOfDay);
	const shown = (at: DateTime) => wallKey(dateOf(at), at.hour * 60 + at.minute);
	if (shown(dt) === wanted) return Math.min(...dt.getPossibleOffsets().map((option) => option.toMillis()));
	// Skipped by a DST gap: luxon moved it forward by the gap's length. Find the first instant the
	// clock shows a later time (the transition): gaps are at most a few hours, on whole minutes.
	let lo = dt.toMillis() - 4 * 60 * 60_000;
	let hi = dt.toMillis();
	while (hi - lo > 60_000) {
		const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
		if (shown(DateTime.fromMillis(mid, { zone })) >= wanted) hi = mid;
		else lo = mid;
	}
	return hi;
}

// ---------------------------------------------------------------- open periods

interface Period {
	start: number;
	end: number;
}

function holidaySet(schedule: BusinessSchedule): Set<string> {
	return new Set(schedule.holidays ?? []);
}

function isoDate(date: LocalDate): string {
	return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

function weekdayOf(date: LocalDate): Weekday {
	return DateTime.fromObject(date, { zone: 'UTC' }).weekday as Weekday;
}

/** Open periods of the intervals that start on each date of [first, first + days), holidays cut out, merged, sorted. */
function openPeriods(schedule: BusinessSchedule, first: LocalDate, days: number): Period[] {
	const holidays = holidaySet(schedule);
	const raw: Period[] = [];
	const closed: Period[] = [];
	for (let offset = 0; offset < days; offset++) {
		const date = plusDays(first, offset);
		for (const interval of schedule.weekly[weekdayOf(date)] ?? []) {
			const start = wallTimeToMillis(date, interval.start, schedule.zone);
			const endMinute = interval.end > interval.start ? interval.end : interval.end + MINUTES_PER_DAY;
			const end = wallTimeToMillis(date, endMinute, schedule.zone);
			if (end > start) raw.push({ start, end });
		}
	}
	// Holidays on any date a period may touch (periods run at most into the day after the last).
	for (let offset = 0; offset <= days; offset++) {
		const date = plusDays(first, offset);
		if (holidays.has(isoDate(date))) {
			closed.push({
				start: wallTimeToMillis(date, 0, schedule.zone),
				end: wallTimeToMillis(date, MINUTES_PER_DAY, schedule.zone),
			});
		}
	}
	const open = raw.flatMap((period) => subtract(period, closed));
	open.sort((a, b) => a.start - b.start);
	const merged: Period[] = [];
	for (const period of open) {
		const last = merged[merged.length - 1];
		if (last && period.start <= last.end) last.end = Math.max(last.end, period.end);
		else merged.push({ ...period });
	}
	return merged;
}

function subtract(period: Period, closed: readonly Period[]): Period[] {
	let pieces = [period];
	for (const cut of closed) {
		pieces = pieces.flatMap((piece) => {
			if (cut.end <= piece.start || cut.start >= piece.end) return [piece];
			const kept: Period[] = [];
			if (cut.start > piece.start) kept.push({ start: piece.start, end: cut.start });
			if (cut.end < piece.end) kept.push({ start: cut.end, end: piece.end });
			return kept;
		});
	}
	return pieces;
}

function hasAnyInterval(schedule: BusinessSchedule): boolean {
	return WEEKDAYS.some((day) => (schedule.weekly[day] ?? []).length > 0);
}

function localDateAt(millis: number, zone: string): LocalDate {
	return dateOf(DateTime.fromMillis(millis, { zone }));
}

/**
 * The open period holding `now` (epoch ms; the desk is open from `start` until at least `end`),
 * or undefined when the desk is closed at `now`.
 */
export function openPeriodAt(now: Instant, schedule: BusinessSchedule): { start: number; end: number } | undefined {
	const at = toMillis(now);
	// Intervals that started yesterday may still run; today's may have started.
	const periods = openPeriods(schedule, plusDays(localDateAt(at, schedule.zone), -1), 2);
	const period = periods.find((candidate) => candidate.start <= at && at < candidate.end);
	return period ? { start: period.start, end: period.end } : undefined;
}

/** Whether the desk is open at `now`. */
export function isOpen(now: Instant, schedule: BusinessSchedule): boolean {
	return openPeriodAt(now, schedule) !== undefined;
}

/**
 * The first instant at or after `now` when the desk is open, in the schedule's zone: `now` itself
 * when it is open, the start of the next open period when it is closed, undefined when the
 * schedule never opens again.
 */
export function nextOpening(now: Instant, schedule: BusinessSchedule): DateTime | undefined {
	if (!hasAnyInterval(schedule)) return undefined;
	const at = toMillis(now);
	const today = localDateAt(at, schedule.zone);
	// Past the last holiday a week always holds an opening, so the search ends.
	const lastHoliday = [...holidaySet(schedule)].sort().pop();
	const lastHolidayDate = lastHoliday ? DateTime.fromISO(lastHoliday, { zone: 'UTC' }) : undefined;
	const horizonDays = Math.max(
		9,
		lastHolidayDate?.isValid
			? Math.ceil(lastHolidayDate.diff(DateTime.fromObject(today, { zone: 'UTC' }), 'days').days) + 9
			: 0,
	);
	// Short look first (most answers are within days), then growing chunks. Chunks overlap by a
	// day so a period crossing a chunk boundary is seen whole.
	for (let offset = -1, chunk = 3; offset < horizonDays; offset += chunk, chunk = Math.min(chunk * 4, 32)) {
		const periods = openPeriods(schedule, plusDays(today, offset), chunk + 1);
		const next = periods.find((period) => period.end > at);
		if (next) return DateTime.fromMillis(Math.max(next.start, at), { zone: schedule.zone });
	}
	return undefined;
}

// ---------------------------------------------------------------- text form

function describeDays(): string {
	return 'Mon, Tue, Wed, Thu, Fri, Sat, Sun';
}

function dayOf(word: string, rule: string): Weekday {
	const lower = word.trim().toLowerCase();
	const index = DAY_NAMES.indexOf(lower) >= 0 ? DAY_NAMES.indexOf(lower) : FULL_DAY_NAMES.indexOf(lower);
	if (index < 0)
		throw new ScheduleSyntaxError(`"${word.trim()}" in "${rule}" is not a weekday (use ${describeDays()})`);
	return (index + 1) as Weekday;
}

/** "Mon-Fri", "Sat", "Mon,Wed,Fri", "Fri-Mon" (wraps over the weekend). */
function parseDays(text: string, rule: string): Weekday[] {
	const days: Weekday[] = [];
	for (const part of text.split(',')) {
		if (!part.trim()) throw new ScheduleSyntaxError(`"${rule}" has an empty weekday in its list`);
		const range = part.split('-');
		if (range.length > 2)
			throw new ScheduleSyntaxError(`"${part.trim()}" in "${rule}" is not a weekday or a range like Mon-Fri`);
		const from = dayOf(range[0], rule);
		const to = range.length === 2 ? dayOf(range[1], rule) : from;
		for (let day = from; ; day = ((day % 7) + 1) as Weekday) {
			if (!days.includes(day)) days.push(day);
			if (day === to) break;
		}
	}
	return days;
}

function minutesOf(text: string, rule: string, isEnd: boolean): number {
	const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
	const hour = match ? Number(match[1]) : NaN;
	const minute = match ? Number(match[2]) : NaN;
	const valid = match && minute < 60 && (hour < 24 || (isEnd && hour === 24 && minute === 0));
	if (!valid) {
		const hint = hour === 24 && !isEnd ? ' (24:00 can only end an interval)' : ' (use HH:MM, 00:00 to 24:00)';
		throw new ScheduleSyntaxError(`"${text.trim()}" in "${rule}" is not a time${hint}`);
	}
	return hour * 60 + minute;
}

/** "09:00-17:00"; an end at or before the start runs past midnight. */
function parseInterval(text: string, rule: string): DayInterval {
	const bounds = text.split('-');
	if (bounds.length !== 2 || !bounds[0].trim() || !bounds[1].trim()) {
		throw new ScheduleSyntaxError(
			`"${text.trim()}" in "${rule}" is not a time range (expected HH:MM-HH:MM, e.g. 09:00-17:00)`,
		);
	}
	const start = minutesOf(bounds[0], rule, false);
	const end = minutesOf(bounds[1], rule, true);
	if (start === end % MINUTES_PER_DAY && !(start === 0 && end === MINUTES_PER_DAY)) {
		throw new ScheduleSyntaxError(
			`"${text.trim()}" in "${rule}" opens and closes at the same time (for a whole day use 00:00-24:00)`,
		);
	}
	return { start, end };
}

/**
 * Parses the compact weekly form: rules separated by ";" or new lines, each "days times", e.g.
 * "Mon-Fri 09:00-12:00, 13:00-17:00; Sat 10:00-14:00; Sun 22:00-02:00". Days: Mon … Sun (or full
 * names), ranges "Mon-Fri", lists "Mon,Wed". Times: HH:MM-HH:MM, several separated by ",".
 * Throws ScheduleSyntaxError naming the rule at fault.
 */
export function parseWeeklyHours(text: string): WeeklyHours {
	const normalised = text.replace(/[\u2012-\u2015\u2212]/g, '-');
	const rules = normalised
		.split(/[;\n]/)
		.map((rule) => rule.trim())
		.filter(Boolean);
	if (rules.length === 0)
		throw new ScheduleSyntaxError('Business hours are empty: enter at least one rule, e.g. "Mon-Fri 09:00-17:00"');
	const weekly: WeeklyHours = {};
	for (const rule of rules) {
		const firstTime = rule.search(/\d/);
		if (firstTime < 0)
			throw new ScheduleSyntaxError(`"${rule}" has no opening times (expected e.g. "Mon-Fri 09:00-17:00")`);
		const daysText = rule.slice(0, firstTime).trim();
		if (!daysText) throw new ScheduleSyntaxError(`"${rule}" names no weekday (expected e.g. "Mon-Fri 09:00-17:00")`);
		const days = parseDays(daysText, rule);
		const intervals = rule
			.slice(firstTime)
			.split(',')
			.map((part) => parseInterval(part, rule));
		for (const day of days) weekly[day] = [...(weekly[day] ?? []), ...intervals];
	}
	return weekly;
}

function parseIsoDate(text: string): DateTime | undefined {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
	const date = DateTime.fromISO(text, { zone: 'UTC' });
	return date.isValid ? date : undefined;
}

/**
 * Parses holidays: ISO dates (YYYY-MM-DD) or ranges (YYYY-MM-DD..YYYY-MM-DD) separated by
 * commas, spaces or new lines. Empty text means no holidays.
 */
export function parseHolidays(text: string): string[] {
	const dates = new Set<string>();
	for (const entry of text.split(/[\s,;]+/).filter(Boolean)) {
		const [fromText, toText, ...rest] = entry.split('..');
		const from = parseIsoDate(fromText);
		const to = toText === undefined ? from : parseIsoDate(toText);
		if (!from || !to || rest.length > 0) {
			throw new ScheduleSyntaxError(
				`Holiday "${entry}" is not a date (use YYYY-MM-DD, e.g. 2025-12-25, or a range 2025-12-24..2025-12-26)`,
			);
		}
		const days = Math.round(to.diff(from, 'days').days);
		if (days < 0) throw new ScheduleSyntaxError(`Holiday range "${entry}" ends before it starts`);
		if (days >= MAX_HOLIDAY_RANGE_DAYS) throw new ScheduleSyntaxError(`Holiday range "${entry}" is longer than a year`);
		for (let day = 0; day <= days; day++) dates.add(from.plus({ days: day }).toISODate() as string);
	}
	return [...dates].sort();
}

/** The zone's canonical spelling, or a ScheduleSyntaxError for a zone luxon does not know. */
export function checkTimeZone(zone: string): string {
	const trimmed = zone.trim();
	if (!trimmed || !Info.isValidIANAZone(trimmed)) {
		throw new ScheduleSyntaxError(`"${trimmed}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`);
	}
	return trimmed;
}

/** The schedule from the three parameters an admin types. */
export function parseBusinessSchedule(input: { hours: string; zone: string; holidays?: string }): BusinessSchedule {
	return {
		zone: checkTimeZone(input.zone),
		weekly: parseWeeklyHours(input.hours),
		holidays: parseHolidays(input.holidays ?? ''),
	};
}

/** The locale's canonical tag (empty: en), or a ScheduleSyntaxError for a malformed tag such as "de_DE". */
export function checkLocale(locale: string): string {
	const trimmed = locale.trim();
	if (!trimmed) return 'en';
	let canonical: string | undefined;
	try {
		canonical = Intl.getCanonicalLocales(trimmed)[0];
	} catch {
		canonical = undefined;
	}
	if (!canonical) throw new ScheduleSyntaxError(`"${trimmed}" is not a locale tag (e.g. en-US, en-GB, de-DE)`);
	return canonical;
}

/** An opening time for people: weekday, date, time and zone name, in the schedule's zone and the given locale. */
export function formatOpening(opening: DateTime, locale = 'en'): string {
	return opening.setLocale(locale).toLocaleString({
		weekday: 'long',
		day: 'numeric',
		month: 'long',
		hour: 'numeric',
		minute: '2-digit',
		timeZoneName: 'short',
	});
}
