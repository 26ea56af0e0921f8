/**
 * Where the Upsert decides, in the Zendesk Messaging mode: THIS FILE. Given what the process knows
 * of the Slack conversation's Sunshine conversation, the message at the head of its lane and
 * Sunshine's last answer, it returns the next command (look the conversation up, create it, read
 * the markers of its latest messages, read who controls it, post this part, pass control to the
 * agent workspace, finish). Pure: no HTTP, no n8n, no clock of its own, no process state.
 * messagingPerformer.ts carries the commands out; messagingMode.ts runs the loop.
 *
 * Steady state (conversation known, the agent workspace in control, confirmed within the Control
 * Check Interval, a text message): one command, `post`. docs/zendesk-messaging.md explains why.
 */
import {
	MESSAGING_CONVERSATION_KEY,
	MESSAGING_MESSAGE_KEY,
	MESSAGING_PART_KEY,
	MESSAGING_PREVIOUS_CONVERSATION_KEY,
} from '../../shared/externalIds';
import type { UpsertResult } from '../helpers/upsertRequest';
import type {
	AfterNoAnswer,
	AfterPost,
	Command,
	ConversationState,
	MessagingView,
	PlannedMessage,
	SunshineConversation,
	SunshineMessage,
	WriteAnswer,
} from './messagingCommands';

/** The agent workspace's switchboard integration type (the Zendesk default switchboard). */
export const AGENT_WORKSPACE = 'zd:agentWorkspace';

/** Clock skew allowance between Slack's `ts` and Sunshine's `lastUpdatedAt`. */
export const SKEW_MARGIN_MS = 60_000;

/** Posts that got no clear answer (reset, timeout, 5xx) before the item fails; each is read back first. */
export const MAX_AMBIGUOUS_WRITES = 4;

/** First pause after an ambiguous post; doubles each time. */
export const AMBIGUOUS_BACKOFF_MS = 250;

/** Conversations replaced under one message (gone, full) before the item fails. */
export const MAX_REPLACEMENTS = 2;

/** The marker of part `index` of a Slack message: its idempotency key, `#index` after the first. */
export function partMarker(key: string, index: number): string {
	return index === 0 ? key : `${key}#${index}`;
}

/** The marker a Sunshine message carries in its metadata, if any. */
export function markerOf(message: Pick<SunshineMessage, 'metadata'>): string | undefined {
	const key = message.metadata?.[MESSAGING_MESSAGE_KEY];
	if (typeof key !== 'string' || key === '') return undefined;
	return partMarker(key, Number(message.metadata?.[MESSAGING_PART_KEY] ?? 0) || 0);
}

/** The markers of user messages in a page of ListMessages → message ids. */
export function markersIn(messages: SunshineMessage[]): Map<string, string> {
	const found = new Map<string, string>();
	for (const message of messages) {
		const marker = message.author?.type === 'user' ? markerOf(message) : undefined;
		if (marker && !found.has(marker)) found.set(marker, message.id);
	}
	return found;
}

/** Whether the agent workspace controls the conversation (its `activeSwitchboardIntegration`). */
export function isWithAgentWorkspace(
	conversation: Pick<SunshineConversation, 'activeSwitchboardIntegration'>,
): boolean {
	return conversation.activeSwitchboardIntegration?.integrationType === AGENT_WORKSPACE;
}

function createdOrder(a: SunshineConversation, b: SunshineConversation): number {
	return String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? '')) || a.id.localeCompare(b.id);
}

/**
 * The Slack conversation's Sunshine conversation among the user's: those whose metadata carries
 * its key. Two processes creating it at once agree on the oldest; a conversation that took over a
 * full one (MESSAGING_PREVIOUS_CONVERSATION_KEY) replaces it, so the chain's end is picked.
 */
export function pickConversation(
	conversations: SunshineConversation[],
	conversationKey: string,
): SunshineConversation | undefined {
	const mine = conversations
		.filter((conversation) => conversation.metadata?.[MESSAGING_CONVERSATION_KEY] === conversationKey)
		.sort(createdOrder);
	const ids = new Set(mine.map((conversation) => conversation.id));
	const previousOf = (conversation: SunshineConversation) =>
		conversation.metadata?.[MESSAGING_PREVIOUS_CONVERSATION_KEY];
	let current = mine.find((conversation) => !ids.has(String(previousOf(conversation))));
	for (let step = 0; current && step < mine.length; step++) {
		const successor = mine.find((conversation) => previousOf(conversation) === current!.id);
		if (!successor) break;
		current = successor;
	}
	return current;
}

/** What a lookup (ListConversations by userExternalId) teaches: 404 is a user not created yet. */
export function stateOfLookUp(
	answer: { statusCode: number; conversations: SunshineConversation[] },
	conversationKey: string,
	now: number,
): ConversationState {
	const found = answer.statusCode === 404 ? undefined : pickConversation(answer.conversations, conversationKey);
	if (!found)
		return { userExists: answer.statusCode !== 404, agentWorkspaceActive: false, confirmedAtMs: now, seen: new Map() };
	const last = Date.parse(String(found.lastUpdatedAt ?? found.createdAt ?? ''));
	return {
		conversationId: found.id,
		userExists: true,
		agentWorkspaceActive: isWithAgentWorkspace(found),
		confirmedAtMs: now,
		seen: new Map(),
		// Not written by this process: messages up to its last one may hold an earlier delivery.
		unknownBeforeMs: Number.isNaN(last) ? Number.MAX_SAFE_INTEGER : last,
	};
}

