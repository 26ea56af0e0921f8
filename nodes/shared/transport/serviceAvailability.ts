/**
 * The one place that says whether a failed call means "the service is unavailable for now" (the
 * item may wait and be tried again later: docs/outages.md) or "this request is wrong" (the item
 * fails). Used by every node that waits out outages, for Zendesk and Slack alike.
 */
import { isUnansweredRequestError } from './http';

/**
 * Why the failure is an outage, or undefined when it is not: no answer at all (connection refused
 * or reset, timeout, DNS), 5xx, or 429 after the transport's rate-limit budget. Other answers
 * (4xx, refusals the node words itself) are about the request and waiting would not help.
 */
export function unavailableReason(error: unknown): string | undefined {
	if (isUnansweredRequestError(error)) return `no answer: ${(error as Error).message}`;
	const status = Number((error as { httpCode?: unknown } | undefined)?.httpCode);
	if (status === 429) return 'HTTP 429 (rate limited)';
	if (status >= 500 && status <= 599) return `HTTP ${status}`;
	return undefined;
}
