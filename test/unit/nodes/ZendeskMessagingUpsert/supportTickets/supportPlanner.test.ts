/**
 * The Support-ticket mode's planner (nodes/ZendeskMessagingUpsert/supportTickets/supportPlanner.ts),
 * table-driven and without HTTP: ticket states × message kinds × Zendesk's answers → the command.
 */
import type {
	UpdateLimitConfig,
	UpdateWindowState,
} from '../../../../../nodes/ZendeskMessagingUpsert/supportTickets/coalesce';
import { emptyWindow, recordRateLimited } from '../../../../../nodes/ZendeskMessagingUpsert/supportTickets/coalesce';
import type { TicketStatus, TicketSummary } from '../../../../../nodes/ZendeskMessagingUpsert/helpers/tickets';
import { CREATION_RETRY_LIMITS } from '../../../../../nodes/ZendeskMessagingUpsert/helpers/tickets';
import type { ConversationState } from '../../../../../nodes/ZendeskMessagingUpsert/supportTickets/ticketsState';
import type {
	CommentWrite,
	LaneView,
	PlannedMessage,
} from '../../../../../nodes/ZendeskMessagingUpsert/supportTickets/supportCommands';
import type { WriteAnswer } from '../../../../../nodes/ZendeskMessagingUpsert/supportTickets/supportPlanner';
import {
	AMBIGUOUS_BACKOFF_MS,
	afterCreate,
	afterNoAnswer,
	afterReload,
	afterUpdate,
	MAX_AMBIGUOUS_WRITES,
	nextCommand,
	SKEW_MARGIN_MS,
} from '../../../../../nodes/ZendeskMessagingUpsert/supportTickets/supportPlanner';

const CONVERSATION = 'slack-dm:T1:D1';
const UPDATED_AT = '2026-12-01T10:00:00Z';
const UPDATED_MS = Date.parse(UPDATED_AT);
const NOW = UPDATED_MS + 10 * 60_000;
const TICKET_ID = 7;
const REQUESTER = 42;
/** Small limits so that a window near its end is easy to build: coalescing starts at 2 left. */
const LIMITS: UpdateLimitConfig = { limit: 3, windowMs: 60_000, reserve: 2 };
/** One update 50 s ago: 2 left (the reserve), the slot frees in 10 s, so send now and coalesce. */
const NEAR_LIMIT: UpdateWindowState = { sentAt: [NOW - 50_000], blockedUntil: 0 };

type StateName = 'none' | 'new' | 'open' | 'pending' | 'solved' | 'closed';
type KindName = 'message' | 'edit' | 'delete' | 'coalesced batch';

function ticket(status: TicketStatus, externalId = CONVERSATION): TicketSummary {
	return {
		id: TICKET_ID,
		status,
		external_id: externalId,
		created_at: UPDATED_AT,
		updated_at: UPDATED_AT,
	} as TicketSummary;
}

function stateOf(name: StateName, extra: Partial<ConversationState> = {}): ConversationState {
	if (name === 'none') return { ticket: { kind: 'none' }, seen: new Map(), ...extra };
	const summary = ticket(name);
	return {
		ticket: name === 'closed' ? { kind: 'closed', ticket: summary } : { kind: 'active', ticket: summary },
		seen: new Map(),
		...extra,
	};
}

function message(
	n: number,
	kind: PlannedMessage['kind'] = 'message',
	extra: Partial<PlannedMessage> = {},
): PlannedMessage {
	return {
		key: `key-${n}`,
		kind,
		tsMs: NOW - 5_000 + n,
		text: `message ${n}`,
		requesterId: REQUESTER,
		ambiguousWrites: 0,
		createRetries: 0,
		...extra,
	};
}

/** The lane for a kind: one message, or a head with two more messages waiting near the limit. */
function lane(kind: KindName): { waiting: PlannedMessage[]; window: UpdateWindowState } {
	if (kind === 'coalesced batch') return { waiting: [message(1), message(2), message(3)], window: NEAR_LIMIT };
	return { waiting: [message(1, kind)], window: emptyWindow() };
}

function view(
	state: ConversationState | undefined,
	kind: KindName,
	extra: Partial<LaneView<PlannedMessage>> = {},
): LaneView<PlannedMessage> {
	return { state, ...lane(kind), now: NOW, limits: LIMITS, safeUpdates: true, ...extra };
}

