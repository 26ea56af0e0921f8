/**
 * A Slack message in the Support-ticket mode's lane: what the lane needs (conversationLane.ts),
 * what the planner reads (supportPlanner.ts: PlannedMessage) and what the performer keeps.
 */
import { eventOrderOf } from '../../shared/slack/messageOrder';
import { slackTsMs } from '../helpers/tickets';
import type { ConversationPlan } from '../helpers/ticketsThreads';
import { conversationPlanOf } from '../helpers/ticketsThreads';
import type { UpsertRequest, UpsertResult } from '../helpers/upsertRequest';
import type { LaneEntry } from '../lane/conversationLane';
import { pendingResult } from '../lane/conversationLane';
import { earlierGateOf } from '../lane/earlierGate';
import type { PlannedMessage } from './supportCommands';

export interface Entry extends LaneEntry<UpsertResult>, PlannedMessage {
	request: UpsertRequest;
	/** Which ticket the event goes to, and how it relates to a thread. */
	plan: ConversationPlan;
	conversationKey: string;
	/** Per-thread ticket: the DM's ticket id mentioned on creation, looked up once (null: none). */
	dmTicketId?: number | null;
	uploadToken?: string;
	/** The conversation's ticket this message saw go (404, or external id changed): a new ticket succeeds it (creationKeyFor). */
	replacedTicketId?: number;
	/** The people's previous message, older than the minute, when the Profile Linker named it (refreshHeldTicket). */
	previousMessage?: string;
}

export function makeEntry(request: UpsertRequest, key: string, orderScope: string): Entry {
	const plan = conversationPlanOf(request.item, request.settings.threadReplies);
	const { item } = request;
	return {
		request,
		key,
		plan,
		conversationKey: plan.conversationKey,
		// The conversation within the Zendesk account: key of the lane and of the ticket cache.
		laneKey: `${request.account}|${plan.conversationKey}`,
		kind: item.kind,
		text: item.message.text,
		requesterId: request.requesterId,
		participantIds: request.participantIds,
		tsMs: slackTsMs(item.message.ts) ?? 0,
		order: eventOrderOf(item) ?? 0,
		orderScope,
		earlier: earlierGateOf(item, { key, account: request.account }, request.parkWhenEarlierMissing),
		previousMessage: typeof item.previousMessage === 'string' ? item.previousMessage : undefined,
		createRetries: 0,
		ambiguousWrites: 0,
		...pendingResult<UpsertResult>(),
	};
}
