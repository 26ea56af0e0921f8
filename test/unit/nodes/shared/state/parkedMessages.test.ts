import { ParkedLedger, STALE_AFTER_MS, earliestBefore } from '../../../../../nodes/shared/state/parkedMessages';

const NOW = 1_000_000_000;
const S = 'wf|Upsert';
const C = 'T1:D1';

describe('the ledger of parked messages', () => {
	let ledger: ParkedLedger;
	beforeEach(() => (ledger = new ParkedLedger()));

	it('holds a later message behind the earliest earlier parked one, never behind itself or a later one', () => {
		ledger.park(S, C, { key: 'b', order: 20, nextAttemptAtMs: NOW + 5 });
		ledger.park(S, C, { key: 'a', order: 10, nextAttemptAtMs: NOW + 9 });
		expect(ledger.blockerOf(S, C, 'c', 30, NOW)?.key).toBe('a');
		expect(ledger.blockerOf(S, C, 'a', 10, NOW)).toBeUndefined();
		expect(ledger.blockerOf(S, C, 'x', 5, NOW)).toBeUndefined();
		expect(ledger.blockerOf(S, 'T1:D2', 'c', 30, NOW)).toBeUndefined();
		expect(ledger.blockerOf('wf|Other', C, 'c', 30, NOW)).toBeUndefined();
	});

	it('lets later messages through once the earlier one is released', () => {
		ledger.park(S, C, { key: 'a', order: 10, nextAttemptAtMs: NOW });
		ledger.release(S, C, 'a', NOW);
		expect(ledger.blockerOf(S, C, 'c', 30, NOW)).toBeUndefined();
		expect(ledger.snapshot(S, NOW)).toEqual({});
	});

	it('ignores an entry long past its next attempt (its execution ended elsewhere)', () => {
		const entry = { key: 'a', order: 10, nextAttemptAtMs: NOW };
		expect(earliestBefore([entry], 'c', 30, NOW + STALE_AFTER_MS)).toBe(entry);
		expect(earliestBefore([entry], 'c', 30, NOW + STALE_AFTER_MS + 1)).toBeUndefined();
	});

	it('round-trips through the static-data snapshot (a restart)', () => {
		ledger.park(S, C, { key: 'a', order: 10, nextAttemptAtMs: NOW + 60_000 });
		const snapshot = JSON.parse(JSON.stringify(ledger.snapshot(S, NOW)));
		expect(snapshot).toEqual({ [C]: [['a', 10, NOW + 60_000]] });
		const restarted = new ParkedLedger();
		restarted.merge(S, snapshot, NOW);
		expect(restarted.blockerOf(S, C, 'c', 30, NOW)?.key).toBe('a');
	});

	it('does not bring back from an older snapshot what it released, nor stale or malformed rows', () => {
		ledger.park(S, C, { key: 'a', order: 10, nextAttemptAtMs: NOW });
		const older = ledger.snapshot(S, NOW);
		ledger.release(S, C, 'a', NOW);
		ledger.merge(S, older, NOW);
		ledger.merge(S, { [C]: [['old', 1, NOW - STALE_AFTER_MS - 1]], x: 'bad' as never }, NOW);
		ledger.merge(S, { [C]: [['n', Number.NaN, NOW] as never, ['short'] as never] }, NOW);
		expect(ledger.snapshot(S, NOW)).toEqual({});
	});

	it('keeps its own view of an entry over a snapshot’s', () => {
		ledger.park(S, C, { key: 'a', order: 10, nextAttemptAtMs: NOW + 100 });
		ledger.merge(S, { [C]: [['a', 10, NOW + 5]] }, NOW);
		expect(ledger.blockerOf(S, C, 'c', 30, NOW)?.nextAttemptAtMs).toBe(NOW + 100);
	});

	it('tells a later message which earlier ones are being handled right now, until they finish', async () => {
		const finishA = ledger.begin(S, C, 'a', 10);
		ledger.begin(S, C, 'z', 40);
		expect(ledger.earlierInFlight(S, C, 5)).toHaveLength(0);
		const waiting = ledger.earlierInFlight(S, C, 30);
		expect(waiting).toHaveLength(1);
		let done = false;
		void Promise.all(waiting).then(() => (done = true));
		finishA();
		await Promise.resolve();
		await Promise.resolve();
		expect(done).toBe(true);
		expect(ledger.earlierInFlight(S, C, 30)).toHaveLength(0);
	});

	it('merge counts only the entries it did not know (parked elsewhere or before a restart)', () => {
		ledger.park(S, C, { key: 'a', order: 10, nextAttemptAtMs: NOW + 5 });
		ledger.release(S, C, 'r', NOW);
		const snapshot = {
			[C]: [
				['a', 10, NOW + 5],
				['r', 11, NOW + 5],
				['b', 12, NOW + 5],
			],
		} as never;
		expect(ledger.merge(S, snapshot, NOW)).toBe(1);
		expect(ledger.merge(S, snapshot, NOW)).toBe(0);
		expect(ledger.merge(S, undefined, NOW)).toBe(0);
	});

	it('knows which messages it parked and has not released', () => {
		ledger.park(S, C, { key: 'a', order: 10, nextAttemptAtMs: NOW });
		expect(ledger.isParked(S, C, 'a')).toBe(true);
		expect(ledger.isParked(S, C, 'b')).toBe(false);
		ledger.release(S, C, 'a', NOW);
		expect(ledger.isParked(S, C, 'a')).toBe(false);
	});

	it('remembers per workflow that it met a waiting message of another process, until cleared as a new start', () => {
		const started = new ParkedLedger(NOW);
		expect(started.startedAt).toBe(NOW);
		started.noteForeign('wf');
		expect(started.sawForeign('wf')).toBe(true);
		expect(started.sawForeign('other')).toBe(false);
		started.clear(NOW + 1);
		expect(started.sawForeign('wf')).toBe(false);
		expect(started.startedAt).toBe(NOW + 1);
	});

	it("knows another process's entry is not its own park", () => {
		ledger.merge(S, { [C]: [['theirs', 10, NOW]] } as never, NOW);
		ledger.park(S, C, { key: 'mine', order: 11, nextAttemptAtMs: NOW });
		expect(ledger.blockerOf(S, C, 'c', 30, NOW)?.key).toBe('theirs');
		expect(ledger.isParked(S, C, 'theirs')).toBe(false);
		expect(ledger.isParked(S, C, 'mine')).toBe(true);
	});

	it("a newer read of another process's entry (parked again) replaces the older one; never one of its own", () => {
		ledger.merge(S, { [C]: [['theirs', 10, NOW]] } as never, NOW);
		expect(ledger.merge(S, { [C]: [['theirs', 10, NOW + 60_000]] } as never, NOW)).toBe(0);
		expect(ledger.blockerOf(S, C, 'c', 30, NOW + STALE_AFTER_MS + 1)?.nextAttemptAtMs).toBe(NOW + 60_000);
		ledger.park(S, C, { key: 'mine', order: 11, nextAttemptAtMs: NOW });
		ledger.merge(S, { [C]: [['mine', 11, NOW + 99_000]] } as never, NOW);
		expect(ledger.snapshot(S, NOW)[C]).toContainEqual(['mine', 11, NOW]);
	});
});