function keysOf(command: ReturnType<typeof nextCommand>): string[] | undefined {
	return command.do === 'update' ? command.write.batch.map((m) => m.key) : undefined;
}

describe('nextCommand: ticket state × message kind', () => {
	const skippedNone = {
		do: 'finish',
		result: { ticketId: null, outcome: 'skipped', reason: 'No ticket for this conversation yet' },
	};
	const skippedClosed = {
		do: 'finish',
		result: { ticketId: TICKET_ID, outcome: 'skipped', reason: 'The conversation ticket is closed' },
	};
	const append = (outcome: string, reopen: boolean) => ({
		do: 'update',
		ticketId: TICKET_ID,
		note: false,
		reopen,
		outcome,
		updatedStamp: UPDATED_AT,
		copyTo: [],
	});
	const note = {
		do: 'update',
		ticketId: TICKET_ID,
		note: true,
		reopen: false,
		outcome: 'noted',
		updatedStamp: UPDATED_AT,
		copyTo: undefined,
	};
	const followUp = { do: 'create', followUpSourceId: TICKET_ID };

	const table: Array<[StateName, KindName, object, string[] | undefined]> = [
		['none', 'message', { do: 'create' }, undefined],
		['none', 'edit', skippedNone, undefined],
		['none', 'delete', skippedNone, undefined],
		['none', 'coalesced batch', { do: 'create' }, undefined],
		['new', 'message', append('appended', false), ['key-1']],
		['open', 'message', append('appended', false), ['key-1']],
		['pending', 'message', append('appended', false), ['key-1']],
		['solved', 'message', append('reopened', true), ['key-1']],
		['new', 'edit', note, ['key-1']],
		['open', 'edit', note, ['key-1']],
		['pending', 'delete', note, ['key-1']],
		['solved', 'edit', note, ['key-1']],
		['solved', 'delete', note, ['key-1']],
		['open', 'coalesced batch', append('appended', false), ['key-1', 'key-2', 'key-3']],
		['pending', 'coalesced batch', append('appended', false), ['key-1', 'key-2', 'key-3']],
		['solved', 'coalesced batch', append('reopened', true), ['key-1', 'key-2', 'key-3']],
		['closed', 'message', followUp, undefined],
		['closed', 'edit', skippedClosed, undefined],
		['closed', 'delete', skippedClosed, undefined],
		['closed', 'coalesced batch', followUp, undefined],
	];

	it.each(table)('%s ticket, %s → %j', (stateName, kind, expected, keys) => {
		const command = nextCommand(view(stateOf(stateName), kind));
		const flat = command.do === 'update' ? { do: command.do, ...command.write, batch: undefined } : command;
		expect(flat).toEqual({ ...expected, ...(command.do === 'update' ? { batch: undefined } : {}) });
		expect(keysOf(command)).toEqual(keys);
	});

	it.each(['message', 'edit', 'delete', 'coalesced batch'] as KindName[])(
		'not looked up yet, %s → look the conversation up',
		(kind) => {
			expect(nextCommand(view(undefined, kind))).toEqual({ do: 'lookUp' });
		},
	);
});

describe('nextCommand: what the process already knows', () => {
	it('a message whose marker is in the ticket is a duplicate, with its comment id', () => {
		const state = stateOf('open', { seen: new Map([['key-1', 99]]) });
		expect(nextCommand(view(state, 'message'))).toEqual({
			do: 'finish',
			result: { ticketId: TICKET_ID, commentId: 99, outcome: 'duplicate' },
		});
	});

	it("a marker found after this delivery's own write lost its answer reports that write", () => {
		const state = stateOf('open', { seen: new Map([['key-1', 99]]) });
		const written = { outcome: 'appended' as const, coalescedCount: 2 };
		const command = nextCommand({ ...view(state, 'message'), waiting: [message(1, 'message', { written })] });
		expect(command).toEqual({
			do: 'finish',
			result: { ticketId: TICKET_ID, commentId: 99, outcome: 'appended', coalescedCount: 2 },
		});
	});

	it.each<[StateName, KindName]>([
		['open', 'message'],
		['solved', 'edit'],
		['closed', 'message'],
		['closed', 'delete'],
	])('%s ticket loaded, not written by this process, %s possibly in it → read markers', (stateName, kind) => {
		const state = stateOf(stateName, { unknownBeforeMs: NOW });
		expect(nextCommand(view(state, kind))).toEqual({ do: 'readMarkers', ticketId: TICKET_ID });
	});

	it('a message clearly newer than the unread part (beyond the clock skew) is written without reading markers', () => {
		const state = stateOf('open', { unknownBeforeMs: NOW - 5_000 - SKEW_MARGIN_MS - 1 });
		expect(nextCommand(view(state, 'message')).do).toBe('update');
	});
});

