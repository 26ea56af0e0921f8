import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { errorItem, runPerItem } from '../../../../../nodes/shared/n8n/perItem';

const node: INode = { id: 'n1', name: 'Node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };

function fakeContext(items: INodeExecutionData[], continueOnFail: boolean): IExecuteFunctions {
	return {
		getInputData: () => items,
		getNode: () => node,
		continueOnFail: () => continueOnFail,
	} as unknown as IExecuteFunctions;
}

describe('errorItem', () => {
	it('regular output: keeps json and binary and adds the error message and extra fields', () => {
		const binary = { data_0: { data: '', mimeType: 'text/plain' } };
		expect(errorItem({ json: { a: 1 }, binary }, 5, 'failed', { extra: { b: 2 } })).toEqual({
			json: { a: 1, b: 2, error: 'failed' },
			binary,
			pairedItem: { item: 5 },
		});
	});

	it('error output: only error and details in json (n8n routes on that and merges the paired input back), binary kept', () => {
		const binary = { data_0: { data: '', mimeType: 'text/plain' } };
		const item = errorItem({ json: { a: 1 }, binary }, 5, 'failed', { errorOutput: true, extra: { b: 2 } });
		expect(item).toEqual({ json: { error: 'failed', details: { b: 2 } }, binary, pairedItem: { item: 5 } });
		// n8n-core's rule (workflow-execute handleNodeErrorOutput): json keys limited to error/message/details, and no item.error (which would replace json).
		expect(Object.keys(item.json).every((key) => ['error', 'message', 'details'].includes(key))).toBe(true);
		expect(item.error).toBeUndefined();
	});
});

describe('runPerItem', () => {
	const items: INodeExecutionData[] = [{ json: { n: 0 } }, { json: { n: 1 } }, { json: { n: 2 } }];
	const failOnOne = async (input: INodeExecutionData, itemIndex: number) => {
		if (input.json.n === 1) throw new Error('item one failed');
		return { json: { ...input.json, done: true }, pairedItem: { item: itemIndex } };
	};

	it('runs the items in order and returns one output per item', async () => {
		const seen: number[] = [];
		const out = await runPerItem(fakeContext(items, false), async (input, itemIndex) => {
			seen.push(itemIndex);
			return { json: { ...input.json, index: itemIndex } };
		});
		expect(seen).toEqual([0, 1, 2]);
		expect(out.map((item) => item.json.index)).toEqual([0, 1, 2]);
	});

	it('stops at the first failure with the item index when Continue On Fail is off', async () => {
		await expect(runPerItem(fakeContext(items, false), failOnOne)).rejects.toMatchObject({
			message: 'item one failed',
			context: { itemIndex: 1 },
		});
	});

	it('turns the failure into an error item and goes on when Continue On Fail is on', async () => {
		const out = await runPerItem(fakeContext(items, true), failOnOne);
		expect(out).toEqual([
			{ json: { n: 0, done: true }, pairedItem: { item: 0 } },
			{ json: { n: 1, error: 'item one failed' }, binary: undefined, pairedItem: { item: 1 } },
			{ json: { n: 2, done: true }, pairedItem: { item: 2 } },
		]);
	});
});
