import { DateTime } from 'luxon';

import { escapeSlackText } from '../../../../../nodes/shared/slack/mrkdwn';
import { parseBusinessSchedule } from '../../../../../nodes/SlackDmReply/helpers/businessHours';
import {
	claimOutsideHoursNotice,
	clearOutsideHoursClaims,
	closedSince,
	isNewUserMessage,
	isNotAMessage,
	NEVER_OPENS_CLAIM_MS,
	businessScheduleOf,
	planOutsideHours,
	releaseOutsideHoursNotice,
	renderOutsideHoursNotice,
} from '../../../../../nodes/SlackDmReply/helpers/outsideHours';

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' }).toMillis();
const berlin = parseBusinessSchedule({ hours: 'Mon-Fri 09:00-17:00', zone: 'Europe/Berlin' });

describe('which items are a new user message', () => {
	it.each([
		[{ zendesk: { outcome: 'created' } }, true, false],
		[{ zendesk: { outcome: 'appended' } }, true, false],
		[{ zendesk: { outcome: 'followUp' } }, true, false],
		[{ zendesk: { outcome: 'reopened' } }, true, false],
		[{ zendesk: { outcome: 'noted' } }, false, true],
		[{ zendesk: { outcome: 'duplicate' } }, false, true],
		[{ zendesk: { outcome: 'skipped' } }, false, true],
		[{ kind: 'message', message: { ts: '1700000000.000100' } }, true, false],
		[{ kind: 'edit', message: { ts: '1700000000.000100' } }, false, true],
		[{ comment: { body: 'agent reply' }, slack: { channelId: 'D1' } }, false, false],
	])('%j: new message %s, refused even when asked %s', (json, isNew, refused) => {
		expect(isNewUserMessage(json)).toBe(isNew);
		expect(isNotAMessage(json)).toBe(refused);
	});
});

describe('planOutsideHours and the claim', () => {
	beforeEach(() => clearOutsideHoursClaims());

	it('is open during hours, and while closed names the next opening and a claim lasting until then', () => {
		expect(planOutsideHours(utc('2025-04-01T08:00:00Z'), berlin, 'h:D1')).toEqual({ closed: false });
		const friday = utc('2025-04-04T18:00:00Z');
		const plan = planOutsideHours(friday, berlin, 'h:D1');
		if (!plan.closed) throw new Error('expected closed');
		expect(plan.nextOpening?.toISO({ suppressMilliseconds: true })).toBe('2025-04-07T09:00:00+02:00');
		expect(plan.claimTtlMs).toBe(utc('2025-04-07T07:00:00Z') - friday);
		expect(plan.claimKey).toBe(`h:D1:${utc('2025-04-07T07:00:00Z')}`);
	});

	it('one notice per conversation per closed period: the same night shares the key, the next night does not', () => {
		const evening = planOutsideHours(utc('2025-04-01T18:00:00Z'), berlin, 'h:D1');
		const lateNight = planOutsideHours(utc('2025-04-02T03:00:00Z'), berlin, 'h:D1');
		const otherUser = planOutsideHours(utc('2025-04-02T03:00:00Z'), berlin, 'h:D2');
		const nextEvening = planOutsideHours(utc('2025-04-02T18:00:00Z'), berlin, 'h:D1');
		if (!evening.closed || !lateNight.closed || !otherUser.closed || !nextEvening.closed)
			throw new Error('expected closed');
		expect(lateNight.claimKey).toBe(evening.claimKey);
		expect(claimOutsideHoursNotice(evening.claimKey, evening.claimTtlMs, utc('2025-04-01T18:00:00Z'))).toBe(true);
		expect(claimOutsideHoursNotice(lateNight.claimKey, lateNight.claimTtlMs, utc('2025-04-02T03:00:00Z'))).toBe(false);
		expect(claimOutsideHoursNotice(otherUser.claimKey, otherUser.claimTtlMs, utc('2025-04-02T03:00:00Z'))).toBe(true);
		expect(claimOutsideHoursNotice(nextEvening.claimKey, nextEvening.claimTtlMs, utc('2025-04-02T18:00:00Z'))).toBe(
			true,
		);
	});

	it('a released claim (the post failed) can be claimed again; a claim expires when the desk opens', () => {
		const now = utc('2025-04-01T18:00:00Z');
		const plan = planOutsideHours(now, berlin, 'h:D1');
		if (!plan.closed) throw new Error('expected closed');
		expect(claimOutsideHoursNotice(plan.claimKey, plan.claimTtlMs, now)).toBe(true);
		releaseOutsideHoursNotice(plan.claimKey);
		expect(claimOutsideHoursNotice(plan.claimKey, plan.claimTtlMs, now)).toBe(true);
		expect(claimOutsideHoursNotice(plan.claimKey, plan.claimTtlMs, now + plan.claimTtlMs)).toBe(true);
	});

	it('a schedule that never opens claims for a bounded time', () => {
		const plan = planOutsideHours(utc('2025-04-01T18:00:00Z'), { zone: 'UTC', weekly: {} }, 'h:D1');
		expect(plan).toEqual({
			closed: true,
			nextOpening: undefined,
			claimKey: 'h:D1:never',
			claimTtlMs: NEVER_OPENS_CLAIM_MS,
		});
	});
});