describe('nextCommand: waits', () => {
	it('429 with Retry-After recorded in the window → wait that long', () => {
		const window = recordRateLimited(emptyWindow(), LIMITS, NOW, 30_000);
		expect(nextCommand(view(stateOf('open'), 'message', { window }))).toEqual({ do: 'wait', ms: 30_000 });
	});

	it('window full → wait until the oldest update leaves it', () => {
		const window = { sentAt: [NOW - 50_000, NOW - 40_000, NOW - 30_000], blockedUntil: 0 };
		expect(nextCommand(view(stateOf('open'), 'message', { window }))).toEqual({ do: 'wait', ms: 10_000 });
	});

	it("safe updates: the ticket's stamp is not usable yet → wait until it is", () => {
		const state = stateOf('open', { stampUsableAtMs: NOW + 400 });
		expect(nextCommand(view(state, 'message'))).toEqual({ do: 'wait', ms: 400 });
	});

	it('without safe updates: no stamp, no wait for it', () => {
		const state = stateOf('open', { stampUsableAtMs: NOW + 400 });
		const command = nextCommand(view(state, 'message', { safeUpdates: false }));
		expect(command.do === 'update' && command.write.updatedStamp).toBeUndefined();
	});

	it('a batch stops at an edit, a message already in the ticket, or another requester', () => {
		const base = view(stateOf('open', { seen: new Map([['key-4', 1]]) }), 'coalesced batch');
		const cases: Array<[PlannedMessage[], string[]]> = [
			[
				[message(1), message(2), message(3, 'edit'), message(4)],
				['key-1', 'key-2'],
			],
			[[message(1), message(4), message(5)], ['key-1']],
			[[message(1), message(2, 'message', { requesterId: 43 })], ['key-1']],
			[[message(1, 'edit'), message(2)], ['key-1']],
		];
		for (const [waiting, keys] of cases) expect(keysOf(nextCommand({ ...base, waiting }))).toEqual(keys);
	});

	it('group-DM participants new to the ticket are copied on a public comment', () => {
		const waiting = [message(1, 'message', { participantIds: [42, 50, 51] })];
		const command = nextCommand({ ...view(stateOf('open'), 'message'), waiting });
		expect(command.do === 'update' && command.write.copyTo).toEqual([50, 51]);
	});
});

function writeFor(stateName: StateName, kind: KindName): CommentWrite<PlannedMessage> {
	const command = nextCommand(view(stateOf(stateName), kind));
	if (command.do !== 'update') throw new Error(`expected an update, got ${command.do}`);
	return command.write;
}

const audit = (events: object[]) => ({ audit: { events: [{ type: 'Comment', id: 555 }, ...events] } });
const ok = (status: TicketStatus, events: object[] = []): WriteAnswer => ({
	statusCode: 200,
	body: { ticket: { ...ticket(status), updated_at: '2026-12-01T10:11:00Z' }, ...audit(events) },
});
const closedRefusal: WriteAnswer = {
	statusCode: 422,
	body: { error: 'RecordInvalid', details: { status: [{ description: 'Status: closed prevents ticket update' }] } },
};
const requesterRefusal: WriteAnswer = {
	statusCode: 422,
	body: { error: 'RecordInvalid', details: { requester: [{ description: 'Requester: is invalid' }] } },
};

