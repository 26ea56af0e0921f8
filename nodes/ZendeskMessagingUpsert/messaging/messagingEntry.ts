/**
 * A Slack message in the Zendesk Messaging mode's lane: what the lane needs (conversationLane.ts),
 * what the planner reads (messagingCommands.ts: PlannedMessage) and what the performer keeps.
 */
import { eventOrderOf } from '../../shared/slack/messageOrder';
import type { LinkedZendeskUser } from '../../shared/types';
import { slackTsMs } from '../helpers/tickets';
import type { ConversationPlan } from '../helpers/ticketsThreads';
import { conversationPlanOf } from '../helpers/ticketsThreads';
import type { UpsertRequest, UpsertResult } from '../helpers/upsertRequest';
import type { LaneEntry } from '../lane/conversationLane';
import { pendingResult } from '../lane/conversationLane';
import type { UploadedFile } from './messagingBodies';
import { editParts, messageParts } from './messagingBodies';
import type { PlannedMessage } from './messagingCommands';
import { earlierGateOf } from '../lane/earlierGate';

export interface MessagingEntry extends LaneEntry<UpsertResult>, PlannedMessage {
	request: UpsertRequest;
	plan: ConversationPlan;
	/** The Slack conversation's key: the Sunshine conversation's `metadata.slack_conversation`. */
	conversationKey: string;
	/** The Profile Linker's Zendesk user: the messaging user's profile and the ticket's requester. */
	linked: LinkedZendeskUser;
	/** Who controls the conversation was read during this message's turn (Control Check Interval). */
	controlChecked: boolean;
}

export function makeMessagingEntry(input: {
	request: UpsertRequest;
	key: string;
	orderScope: string;
	linked: LinkedZendeskUser;
	files: UploadedFile[];
}): MessagingEntry {
	const { request, key } = input;
	const { item } = request;
	const plan = conversationPlanOf(item, request.settings.threadReplies);
	const parts =
		item.kind === 'message'
			? messageParts({ item, plan, files: input.files, rejected: request.rejectedFiles, names: request.names })
			: editParts(item, request.names);
	return {
		request,
		key,
		plan,
		conversationKey: plan.conversationKey,
		linked: input.linked,
		laneKey: `${request.account}|${plan.conversationKey}`,
		kind: item.kind,
		tsMs: slackTsMs(item.message.ts) ?? 0,
		order: eventOrderOf(item) ?? 0,
		orderScope: input.orderScope,
		earlier: earlierGateOf(item, { key: input.key, account: request.account }, request.parkWhenEarlierMissing),
		parts,
		messageIds: [],
		wrote: false,
		handedOver: false,
		createdConversation: false,
		ambiguousWrites: 0,
		replacements: 0,
		controlChecked: false,
		...pendingResult<UpsertResult>(),
	};
}
