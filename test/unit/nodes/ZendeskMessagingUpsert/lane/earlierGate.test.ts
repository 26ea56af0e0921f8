import {
	EARLIER_MISSING,
	EARLIER_WAIT_MS,
	earlierArrived,
	earlierDecision,
	earlierGateOf,
	mayBeWrittenElsewhere,
	FIRST_DELIVERY_MISSING,
	missingReason,
	parksWhenEarlierMissing,
} from '../../../../../nodes/ZendeskMessagingUpsert/lane/earlierGate';
import { setUpsertEnvironment } from '../../../../../nodes/ZendeskMessagingUpsert/state/upsertClock';
import { RESTART_HOLD_MARGIN_MS, WaitBehindError, isWaitingBehind } from '../../../../../nodes/shared/n8n/outageRetry';
import { PROCESS_TOKEN } from '../../../../../nodes/shared/state/processToken';

const own = { key: 'slack:T1:D1:1.000300', account: 'acct' };
const earlier = (earlierMessages: unknown) => ({ earlierMessages }) as { earlierMessages?: string[] };

describe('earlierGateOf', () => {
	it("makes a gate of the item's earlier message keys", () => {
		expect(earlierGateOf(earlier(['k1', 'k2']), own)).toEqual({
			keys: ['k1', 'k2'],
			account: 'acct',
			open: false,
			parkWhenMissing: false,
		});
		expect(earlierGateOf(earlier(['k1']), own, true)?.parkWhenMissing).toBe(true);
	});

	it('no gate without keys, and only strings count', () => {
		expect(earlierGateOf(earlier(undefined), own)).toBeUndefined();
		expect(earlierGateOf(earlier([]), own)).toBeUndefined();
		expect(earlierGateOf(earlier('k1'), own)).toBeUndefined();
		expect(earlierGateOf(earlier([1, '', null]), own)).toBeUndefined();
		expect(earlierGateOf(earlier([1, 'k1']), own)?.keys).toEqual(['k1']);
	});

	it("a Slack retry announced as new in another process waits for its own key too (its first delivery's write)", () => {
		const retry = { slackRetry: 1, announcedIn: 'webhook-2-token' };
		expect(mayBeWrittenElsewhere(retry)).toBe(true);
		expect(earlierGateOf({ ...retry }, own)?.keys).toEqual([own.key]);
		expect(earlierGateOf({ ...retry, earlierMessages: ['k1'] }, own)?.keys).toEqual(['k1', own.key]);
	});

	it('no wait for itself: a first delivery, or a retry announced in this very process (one process sees every delivery)', () => {
		expect(mayBeWrittenElsewhere({ announcedIn: 'webhook-2-token' })).toBe(false);
		expect(mayBeWrittenElsewhere({ slackRetry: 0, announcedIn: 'webhook-2-token' })).toBe(false);
		expect(mayBeWrittenElsewhere({ slackRetry: 2, announcedIn: PROCESS_TOKEN })).toBe(false);
		expect(mayBeWrittenElsewhere({ slackRetry: 2 })).toBe(false);
		expect(earlierGateOf({ slackRetry: 2, announcedIn: PROCESS_TOKEN }, own)).toBeUndefined();
	});

	it('a message the Slack DM Catch-up handed over again waits for its own key, wherever it was announced', () => {
		for (const announcedIn of [PROCESS_TOKEN, 'webhook-2-token', undefined]) {
			expect(mayBeWrittenElsewhere({ caughtUpFor: '4711', announcedIn })).toBe(true);
			expect(earlierGateOf({ caughtUpFor: '', announcedIn }, own)).toMatchObject({ keys: [own.key], ownKey: own.key });
		}
	});
});

describe('earlierDecision', () => {
	it('goes when nothing is missing', () => {
		expect(earlierDecision({ missing: 0, sinceMs: 0, nowMs: 0 })).toBe('go');
		expect(earlierDecision({ missing: 0, sinceMs: 0, nowMs: EARLIER_WAIT_MS * 2 })).toBe('go');
	});

	it('waits while missing ones may still come, gives up after the wait', () => {
		expect(earlierDecision({ missing: 1, sinceMs: 1000, nowMs: 1000 })).toBe('wait');
		expect(earlierDecision({ missing: 2, sinceMs: 1000, nowMs: 1000 + EARLIER_WAIT_MS - 1 })).toBe('wait');
		expect(earlierDecision({ missing: 1, sinceMs: 1000, nowMs: 1000 + EARLIER_WAIT_MS })).toBe('giveUp');
	});
});

