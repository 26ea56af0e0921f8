import type { INode, JsonObject } from 'n8n-workflow';
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

/**
 * The NodeApiError of a vendor's refusal: `<service> <route> failed (HTTP <status>): <message>`,
 * unless the caller says what to do instead (`options.message`). The message never holds a secret:
 * callers pass the vendor's error text, not the request.
 */
export function serviceApiError(
	node: INode,
	failure: { service: string; route: string; statusCode: number; message: string },
	options: { itemIndex?: number; message?: string } = {},
): NodeApiError {
	const { service, route, statusCode, message } = failure;
	return new NodeApiError(node, { statusCode, message } as JsonObject, {
		message: options.message ?? `${service} ${route} failed (HTTP ${statusCode}): ${message}`,
		httpCode: String(statusCode),
		...(options.itemIndex !== undefined ? { itemIndex: options.itemIndex } : {}),
	});
}
