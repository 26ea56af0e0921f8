import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * The error an action node throws for one item: n8n errors keep their class (so an API error
 * stays an API error) and learn the item index; anything else becomes a NodeOperationError.
 */
export function nodeErrorForItem(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
}

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
			const nodeError = nodeErrorForItem(ctx.getNode(), error, itemIndex);
			if (!ctx.continueOnFail()) throw nodeError;
			out.push(errorItem(input, itemIndex, nodeError.message));
		}
	}
	return out;
}
