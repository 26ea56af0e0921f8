/**
 * The one place that says whether a failed call means "the service is unavailable for now" (the
 * item may wait and be tried again later: docs/outages.md) or "this request is wrong" (the item
 * fails). Used by every node that waits out outages, for Zendesk and Slack alike.
 */
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isUnansweredRequestError } from './http';

const outageReasons = new WeakMap<object, string>();

/**
 * The error of a failure a node caught and turns into an outage on purpose (e.g. a file download
 * it would otherwise report as a refused file): the item waits instead. `reason` is what
 * unavailableReason answers for it.
 */
export function serviceUnavailableError(node: INode, reason: string, message: string): NodeOperationError {
	const error = new NodeOperationError(node, message);
	outageReasons.set(error, reason);
	return error;
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
	const marked = typeof error === 'object' && error !== null ? outageReasons.get(error) : undefined;
	if (marked) return marked;
	if (isUnansweredRequestError(error)) return `no answer: ${(error as Error).message}`;
	return statusUnavailableReason(Number((error as { httpCode?: unknown } | undefined)?.httpCode));
}
