/**
 * The Zendesk Messaging planner, table-driven: conversation states × message kinds → the next
 * command; Sunshine's answers (201, 404, 423, 409, 429, 5xx, no answer) → what follows; the
 * conversation picked among the user's; markers read back.
 */
import type {
	ConversationState,
	MessagingView,
	PlannedMessage,
	SunshineConversation,
} from '../../../../../nodes/ZendeskMessagingUpsert/messaging/messagingCommands';
import {
	afterNoAnswer,
	afterPost,
	AMBIGUOUS_BACKOFF_MS,
	markersIn,
	mayHideMessage,
	nextCommand,
	partMarker,
	pickConversation,
	readsFurtherBack,
	resultOf,
	SKEW_MARGIN_MS,
	stateOfLookUp,
} from '../../../../../nodes/ZendeskMessagingUpsert/messaging/messagingPlanner';

const NOW = 1_800_000_000_000;
const KEY = 'slack:T1:D1:1800000000.000100';
const CONVERSATION_KEY = 'slack-dm:T1:D1';

function message(overrides: Partial<PlannedMessage> = {}): PlannedMessage {
	return {
		key: KEY,
		kind: 'message',
		tsMs: NOW - 1_000,
		parts: [{ content: { type: 'text', text: 'hi' } }],
		messageIds: [],
		wrote: false,
		handedOver: false,
		createdConversation: false,
		ambiguousWrites: 0,
		replacements: 0,
		...overrides,
	};
}

function state(overrides: Partial<ConversationState> = {}): ConversationState {
	return {
		conversationId: 'c1',
		userExists: true,
		agentWorkspaceActive: true,
		confirmedAtMs: NOW - 1_000,
		seen: new Map(),
		...overrides,
	};
}

function view(s: ConversationState | undefined, head: PlannedMessage, overrides: Partial<MessagingView> = {}) {
	return { state: s, head, now: NOW, controlCheckMs: 60_000, editsAndDeletions: 'post' as const, ...overrides };
}

const edit = () => message({ kind: 'edit', key: `${KEY}:edit:1800000001.000100` });
const twoParts = () =>
	message({ parts: [{ content: { type: 'text', text: 'a' } }, { content: { type: 'file', mediaUrl: 'https://x' } }] });

