import {
	EARLIER_MISSING,
	EARLIER_WAIT_MS,
	earlierArrived,
	earlierDecision,
	earlierGateOf,
	parksWhenEarlierMissing,
} from '../../../../../nodes/ZendeskMessagingUpsert/lane/earlierGate';
import { setUpsertEnvironment } from '../../../../../nodes/ZendeskMessagingUpsert/state/upsertClock';
import { WaitBehindError, isWaitingBehind } from '../../../../../nodes/shared/n8n/outageRetry';

describe('earlierGateOf', () => {
	it("makes a gate of the item's earlier message keys", () => {
		expect(earlierGateOf(['k1', 'k2'], 'acct')).toEqual({
			keys: ['k1', 'k2'],
			account: 'acct',
			open: false,
			parkWhenMissing: false,
		});
		expect(earlierGateOf(['k1'], 'acct', true)?.parkWhenMissing).toBe(true);
	});

	it('no gate without keys, and only strings count', () => {
		expect(earlierGateOf(undefined, 'acct')).toBeUndefined();
		expect(earlierGateOf([], 'acct')).toBeUndefined();
		expect(earlierGateOf('k1', 'acct')).toBeUndefined();
		expect(earlierGateOf([1, '', null], 'acct')).toBeUndefined();
		expect(earlierGateOf([1, 'k1'], 'acct')?.keys).toEqual(['k1']);
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
		const gate = earlierGateOf(['slack:T1:D1:1.000100'], `acct-${parkWhenMissing}-${now}`, parkWhenMissing)!;
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

	it('only once: a message back from that very park, or never parked, does not park for it', () => {
		expect(parksWhenEarlierMissing(undefined)).toBe(false);
		expect(parksWhenEarlierMissing({ reason: 'HTTP 503' })).toBe(true);
		expect(parksWhenEarlierMissing({ reason: 'waiting behind an earlier message of the conversation (k)' })).toBe(true);
		expect(parksWhenEarlierMissing({ reason: `waiting behind ${EARLIER_MISSING} (k)` })).toBe(false);
	});
});
