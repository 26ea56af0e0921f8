/**
 * Posting into a Slack conversation without duplicates: Slack offers no idempotency key for
 * chat.postMessage or files.completeUploadExternal, so the rule for retrying them and for telling
 * an ambiguous failure lives here, once. Pure.
 */
import { NO_AMBIGUOUS_RESEND_POLICY, type RetryPolicy } from '../../shared/transport/retryPolicy';

/**
 * Retry policy for calls that post into a conversation (chat.postMessage,
 * files.completeUploadExternal). Slack offers no idempotency key for them, so a call whose answer
 * is lost (reset, timeout) or is a 5xx may have been applied: resending could post the reply
 * twice. Only 429 / `ratelimited` is retried (after Retry-After): Slack refuses those before
 * processing. Everything else fails visibly (see `ambiguousPostError`).
 */
export const SLACK_POST_RETRY_POLICY: RetryPolicy = NO_AMBIGUOUS_RESEND_POLICY;

/** Whether a failed post may nonetheless have reached Slack: no answer at all, or a 5xx. */
export function postMayHaveLanded(failure: { unanswered: boolean; httpStatus?: number }): boolean {
	return failure.unanswered || (failure.httpStatus !== undefined && failure.httpStatus >= 500);
}

/** The message of such a failure: says it may have been delivered, and why it was not resent. */
export function ambiguousPostMessage(method: string, detail: string): string {
	return `Slack ${method} got no clear answer (${detail}): the message may have been delivered, so it was not sent again (that could duplicate it). Check the DM before retrying.`;
}

/** The error context key naming the method of a post that got no clear answer (ambiguousPostError). */
export const POST_MAY_HAVE_LANDED = 'postMayHaveLanded';
