/**
 * runPerItem for nodes that wait out outages (docs/outages.md): an item the service cannot take
 * now leaves on the Service Unavailable output, intact, with `retry` (outageRetry.ts); a later
 * message of a conversation with an earlier parked one parks behind it (state/parkedMessages.ts);
 * an item past its give-up time fails the execution with its data intact.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { LedgerSnapshot } from '../state/parkedMessages';
import { parkedMessages } from '../state/parkedMessages';
import { toNodeError } from './errors';
import type { OutageDecision, OutageSettings, RetryInfo } from './outageRetry';
import {
	BEHIND_STAGGER_MS,
	RESTART_HOLD_REASON,
	WAITED_OUT_SINCE,
	WAITING_BEHIND,
	WaitBehindError,
	decideUnavailable,
	giveUpMessage,
	restartHoldUntil,
	retryInfoOf,
	withoutRetry,
} from './outageRetry';
import { errorItem, runPerItem, usesErrorOutput } from './perItem';
import { writeStaticValue } from './staticData';

/**
 * The node's work on one item. `previous`: the item's earlier park by this node, if it comes back
 * from a wait (e.g. Slack DM Reply then checks what of it reached Slack before posting again).
 */
export type OutageOperation = (
	input: INodeExecutionData,
	itemIndex: number,
	previous?: RetryInfo,
) => Promise<INodeExecutionData>;

/** Where an item stands in its conversation: later messages wait for earlier ones. */
export interface ItemPlace {
	conversation: string;
	key: string;
	order: number;
}

export interface OutageRouting {
	/** Undefined: the node does not wait out outages (one output, as runPerItem). */
	settings: OutageSettings | undefined;
	/** "Zendesk", "Slack": for the give-up error. */
	service: string;
	/** transport/serviceAvailability.ts's unavailableReason. */
	unavailableReason: (error: unknown) => string | undefined;
	placeOf: (json: IDataObject) => ItemPlace | undefined;
	/** Who and what, for the give-up error (e.g. describeSlackMessage). */
	describe: (json: IDataObject) => string;
}

/** How long an item waits for an earlier message of its conversation that this process is handling now. */
const IN_FLIGHT_WAIT_MS = 60_000;
const STATIC_KEY = 'parkedMessages';
/** How long an item looks again for an earlier message whose wait is over (its execution resuming now). */
const DUE_BLOCKER_WAIT_MS = 20_000;
const DUE_BLOCKER_POLL_MS = 500;

type Outcome = { item: INodeExecutionData; parked: boolean };

/** [done, service unavailable] with the option on; [done] without. */
export async function runPerItemWithOutages(
	ctx: IExecuteFunctions,
	operation: OutageOperation,
	routing: OutageRouting,
): Promise<INodeExecutionData[][]> {
	if (!routing.settings) return [await runPerItem(ctx, operation)];
	const scope = ledgerScope(ctx);
	const staticData = ctx.getWorkflowStaticData('node');
	const added = parkedMessages.merge(scope, staticData[STATIC_KEY] as LedgerSnapshot | undefined, Date.now());
	if (added > 0) parkedMessages.noteForeign(workflowOf(ctx));
	const done: INodeExecutionData[] = [];
	const parked: INodeExecutionData[] = [];
	const items = ctx.getInputData();
	const node = ctx.getNode().name;
	const comesBack = items.some((input) => retryInfoOf(input.json, node) !== undefined);
	try {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const input = items[itemIndex];
			try {
				const outcome = await handleItem(ctx, operation, routing, scope, input, itemIndex);
				(outcome.parked ? parked : done).push(outcome.item);
			} catch (error) {
				const nodeError = toNodeError(ctx.getNode(), error, itemIndex);
				if (!ctx.continueOnFail()) throw nodeError;
				done.push(errorItem(input, itemIndex, nodeError.message, { errorOutput: usesErrorOutput(ctx) }));
			}
		}
	} finally {
		// Saved by n8n when the execution ends or goes to wait (workflowExecuteAfter → saveStaticData).
		// A new execution writes only a change (staticData.ts: a worker's save replaces the whole); one
		// resumed from a wait runs without the stored ledger, so it writes what it knows, which takes
		// the parks it ended out of the stored ledger (else a stale park holds later messages).
		writeStaticValue(staticData, STATIC_KEY, parkedMessages.snapshot(scope, Date.now()), {
			evenIfUnchanged: comesBack,
		});
	}
	return [done, parked];
}

function workflowOf(ctx: IExecuteFunctions): string {
	return String(ctx.getWorkflow().id ?? '');
}

function ledgerScope(ctx: IExecuteFunctions): string {
	return `${workflowOf(ctx)}|${ctx.getNode().name}`;
}

