import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toNodeError } from './errors';

/** Continue On Fail: the input item with its data intact (json and binary) plus the error message. */
export function errorItem(input: INodeExecutionData, itemIndex: number, message: string): INodeExecutionData {
	return { json: { ...input.json, error: message }, binary: input.binary, pairedItem: { item: itemIndex } };
}

export type ItemOperation = (input: INodeExecutionData, itemIndex: number) => Promise<INodeExecutionData>;

/**
 * Runs one operation per input item, in order (one at a time: the Zendesk and Slack limits are
 * per account). A failing item stops the node, or with Continue On Fail becomes an error item.
 */
export async function runPerItem(ctx: IExecuteFunctions, operation: ItemOperation): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const input = items[itemIndex];
		try {
			out.push(await operation(input, itemIndex));
		} catch (error) {
			const nodeError = toNodeError(ctx.getNode(), error, itemIndex);
			if (!ctx.continueOnFail()) throw nodeError;
			out.push(errorItem(input, itemIndex, nodeError.message));
		}
	}
	return out;
}