/** Could an earlier delivery of this message be among the messages not read yet? */
export function mayHideMessage(state: ConversationState, head: Pick<PlannedMessage, 'tsMs'>): boolean {
	if (state.unknownBeforeMs === undefined) return false;
	return !(head.tsMs - SKEW_MARGIN_MS > state.unknownBeforeMs);
}

/** The id of part `index`: posted by this delivery, or found by its marker. */
export function partId(state: ConversationState, head: PlannedMessage, index: number): string | undefined {
	return head.messageIds[index] ?? state.seen.get(partMarker(head.key, index));
}

/** The first part neither posted nor found in the conversation. */
export function nextPart(state: ConversationState, head: PlannedMessage): number | undefined {
	for (let index = 0; index < head.parts.length; index++) if (partId(state, head, index) === undefined) return index;
	return undefined;
}

function skipped(state: ConversationState | undefined, reason: string): Command {
	return {
		do: 'finish',
		result: { ticketId: null, outcome: 'skipped', reason, conversationId: state?.conversationId },
	};
}

/** The next step for the head of the lane. */
export function nextCommand(view: MessagingView, controlChecked = false): Command {
	const { state, head } = view;
	const edit = head.kind !== 'message';
	if (edit && view.editsAndDeletions === 'skip') return skipped(state, 'Edits and deletions are skipped (option)');
	if (!state) return { do: 'lookUp' };
	if (state.conversationId === undefined) {
		if (edit) return skipped(state, 'No conversation for this Slack conversation yet');
		return { do: 'createConversation' };
	}
	if (mayHideMessage(state, head)) return { do: 'readMarkers' };
	const stale = view.now - state.confirmedAtMs >= view.controlCheckMs;
	if (state.agentWorkspaceActive && stale && !controlChecked) {
		// With the agent workspace as the switchboard's default, a solved ticket gives the conversation
		// back to it and the user's next message opens a new ticket by itself: nothing to check.
		if (view.agentWorkspaceIsDefault === undefined) return { do: 'readSwitchboard' };
		if (!view.agentWorkspaceIsDefault) return { do: 'checkControl' };
	}
	const part = nextPart(state, head);
	// An edit goes only into a conversation an agent has; it never opens a ticket.
	if (edit && part === 0 && !state.agentWorkspaceActive)
		return skipped(state, "The conversation's ticket is closed (no agent has the conversation)");
	if (part !== undefined) return { do: 'post', part };
	if (!edit && !state.agentWorkspaceActive)
		return { do: 'passControl', firstMessageId: state.postedSinceConfirmation ?? partId(state, head, 0) };
	return { do: 'finish', result: resultOf(state, head) };
}

/** What the delivery reports once every part is in the conversation. */
export function resultOf(state: ConversationState, head: PlannedMessage): UpsertResult {
	const messageIds = head.parts
		.map((_, index) => partId(state, head, index))
		.filter((id): id is string => id !== undefined);
	let outcome: UpsertResult['outcome'] = 'duplicate';
	if (head.wrote)
		outcome = head.kind !== 'message' ? 'noted' : head.handedOver || head.createdConversation ? 'created' : 'appended';
	return { ticketId: null, outcome, conversationId: state.conversationId, messageIds };
}

/** Sunshine answered PostMessage (201, or a status the performer accepts: 404, 423). */
export function afterPost(head: PlannedMessage, answer: WriteAnswer): AfterPost {
	if (answer.statusCode >= 200 && answer.statusCode < 300) {
		const id = (answer.body as { messages?: Array<{ id?: unknown }> } | undefined)?.messages?.[0]?.id;
		return { do: 'posted', messageId: typeof id === 'string' ? id : undefined };
	}
	if (answer.statusCode === 404 || answer.statusCode === 423) {
		if (head.replacements + 1 > MAX_REPLACEMENTS) return { do: 'fail', reason: 'tooManyReplacements' };
		return { do: answer.statusCode === 404 ? 'forget' : 'succeed' };
	}
	return { do: 'fail', reason: 'refused' };
}

/**
 * A post got no clear answer (reset, timeout, 5xx): it may have landed. Pause (doubling), then
 * read the conversation's latest messages: the marker decides whether to post again.
 */
export function afterNoAnswer(head: PlannedMessage): AfterNoAnswer {
	const attempts = head.ambiguousWrites + 1;
	if (attempts > MAX_AMBIGUOUS_WRITES) return { do: 'fail', reason: 'tooManyAmbiguousWrites' };
	return { do: 'readBack', ms: AMBIGUOUS_BACKOFF_MS * 2 ** (attempts - 1) };
}

/**
 * Whether the read of the latest messages must page further back: the oldest message read is not
 * older than the Slack message (minus the skew margin), and there are older ones.
 */
export function readsFurtherBack(
	page: { messages: SunshineMessage[]; hasMore: boolean },
	head: Pick<PlannedMessage, 'tsMs'>,
): boolean {
	if (!page.hasMore || page.messages.length === 0) return false;
	const oldest = Date.parse(String(page.messages[0].received ?? ''));
	return Number.isNaN(oldest) || oldest >= head.tsMs - SKEW_MARGIN_MS;
}
