/**
 * The Zendesk Messaging mode of the Zendesk Messaging Upsert node: one Slack conversation ↔ one
 * Sunshine Conversations (Zendesk messaging) conversation of the Slack user's messaging user;
 * each Slack message posted once, as the user, into it; the conversation handed to the agent
 * workspace (`passControl` to `zd:agentWorkspace`) whenever no agent has it, which opens the
 * messaging ticket.
 *
 * Per message, in this process: the handled-messages memory and single flight (lane/handledOnce.ts:
 * duplicates cost no call), the files uploaded, then the conversation's ordered lane
 * (lane/conversationLane.ts). At the message's turn this loop asks the planner
 * (messagingPlanner.ts) for the next command and has the performer (messagingPerformer.ts) carry
 * it out, until the message is settled. docs/zendesk-messaging.md explains the rules.
 */
import { NodeOperationError } from 'n8n-workflow';

import type { LinkedZendeskUser, ProfileLinkFields } from '../../shared/types';
import type { Lane } from '../state/conversationLanes';
import { upsertEnvironment } from '../state/upsertClock';
import type { UpsertRequest, UpsertResult } from '../helpers/upsertRequest';
import { writeInOrder } from '../lane/conversationLane';
import { handleOnce } from '../lane/handledOnce';
import type { MessagingSettings } from './messagingSettings';
import type { MessagingEntry } from './messagingEntry';
import { makeMessagingEntry } from './messagingEntry';
import { keysInConversation, perform } from './messagingPerformer';
import { nextCommand } from './messagingPlanner';
import { messagingConversations, switchboardDefaults } from './messagingState';
import { messagingSettingsOf } from './messagingSettings';
import { uploadToSunshine } from './messagingUploads';

/** Guards the decision loop against a server that keeps changing under us. */
const MAX_STEPS = 50;

export const DEFAULT_MESSAGING_SETTINGS: MessagingSettings = messagingSettingsOf({});

/** Upserts one Slack event. Resolves with what happened; rejects with a NodeApiError/NodeOperationError. */
export async function upsertZendeskMessaging(request: UpsertRequest): Promise<UpsertResult> {
	return await handleOnce(request, async (key, orderScope) => await handleMessage(request, key, orderScope));
}

async function handleMessage(request: UpsertRequest, key: string, orderScope: string): Promise<UpsertResult> {
	const { ctx, item, itemIndex } = request;
	const linked = (item as Partial<ProfileLinkFields>).zendeskUser;
	if (!isLinked(linked))
		throw new NodeOperationError(
			ctx.getNode(),
			'No linked Zendesk user: connect the Profile Linker before this node (its user becomes the messaging ticket’s requester)',
			{ itemIndex },
		);
	// Upload first, outside the lane: the messages then name the files' mediaUrls in order.
	const files = item.kind === 'message' && request.files.length > 0 ? await uploadToSunshine(ctx, request.files) : [];
	const entry = makeMessagingEntry({ request, key, orderScope, linked, files });
	return await writeInOrder<UpsertResult, MessagingEntry>(entry, {
		process: processHead,
		earlierFound: keysInConversation,
		gaveUp: (head) =>
			new NodeOperationError(head.request.ctx.getNode(), 'Zendesk messaging kept changing the conversation; gave up', {
				itemIndex: head.request.itemIndex,
			}),
	});
}

function isLinked(user: LinkedZendeskUser | undefined): user is LinkedZendeskUser {
	return Boolean(user && Number.isInteger(Number(user.id)) && Number(user.id) > 0);
}

/** The head's turn: plan, perform, until it is settled (or the steps run out). */
async function processHead(lane: Lane<MessagingEntry>, head: MessagingEntry): Promise<void> {
	const settings = head.request.messaging ?? DEFAULT_MESSAGING_SETTINGS;
	for (let step = 0; step < MAX_STEPS && !head.settled; step++) {
		const state = messagingConversations.get(head.laneKey);
		const command = nextCommand(
			{
				state,
				head,
				now: upsertEnvironment().now(),
				controlCheckMs: settings.controlCheckMs,
				editsAndDeletions: settings.editsAndDeletions,
				agentWorkspaceIsDefault: switchboardDefaults.get(head.request.account),
			},
			head.controlChecked,
		);
		await perform(lane, head, state, command);
	}
}
