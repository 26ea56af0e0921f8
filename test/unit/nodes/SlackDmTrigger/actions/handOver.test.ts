/** The Slack DM Trigger hands a group over in Slack's order (actions/handOver.ts inSlackOrder). */
import { inSlackOrder } from '../../../../../nodes/SlackDmTrigger/actions/handOver';

const item = (ts: string | undefined, eventTs?: string) => ({
	json: { message: { ts, ...(eventTs ? { eventTs } : {}) } } as never,
});

describe('inSlackOrder', () => {
	it("sorts a group by Slack's order (an edit by when it happened), unknown last, ties as they came", () => {
		const items = [
			item('1700000003.000100'),
			item('1700000001.000100'),
			item(undefined),
			item('1700000000.000100', '1700000002.000100'),
			item('1700000001.000100'),
		];
		expect(inSlackOrder(items)).toEqual([items[1], items[4], items[3], items[0], items[2]]);
	});
});