describe('nextCommand: conversation states × message kinds', () => {
	const cases: Array<[string, ConversationState | undefined, PlannedMessage, Partial<MessagingView>, unknown]> = [
		['unknown conversation, message', undefined, message(), {}, { do: 'lookUp' }],
		['unknown conversation, edit', undefined, edit(), {}, { do: 'lookUp' }],
		['edit with Skip: no call at all', undefined, edit(), { editsAndDeletions: 'skip' }, { do: 'finish' }],
		['no conversation, message', state({ conversationId: undefined }), message(), {}, { do: 'createConversation' }],
		['no conversation, edit', state({ conversationId: undefined }), edit(), {}, { do: 'finish' }],
		['steady state: agent workspace, fresh', state(), message(), {}, { do: 'post', part: 0 }],
		[
			'agent workspace, stale, switchboard default not read yet',
			state({ confirmedAtMs: NOW - 61_000 }),
			message(),
			{},
			{ do: 'readSwitchboard' },
		],
		[
			'agent workspace, stale, another default',
			state({ confirmedAtMs: NOW - 61_000 }),
			message(),
			{ agentWorkspaceIsDefault: false },
			{ do: 'checkControl' },
		],
		[
			'agent workspace, stale, the agent workspace is the default: no check',
			state({ confirmedAtMs: NOW - 61_000 }),
			message(),
			{ agentWorkspaceIsDefault: true },
			{ do: 'post', part: 0 },
		],
		[
			'check interval 0, another default',
			state({ confirmedAtMs: NOW }),
			message(),
			{ controlCheckMs: 0, agentWorkspaceIsDefault: false },
			{ do: 'checkControl' },
		],
		[
			'check interval 0, the agent workspace is the default',
			state({ confirmedAtMs: NOW }),
			message(),
			{ controlCheckMs: 0, agentWorkspaceIsDefault: true },
			{ do: 'post', part: 0 },
		],
		[
			'not with the agent workspace, it is the default: still hands over',
			state({ agentWorkspaceActive: false }),
			message(),
			{ agentWorkspaceIsDefault: true },
			{ do: 'post', part: 0 },
		],
		[
			'not with the agent workspace: post first',
			state({ agentWorkspaceActive: false }),
			message(),
			{},
			{ do: 'post', part: 0 },
		],
		['loaded, may hide the message', state({ unknownBeforeMs: NOW }), message(), {}, { do: 'readMarkers' }],
		[
			'loaded, message much newer',
			state({ unknownBeforeMs: NOW - 10 * SKEW_MARGIN_MS }),
			message(),
			{},
			{ do: 'post', part: 0 },
		],
		['edit, agent workspace', state(), edit(), {}, { do: 'post', part: 0 }],
		['edit, ticket closed', state({ agentWorkspaceActive: false }), edit(), {}, { do: 'finish' }],
		['second part after the first', state({ seen: new Map([[KEY, 'm1']]) }), twoParts(), {}, { do: 'post', part: 1 }],
	];
	it.each(cases)('%s', (_, s, head, overrides, expected) => {
		expect(nextCommand(view(s, head, overrides))).toMatchObject(expected as object);
	});

	it('reads who controls the conversation once per message, then posts', () => {
		expect(nextCommand(view(state({ confirmedAtMs: NOW - 61_000 }), message()), true)).toEqual({ do: 'post', part: 0 });
	});

	it('hands over after every part is in, from the first message posted since control was confirmed', () => {
		const s = state({ agentWorkspaceActive: false, seen: new Map([[KEY, 'm1']]), postedSinceConfirmation: 'm0' });
		expect(nextCommand(view(s, message()))).toEqual({ do: 'passControl', firstMessageId: 'm0' });
		const fresh = state({ agentWorkspaceActive: false, seen: new Map([[KEY, 'm1']]) });
		expect(nextCommand(view(fresh, message()))).toEqual({ do: 'passControl', firstMessageId: 'm1' });
	});

	it('finishes with what the delivery did', () => {
		const seen = new Map([[KEY, 'm1']]);
		const finish = (head: PlannedMessage) => nextCommand(view(state({ seen }), head));
		expect(finish(message())).toMatchObject({ do: 'finish', result: { outcome: 'duplicate', messageIds: ['m1'] } });
		expect(finish(message({ wrote: true }))).toMatchObject({ result: { outcome: 'appended', conversationId: 'c1' } });
		expect(finish(message({ wrote: true, handedOver: true }))).toMatchObject({ result: { outcome: 'created' } });
		expect(finish(message({ wrote: true, createdConversation: true }))).toMatchObject({
			result: { outcome: 'created' },
		});
		expect(finish({ ...edit(), key: KEY, wrote: true })).toMatchObject({
			result: { outcome: 'noted', ticketId: null },
		});
	});

	it('a duplicate found in a released conversation is still handed over (the message needs a ticket)', () => {
		const s = state({ agentWorkspaceActive: false, seen: new Map([[KEY, 'm1']]) });
		expect(nextCommand(view(s, message()))).toMatchObject({ do: 'passControl' });
	});
});

describe('afterPost: Sunshine answers', () => {
	const cases: Array<[number, unknown, Partial<PlannedMessage>, unknown]> = [
		[201, { messages: [{ id: 'm9' }] }, {}, { do: 'posted', messageId: 'm9' }],
		[404, {}, {}, { do: 'forget' }],
		[423, {}, {}, { do: 'succeed' }],
		[423, {}, { replacements: 2 }, { do: 'fail', reason: 'tooManyReplacements' }],
		[404, {}, { replacements: 2 }, { do: 'fail', reason: 'tooManyReplacements' }],
		[409, {}, {}, { do: 'fail', reason: 'refused' }],
		[400, {}, {}, { do: 'fail', reason: 'refused' }],
		[429, {}, {}, { do: 'fail', reason: 'refused' }],
	];
	it.each(cases)('HTTP %s', (statusCode, body, head, expected) => {
		expect(afterPost(message(head), { statusCode, body })).toEqual(expected);
	});
});

describe('afterNoAnswer: 5xx or no answer', () => {
	it.each([
		[0, { do: 'readBack', ms: AMBIGUOUS_BACKOFF_MS }],
		[1, { do: 'readBack', ms: AMBIGUOUS_BACKOFF_MS * 2 }],
		[3, { do: 'readBack', ms: AMBIGUOUS_BACKOFF_MS * 8 }],
		[4, { do: 'fail', reason: 'tooManyAmbiguousWrites' }],
	])('after %s earlier lost answers', (ambiguousWrites, expected) => {
		expect(afterNoAnswer(message({ ambiguousWrites }))).toEqual(expected);
	});
});

