import { GroupCommit, type GroupTurn, type HandOverOutcome } from '../../../../../nodes/shared/state/groupCommit';

const leader = <T>(turn: GroupTurn<T>) => {
	if (turn.role !== 'leader') throw new Error(`expected a leader, got ${turn.role}`);
	return turn;
};
const member = <T>(turn: GroupTurn<T>) => {
	if (turn.role !== 'member') throw new Error(`expected a member, got ${turn.role}`);
	return turn;
};
const settled = async <V>(promise: Promise<V>): Promise<boolean> => {
	let done = false;
	void promise.then(() => (done = true));
	await new Promise((resolve) => setImmediate(resolve));
	return done;
};

describe('GroupCommit', () => {
	it('an idle key hands each item over at once, alone', async () => {
		const groups = new GroupCommit<string>(10);
		const first = leader(await groups.join('k', 'a'));
		expect(first.items).toEqual(['a']);
		first.done({ ok: true });
		const second = leader(await groups.join('k', 'b'));
		expect(second.items).toEqual(['b']);
		second.done({ ok: true });
		expect(groups.activeKeys).toBe(0);
	});

	it('what arrives during a hand-over waits, then goes as one batch led by its first arrival', async () => {
		const groups = new GroupCommit<string>(10);
		const first = leader(await groups.join('k', 'a'));
		const nextLeader = groups.join('k', 'b');
		const c = member(await groups.join('k', 'c'));
		const d = member(await groups.join('k', 'd'));
		expect(await settled(nextLeader)).toBe(false);

		first.done({ ok: true });
		const second = leader(await nextLeader);
		expect(second.items).toEqual(['b', 'c', 'd']);
		expect(await settled(c.outcome)).toBe(false);

		// Arrivals during the second hand-over form a third batch.
		const third = groups.join('k', 'e');
		second.done({ ok: true });
		await expect(c.outcome).resolves.toEqual({ ok: true });
		await expect(d.outcome).resolves.toEqual({ ok: true });
		const e = leader(await third);
		expect(e.items).toEqual(['e']);
		e.done({ ok: true });
		expect(groups.activeKeys).toBe(0);
	});

	it('members learn that their hand-over failed', async () => {
		const groups = new GroupCommit<string>(10);
		const first = leader(await groups.join('k', 'a'));
		const nextLeader = groups.join('k', 'b');
		const c = member(await groups.join('k', 'c'));
		first.done({ ok: true });
		const failure: HandOverOutcome = { ok: false, reason: 'n8n answered 500' };
		leader(await nextLeader).done(failure);
		await expect(c.outcome).resolves.toEqual(failure);
	});

	it('caps a batch and queues the rest as the next one, in arrival order', async () => {
		const groups = new GroupCommit<number>(2);
		const first = leader(await groups.join('k', 1));
		const second = groups.join('k', 2);
		await groups.join('k', 3);
		const third = groups.join('k', 4);
		await groups.join('k', 5);
		first.done({ ok: true });
		const b2 = leader(await second);
		expect(b2.items).toEqual([2, 3]);
		expect(await settled(third)).toBe(false);
		b2.done({ ok: true });
		const b3 = leader(await third);
		expect(b3.items).toEqual([4, 5]);
		b3.done({ ok: true });
	});

	it('keys do not wait for each other', async () => {
		const groups = new GroupCommit<string>(10);
		const a = leader(await groups.join('workflow-1', 'a'));
		const b = leader(await groups.join('workflow-2', 'b'));
		expect([a.items, b.items]).toEqual([['a'], ['b']]);
		a.done({ ok: true });
		b.done({ ok: true });
	});

	it('a second done is ignored: one hand-over releases the lane once', async () => {
		const groups = new GroupCommit<string>(10);
		const first = leader(await groups.join('k', 'a'));
		const next = groups.join('k', 'b');
		first.done({ ok: true });
		first.done({ ok: false, reason: 'late' });
		const second = leader(await next);
		const third = groups.join('k', 'c');
		first.done({ ok: true });
		expect(await settled(third)).toBe(false);
		second.done({ ok: true });
		leader(await third).done({ ok: true });
	});
});