describe('afterUpdate: ticket state × message kind × answer', () => {
	const table: Array<[StateName, KindName, string, WriteAnswer, object]> = [
		['open', 'message', '409', { statusCode: 409, body: {} }, { do: 'reload', ticketId: TICKET_ID }],
		['solved', 'edit', '409', { statusCode: 409, body: {} }, { do: 'reload', ticketId: TICKET_ID }],
		['pending', 'coalesced batch', '409', { statusCode: 409, body: {} }, { do: 'reload', ticketId: TICKET_ID }],
		['open', 'message', '404 (deleted)', { statusCode: 404, body: {} }, { do: 'forget', replacedTicketId: TICKET_ID }],
		['new', 'delete', '404 (deleted)', { statusCode: 404, body: {} }, { do: 'forget', replacedTicketId: TICKET_ID }],
		[
			'solved',
			'coalesced batch',
			'404 (deleted)',
			{ statusCode: 404, body: {} },
			{ do: 'forget', replacedTicketId: TICKET_ID },
		],
		[
			'open',
			'message',
			'429 Retry-After',
			{ statusCode: 429, body: {}, retryAfterMs: 30_000 },
			{ do: 'rateLimited', ticketId: TICKET_ID, retryAfterMs: 30_000 },
		],
		[
			'open',
			'edit',
			'429 Retry-After',
			{ statusCode: 429, body: {}, retryAfterMs: 5_000 },
			{ do: 'rateLimited', ticketId: TICKET_ID, retryAfterMs: 5_000 },
		],
		[
			'open',
			'coalesced batch',
			'429 without Retry-After',
			{ statusCode: 429, body: {} },
			{ do: 'rateLimited', ticketId: TICKET_ID, retryAfterMs: undefined },
		],
		['open', 'message', '422 closed', closedRefusal, { do: 'markClosed' }],
		['solved', 'coalesced batch', '422 closed', closedRefusal, { do: 'markClosed' }],
		['pending', 'delete', '422 closed', closedRefusal, { do: 'markClosed' }],
		['open', 'message', '422 requester refused', requesterRefusal, { do: 'fail', reason: 'refused' }],
		['open', 'edit', '422 requester refused', requesterRefusal, { do: 'fail', reason: 'refused' }],
	];

	it.each(table)('%s ticket, %s, %s', (stateName, kind, _answer, answer, expected) => {
		expect(afterUpdate(writeFor(stateName, kind), answer, stateOf(stateName))).toEqual(expected);
	});

	it.each<[StateName, KindName, WriteAnswer, string[], TicketStatus]>([
		['open', 'message', ok('open'), ['appended'], 'open'],
		[
			'new',
			'message',
			ok('open', [{ type: 'Change', field_name: 'status', previous_value: 'new', value: 'open' }]),
			['appended'],
			'open',
		],
		[
			'solved',
			'message',
			ok('open', [{ type: 'Change', field_name: 'status', previous_value: 'solved', value: 'open' }]),
			['reopened'],
			'open',
		],
		// The cache said solved, Zendesk says the status did not change: the reply reopened nothing.
		['solved', 'message', ok('open'), ['appended'], 'open'],
		['open', 'edit', ok('open'), ['noted'], 'open'],
		['solved', 'delete', ok('solved'), ['noted'], 'solved'],
		['open', 'coalesced batch', ok('open'), ['appended', 'appended', 'appended'], 'open'],
		[
			'solved',
			'coalesced batch',
			ok('open', [{ type: 'Change', field_name: 'status', previous_value: 'solved', value: 'open' }]),
			['reopened', 'appended', 'appended'],
			'open',
		],
	])('%s ticket, %s, 200 → applied %j', (stateName, kind, answer, outcomes, status) => {
		const next = afterUpdate(writeFor(stateName, kind), answer, stateOf(stateName));
		if (next.do !== 'applied') throw new Error(`expected applied, got ${next.do}`);
		expect(next.results.map(({ result }) => result.outcome)).toEqual(outcomes);
		expect(next.results.every(({ result }) => result.ticketId === TICKET_ID && result.commentId === 555)).toBe(true);
		expect(next.results.map(({ result }) => result.coalescedCount)).toEqual(
			outcomes.map(() => (outcomes.length > 1 ? outcomes.length : undefined)),
		);
		expect(next.ticket).toEqual({ kind: 'active', ticket: expect.objectContaining({ status }) });
	});

	it('200 without audit: the guess stands (reopened for a solved ticket); without ticket: nothing to cache', () => {
		const next = afterUpdate(writeFor('solved', 'message'), { statusCode: 200, body: {} }, stateOf('solved'));
		expect(next).toEqual({
			do: 'applied',
			ticket: undefined,
			commentId: undefined,
			results: [{ message: message(1), result: { ticketId: TICKET_ID, outcome: 'reopened', commentId: undefined } }],
		});
	});

	it('200 with a closed ticket: cached as closed (the next message opens a follow-up)', () => {
		const next = afterUpdate(writeFor('open', 'message'), ok('closed'), stateOf('open'));
		expect(next.do === 'applied' && next.ticket?.kind).toBe('closed');
	});

	it('422 closed, then the planner opens a follow-up of that ticket (edits are skipped)', () => {
		expect(afterUpdate(writeFor('open', 'message'), closedRefusal, stateOf('open'))).toEqual({ do: 'markClosed' });
		expect(nextCommand(view(stateOf('closed'), 'message'))).toEqual({ do: 'create', followUpSourceId: TICKET_ID });
		expect(nextCommand(view(stateOf('closed'), 'edit'))).toMatchObject({
			do: 'finish',
			result: { outcome: 'skipped' },
		});
	});
});

