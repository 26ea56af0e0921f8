import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toNodeError } from './errors';

/**
 * Continue On Fail: an item that keeps the input's data (json and binary) and says what failed.
 *
 * How n8n 2.x (n8n-core WorkflowExecute) treats error items decides the shape:
 * - "Continue (using error output)" routes an item to the error output when it has `item.error`
 *   or when its json holds only `error`/`message`/`details`; it then merges the paired input
 *   item's json back in. Any item with `item.error` afterwards has its json replaced by
 *   `{ error: message }` (normalizeNodeErrors), so `item.error` would lose the data.
 * - "Continue (using regular output)" passes items on as they are.
 * So for the error output the item is `{ error, details }` (the input json comes back through the
 * paired item), and for the regular output it is the input json plus `error` and `extra`.
 */
export function errorItem(
	input: INodeExecutionData,
	itemIndex: number,
	message: string,
	options: { errorOutput?: boolean; extra?: IDataObject } = {},
): INodeExecutionData {
	if (options.errorOutput) {
		const json: IDataObject = options.extra ? { error: message, details: options.extra } : { error: message };
		return { json, binary: input.binary, pairedItem: { item: itemIndex } };
	}
	return {
		json: { ...input.json, ...options.extra, error: message },
		binary: input.binary,
		pairedItem: { item: itemIndex },
	};
}

/** Whether the node's On Error setting is "Continue (using error output)". */
export function usesErrorOutput(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().onError === 'continueErrorOutput';
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
			out.push(errorItem(input, itemIndex, nodeError.message, { errorOutput: usesErrorOutput(ctx) }));
		}
	}
	return out;
}