describe('a message back from an outage wait whose earlier message is still missing', () => {
	let now = 0;
	beforeEach(() => {
		now = 1_000;
		setUpsertEnvironment({ now: () => now, sleep: async (ms) => void (now += ms) });
	});
	afterAll(() => setUpsertEnvironment());

	const nothingFound = async () => new Set<string>();

	/** Looks until the gate opens or throws; what it came to. */
	async function lookUntilDone(parkWhenMissing: boolean) {
		const gate = earlierGateOf(
			earlier(['slack:T1:D1:1.000100']),
			{ key: own.key, account: `acct-${parkWhenMissing}-${now}` },
			parkWhenMissing,
		)!;
		try {
			while (!(await earlierArrived(gate, nothingFound)));
			return { open: gate.open, missing: gate.missing, waitedMs: now - 1_000 };
		} catch (error) {
			return { error: error as Error, waitedMs: now - 1_000 };
		}
	}

	it('parks once more (a wait behind, no queued notice) after the wait instead of writing', async () => {
		const outcome = await lookUntilDone(true);
		expect(outcome.error).toBeInstanceOf(WaitBehindError);
		expect(outcome.error?.message).toBe(`waiting behind ${EARLIER_MISSING} (slack:T1:D1:1.000100)`);
		expect(isWaitingBehind(outcome.error?.message)).toBe(true);
		expect(outcome.waitedMs).toBeGreaterThanOrEqual(EARLIER_WAIT_MS);
	});

	it('without it, is written after the wait, naming what was missing', async () => {
		expect(await lookUntilDone(false)).toMatchObject({ open: true, missing: ['slack:T1:D1:1.000100'] });
	});

	it('parks for it when back from an outage park, and again while every parked message may still come back', () => {
		const now = Date.parse('2026-12-07T10:00:00Z');
		const back = (msAgo: number) => ({
			heldBefore: false,
			previous: { behindSince: new Date(now - msAgo).toISOString() },
		});
		expect(parksWhenEarlierMissing({ heldBefore: false }, now, 180)).toBe(false);
		expect(parksWhenEarlierMissing({ heldBefore: false, previous: {} }, now, 180)).toBe(true);
		expect(parksWhenEarlierMissing(back(170_000), now, 180)).toBe(true);
		expect(parksWhenEarlierMissing(back(180_000 + RESTART_HOLD_MARGIN_MS), now, 180)).toBe(false);
		expect(parksWhenEarlierMissing(back(300_000), now, 300)).toBe(true);
	});

	it('also parks for it when an earlier node passed it on after waiting out an outage (the Profile Linker)', () => {
		const now = Date.parse('2026-12-07T10:00:00Z');
		expect(parksWhenEarlierMissing({ heldBefore: true }, now, 180)).toBe(true);
		const over = { behindSince: new Date(now - 180_000 - RESTART_HOLD_MARGIN_MS).toISOString() };
		expect(parksWhenEarlierMissing({ heldBefore: true, previous: over }, now, 180)).toBe(false);
	});

	it("names a Slack retry's own first delivery apart from an earlier message", async () => {
		const gate = earlierGateOf({ slackRetry: 1, announcedIn: 'webhook-2-token' }, own, true)!;
		expect(gate.ownKey).toBe(own.key);
		expect(missingReason(gate, own.key)).toBe(`${FIRST_DELIVERY_MISSING} (${own.key})`);
		expect(missingReason(gate, 'slack:T1:D1:1.000100')).toBe(`${EARLIER_MISSING} (slack:T1:D1:1.000100)`);
		let thrown: unknown;
		try {
			while (!(await earlierArrived(gate, nothingFound)));
		} catch (error) {
			thrown = error;
		}
		expect((thrown as Error).message).toBe(`waiting behind ${FIRST_DELIVERY_MISSING} (${own.key})`);
	});
});