describe('afterNoAnswer: no answer or 5xx', () => {
	it.each<[StateName, KindName, number]>([
		['open', 'message', 0],
		['solved', 'edit', 1],
		['pending', 'coalesced batch', 2],
		['open', 'delete', 3],
	])('%s ticket, %s, write %#: back off, note what it did, reload the ticket', (stateName, kind, earlier) => {
		const write = writeFor(stateName, kind);
		const head = { ...write.batch[0], ambiguousWrites: earlier };
		const next = afterNoAnswer(head, { kind: 'update', comment: write });
		const coalesced = write.batch.length > 1 ? { coalescedCount: write.batch.length } : {};
		expect(next).toEqual({
			do: 'retryAfterAmbiguous',
			ms: AMBIGUOUS_BACKOFF_MS * 2 ** earlier,
			written: write.batch.map((_, i) => ({ outcome: i === 0 ? write.outcome : 'appended', ...coalesced })),
			forgetConversation: false,
			reloadTicketId: TICKET_ID,
		});
	});

	it.each<[string, number | undefined, object]>([
		['creation', undefined, { outcome: 'created' }],
		['follow-up', TICKET_ID, { outcome: 'followUp', followUpSourceId: TICKET_ID }],
	])('%s: back off and look the conversation up afresh', (_name, followUpSourceId, written) => {
		expect(afterNoAnswer(message(1), { kind: 'create', followUpSourceId })).toEqual({
			do: 'retryAfterAmbiguous',
			ms: AMBIGUOUS_BACKOFF_MS,
			written: [written],
			forgetConversation: true,
		});
	});

	it(`fails after ${MAX_AMBIGUOUS_WRITES} ambiguous writes`, () => {
		const head = message(1, 'message', { ambiguousWrites: MAX_AMBIGUOUS_WRITES });
		expect(afterNoAnswer(head, { kind: 'create' })).toEqual({
			do: 'fail',
			reason: 'tooManyAmbiguousWrites',
			written: [{ outcome: 'created' }],
			forgetConversation: true,
		});
		expect(afterNoAnswer(head, { kind: 'update', comment: writeFor('open', 'message') })).toMatchObject({
			do: 'fail',
			reason: 'tooManyAmbiguousWrites',
		});
	});
});

