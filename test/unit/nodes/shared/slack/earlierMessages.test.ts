import {
	EARLIER_HORIZON_SECONDS,
	earlierMessageKeys,
	earlierWindow,
	needsEarlierLookup,
	pageCoversHorizon,
	previousMessageKey,
	threadOfReply,
} from '../../../../../nodes/shared/slack/earlierMessages';
import type { HistoryMessage } from '../../../../../nodes/shared/transport/slackHistory';

const item = {
	teamId: 'T1',
	channel: { id: 'D1', type: 'im' as const, isExtShared: false },
	handle: { name: 'IT', userId: 'UHANDLE', teamId: 'T1' },
	message: { ts: '1700000100.000200', text: 'now', files: [] },
};
const key = (ts: string) => `slack:T1:D1:${ts}`;

describe('needsEarlierLookup', () => {
	const base = { kind: 'message' as const, announcedIn: 'other' };

	it('looks up a new message announced by another process (a thread reply too: in its thread)', () => {
		expect(needsEarlierLookup(base, 'mine')).toBe(true);
	});

	it('not when this process announced it, nothing announced it, or it is an edit or deletion', () => {
		expect(needsEarlierLookup({ ...base, announcedIn: 'mine' }, 'mine')).toBe(false);
		expect(needsEarlierLookup({ ...base, announcedIn: undefined }, 'mine')).toBe(false);
		expect(needsEarlierLookup({ ...base, kind: 'edit' }, 'mine')).toBe(false);
		expect(needsEarlierLookup({ ...base, kind: 'delete' }, 'mine')).toBe(false);
	});
});

describe('earlierWindow', () => {
	it(`reaches ${EARLIER_HORIZON_SECONDS} s back and stops at the message itself`, () => {
		expect(earlierWindow('1700000100.000200')).toEqual({ oldest: '1700000040.000200', latest: '1700000100.000200' });
	});
});

describe('earlierMessageKeys', () => {
	it("keeps people's top-level messages before this one, oldest first, as idempotency keys", () => {
		const history: HistoryMessage[] = [
			{ ts: '1700000099.000001', user: 'U1' },
			{ ts: '1700000090.000001', user: 'U1', subtype: 'file_share' },
			{ ts: '1700000095.000001', user: 'U2' }, // a group DM's other person
		];
		expect(earlierMessageKeys(item, history)).toEqual([
			key('1700000090.000001'),
			key('1700000095.000001'),
			key('1700000099.000001'),
		]);
	});

	it("leaves out the handle's and bots' posts, Slackbot, joins, thread replies and later messages", () => {
		const history: HistoryMessage[] = [
			{ ts: '1700000091.000001', user: 'UHANDLE' },
			{ ts: '1700000092.000001', user: 'U9', bot_id: 'B1' },
			{ ts: '1700000093.000001', user: 'USLACKBOT' },
			{ ts: '1700000094.000001', user: 'U1', subtype: 'channel_join' },
			{ ts: '1700000095.000001', user: 'U1', thread_ts: '1700000010.000001' },
			{ ts: '1700000100.000200', user: 'U1' },
			{ ts: '1700000101.000001', user: 'U1' },
			{ ts: 'not-a-ts', user: 'U1' },
			{ user: 'U1' },
			{ ts: '1700000096.000001' },
		];
		expect(earlierMessageKeys(item, history)).toEqual([]);
	});

	it("keeps a thread's parent (its thread_ts is its own ts)", () => {
		const parent = { ts: '1700000097.000001', user: 'U1', thread_ts: '1700000097.000001' };
		expect(earlierMessageKeys(item, [parent])).toEqual([key(parent.ts)]);
	});

	it("for a thread reply: the earlier replies of its thread only (not the parent, not other threads or the DM's messages)", () => {
		const THREAD = '1700000050.000001';
		const reply = { ...item, message: { ...item.message, threadTs: THREAD } };
		const thread: HistoryMessage[] = [
			{ ts: THREAD, user: 'U1', thread_ts: THREAD },
			{ ts: '1700000090.000001', user: 'U1', thread_ts: THREAD },
			{ ts: '1700000091.000001', user: 'UHANDLE', thread_ts: THREAD },
			{ ts: '1700000092.000001', user: 'U1', thread_ts: '1700000060.000001' },
			{ ts: '1700000093.000001', user: 'U1' },
			{ ts: '1700000095.000001', user: 'U2', thread_ts: THREAD },
			{ ts: '1700000101.000001', user: 'U1', thread_ts: THREAD },
		];
		expect(earlierMessageKeys(reply, thread)).toEqual([key('1700000090.000001'), key('1700000095.000001')]);
	});
});

describe('threadOfReply', () => {
	it("names a reply's thread, not a parent's or a top-level message's", () => {
		expect(threadOfReply({ ...item, message: { ...item.message, threadTs: '1.1' } })).toEqual({
			channel: 'D1',
			threadTs: '1.1',
		});
		expect(threadOfReply({ ...item, message: { ...item.message, threadTs: item.message.ts } })).toBeUndefined();
		expect(threadOfReply(item)).toBeUndefined();
	});
});

describe('previousMessageKey', () => {
	it("names the people's last message before the item only when it is older than the minute", () => {
		const old = { ts: '1700000010.000001', user: 'U1' };
		expect(previousMessageKey(item, [old, { ts: '1700000020.000001', user: 'UHANDLE' }])).toBe(key(old.ts));
		expect(previousMessageKey(item, [old, { ts: '1700000099.000001', user: 'U1' }])).toBeUndefined();
		expect(previousMessageKey(item, [])).toBeUndefined();
		expect(previousMessageKey(item, [{ ts: '1700000101.000001', user: 'U1' }])).toBeUndefined();
	});

	it('a message exactly a minute before is not among the earlier ones but the previous one', () => {
		const edge = { ts: '1700000040.000200', user: 'U1' };
		expect(earlierMessageKeys(item, [edge])).toEqual([]);
		expect(previousMessageKey(item, [edge])).toBe(key(edge.ts));
	});
});

describe('pageCoversHorizon', () => {
	const page = (tss: string[], hasMore: boolean) => ({ messages: tss.map((ts) => ({ ts, user: 'U1' })), hasMore });
	it('a page reaching past the minute, or all there is, holds every earlier message of the minute', () => {
		expect(pageCoversHorizon(item, page(['1700000099.000001', '1700000010.000001'], true))).toBe(true);
		expect(pageCoversHorizon(item, page(['1700000099.000001'], false))).toBe(true);
		expect(pageCoversHorizon(item, page([], false))).toBe(true);
		expect(pageCoversHorizon(item, page(['1700000099.000001', '1700000090.000001'], true))).toBe(false);
	});
});
