/**
 * The Zendesk Support (tickets API) mode of the Zendesk Messaging Upsert node: one Slack
 * conversation ↔ one ticket (plus follow-ups), each Slack message exactly once.
 *
 * Per message, in this process: the handled-messages memory and single flight (lane/handledOnce.ts:
 * duplicates cost no call), then the conversation's ordered lane (lane/conversationLane.ts). At
 * the message's turn this loop asks the planner (supportPlanner.ts, where every decision is: which
 * write, which body, retry, follow-up, failure) for the next command and has the performer
 * (supportPerformer.ts) carry it out, until the message is settled:
 *   - cached ticket, text only: one PUT (safe update against the cached `updated_at`);
 *   - 409 (someone else updated): reload the ticket, read recent audits when the message could
 *     already be there, retry; 422 "closed prevents ticket update": follow-up; 404: look up again;
 *   - no ticket / closed ticket: POST with `Idempotency-Key` (follow-up: `via_followup_source_id`).
 * Every write carries the message keys as custom audit metadata: that is the cross-process
 * marker read back from `GET /tickets/{id}/audits.json`. docs/zendesk-upsert.md explains why.
 */
import { NodeOperationError } from 'n8n-workflow';

import type { Lane } from '../state/conversationLanes';
import { upsertEnvironment } from '../state/upsertClock';
import { emptyWindow } from './coalesce';
import type { ConversationState } from './ticketsState';
import { conversationCache, updateWindows } from './ticketsState';
import { uploadFiles } from '../helpers/uploads';
import type { UpsertRequest, UpsertResult } from '../helpers/upsertRequest';
import { writeInOrder } from '../lane/conversationLane';
import { handleOnce } from '../lane/handledOnce';
import type { Entry } from './supportEntry';
import { makeEntry } from './supportEntry';
import { keysInTicket, loadConversation, perform, refreshHeldTicket, windowKeyOf } from './supportPerformer';
import type { LaneView } from './supportCommands';
import { knownStateCommand, nextCommand } from './supportPlanner';

/** Guards the decision loop against a server that keeps changing under us. */
const MAX_STEPS = 50;

/** Upserts one Slack event. Resolves with what happened; rejects with a NodeApiError/NodeOperationError. */
export async function upsertSupportTicket(request: UpsertRequest): Promise<UpsertResult> {
	return await handleOnce(request, async (key, orderScope) => await handleMessage(request, key, orderScope));
}

async function handleMessage(request: UpsertRequest, key: string, orderScope: string): Promise<UpsertResult> {
	const { ctx, item, settings } = request;
	if (item.kind === 'message' && request.requesterId === undefined) {
		throw new NodeOperationError(
			ctx.getNode(),
			'No requester: connect the Profile Linker before this node or set "Requester ID"',
			{
				itemIndex: request.itemIndex,
			},
		);
	}
	const entry = makeEntry(request, key, orderScope);
	// Upload first, outside the lane: one token for all files of the message.
	if (item.kind === 'message' && request.files.length > 0) {
		entry.uploadToken = await uploadFiles(ctx, settings.credentialType, request.files);
	}
	return await writeInOrder<UpsertResult, Entry>(entry, {
		process: processHead,
		earlierFound: keysInTicket,
		gaveUp: (head) =>
			new NodeOperationError(head.request.ctx.getNode(), 'Zendesk kept changing the ticket; gave up', {
				itemIndex: head.request.itemIndex,
			}),
	});
}

/** The head's turn: plan, perform, until it is settled (or the steps run out). */
async function processHead(lane: Lane<Entry>, head: Entry): Promise<void> {
	await refreshHeldTicket(head);
	for (let step = 0; step < MAX_STEPS && !head.settled; step++) {
		const cached = conversationCache.get(head.laneKey);
		const command = nextCommand(viewOf(lane, head, cached));
		if (command.do !== 'lookUp' && cached) {
			await perform(lane, head, cached, command);
			continue;
		}
		const state = await loadConversation(head);
		await perform(lane, head, state, knownStateCommand(viewOf(lane, head, state)));
	}
}

/** What the planner sees: the conversation, the head and the messages waiting after it, the ticket's window. */
function viewOf<S extends ConversationState | undefined>(
	lane: Lane<Entry>,
	head: Entry,
	state: S,
): LaneView<Entry> & { state: S } {
	const { settings } = head.request;
	const ticketId = state && state.ticket.kind !== 'none' ? state.ticket.ticket.id : undefined;
	return {
		state,
		// From the head on: an earlier message that arrived while this one was under way waits its turn.
		waiting: lane.waiting.slice(lane.waiting.indexOf(head)).filter((entry) => !entry.settled),
		now: upsertEnvironment().now(),
		window: (ticketId !== undefined ? updateWindows.get(windowKeyOf(head, ticketId)) : undefined) ?? emptyWindow(),
		limits: settings.limits,
		safeUpdates: settings.safeUpdates,
	};
}