async function handleItem(
	ctx: IExecuteFunctions,
	operation: OutageOperation,
	routing: OutageRouting,
	scope: string,
	input: INodeExecutionData,
	itemIndex: number,
): Promise<Outcome> {
	const node = ctx.getNode().name;
	const previous = retryInfoOf(input.json, node);
	const clean: INodeExecutionData = { ...input, json: withoutRetry(input.json) };
	const place = routing.placeOf(clean.json);
	// Back from its wait: it is here now (its entry is not stale while it waits its turn below).
	if (place && previous && parkedMessages.isParked(scope, place.conversation, place.key))
		parkedMessages.park(scope, place.conversation, { key: place.key, order: place.order, nextAttemptAtMs: Date.now() });
	if (place) {
		const heldUntil = heldAfterRestart(ctx, routing.settings as OutageSettings, scope, place, previous);
		if (heldUntil !== undefined) {
			const hold = { previous, reason: RESTART_HOLD_REASON, notBeforeMs: heldUntil };
			return decided(ctx, routing, scope, place, clean, itemIndex, hold);
		}
		const behind = await blockerAfterInFlight(scope, place);
		if (behind) {
			const reason = `${WAITING_BEHIND} an earlier message of the conversation (${behind.key})`;
			const notBeforeMs = behind.nextAttemptAtMs + BEHIND_STAGGER_MS;
			return decided(ctx, routing, scope, place, clean, itemIndex, { previous, reason, notBeforeMs });
		}
	}
	const finish = place ? parkedMessages.begin(scope, place.conversation, place.key, place.order) : undefined;
	try {
		const out = await operation(clean, itemIndex, previous);
		if (place) parkedMessages.release(scope, place.conversation, place.key, Date.now());
		return { item: { ...out, json: passedOn(out.json, previous) }, parked: false };
	} catch (error) {
		// The work itself asked to wait for an earlier message: one durable wait, no backoff step;
		// the retry keeps since when it has asked so (the work decides how long it may go on).
		if (error instanceof WaitBehindError) {
			const since = Date.parse(String(previous?.behindSince));
			const behindSinceMs = Number.isNaN(since) ? Date.now() : since;
			const wait = { previous, reason: error.message, notBeforeMs: Date.now(), behindSinceMs };
			return decided(ctx, routing, scope, place, clean, itemIndex, wait);
		}
		const reason = routing.unavailableReason(error);
		if (!reason) {
			if (place) parkedMessages.release(scope, place.conversation, place.key, Date.now());
			throw toNodeError(ctx.getNode(), error, itemIndex);
		}
		return decided(ctx, routing, scope, place, clean, itemIndex, { previous, reason });
	} finally {
		finish?.();
	}
}

/**
 * The item's JSON as the node passes it on: without `retry`; when it came back from a wait of
 * this node, with `waitedOutSince` (its first failure), so that later nodes know it was held
 * (the Upsert's order gate waits longer for earlier messages then: earlierGate.ts).
 */
function passedOn(json: IDataObject, previous: RetryInfo | undefined): IDataObject {
	const clean = withoutRetry(json);
	if (!previous) return clean;
	const since = typeof clean[WAITED_OUT_SINCE] === 'string' ? clean[WAITED_OUT_SINCE] : previous.firstFailedAt;
	return { ...clean, [WAITED_OUT_SINCE]: since };
}

/** Until when a new message waits after a restart (outageRetry.ts's restartHoldUntil), if at all. */
function heldAfterRestart(
	ctx: IExecuteFunctions,
	settings: OutageSettings,
	scope: string,
	place: ItemPlace,
	previous: RetryInfo | undefined,
): number | undefined {
	const workflow = workflowOf(ctx);
	if (previous && !parkedMessages.isParked(scope, place.conversation, place.key)) parkedMessages.noteForeign(workflow);
	return restartHoldUntil({
		startedAtMs: parkedMessages.startedAt,
		nowMs: Date.now(),
		maxWaitSeconds: settings.maxWaitSeconds,
		sawForeign: parkedMessages.sawForeign(workflow),
		resumed: previous !== undefined,
	});
}

/**
 * The earliest parked message before this one, once earlier ones handled right now have finished.
 * A blocker whose wait is over is being resumed right now (several come back at the same moment,
 * e.g. after a restart): this one looks again for a few seconds instead of parking for a whole
 * wait behind it, so such a group drains in one round instead of one wait per message.
 */
async function blockerAfterInFlight(scope: string, place: ItemPlace) {
	for (const deadline = Date.now() + DUE_BLOCKER_WAIT_MS; ; ) {
		const earlier = parkedMessages.earlierInFlight(scope, place.conversation, place.order);
		if (earlier.length > 0) await Promise.race([Promise.all(earlier), sleep(IN_FLIGHT_WAIT_MS)]);
		const blocker = parkedMessages.blockerOf(scope, place.conversation, place.key, place.order, Date.now());
		if (!blocker || blocker.nextAttemptAtMs > Date.now() || Date.now() >= deadline) return blocker;
		await sleep(DUE_BLOCKER_POLL_MS);
	}
}

/** Park the item (Service Unavailable output) or give up (the item's error). */
function decided(
	ctx: IExecuteFunctions,
	routing: OutageRouting,
	scope: string,
	place: ItemPlace | undefined,
	clean: INodeExecutionData,
	itemIndex: number,
	why: { previous?: RetryInfo; reason: string; notBeforeMs?: number; behindSinceMs?: number },
): Outcome {
	const nowMs = Date.now();
	const decision: OutageDecision = decideUnavailable({
		...why,
		node: ctx.getNode().name,
		nowMs,
		settings: routing.settings as OutageSettings,
	});
	if (decision.do === 'giveUp') {
		if (place) parkedMessages.release(scope, place.conversation, place.key, nowMs);
		throw new NodeOperationError(
			ctx.getNode(),
			giveUpMessage(routing.service, routing.describe(clean.json), decision),
			{
				itemIndex,
				description: `Last reason: ${why.reason}. First failure ${decision.firstFailedAt}. The message is intact in this execution's input: retry the execution once ${routing.service} answers.`,
			},
		);
	}
	if (place) {
		const nextAttemptAtMs = Date.parse(decision.retry.nextAttemptAt);
		parkedMessages.park(scope, place.conversation, { key: place.key, order: place.order, nextAttemptAtMs });
	}
	return {
		item: {
			json: { ...clean.json, retry: decision.retry as unknown as IDataObject },
			binary: clean.binary,
			pairedItem: { item: itemIndex },
		},
		parked: true,
	};
}
