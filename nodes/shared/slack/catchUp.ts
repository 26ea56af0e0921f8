/**
 * Messages the Slack DM Catch-up hands to the Slack DM Trigger again after an n8n worker stopped
 * with an execution (docs/scaling.md, A worker dies). The catch-up reads them from the DMs'
 * history and sends each as the `message` event Slack would have sent, in an Events API envelope
 * signed with the app's signing secret, to the trigger's own URL: the trigger takes it like any
 * event (signature, echo filter, handles, the user's filters), so nothing of its rules is written
 * twice. The mark below is part of the signed body (a header would not be covered by the
 * signature): only who holds the signing secret can set it.
 *
 * What the mark changes at the trigger: the delivery ledgers do not count the first delivery (it
 * was taken, then lost with the worker), and the item carries `caughtUpFor`, so the Upsert first
 * looks for the message's own key in Zendesk (it may have been written before the worker
 * stopped, or be on its way in another execution) and writes it only when it is not there
 * (ZendeskMessagingUpsert/lane/earlierGate.ts).
 */
import { isRecord, nonEmptyString } from '../values';
import type { SlackEventCallback } from './events';

/** The envelope field that carries the mark. */
export const CATCH_UP_FIELD = 'bridge_catch_up';

export interface CatchUpMark {
	/** The failed execution the catch-up was run for ('' when the error named none). */
	executionId: string;
}

/** The mark of a signed envelope, or undefined for Slack's own deliveries. Pure. */
export function catchUpMarkOf(envelope: SlackEventCallback): CatchUpMark | undefined {
	const mark = (envelope as unknown as Record<string, unknown>)[CATCH_UP_FIELD];
	if (!isRecord(mark)) return undefined;
	return { executionId: nonEmptyString(mark.executionId) ?? '' };
}

/**
 * The event id of a replayed message: Slack's own id is not in the history, and the same message
 * must get the same id in every catch-up. Pure.
 */
export function catchUpEventId(channel: string, ts: string): string {
	return `EvCatchUp.${channel}.${ts}`;
}
