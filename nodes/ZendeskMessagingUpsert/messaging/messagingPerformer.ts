/**
 * Carries out the Zendesk Messaging mode's commands (messagingPlanner.ts) through
 * nodes/shared/transport/sunshineTransport.ts, and keeps what they teach in this process's state
 * (messagingState.ts): the conversation, who controls it, the markers seen. It decides nothing
 * itself beyond reading Sunshine's answers for the planner.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { userExternalId } from '../../shared/externalIds';
import type { HttpResult } from '../../shared/transport/http';
import { isUnansweredRequestError } from '../../shared/transport/http';
import { NO_AMBIGUOUS_RESEND_POLICY } from '../../shared/transport/retryPolicy';
import { callSunshine, sunshineApiError } from '../../shared/transport/sunshineTransport';
import type { Lane } from '../state/conversationLanes';
import { upsertEnvironment } from '../state/upsertClock';
import { settle } from '../lane/conversationLane';
import {
	conversationBody,
	handoverMetadata,
	MAX_METADATA_BYTES,
	messageBody,
	metadataBytes,
	passControlBody,
	userBody,
} from './messagingBodies';
import type {
	Command,
	ConversationState,
	FailReason,
	SunshineConversation,
	SunshineMessage,
} from './messagingCommands';
import type { MessagingEntry } from './messagingEntry';
import {
	AGENT_WORKSPACE,
	afterNoAnswer,
	afterPost,
	isWithAgentWorkspace,
	markersIn,
	partMarker,
	readsFurtherBack,
	stateOfLookUp,
} from './messagingPlanner';
import { messagingConversations, SWITCHBOARD_DEFAULT_TTL_MS, switchboardDefaults } from './messagingState';

/** Pages of the user's conversations read at most (ListConversations pages forward). */
const MAX_CONVERSATION_PAGES = 10;

/** Pages of messages read back at most (100 each) when looking for markers. */
const MAX_MESSAGE_PAGES = 5;

const POST_ROUTE = 'POST /conversations/{id}/messages';

/** Carries out one command for the head of the lane. */
export async function perform(
	lane: Lane<MessagingEntry>,
	head: MessagingEntry,
	state: ConversationState | undefined,
	command: Command,
): Promise<void> {
	if (command.do === 'finish') settle(lane, head, { result: command.result });
	else if (command.do === 'lookUp') remember(head, await lookUp(head));
	else if (command.do === 'createConversation') await createConversation(head, state!);
	else if (command.do === 'readMarkers') await readMarkers(head, state!);
	else if (command.do === 'checkControl') await checkControl(head, state!);
	else if (command.do === 'readSwitchboard') await readSwitchboard(head);
	else if (command.do === 'post') await postPart(head, state!, command.part);
	else await passControl(head, state!, command.firstMessageId);
}

function now(): number {
	return upsertEnvironment().now();
}

function remember(entry: MessagingEntry, state: ConversationState): void {
	messagingConversations.set(entry.laneKey, state, entry.request.settings.cacheTtlMs);
}

function forget(entry: MessagingEntry): void {
	messagingConversations.delete(entry.laneKey);
}

function externalIdOf(entry: MessagingEntry): string {
	const { item } = entry.request;
	return userExternalId(item.user.teamId || item.teamId, item.user.id);
}

/** The user's conversations (ListConversations by userExternalId, every page); 404: no such user yet. */
async function listConversations(
	entry: MessagingEntry,
): Promise<{ statusCode: number; conversations: SunshineConversation[] }> {
	const conversations: SunshineConversation[] = [];
	let after: string | undefined;
	for (let page = 0; page < MAX_CONVERSATION_PAGES; page++) {
		const answer = await callSunshine<{
			conversations?: SunshineConversation[];
			meta?: { hasMore?: boolean; afterCursor?: string };
		}>(entry.request.ctx, {
			method: 'GET',
			path: '/conversations',
			qs: { 'filter[userExternalId]': externalIdOf(entry), ...(after ? { 'page[after]': after } : {}) },
			acceptStatuses: [404],
		});
		if (answer.statusCode === 404) return { statusCode: 404, conversations: [] };
		conversations.push(...(answer.body?.conversations ?? []));
		after = answer.body?.meta?.hasMore ? answer.body.meta.afterCursor : undefined;
		if (!after) break;
	}
	return { statusCode: 200, conversations };
}

/** The Slack conversation's Sunshine conversation, recovered from Sunshine (never from memory only). */
async function lookUp(entry: MessagingEntry): Promise<ConversationState> {
	return stateOfLookUp(await listConversations(entry), entry.conversationKey, now());
}

/**
 * The messaging user (when the lookup found none) and a conversation keyed by the Slack
 * conversation; then the user's conversations again, so two processes that created one each at
 * the same moment both continue in the same one (pickConversation: the oldest).
 */
