/**
 * The handled-messages memory, for any Upsert mode: a message already handled in this process
 * answers from memory (outcome `duplicate`, no call), and concurrent deliveries of one message
 * share one run. Another process has its own memory: the modes' markers in Zendesk cover that.
 * The memory itself is process-wide state (nodes/shared/state/handledMessages.ts).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { handledResult, rememberHandled, runOnce, handledKeyOf } from '../state/handledMessages';
import { messagesInFlight } from '../../shared/state/messagesInFlight';
import { orderScopeOf } from '../../shared/slack/messageOrder';
import type { SlackDmItem } from '../../shared/types';
import type { UpsertResult } from '../helpers/upsertRequest';

/** How long a handled message is remembered (Slack retries within about 5 minutes). */
const HANDLED_TTL_MS = 60 * 60_000;

export interface Delivery {
	ctx: IExecuteFunctions;
	/** zendeskAccountKey of the credential: the same message may feed two accounts, one entry each. */
	account: string;
	itemIndex: number;
	item: SlackDmItem;
}

/** Handles a delivery once per process; `handle` gets the message's key and order scope. */
export async function handleOnce(
	delivery: Delivery,
	handle: (key: string, orderScope: string) => Promise<UpsertResult>,
): Promise<UpsertResult> {
	const key = delivery.item.idempotencyKey;
	if (!key)
		throw new NodeOperationError(
			delivery.ctx.getNode(),
			'The item has no idempotencyKey: connect the Slack DM Trigger output',
			{ itemIndex: delivery.itemIndex },
		);
	const handledKey = handledKeyOf(delivery.account, key);
	const orderScope = orderScopeOf(workflowIdOf(delivery.ctx), delivery.item);
	try {
		const handled = handledResult<UpsertResult>(handledKey);
		if (handled) return asDuplicate(handled);
		let first = false;
		const result = await runOnce(handledKey, async () => {
			first = true;
			const outcome = await handle(key, orderScope);
			rememberHandled(handledKey, outcome, HANDLED_TTL_MS);
			return outcome;
		});
		return first ? result : asDuplicate(result);
	} finally {
		// Also when it failed before its lane: later messages of the conversation stop waiting for it.
		messagesInFlight.arrived(orderScope, key);
	}
}

function workflowIdOf(ctx: IExecuteFunctions): string | undefined {
	return typeof ctx.getWorkflow === 'function' ? ctx.getWorkflow().id : undefined;
}

function asDuplicate(result: UpsertResult): UpsertResult {
	if (result.outcome === 'skipped') return result;
	return { ...result, outcome: 'duplicate' };
}