describe('closedSince: where a worker looks for a notice another one posted', () => {
	it('is the end of the latest open period: the same evening, the night after, over the weekend', () => {
		expect(closedSince(utc('2025-04-01T18:00:00Z'), berlin)).toBe(utc('2025-04-01T15:00:00Z'));
		expect(closedSince(utc('2025-04-02T03:00:00Z'), berlin)).toBe(utc('2025-04-01T15:00:00Z'));
		expect(closedSince(utc('2025-04-06T12:00:00Z'), berlin)).toBe(utc('2025-04-04T15:00:00Z'));
	});

	it('looks back at most a week when the desk never opened in it', () => {
		const never = parseBusinessSchedule({
			hours: 'Mon-Fri 09:00-17:00',
			zone: 'UTC',
			holidays: '2025-03-01..2025-04-30',
		});
		const now = utc('2025-04-10T12:00:00Z');
		expect(closedSince(now, never)).toBe(now - NEVER_OPENS_CLAIM_MS);
	});
});

describe('remembered work', () => {
	it('an open period found once answers later instants inside it, and only those', () => {
		const schedule = parseBusinessSchedule({ hours: 'Mon-Fri 09:00-17:00', zone: 'Europe/Berlin' });
		expect(planOutsideHours(utc('2025-04-01T08:00:00Z'), schedule, 'h:D1')).toEqual({ closed: false });
		// Inside the remembered period (Tue 09:00-17:00 Berlin), before it, after it: the clock may go either way.
		expect(planOutsideHours(utc('2025-04-01T14:59:59Z'), schedule, 'h:D1')).toEqual({ closed: false });
		expect(planOutsideHours(utc('2025-04-01T15:00:00Z'), schedule, 'h:D1').closed).toBe(true);
		expect(planOutsideHours(utc('2025-04-01T06:59:59Z'), schedule, 'h:D1').closed).toBe(true);
		expect(planOutsideHours(utc('2025-04-02T07:00:00Z'), schedule, 'h:D1')).toEqual({ closed: false });
	});

	it('businessScheduleOf gives one schedule object per text, and refuses a mistake every time', () => {
		const first = businessScheduleOf({ hours: 'Mon-Fri 09:00-17:00', zone: 'Europe/Berlin', holidays: '' });
		expect(businessScheduleOf({ hours: 'Mon-Fri 09:00-17:00', zone: 'Europe/Berlin', holidays: '' })).toBe(first);
		expect(businessScheduleOf({ hours: 'Mon-Fri 09:00-17:00', zone: 'Europe/Paris', holidays: '' })).not.toBe(first);
		expect(first).toEqual(parseBusinessSchedule({ hours: 'Mon-Fri 09:00-17:00', zone: 'Europe/Berlin' }));
		for (let attempt = 0; attempt < 2; attempt++) {
			expect(() => businessScheduleOf({ hours: 'Mon-Fri 09:00-17:00', zone: 'Mars/Base', holidays: '' })).toThrow(
				/not an IANA time zone/,
			);
		}
	});
});

describe('renderOutsideHoursNotice', () => {
	it('fills the next opening in the schedule zone and locale, and the ticket id, escaped for Slack', () => {
		const plan = planOutsideHours(utc('2025-04-04T18:00:00Z'), berlin, 'k');
		if (!plan.closed) throw new Error('expected closed');
		const text = renderOutsideHoursNotice(
			'Back <soon>: {nextOpening} (#{ticketId})',
			{ nextOpening: plan.nextOpening, locale: 'de-DE', ticketId: '42' },
			escapeSlackText,
		);
		expect(text).toMatch(/^Back &lt;soon&gt;: Montag, 7\. April um 09:00 \S+ \(#42\)$/);
	});

	it('without an opening the placeholder leaves no double space', () => {
		expect(renderOutsideHoursNotice('Closed {nextOpening} for now', {}, (text) => text)).toBe('Closed for now');
	});
});