async function createConversation(entry: MessagingEntry, state: ConversationState): Promise<void> {
	const { ctx, item } = entry.request;
	if (!state.userExists) {
		// 409 "User already exists": another delivery created it meanwhile.
		await callSunshine(ctx, {
			method: 'POST',
			path: '/users',
			body: userBody(item, entry.linked),
			acceptStatuses: [409],
		});
	}
	await callSunshine(ctx, {
		method: 'POST',
		path: '/conversations',
		body: conversationBody(item, entry.conversationKey, { dataCapture: dataCaptureOf(entry) }),
	});
	const next = await lookUp(entry);
	// Created just now (by this process or another): nothing of this message can be in it yet.
	next.unknownBeforeMs = undefined;
	entry.createdConversation = true;
	remember(entry, next);
}

/** A conversation that takes over a full one (423): same key, pointing at the one it follows. */
async function startSuccessor(entry: MessagingEntry, state: ConversationState): Promise<void> {
	const { ctx, item } = entry.request;
	const answer = await callSunshine<{ conversation?: SunshineConversation }>(ctx, {
		method: 'POST',
		path: '/conversations',
		body: conversationBody(item, entry.conversationKey, {
			previousConversationId: state.conversationId,
			dataCapture: dataCaptureOf(entry),
		}),
	});
	const conversation = answer.body?.conversation;
	entry.replacements += 1;
	entry.createdConversation = true;
	if (!conversation?.id) return forget(entry);
	remember(entry, {
		conversationId: conversation.id,
		userExists: true,
		agentWorkspaceActive: isWithAgentWorkspace(conversation),
		confirmedAtMs: now(),
		seen: new Map(),
	});
}

/**
 * Which of these messages the Sunshine conversation holds (their first part's marker): from what
 * this process knows, else after reading its latest messages. No conversation yet: none
 * (lane/earlierGate.ts).
 */
export async function keysInConversation(entry: MessagingEntry, keys: string[]): Promise<Set<string>> {
	const state = messagingConversations.get(entry.laneKey) ?? (await lookUp(entry));
	if (!state.conversationId) return new Set();
	const inIt = (key: string) => state.seen.has(partMarker(key, 0));
	if (!keys.every(inIt)) await readMarkers(entry, state);
	return new Set(keys.filter(inIt));
}

/** The markers of the conversation's latest messages (paging back while the message could be older). */
async function readMarkers(entry: MessagingEntry, state: ConversationState): Promise<void> {
	let before: string | undefined;
	for (let page = 0; page < MAX_MESSAGE_PAGES; page++) {
		const answer = await callSunshine<{
			messages?: SunshineMessage[];
			meta?: { hasMore?: boolean; beforeCursor?: string };
		}>(entry.request.ctx, {
			method: 'GET',
			path: `/conversations/${state.conversationId}/messages`,
			qs: before ? { 'page[before]': before } : undefined,
			acceptStatuses: [404],
		});
		if (answer.statusCode === 404) return forget(entry);
		const messages = answer.body?.messages ?? [];
		for (const [marker, id] of markersIn(messages)) state.seen.set(marker, id);
		before = answer.body?.meta?.beforeCursor;
		if (!before || !readsFurtherBack({ messages, hasMore: answer.body?.meta?.hasMore === true }, entry)) break;
	}
	state.unknownBeforeMs = undefined;
	remember(entry, state);
}

/**
 * Whether the app's switchboard gives conversations to the agent workspace by default
 * (ListSwitchboards' `defaultSwitchboardIntegrationId`, then that switchboard's integrations).
 * Anything unreadable counts as "not the default": the Upsert then checks control as before.
 */
async function readSwitchboard(entry: MessagingEntry): Promise<void> {
	const { ctx, account } = entry.request;
	let isDefault = false;
	const switchboards = await callSunshine<{ switchboards?: SunshineSwitchboard[] }>(ctx, {
		method: 'GET',
		path: '/switchboards',
		acceptStatuses: [403, 404],
	});
	const switchboard = switchboards.body?.switchboards?.[0];
	if (switchboards.statusCode === 200 && switchboard?.id && switchboard.defaultSwitchboardIntegrationId) {
		const integrations = await callSunshine<{ switchboardIntegrations?: SunshineSwitchboardIntegration[] }>(ctx, {
			method: 'GET',
			path: `/switchboards/${switchboard.id}/switchboardIntegrations`,
			acceptStatuses: [403, 404],
		});
		const byDefault = integrations.body?.switchboardIntegrations?.find(
			(integration) => integration.id === switchboard.defaultSwitchboardIntegrationId,
		);
		isDefault = integrations.statusCode === 200 && byDefault?.integrationType === AGENT_WORKSPACE;
	}
	switchboardDefaults.set(account, isDefault, SWITCHBOARD_DEFAULT_TTL_MS);
}

interface SunshineSwitchboard {
	id?: string;
	defaultSwitchboardIntegrationId?: string | null;
}

interface SunshineSwitchboardIntegration {
	id?: string;
	integrationType?: string;
}

