/**
 * The Upsert's mode-independent machinery (nodes/ZendeskMessagingUpsert/lane/): the conversation
 * lane keeps Slack's order and settles every entry; the handled-messages memory answers a second
 * delivery of a message without running it again.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { Lane } from '../../../../../nodes/ZendeskMessagingUpsert/state/conversationLanes';
import { messagesInFlight } from '../../../../../nodes/shared/state/messagesInFlight';
import type { SlackDmItem } from '../../../../../nodes/shared/types';
import type { UpsertResult } from '../../../../../nodes/ZendeskMessagingUpsert/helpers/upsertRequest';
import { resetUpsertState } from '../../../../../nodes/ZendeskMessagingUpsert/upsertState';
import type { LaneEntry } from '../../../../../nodes/ZendeskMessagingUpsert/lane/conversationLane';
import { pendingResult, settle, writeInOrder } from '../../../../../nodes/ZendeskMessagingUpsert/lane/conversationLane';
import { handleOnce } from '../../../../../nodes/ZendeskMessagingUpsert/lane/handledOnce';

type Entry = LaneEntry<string>;

function entry(key: string, order: number, laneKey = 'acct|conv', orderScope = 'wf|T1:D1'): Entry {
	return { key, laneKey, order, orderScope, ...pendingResult<string>() };
}

/** A turn that writes the head alone and records the order of writes. */
function recordingTurn(written: string[]) {
	return {
		process: async (lane: Lane<Entry>, head: Entry) => {
			written.push(head.key);
			settle(lane, head, { result: `wrote ${head.key}` });
		},
		gaveUp: (head: Entry) => new Error(`gave up on ${head.key}`),
	};
}

describe('conversation lane', () => {
	beforeEach(() => resetUpsertState());

	it("writes the entries of one conversation in Slack's order, whatever order they arrive in", async () => {
		const written: string[] = [];
		const turn = recordingTurn(written);
		const results = await Promise.all(
			[entry('c', 3), entry('a', 1), entry('b', 2)].map(async (e) => await writeInOrder<string, Entry>(e, turn)),
		);
		expect(written).toEqual(['a', 'b', 'c']);
		expect(results).toEqual(['wrote c', 'wrote a', 'wrote b']);
	});

	it('keeps conversations apart: each lane has its own order', async () => {
		const written: string[] = [];
		const turn = recordingTurn(written);
		await Promise.all(
			[entry('x2', 2, 'acct|X'), entry('y1', 1, 'acct|Y'), entry('x1', 1, 'acct|X')].map(
				async (e) => await writeInOrder<string, Entry>(e, turn),
			),
		);
		expect(written.filter((key) => key.startsWith('x'))).toEqual(['x1', 'x2']);
		expect(written).toContain('y1');
	});

	it('an entry its turn leaves unsettled fails with the mode’s error; the next one is still written', async () => {
		const written: string[] = [];
		const turn = {
			process: async (lane: Lane<Entry>, head: Entry) => {
				if (head.key === 'stuck') return;
				written.push(head.key);
				settle(lane, head, { result: 'ok' });
			},
			gaveUp: (head: Entry) => new Error(`gave up on ${head.key}`),
		};
		const [stuck, next] = await Promise.allSettled([
			writeInOrder<string, Entry>(entry('stuck', 1), turn),
			writeInOrder<string, Entry>(entry('next', 2), turn),
		]);
		expect(stuck).toEqual({ status: 'rejected', reason: new Error('gave up on stuck') });
		expect(next).toEqual({ status: 'fulfilled', value: 'ok' });
		expect(written).toEqual(['next']);
	});

	it('a turn may settle later entries with the head (one coalesced comment); their own turns then write nothing', async () => {
		let turns = 0;
		const turn = {
			process: async (lane: Lane<Entry>) => {
				turns += 1;
				for (const waiting of [...lane.waiting]) settle(lane, waiting, { result: `with ${lane.waiting.length}` });
			},
			gaveUp: () => new Error('unexpected'),
		};
		const results = await Promise.all(
			[entry('a', 1), entry('b', 2), entry('c', 3)].map(async (e) => await writeInOrder<string, Entry>(e, turn)),
		);
		expect(turns).toBe(1);
		expect(results).toEqual(['with 3', 'with 2', 'with 1']);
	});

	it('waits for an earlier message the trigger announced that is still on its way', async () => {
		const written: string[] = [];
		const turn = recordingTurn(written);
		messagesInFlight.announce('wf|T1:D1', 'early', 1);
		messagesInFlight.announce('wf|T1:D1', 'late', 2);
		const late = writeInOrder<string, Entry>(entry('late', 2), turn);
		await new Promise((resolve) => setImmediate(resolve));
		expect(written).toEqual([]);
		await Promise.all([late, writeInOrder<string, Entry>(entry('early', 1), turn)]);
		expect(written).toEqual(['early', 'late']);
	});
});

function delivery(key: string | undefined, account = 'acct') {
	const ctx = {
		getNode: () => ({ name: 'Upsert' }),
		getWorkflow: () => ({ id: 'wf' }),
	} as unknown as IExecuteFunctions;
	const item = { idempotencyKey: key, teamId: 'T1', channel: { id: 'D1' } } as unknown as SlackDmItem;
	return { ctx, account, itemIndex: 0, item };
}

describe('handled-messages memory', () => {
	beforeEach(() => resetUpsertState());

	const created: UpsertResult = { ticketId: 7, outcome: 'created', commentId: 1 };

	it('runs a message once: a concurrent delivery shares the run, a later one answers from memory, both as duplicates', async () => {
		const handle = jest.fn(async () => created);
		const [first, concurrent] = await Promise.all([
			handleOnce(delivery('k1'), handle),
			handleOnce(delivery('k1'), handle),
		]);
		const later = await handleOnce(delivery('k1'), handle);
		expect(handle).toHaveBeenCalledTimes(1);
		expect(handle).toHaveBeenCalledWith('k1', 'wf|T1:D1');
		expect([first.outcome, concurrent.outcome, later.outcome]).toEqual(['created', 'duplicate', 'duplicate']);
		expect(later).toEqual({ ...created, outcome: 'duplicate' });
	});

	it('a skipped message stays skipped when delivered again', async () => {
		const skipped: UpsertResult = { ticketId: null, outcome: 'skipped', reason: 'No ticket for this conversation yet' };
		await handleOnce(delivery('k2'), async () => skipped);
		expect(await handleOnce(delivery('k2'), async () => created)).toEqual(skipped);
	});

	it('the same message for two Zendesk accounts is handled once per account', async () => {
		const handle = jest.fn(async () => created);
		await handleOnce(delivery('k3', 'one'), handle);
		await handleOnce(delivery('k3', 'two'), handle);
		expect(handle).toHaveBeenCalledTimes(2);
	});

	it('a failed run is not remembered: the next delivery runs again', async () => {
		await expect(
			handleOnce(delivery('k4'), async () => await Promise.reject(new Error('Zendesk down'))),
		).rejects.toThrow('Zendesk down');
		expect((await handleOnce(delivery('k4'), async () => created)).outcome).toBe('created');
	});

	it('an item without idempotency key is refused before anything runs', async () => {
		const handle = jest.fn(async () => created);
		await expect(handleOnce(delivery(undefined), handle)).rejects.toThrow('The item has no idempotencyKey');
		expect(handle).not.toHaveBeenCalled();
	});
});
