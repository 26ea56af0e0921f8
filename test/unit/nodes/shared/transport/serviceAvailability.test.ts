import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import {
	serviceUnavailableError,
	statusUnavailableReason,
	unavailableReason,
} from '../../../../../nodes/shared/transport/serviceAvailability';

const node = { name: 'n', type: 't', typeVersion: 1, position: [0, 0], parameters: {} } as unknown as INode;
const apiError = (status: number) =>
	new NodeApiError(node, { statusCode: status } as JsonObject, { message: 'x', httpCode: String(status) });

describe('unavailableReason', () => {
	it('calls 5xx and 429 an outage', () => {
		expect(unavailableReason(apiError(503))).toBe('HTTP 503');
		expect(unavailableReason(apiError(500))).toBe('HTTP 500');
		expect(unavailableReason(apiError(429))).toBe('HTTP 429 (rate limited)');
	});

	it('does not call refusals about the request an outage', () => {
		for (const status of [400, 401, 403, 404, 409, 422]) expect(unavailableReason(apiError(status))).toBeUndefined();
		expect(unavailableReason(new NodeOperationError(node, 'bad item'))).toBeUndefined();
		expect(unavailableReason(new Error('ECONNREFUSED'))).toBeUndefined();
		expect(unavailableReason(undefined)).toBeUndefined();
	});

	it('reads an answer status the same way (a node that reads statuses itself, e.g. file downloads)', () => {
		expect([200, 404, 429, 502].map(statusUnavailableReason)).toEqual([
			undefined,
			undefined,
			'HTTP 429 (rate limited)',
			'HTTP 502',
		]);
	});

	it('knows the errors a node marked as an outage on purpose', () => {
		const error = serviceUnavailableError(node, 'HTTP 503', 'Slack file download failed: Slack answered HTTP 503');
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(unavailableReason(error)).toBe('HTTP 503');
		expect(unavailableReason(new NodeOperationError(node, 'Slack file download failed'))).toBeUndefined();
	});
});
