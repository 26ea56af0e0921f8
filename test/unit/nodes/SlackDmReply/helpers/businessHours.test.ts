import { DateTime } from 'luxon';

import {
	checkTimeZone,
	formatOpening,
	isOpen,
	nextOpening,
	openPeriodAt,
	parseBusinessSchedule,
	parseHolidays,
	parseWeeklyHours,
	ScheduleSyntaxError,
	wallTimeToMillis,
	type BusinessSchedule,
} from '../../../../../nodes/SlackDmReply/helpers/businessHours';

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' }).toMillis();
const schedule = (hours: string, zone: string, holidays = ''): BusinessSchedule =>
	parseBusinessSchedule({ hours, zone, holidays });
const openingIso = (now: number, s: BusinessSchedule) =>
	nextOpening(now, s)?.toUTC().toISO({ suppressMilliseconds: true });

describe('parseWeeklyHours', () => {
	it('reads day ranges, single days and several intervals per day', () => {
		expect(parseWeeklyHours('Mon-Fri 09:00-12:00, 13:00-17:00; Sat 10:00-14:00')).toEqual({
			1: [
				{ start: 540, end: 720 },
				{ start: 780, end: 1020 },
			],
			2: [
				{ start: 540, end: 720 },
				{ start: 780, end: 1020 },
			],
			3: [
				{ start: 540, end: 720 },
				{ start: 780, end: 1020 },
			],
			4: [
				{ start: 540, end: 720 },
				{ start: 780, end: 1020 },
			],
			5: [
				{ start: 540, end: 720 },
				{ start: 780, end: 1020 },
			],
			6: [{ start: 600, end: 840 }],
		});
	});

	it('accepts lists, full names, any case, ranges wrapping over the weekend, new lines, en dashes and 24:00', () => {
		const weekly = parseWeeklyHours('monday, WED 9:00–12:00\nFri-Mon 22:00-02:00\nsunday 00:00-24:00');
		expect(weekly[1]).toEqual([
			{ start: 540, end: 720 },
			{ start: 1320, end: 120 },
		]);
		expect(weekly[2]).toBeUndefined();
		expect(weekly[3]).toEqual([{ start: 540, end: 720 }]);
		expect(weekly[5]).toEqual([{ start: 1320, end: 120 }]);
		expect(weekly[6]).toEqual([{ start: 1320, end: 120 }]);
		expect(weekly[7]).toEqual([
			{ start: 1320, end: 120 },
			{ start: 0, end: 1440 },
		]);
	});

	it.each([
		['', /empty/],
		['Mo-Fr 09:00-17:00', /"Mo" .* is not a weekday \(use Mon, Tue/],
		['Mon-Fri', /has no opening times/],
		['09:00-17:00', /names no weekday/],
		['Mon-Fri 9-17', /"9" in "Mon-Fri 9-17" is not a time/],
		['Mon 09:00', /"09:00" in "Mon 09:00" is not a time range \(expected HH:MM-HH:MM/],
		['Mon 25:00-26:00', /"25:00" .* is not a time/],
		['Mon 09:60-17:00', /"09:60" .* is not a time/],
		['Mon 24:00-02:00', /24:00 can only end an interval/],
		['Mon 09:00-09:00', /opens and closes at the same time/],
		['Mon-Fri 09:00-17:00; Sat 10:00', /"Sat 10:00"/],
		['Mon-Tue-Wed 09:00-17:00', /not a weekday or a range/],
	])('refuses %j with a message naming the problem', (text, message) => {
		expect(() => parseWeeklyHours(text)).toThrow(ScheduleSyntaxError);
		expect(() => parseWeeklyHours(text)).toThrow(message);
	});
});

describe('parseHolidays and checkTimeZone', () => {
	it('reads dates and inclusive ranges in any separator, sorted and deduplicated', () => {
		expect(parseHolidays('2025-12-26, 2025-12-24..2025-12-26\n2026-01-01')).toEqual([
			'2025-12-24',
			'2025-12-25',
			'2025-12-26',
			'2026-01-01',
		]);
		expect(parseHolidays('  ')).toEqual([]);
	});

	it.each([
		['2025-02-30', /"2025-02-30" is not a date/],
		['25.12.2025', /is not a date \(use YYYY-MM-DD/],
		['2025-12-26..2025-12-24', /ends before it starts/],
		['2025-01-01..2027-01-01', /longer than a year/],
	])('refuses holiday %j', (text, message) => {
		expect(() => parseHolidays(text)).toThrow(message);
	});

	it('accepts IANA zones and refuses unknown ones', () => {
		expect(checkTimeZone(' Europe/Berlin ')).toBe('Europe/Berlin');
		expect(checkTimeZone('UTC')).toBe('UTC');
		expect(() => checkTimeZone('Europe/Berln')).toThrow('"Europe/Berln" is not an IANA time zone');
		expect(() => checkTimeZone('')).toThrow(ScheduleSyntaxError);
	});
});

describe('openPeriodAt', () => {
	it('names the open period holding the instant (also one that started the day before), nothing while closed', () => {
		const berlin = schedule('Mon-Fri 09:00-17:00', 'Europe/Berlin');
		expect(openPeriodAt(utc('2025-03-31T10:00:00Z'), berlin)).toEqual({
			start: utc('2025-03-31T07:00:00Z'),
			end: utc('2025-03-31T15:00:00Z'),
		});
		expect(openPeriodAt(utc('2025-03-31T15:00:00Z'), berlin)).toBeUndefined();
		const night = schedule('Mon 22:00-06:00', 'UTC');
		expect(openPeriodAt(utc('2025-04-01T05:00:00Z'), night)).toEqual({
			start: utc('2025-03-31T22:00:00Z'),
			end: utc('2025-04-01T06:00:00Z'),
		});
	});
});

describe('isOpen and nextOpening: weekdays', () => {
	const berlin = schedule('Mon-Fri 09:00-17:00', 'Europe/Berlin');

	it('is open from the opening minute up to, not including, the closing minute', () => {
		// Monday 2025-03-31, CEST (UTC+2).
		expect(isOpen(utc('2025-03-31T06:59:59Z'), berlin)).toBe(false);
		expect(isOpen(utc('2025-03-31T07:00:00Z'), berlin)).toBe(true);
		expect(isOpen(utc('2025-03-31T14:59:59Z'), berlin)).toBe(true);
		expect(isOpen(utc('2025-03-31T15:00:00Z'), berlin)).toBe(false);
	});

	it('accepts a Date, epoch milliseconds or a DateTime as now', () => {
		const at = utc('2025-03-31T08:00:00Z');
		expect(isOpen(new Date(at), berlin)).toBe(true);
		expect(isOpen(DateTime.fromMillis(at, { zone: 'Asia/Tokyo' }), berlin)).toBe(true);
	});

	it('answers now when open, the next opening when closed, in the schedule zone', () => {
		const open = utc('2025-04-01T10:00:00Z');
		expect(nextOpening(open, berlin)?.toMillis()).toBe(open);
		const afterFriday = nextOpening(utc('2025-04-04T16:00:00Z'), berlin);
		expect(afterFriday?.zoneName).toBe('Europe/Berlin');
		expect(afterFriday?.toISO({ suppressMilliseconds: true })).toBe('2025-04-07T09:00:00+02:00');
	});

	it('an always-closed schedule never opens; a 24/7 schedule is always open', () => {
		const closed: BusinessSchedule = { zone: 'Europe/Berlin', weekly: {} };
		expect(isOpen(utc('2025-04-01T10:00:00Z'), closed)).toBe(false);
		expect(nextOpening(utc('2025-04-01T10:00:00Z'), closed)).toBeUndefined();
		const always = schedule('Mon-Sun 00:00-24:00', 'America/New_York');
		for (const iso of [
			'2025-03-09T07:30:00Z',
			'2025-11-02T05:30:00Z',
			'2025-11-02T06:30:00Z',
			'2025-12-31T23:59:59Z',
		]) {
			expect(isOpen(utc(iso), always)).toBe(true);
			expect(nextOpening(utc(iso), always)?.toMillis()).toBe(utc(iso));
		}
	});
});

describe('DST in Europe/Berlin (2025: spring 30 March 02:00→03:00, autumn 26 October 03:00→02:00)', () => {
	it('the weekend before spring forward lasts an hour less: Friday 17:00 CET to Monday 09:00 CEST', () => {
		const s = schedule('Mon-Fri 09:00-17:00', 'Europe/Berlin');
		const friday = utc('2025-03-28T16:00:00Z');
		expect(isOpen(friday - 1, s)).toBe(true);
		const monday = nextOpening(friday, s);
		expect(monday?.toISO({ suppressMilliseconds: true })).toBe('2025-03-31T09:00:00+02:00');
		expect(((monday?.toMillis() ?? 0) - friday) / 3_600_000).toBe(63);
	});

	it('a whole Sunday lasts 23 hours in spring and 25 in autumn', () => {
		const s = schedule('Sun 00:00-24:00', 'Europe/Berlin');
		expect(isOpen(utc('2025-03-29T22:59:59Z'), s)).toBe(false);
		expect(isOpen(utc('2025-03-29T23:00:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-03-30T21:59:59Z'), s)).toBe(true);
		expect(isOpen(utc('2025-03-30T22:00:00Z'), s)).toBe(false);
		expect(isOpen(utc('2025-10-25T22:00:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-10-26T22:59:59Z'), s)).toBe(true);
		expect(isOpen(utc('2025-10-26T23:00:00Z'), s)).toBe(false);
	});

	it('an opening inside the spring gap opens when the clock jumps (03:00 CEST)', () => {
		const s = schedule('Sun 02:30-04:00', 'Europe/Berlin');
		expect(openingIso(utc('2025-03-29T12:00:00Z'), s)).toBe('2025-03-30T01:00:00Z');
		expect(isOpen(utc('2025-03-30T00:59:00Z'), s)).toBe(false);
		expect(isOpen(utc('2025-03-30T01:59:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-03-30T02:00:00Z'), s)).toBe(false);
		expect(wallTimeToMillis({ year: 2025, month: 3, day: 30 }, 150, 'Europe/Berlin')).toBe(utc('2025-03-30T01:00:00Z'));
	});

	it('a time the clock shows twice in autumn means its first occurrence', () => {
		const s = schedule('Sun 02:30-05:00', 'Europe/Berlin');
		expect(openingIso(utc('2025-10-25T12:00:00Z'), s)).toBe('2025-10-26T00:30:00Z');
		// 02:30 CET (the second 02:30) is inside the interval, and it closes at 05:00 CET.
		expect(isOpen(utc('2025-10-26T01:30:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-10-26T03:59:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-10-26T04:00:00Z'), s)).toBe(false);
	});
});

describe('DST in America/New_York (2025: spring 9 March 02:00→03:00, autumn 2 November 02:00→01:00)', () => {
	it('Friday 17:00 EST to Monday 09:00 EDT', () => {
		const s = schedule('Mon-Fri 09:00-17:00', 'America/New_York');
		expect(openingIso(utc('2025-03-07T22:00:00Z'), s)).toBe('2025-03-10T13:00:00Z');
		expect(isOpen(utc('2025-03-10T12:59:00Z'), s)).toBe(false);
		expect(isOpen(utc('2025-03-10T13:00:00Z'), s)).toBe(true);
		// Before the change the same wall time was an hour later in UTC.
		expect(isOpen(utc('2025-03-07T13:30:00Z'), s)).toBe(false);
	});

	it('a night shift across spring forward lasts 3 hours, across fall back 9 hours', () => {
		const s = schedule('Sat 23:00-03:00; Sat 22:00-06:00', 'America/New_York');
		// 8 March: 22:00 EST (03:00Z) to 06:00 EDT (10:00Z) = 7 hours; the shorter shift is inside it.
		expect(isOpen(utc('2025-03-09T02:59:00Z'), s)).toBe(false);
		expect(isOpen(utc('2025-03-09T09:59:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-03-09T10:00:00Z'), s)).toBe(false);
		const shortShift = schedule('Sat 23:00-03:00', 'America/New_York');
		expect(isOpen(utc('2025-03-09T04:00:00Z'), shortShift)).toBe(true);
		expect(isOpen(utc('2025-03-09T06:59:00Z'), shortShift)).toBe(true);
		expect(isOpen(utc('2025-03-09T07:00:00Z'), shortShift)).toBe(false);
		// 1 November: 22:00 EDT (02:00Z) to 06:00 EST (11:00Z) = 9 hours.
		expect(isOpen(utc('2025-11-02T01:59:00Z'), s)).toBe(false);
		expect(isOpen(utc('2025-11-02T10:59:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-11-02T11:00:00Z'), s)).toBe(false);
	});

	it('an opening at exactly 02:00 on the spring day opens at 03:00 EDT', () => {
		const s = schedule('Sun 02:00-04:00', 'America/New_York');
		expect(openingIso(utc('2025-03-08T12:00:00Z'), s)).toBe('2025-03-09T07:00:00Z');
	});
});

describe('intervals crossing midnight', () => {
	const s = schedule('Fri 22:00-02:00; Sun 23:00-01:00', 'UTC');

	it('run into the next day and the next week', () => {
		expect(isOpen(utc('2025-04-04T21:59:00Z'), s)).toBe(false);
		expect(isOpen(utc('2025-04-04T22:00:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-04-05T01:59:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-04-05T02:00:00Z'), s)).toBe(false);
		// Sunday's shift ends on Monday.
		expect(isOpen(utc('2025-04-07T00:30:00Z'), s)).toBe(true);
		expect(openingIso(utc('2025-04-05T02:00:00Z'), s)).toBe('2025-04-06T23:00:00Z');
	});

	it('adjacent intervals across midnight form one open period', () => {
		const joined = schedule('Mon 22:00-24:00; Tue 00:00-06:00', 'UTC');
		expect(isOpen(utc('2025-04-08T00:00:00Z'), joined)).toBe(true);
		expect(nextOpening(utc('2025-04-07T23:59:00Z'), joined)?.toMillis()).toBe(utc('2025-04-07T23:59:00Z'));
		expect(openingIso(utc('2025-04-08T06:00:00Z'), joined)).toBe('2025-04-14T22:00:00Z');
	});
});

describe('holidays', () => {
	it('close whole days: Christmas Thursday and Friday reopen on Monday', () => {
		const s = schedule('Mon-Fri 09:00-17:00', 'Europe/Berlin', '2025-12-25, 2025-12-26');
		expect(isOpen(utc('2025-12-24T09:00:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-12-25T09:00:00Z'), s)).toBe(false);
		expect(openingIso(utc('2025-12-24T17:00:00Z'), s)).toBe('2025-12-29T08:00:00Z');
	});

	it('cut an overnight interval at the holiday midnight, and keep the part after the holiday', () => {
		// Wednesday 24 and Thursday 25 December 2025, UTC; the 25th is a holiday.
		const s = schedule('Wed-Thu 22:00-06:00', 'UTC', '2025-12-25');
		expect(isOpen(utc('2025-12-24T23:00:00Z'), s)).toBe(true);
		expect(isOpen(utc('2025-12-25T00:00:00Z'), s)).toBe(false);
		expect(isOpen(utc('2025-12-25T23:00:00Z'), s)).toBe(false);
		expect(openingIso(utc('2025-12-25T12:00:00Z'), s)).toBe('2025-12-26T00:00:00Z');
		expect(isOpen(utc('2025-12-26T05:59:00Z'), s)).toBe(true);
	});

	it('a closure longer than a month is searched past', () => {
		const s = schedule('Mon-Fri 09:00-17:00', 'UTC', '2025-07-01..2025-08-31');
		expect(openingIso(utc('2025-06-30T18:00:00Z'), s)).toBe('2025-09-01T09:00:00Z');
	});
});

describe('consistency over DST weeks', () => {
	it.each([
		['Europe/Berlin', '2025-03-27T00:00:00Z'],
		['Europe/Berlin', '2025-10-23T00:00:00Z'],
		['America/New_York', '2025-03-06T00:00:00Z'],
		['America/New_York', '2025-10-30T00:00:00Z'],
	])('%s from %s: open exactly when the next opening is now, and closed just before a later opening', (zone, from) => {
		const s = schedule('Mon-Fri 08:30-12:00, 13:00-18:00; Sat 22:00-03:00; Sun 01:30-02:30', zone);
		for (let at = utc(from); at < utc(from) + 7 * 86_400_000; at += 20 * 60_000) {
			const opening = nextOpening(at, s);
			expect(opening).toBeDefined();
			const openNow = isOpen(at, s);
			expect(opening?.toMillis() === at).toBe(openNow);
			if (!openNow) {
				expect(isOpen((opening?.toMillis() ?? 0) - 1, s)).toBe(false);
				expect(isOpen(opening?.toMillis() ?? 0, s)).toBe(true);
			}
		}
	});
});

describe('formatOpening', () => {
	it('names weekday, date and time in the schedule zone and the locale', () => {
		const opening = nextOpening(
			utc('2025-03-29T12:00:00Z'),
			schedule('Mon-Fri 09:00-17:00', 'Europe/Berlin'),
		) as DateTime;
		const english = formatOpening(opening, 'en-US');
		expect(english).toContain('Monday');
		expect(english).toContain('March 31');
		expect(english).toContain('9:00');
		const german = formatOpening(opening, 'de-DE');
		expect(german).toContain('Montag');
		expect(german).toContain('31. März');
		expect(german).toContain('09:00');
	});
});
