import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../../../../../nodes/shared/n8n/errors';

const node: INode = { id: 'n1', name: 'Node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };

describe('toNodeError', () => {
	it('wraps a plain error in a NodeOperationError naming the item', () => {
		const error = toNodeError(node, new Error('boom'), 3);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('boom');
		expect(error.context.itemIndex).toBe(3);
	});

	it('keeps an API error an API error and adds the item index', () => {
		const apiError = new NodeApiError(
			node,
			{ message: 'nope' },
			{ message: 'Zendesk POST /tickets failed (HTTP 422): nope' },
		);
		const error = toNodeError(node, apiError, 2);
		expect(error).toBe(apiError);
		expect(error.context.itemIndex).toBe(2);
	});

	it('does not overwrite the item index an error already names', () => {
		const operationError = new NodeOperationError(node, 'bad parameter', { itemIndex: 1 });
		expect(toNodeError(node, operationError, 4).context.itemIndex).toBe(1);
	});

	it('names no item outside an item loop (webhooks, lifecycle methods)', () => {
		const error = toNodeError(node, new Error('no webhook URL'));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.context.itemIndex).toBeUndefined();
		const apiError = new NodeApiError(node, { message: 'nope' });
		expect(toNodeError(node, apiError).context.itemIndex).toBeUndefined();
	});

	it('turns a thrown string into a message', () => {
		expect(toNodeError(node, 'plain text', 0).message).toBe('plain text');
	});
});
