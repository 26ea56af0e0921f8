/**
 * Slack DM Reply's out-of-hours notice against the Slack emulator, through real n8n-core
 * contexts, at fixed instants (the schedule clock is set per test; nothing waits for real time).
 */
import { GlobalConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import { DateTime } from 'luxon';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { FIXTURE_IDS, startSlackEmulator } from '../../emulators/slack';
import { SlackDmReply } from '../../nodes/SlackDmReply/SlackDmReply.node';
import { clearOutsideHoursClaims, scheduleClock } from '../../nodes/SlackDmReply/helpers/outsideHours';
import { executeNode } from '../harness/inProcess';

const node = new SlackDmReply();
const realClock = scheduleClock.now;

let slack: Awaited<ReturnType<typeof startSlackEmulator>>;
let credentials: Record<string, ICredentialDataDecryptedObject>;
let dm: string;
let dm2: string;

const at = (iso: string) => {
	const millis = DateTime.fromISO(iso, { setZone: true }).toMillis();
	scheduleClock.now = () => millis;
};

/** Zendesk Messaging Upsert output for a DM (the inbound flow's item). */
function upserted(channel: string, user: string, outcome: string, ticketId = 77): IDataObject {
	return {
		teamId: FIXTURE_IDS.teamId,
		kind: 'message',
		channel: { id: channel, type: 'im' },
		user: { id: user, teamId: FIXTURE_IDS.teamId },
		message: { ts: '1700000000.000100', text: 'help', files: [] },
		zendesk: { outcome, ticketId },
	};
}

const BERLIN_HOURS = { businessHours: 'Mon-Fri 09:00-17:00', businessTimeZone: 'Europe/Berlin' };

function run(items: IDataObject[], parameters: IDataObject, continueOnFail = false) {
	return executeNode(node, {
		parameters: { operation: 'notice', ...parameters } as never,
		credentials,
		items: items.map((json) => ({ json })),
		continueOnFail,
	});
}

const texts = (channel: string) => slack.postedMessages.filter((m) => m.channel === channel).map((m) => m.text);
const replies = (outputs: { json: IDataObject }[][]) => outputs[0].map((item) => item.json.slackReply as IDataObject);

beforeAll(async () => {
	slack = await startSlackEmulator();
	credentials = { slackDmApi: { accessToken: FIXTURE_IDS.botToken, baseUrl: slack.apiUrl } };
});

afterAll(async () => {
	scheduleClock.now = realClock;
	await slack.close();
});

beforeEach(() => {
	slack.reset();
	clearOutsideHoursClaims();
	dm = slack.openDm(FIXTURE_IDS.botUserId, FIXTURE_IDS.employeeId);
	dm2 = slack.openDm(FIXTURE_IDS.botUserId, FIXTURE_IDS.employee2Id);
});

describe('Slack DM Reply: Outside Business Hours', () => {
	it('tells each conversation once per closed period when the team is back, and nothing while open', async () => {
		// Friday 4 April 2025, 19:30 in Berlin.
		at('2025-04-04T19:30:00+02:00');
		const { outputs } = await run(
			[
				upserted(dm, FIXTURE_IDS.employeeId, 'created'),
				upserted(dm, FIXTURE_IDS.employeeId, 'appended'),
				upserted(dm2, FIXTURE_IDS.employee2Id, 'created', 78),
			],
			{ noticeKind: 'outsideHours', ...BERLIN_HOURS },
		);
		expect(texts(dm)).toEqual([
			expect.stringMatching(
				/^Thanks for your message\. We're outside business hours right now; our team will answer here from Monday, April 7 at 9:00\sAM GMT\+2\.$/,
			),
		]);
		expect(texts(dm2)).toHaveLength(1);
		expect(replies(outputs)).toEqual([
			expect.objectContaining({ delivered: true, notice: 'outsideHours', channelId: dm }),
			expect.objectContaining({ delivered: false, skipped: 'alreadyNotified' }),
			expect.objectContaining({ delivered: true, notice: 'outsideHours', channelId: dm2 }),
		]);

		// Still the same closed period on Sunday: nothing more.
		at('2025-04-06T11:00:00+02:00');
		await run([upserted(dm, FIXTURE_IDS.employeeId, 'appended')], { noticeKind: 'outsideHours', ...BERLIN_HOURS });
		expect(texts(dm)).toHaveLength(1);

		// Open on Monday: no notice, no Slack call.
		at('2025-04-07T10:00:00+02:00');
		const calls = slack.server.countCalls('chat.postMessage');
		const open = await run([upserted(dm, FIXTURE_IDS.employeeId, 'appended')], {
			noticeKind: 'outsideHours',
			...BERLIN_HOURS,
		});
		expect(replies(open.outputs)[0]).toMatchObject({ delivered: false, skipped: 'open' });
		expect(slack.server.countCalls('chat.postMessage')).toBe(calls);

		// Monday evening is a new closed period.
		at('2025-04-07T18:00:00+02:00');
		await run([upserted(dm, FIXTURE_IDS.employeeId, 'appended')], { noticeKind: 'outsideHours', ...BERLIN_HOURS });
		expect(texts(dm)).toHaveLength(2);
		expect(texts(dm)[1]).toContain('Tuesday, April 8');
	});

	it('renders the opening in the schedule zone and locale, past holidays, with the ticket id, and skips edits', async () => {
		at('2025-12-24T18:00:00+01:00');
		const { outputs } = await run(
			[upserted(dm, FIXTURE_IDS.employeeId, 'noted'), upserted(dm, FIXTURE_IDS.employeeId, 'created', 501)],
			{
				noticeKind: 'outsideHours',
				...BERLIN_HOURS,
				businessHolidays: '2025-12-25..2025-12-26',
				outsideHoursNoticeText: 'Danke! Anfrage #{ticketId}: wir sind ab {nextOpening} wieder da.',
				openingLocale: 'de-DE',
			},
		);
		expect(replies(outputs)[0]).toMatchObject({ delivered: false, skipped: 'notAMessage' });
		expect(texts(dm)).toEqual([
			expect.stringMatching(/^Danke! Anfrage #501: wir sind ab Montag, 29\. Dezember um 09:00 MEZ wieder da\.$/),
		]);
	});

	it('an empty Time Zone uses the workflow time zone', async () => {
		const zone = Container.get(GlobalConfig).generic.timezone;
		const evening = DateTime.fromObject({ year: 2025, month: 4, day: 4, hour: 19 }, { zone });
		at(evening.toISO() as string);
		await run([upserted(dm, FIXTURE_IDS.employeeId, 'created')], {
			noticeKind: 'outsideHours',
			businessHours: 'Mon-Fri 09:00-17:00',
			openingLocale: 'en-GB',
		});
		const monday = DateTime.fromObject({ year: 2025, month: 4, day: 7, hour: 9 }, { zone }).setLocale('en-GB');
		expect(texts(dm)[0]).toContain(
			monday.toLocaleString({ hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }),
		);
		expect(texts(dm)[0]).toContain('Monday 7 April');
	});

	it('a failed post gives the claim back, so the next message in the closed period tries again', async () => {
		at('2025-04-04T19:30:00+02:00');
		slack.injectFault('chat.postMessage', { kind: 'status', status: 503 });
		const failed = await run(
			[upserted(dm, FIXTURE_IDS.employeeId, 'created')],
			{ noticeKind: 'outsideHours', ...BERLIN_HOURS },
			true,
		);
		expect(failed.outputs[0][0].json.error).toEqual(expect.stringContaining('may have been delivered'));
		expect(failed.outputs[0][0].json.zendesk).toEqual({ outcome: 'created', ticketId: 77 });
		const retried = await run([upserted(dm, FIXTURE_IDS.employeeId, 'appended')], {
			noticeKind: 'outsideHours',
			...BERLIN_HOURS,
		});
		expect(replies(retried.outputs)[0]).toMatchObject({ delivered: true, notice: 'outsideHours' });
	});

	describe('queue mode: the message announced in another process (a webhook process), each worker with its own claims', () => {
		/** Open every day from 3 h until 20 min before now (UTC), so the desk closed 20 min ago. */
		function closedTwentyMinutesAgo() {
			scheduleClock.now = realClock;
			const hhmm = (msAgo: number) => DateTime.fromMillis(Date.now() - msAgo, { zone: 'UTC' }).toFormat('HH:mm');
			return { businessHours: `Mon-Sun ${hhmm(3 * 3_600_000)}-${hhmm(20 * 60_000)}`, businessTimeZone: 'UTC' };
		}
		const elsewhere = (json: IDataObject) => ({ ...json, announcedIn: 'webhook-process-2-token' });

		it('a notice another worker posted since the desk closed counts: not posted again', async () => {
			const hours = closedTwentyMinutesAgo();
			const first = await run([elsewhere(upserted(dm, FIXTURE_IDS.employeeId, 'created'))], {
				noticeKind: 'auto',
				...hours,
			});
			expect(replies(first.outputs)[0]).toMatchObject({ notice: 'outsideHours' });
			clearOutsideHoursClaims(); // the other worker: its own memory
			const second = await run([elsewhere(upserted(dm, FIXTURE_IDS.employeeId, 'appended'))], {
				noticeKind: 'auto',
				...hours,
			});
			expect(replies(second.outputs)[0]).toMatchObject({ skipped: 'noNotice' });
			expect(texts(dm)).toHaveLength(1);
			// The first worker's look before and after posting, the second worker's look.
			expect(slack.server.callsTo('conversations.history')).toHaveLength(3);
		});

		it('a conversation not told yet is told; in one process (regular mode) nothing is read', async () => {
			const hours = closedTwentyMinutesAgo();
			await run([upserted(dm, FIXTURE_IDS.employeeId, 'created')], { noticeKind: 'auto', ...hours });
			expect(slack.server.callsTo('conversations.history')).toHaveLength(0);
			clearOutsideHoursClaims();
			const other = await run([elsewhere(upserted(dm2, FIXTURE_IDS.employee2Id, 'created', 78))], {
				noticeKind: 'auto',
				...hours,
			});
			expect(replies(other.outputs)[0]).toMatchObject({ notice: 'outsideHours' });
			expect(texts(dm)).toHaveLength(1);
			expect(texts(dm2)).toHaveLength(1);
		});

		it('two workers looking in the same instant both post: the later notice is deleted, one stays', async () => {
			const hours = closedTwentyMinutesAgo();
			// Each post is held at Slack long enough for the other worker to look and find nothing.
			slack.injectFault('chat.postMessage', { kind: 'latency', ms: 300 }, 2);
			const first = run([elsewhere(upserted(dm, FIXTURE_IDS.employeeId, 'created'))], { noticeKind: 'auto', ...hours });
			while (slack.server.inFlight('chat.postMessage') === 0) await new Promise((resolve) => setTimeout(resolve, 5));
			clearOutsideHoursClaims(); // the other worker: its own memory
			const second = run([elsewhere(upserted(dm, FIXTURE_IDS.employeeId, 'appended'))], {
				noticeKind: 'auto',
				...hours,
			});
			const [kept, withdrawn] = [replies((await first).outputs)[0], replies((await second).outputs)[0]];
			expect(texts(dm)).toHaveLength(2); // both reached Slack
			expect(kept).toMatchObject({ notice: 'outsideHours', delivered: true });
			expect(withdrawn).toMatchObject({ skipped: 'alreadyNotified', messageTs: [] });
			expect(slack.server.callsTo('chat.delete')).toHaveLength(1);
			expect(slack.messagesIn(dm).map((m) => m.ts)).toEqual(kept.messageTs);
		});

		it('when Slack does not answer the look, the notice is sent', async () => {
			const hours = closedTwentyMinutesAgo();
			slack.injectFault('conversations.history', { kind: 'status', status: 503 }, 10);
			const { outputs } = await run([elsewhere(upserted(dm, FIXTURE_IDS.employeeId, 'created'))], {
				noticeKind: 'auto',
				...hours,
			});
			expect(replies(outputs)[0]).toMatchObject({ notice: 'outsideHours' });
			expect(texts(dm)).toHaveLength(1);
		});
	});

	it('a DM Slack does not know (channel_not_found) makes the notice a logged, non-failing outcome', async () => {
		at('2025-04-04T19:30:00+02:00');
		const result = await run([upserted('D0NOSUCHDM', FIXTURE_IDS.employeeId, 'created')], {
			noticeKind: 'outsideHours',
			...BERLIN_HOURS,
		});
		expect(result.outputs[0][0].json.error).toBeUndefined();
		expect(result.outputs[0][0].json.zendesk).toEqual({ outcome: 'created', ticketId: 77 });
		expect(replies(result.outputs)[0]).toMatchObject({ skipped: 'undeliverable' });
		expect(texts('D0NOSUCHDM')).toEqual([]);
	});

	it('names a mistake in the parameters and keeps the item with Continue On Fail, without calling Slack', async () => {
		at('2025-04-04T19:30:00+02:00');
		const cases: [IDataObject, RegExp][] = [
			[{ businessHours: 'Mo-Fr 09:00-17:00' }, /Business hours: "Mo" in "Mo-Fr 09:00-17:00" is not a weekday/],
			[
				{ ...BERLIN_HOURS, businessTimeZone: 'Europe/Berln' },
				/Business hours: "Europe\/Berln" is not an IANA time zone/,
			],
			[{ ...BERLIN_HOURS, businessHolidays: '25.12.2025' }, /Business hours: Holiday "25\.12\.2025" is not a date/],
			[{ ...BERLIN_HOURS, openingLocale: 'de_DE' }, /Business hours: "de_DE" is not a locale tag/],
			[{ businessHours: ' ' }, /Business Hours is empty/],
		];
		for (const [parameters, message] of cases) {
			const { outputs } = await run(
				[upserted(dm, FIXTURE_IDS.employeeId, 'created')],
				{ noticeKind: 'outsideHours', ...parameters },
				true,
			);
			expect(outputs[0][0].json.error).toMatch(message);
			expect(outputs[0][0].json.zendesk).toEqual({ outcome: 'created', ticketId: 77 });
		}
		expect(slack.server.countCalls('chat.postMessage')).toBe(0);
	});
});

describe('Slack DM Reply: From the Item with Business Hours', () => {
	it('a new ticket while closed gets the out-of-hours notice instead of the created notice; later messages nothing', async () => {
		at('2025-04-04T22:00:00+02:00');
		const { outputs } = await run(
			[upserted(dm, FIXTURE_IDS.employeeId, 'created'), upserted(dm, FIXTURE_IDS.employeeId, 'appended')],
			{ noticeKind: 'auto', ...BERLIN_HOURS },
		);
		expect(texts(dm)).toEqual([expect.stringContaining('Monday, April 7')]);
		expect(replies(outputs)).toEqual([
			expect.objectContaining({ delivered: true, notice: 'outsideHours' }),
			expect.objectContaining({ delivered: false, skipped: 'noNotice' }),
		]);
	});

	it('while open, and without Business Hours, it sends the created notice as before; agent replies never get the out-of-hours notice', async () => {
		at('2025-04-07T10:00:00+02:00');
		await run([upserted(dm, FIXTURE_IDS.employeeId, 'created', 90)], { noticeKind: 'auto', ...BERLIN_HOURS });
		at('2025-04-04T22:00:00+02:00');
		await run([upserted(dm2, FIXTURE_IDS.employee2Id, 'created', 91)], { noticeKind: 'auto' });
		const solvedReply = { ticketId: 92, ticketStatus: 'solved', slack: { teamId: FIXTURE_IDS.teamId, channelId: dm2 } };
		await run([solvedReply], { noticeKind: 'auto', ...BERLIN_HOURS });
		expect(texts(dm)).toEqual([expect.stringContaining('#90')]);
		expect(texts(dm2)).toEqual([
			expect.stringContaining('#91'),
			expect.stringMatching(/#92 has been marked as solved/),
		]);
	});
});