describe('pickConversation', () => {
	const conversation = (id: string, createdAt: string, metadata: Record<string, unknown>): SunshineConversation => ({
		id,
		createdAt,
		metadata,
	});
	const mine = { slack_conversation: CONVERSATION_KEY };

	it('picks by the metadata key; two created at once: the oldest', () => {
		const list = [
			conversation('b', '2026-01-02T00:00:00.000Z', mine),
			conversation('x', '2026-01-01T00:00:00.000Z', { slack_conversation: 'slack-dm:T1:D2' }),
			conversation('a', '2026-01-01T00:00:00.000Z', mine),
		];
		expect(pickConversation(list, CONVERSATION_KEY)?.id).toBe('a');
		expect(pickConversation(list, 'slack-dm:T1:D9')).toBeUndefined();
	});

	it('follows successors of full conversations to the end of the chain', () => {
		const list = [
			conversation('a', '2026-01-01T00:00:00.000Z', mine),
			conversation('c', '2026-01-03T00:00:00.000Z', { ...mine, slack_previous_conversation: 'b' }),
			conversation('b', '2026-01-02T00:00:00.000Z', { ...mine, slack_previous_conversation: 'a' }),
		];
		expect(pickConversation(list, CONVERSATION_KEY)?.id).toBe('c');
	});
});

describe('stateOfLookUp', () => {
	it('404: no user yet; no match: none; a match: its controller and the time of its last message', () => {
		const noUser = stateOfLookUp({ statusCode: 404, conversations: [] }, CONVERSATION_KEY, NOW);
		expect([noUser.userExists, noUser.conversationId]).toEqual([false, undefined]);
		const none = stateOfLookUp({ statusCode: 200, conversations: [] }, CONVERSATION_KEY, NOW);
		expect([none.userExists, none.conversationId]).toEqual([true, undefined]);
		const found = stateOfLookUp(
			{
				statusCode: 200,
				conversations: [
					{
						id: 'c1',
						metadata: { slack_conversation: CONVERSATION_KEY },
						activeSwitchboardIntegration: { integrationType: 'zd:agentWorkspace' },
						lastUpdatedAt: new Date(NOW - 5_000).toISOString(),
					},
				],
			},
			CONVERSATION_KEY,
			NOW,
		);
		expect(found).toMatchObject({ conversationId: 'c1', agentWorkspaceActive: true, unknownBeforeMs: NOW - 5_000 });
	});
});

describe('markers', () => {
	it('reads the markers of user messages only, parts by index', () => {
		const found = markersIn([
			{ id: 'm1', author: { type: 'user' }, metadata: { slack_message: KEY } },
			{ id: 'm2', author: { type: 'user' }, metadata: { slack_message: KEY, slack_part: 1 } },
			{ id: 'm3', author: { type: 'business' }, metadata: { slack_message: 'forged' } },
			{ id: 'm4', author: { type: 'user' }, metadata: null },
		]);
		expect([...found]).toEqual([
			[KEY, 'm1'],
			[partMarker(KEY, 1), 'm2'],
		]);
	});

	it('mayHideMessage: only a loaded conversation whose last message is not older than the Slack message', () => {
		expect(mayHideMessage(state(), message())).toBe(false);
		expect(mayHideMessage(state({ unknownBeforeMs: NOW - SKEW_MARGIN_MS }), message({ tsMs: NOW }))).toBe(true);
		expect(mayHideMessage(state({ unknownBeforeMs: NOW - SKEW_MARGIN_MS - 1 }), message({ tsMs: NOW }))).toBe(false);
	});

	it('readsFurtherBack while the oldest message read could still be after the Slack message', () => {
		const page = (received: string, hasMore: boolean) => ({ messages: [{ id: 'm', received }], hasMore });
		const head = message({ tsMs: NOW });
		expect(readsFurtherBack(page(new Date(NOW).toISOString(), true), head)).toBe(true);
		expect(readsFurtherBack(page(new Date(NOW - 2 * SKEW_MARGIN_MS).toISOString(), true), head)).toBe(false);
		expect(readsFurtherBack(page(new Date(NOW).toISOString(), false), head)).toBe(false);
	});

	it('resultOf names the parts found and posted, in order', () => {
		const s = state({ seen: new Map([[partMarker(KEY, 1), 'm2']]) });
		expect(resultOf(s, { ...twoParts(), messageIds: ['m1'], wrote: true }).messageIds).toEqual(['m1', 'm2']);
	});
});