describe('afterCreate: none / closed × answer', () => {
	const created = (replayed = false): WriteAnswer => ({
		statusCode: 201,
		body: { ticket: ticket('new'), ...audit([]) },
		idempotencyLookup: replayed ? 'hit' : 'miss',
	});
	const keyTaken: WriteAnswer = { statusCode: 400, body: { error: 'IdempotentRequestError' } };
	const staleSource: WriteAnswer = {
		statusCode: 422,
		body: {
			error: 'RecordInvalid',
			details: { base: [{ description: 'via_followup_source_id: closed ticket not found' }] },
		},
	};

	it.each<[string, number | undefined, WriteAnswer, PlannedMessage, object]>([
		['none, 201', undefined, created(), message(1), { outcome: 'created' }],
		['closed, 201', TICKET_ID, created(), message(1), { outcome: 'followUp', followUpSourceId: TICKET_ID }],
		['none, 201 replayed', undefined, created(true), message(1), { outcome: 'duplicate' }],
		[
			'none, 201 replayed after a lost answer',
			undefined,
			created(true),
			message(1, 'message', { written: { outcome: 'created' } }),
			{ outcome: 'created' },
		],
	])('%s → created', (_name, followUpSourceId, answer, head, result) => {
		const next = afterCreate(head, followUpSourceId, answer);
		const replayed = answer.idempotencyLookup === 'hit';
		expect(next).toEqual({
			do: 'created',
			ticket: ticket('new'),
			replayed,
			commentId: 555,
			unknownBeforeMs: replayed ? UPDATED_MS : undefined,
			result: { ticketId: TICKET_ID, commentId: 555, ...result },
		});
	});

	it.each<[string, WriteAnswer, number, object]>([
		['409, first refusal', { statusCode: 409, body: {} }, 0, { do: 'lookUpAgain', ms: 0 }],
		['409, third refusal', { statusCode: 409, body: {} }, 2, { do: 'lookUpAgain', ms: 500 }],
		['409 with Retry-After', { statusCode: 409, body: {}, retryAfterMs: 2_000 }, 1, { do: 'lookUpAgain', ms: 2_000 }],
		[
			'409 with Retry-After beyond a minute',
			{ statusCode: 409, body: {}, retryAfterMs: 61_000 },
			0,
			{ do: 'fail', reason: 'unresolvedCreation', refusals: 1 },
		],
		[
			'409 past the retries',
			{ statusCode: 409, body: {} },
			CREATION_RETRY_LIMITS.maxRetries,
			{ do: 'fail', reason: 'unresolvedCreation', refusals: CREATION_RETRY_LIMITS.maxRetries + 1 },
		],
		['400 creation key taken', keyTaken, 0, { do: 'lookUpAgain', ms: 0 }],
		[
			'400 creation key taken past the retries',
			keyTaken,
			CREATION_RETRY_LIMITS.maxRetries,
			{ do: 'fail', reason: 'unresolvedCreation', refusals: CREATION_RETRY_LIMITS.maxRetries + 1 },
		],
		['422 follow-up source gone', staleSource, 0, { do: 'lookUpAgain', ms: 0 }],
		[
			'422 follow-up source gone past the retries',
			staleSource,
			CREATION_RETRY_LIMITS.maxRetries,
			{ do: 'fail', reason: 'refused' },
		],
		['422 requester refused', requesterRefusal, 0, { do: 'fail', reason: 'refused' }],
		['201 without a ticket', { statusCode: 201, body: {} }, 0, { do: 'fail', reason: 'refused' }],
	])('%s → %j', (_name, answer, retries, expected) => {
		expect(afterCreate(message(1, 'message', { createRetries: retries }), undefined, answer)).toEqual(expected);
	});
});

describe('afterReload (after 409 or a lost answer)', () => {
	it.each<[string, { statusCode: number; ticket?: TicketSummary }, object]>([
		[
			'200 open',
			{ statusCode: 200, ticket: ticket('open') },
			{ do: 'adopt', ticket: { kind: 'active', ticket: ticket('open') }, unknownBeforeMs: UPDATED_MS },
		],
		[
			'200 solved',
			{ statusCode: 200, ticket: ticket('solved') },
			{ do: 'adopt', ticket: { kind: 'active', ticket: ticket('solved') }, unknownBeforeMs: UPDATED_MS },
		],
		[
			'200 closed',
			{ statusCode: 200, ticket: ticket('closed') },
			{ do: 'adopt', ticket: { kind: 'closed', ticket: ticket('closed') }, unknownBeforeMs: UPDATED_MS },
		],
		['404 (deleted)', { statusCode: 404 }, { do: 'forget', replacedTicketId: TICKET_ID }],
		[
			'200, external id changed by an agent',
			{ statusCode: 200, ticket: ticket('open', 'something-else') },
			{ do: 'forget', replacedTicketId: TICKET_ID },
		],
	])('%s → %j', (_name, answer, expected) => {
		expect(afterReload(TICKET_ID, CONVERSATION, answer)).toEqual(expected);
	});
});