/** Who controls the conversation now (GetConversation's activeSwitchboardIntegration). */
async function checkControl(entry: MessagingEntry, state: ConversationState): Promise<void> {
	entry.controlChecked = true;
	const answer = await callSunshine<{ conversation?: SunshineConversation }>(entry.request.ctx, {
		method: 'GET',
		path: `/conversations/${state.conversationId}`,
		acceptStatuses: [404],
	});
	if (answer.statusCode === 404 || !answer.body?.conversation) return forget(entry);
	state.agentWorkspaceActive = isWithAgentWorkspace(answer.body.conversation);
	state.confirmedAtMs = now();
	if (state.agentWorkspaceActive) state.postedSinceConfirmation = undefined;
	remember(entry, state);
}

/** One part of the message, as the user, marked; a lost answer is read back, never resent blindly. */
async function postPart(entry: MessagingEntry, state: ConversationState, part: number): Promise<void> {
	const { ctx, item } = entry.request;
	// A handover follows: a mistake in the routing parameters fails the item before anything is posted.
	if (entry.kind === 'message' && !state.agentWorkspaceActive) routingOf(entry);
	let answer: HttpResult<unknown>;
	try {
		answer = await callSunshine(ctx, {
			method: 'POST',
			path: `/conversations/${state.conversationId}/messages`,
			body: messageBody(item, entry.key, entry.parts[part], part),
			acceptStatuses: [404, 423],
			policy: NO_AMBIGUOUS_RESEND_POLICY,
		});
	} catch (error) {
		return await afterLostAnswer(entry, state, error);
	}
	const next = afterPost(entry, { statusCode: answer.statusCode, body: answer.body });
	if (next.do === 'fail') throw failure(entry, next.reason, answer);
	if (next.do === 'forget') {
		entry.replacements += 1;
		entry.messageIds = [];
		return forget(entry);
	}
	if (next.do === 'succeed') return await startSuccessor(entry, state);
	entry.wrote = true;
	entry.messageIds[part] = next.messageId;
	if (next.messageId) {
		state.seen.set(partMarker(entry.key, part), next.messageId);
		state.postedSinceConfirmation ??= next.messageId;
	}
	remember(entry, state);
}

/** 5xx or no answer: the post may have landed. Pause, then the markers of the latest messages decide. */
async function afterLostAnswer(entry: MessagingEntry, state: ConversationState, error: unknown): Promise<void> {
	if (!isUnansweredRequestError(error) && !(Number((error as { httpCode?: unknown })?.httpCode) >= 500))
		throw asNodeError(entry, error);
	const next = afterNoAnswer(entry);
	entry.ambiguousWrites += 1;
	entry.wrote = true;
	if (next.do === 'fail') throw asNodeError(entry, error);
	await upsertEnvironment().sleep(next.ms);
	state.unknownBeforeMs = Number.MAX_SAFE_INTEGER;
	remember(entry, state);
}

function routingOf(entry: MessagingEntry) {
	const routing = entry.request.settings.routing();
	if (!routing.ok)
		throw new NodeOperationError(entry.request.ctx.getNode(), routing.problem, { itemIndex: entry.request.itemIndex });
	return routing.routing;
}

/** The new ticket's data capture, as a handover sends it (without where its transcript starts). */
function dataCaptureOf(entry: MessagingEntry) {
	return handoverMetadata({ routing: routingOf(entry), plan: entry.plan, requester: entry.linked });
}

/** Hands the conversation to the agent workspace with the new ticket's data capture (idempotent). */
async function passControl(entry: MessagingEntry, state: ConversationState, firstMessageId?: string): Promise<void> {
	const { ctx, itemIndex } = entry.request;
	const metadata = handoverMetadata({
		routing: routingOf(entry),
		plan: entry.plan,
		requester: entry.linked,
		firstMessageId,
	});
	if (metadataBytes(metadata) > MAX_METADATA_BYTES)
		throw new NodeOperationError(
			ctx.getNode(),
			`The handover's tags and custom fields exceed Sunshine's 4 KB of metadata (${metadataBytes(metadata)} bytes): shorten them. The message itself is in the conversation; running the item again hands it over.`,
			{ itemIndex },
		);
	const answer = await callSunshine(ctx, {
		method: 'POST',
		path: `/conversations/${state.conversationId}/passControl`,
		body: passControlBody(metadata),
		acceptStatuses: [404],
	});
	if (answer.statusCode === 404) return forget(entry);
	entry.handedOver = true;
	state.agentWorkspaceActive = true;
	state.confirmedAtMs = now();
	state.postedSinceConfirmation = undefined;
	remember(entry, state);
}

function asNodeError(entry: MessagingEntry, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(entry.request.ctx.getNode(), error as Error, { itemIndex: entry.request.itemIndex });
}

/** The item's error for an answer the planner will not get past. */
function failure(entry: MessagingEntry, reason: FailReason, answer: HttpResult<unknown>): NodeApiError {
	const { ctx, itemIndex } = entry.request;
	const message =
		reason === 'tooManyReplacements'
			? `Zendesk messaging refused the message for conversation ${entry.conversationKey}: the conversation was gone or full (HTTP ${answer.statusCode}) ${entry.replacements + 1} times. Nothing of it is lost in Slack; running the item again posts it once.`
			: undefined;
	return sunshineApiError(ctx.getNode(), POST_ROUTE, answer.statusCode, answer.body, { itemIndex, message });
}
