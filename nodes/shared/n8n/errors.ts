import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * The error a node throws: n8n errors keep their class (an API error stays an API error) and,
 * for an item, learn its index if they do not name one; anything else becomes a NodeOperationError.
 */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined) error.context.itemIndex ??= itemIndex;
		return error;
	}
	const cause = error instanceof Error ? error : String(error);
	return itemIndex === undefined
		? new NodeOperationError(node, cause)
		: new NodeOperationError(node, cause, { itemIndex });
}
