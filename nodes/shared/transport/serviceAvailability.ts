/**
 * The one place that says whether a failed call means "the service is unavailable for now" (the
 * item may wait and be tried again later: docs/outages.md) or "this request is wrong" (the item
 * fails). Used by every node that waits out outages, for Zendesk and Slack alike.
 */
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isUnansweredRequestError } from './http';

/**
 * A failure a node caught and turned into an outage on purpose (e.g. a file download it would
 * otherwise report as a refused file): the item waits instead. `reason` is unavailableReason's.
 */
export class ServiceUnavailableError extends NodeOperationError {
	constructor(
		node: INode,
		readonly reason: string,
		message: string,
	) {
		super(node, message);
	}
}

/** 429 and 5xx answers: the service cannot take the request now. */
export function statusUnavailableReason(statusCode: number): string | undefined {
	if (statusCode === 429) return 'HTTP 429 (rate limited)';
	if (statusCode >= 500 && statusCode <= 599) return `HTTP ${statusCode}`;
	return undefined;
}

/**
 * Why the failure is an outage, or undefined when it is not: no answer at all (connection refused
 * or reset, timeout, DNS), 5xx, or 429 after the transport's rate-limit budget. Other answers
 * (4xx, refusals the node words itself) are about the request and waiting would not help.
 */
export function unavailableReason(error: unknown): string | undefined {
	if (error instanceof ServiceUnavailableError) return error.reason;
	if (isUnansweredRequestError(error)) return `no answer: ${(error as Error).message}`;
	return statusUnavailableReason(Number((error as { httpCode?: unknown } | undefined)?.httpCode));
}
