import { parseTagList, tagSlug } from '../../../../../nodes/shared/zendesk/tags';
import {
	agentTicketUrl,
	buildCommentUpdateBody,
	buildCreateTicketBody,
	copyFields,
	CREATION_RETRY_LIMITS,
	creationKeyFor,
	creationRefusalOf,
	deriveSubject,
	isClosedTicketRefusal,
	MAX_EMAIL_CCS,
	participantsToCopy,
	pickConversationTicket,
	planCreationRetry,
	slackTsMs,
	stampUsableFromMs,
	ticketTags,
	unresolvedCreationMessage,
	type TicketSummary,
} from '../../../../../nodes/ZendeskMessagingUpsert/helpers/tickets';

function ticket(id: number, status: TicketSummary['status'], createdAt: string): TicketSummary {
	return { id, status, created_at: createdAt, updated_at: createdAt };
}

describe('pickConversationTicket', () => {
	it('is none without tickets', () => {
		expect(pickConversationTicket([])).toEqual({ kind: 'none' });
	});

	it('picks the newest ticket that is not closed, whatever the order of the answer', () => {
		const tickets = [
			ticket(10, 'closed', '2024-01-01T00:00:00Z'),
			ticket(12, 'open', '2024-03-01T00:00:00Z'),
			ticket(11, 'solved', '2024-02-01T00:00:00Z'),
			ticket(13, 'closed', '2024-04-01T00:00:00Z'),
		];
		expect(pickConversationTicket(tickets)).toEqual({ kind: 'active', ticket: tickets[1] });
	});

	it('falls back to the newest closed ticket as follow-up source', () => {
		const tickets = [ticket(10, 'closed', '2024-01-01T00:00:00Z'), ticket(20, 'closed', '2024-05-01T00:00:00Z')];
		expect(pickConversationTicket(tickets)).toEqual({ kind: 'closed', ticket: tickets[1] });
	});

	it('breaks equal creation times by id', () => {
		const tickets = [ticket(7, 'pending', '2024-01-01T00:00:00Z'), ticket(9, 'hold', '2024-01-01T00:00:00Z')];
		expect(pickConversationTicket(tickets)).toEqual({ kind: 'active', ticket: tickets[1] });
	});
});

describe('deriveSubject', () => {
	it('uses the first non-empty line, trimmed, whitespace collapsed', () => {
		expect(deriveSubject('\n\n   My   laptop  is broken  \nIt does not boot', 'fallback')).toBe('My laptop is broken');
	});

	it('drops mrkdwn marks and link syntax', () => {
		expect(deriveSubject('*Urgent*: see <https://example.com|the page> for _details_', 'x')).toBe(
			'Urgent: see the page for details',
		);
	});

	it('shows mentions by name, entities decoded, quotes unmarked (one converter with the comments)', () => {
		const names = (id: string): string | undefined => (id === 'U1' ? 'Ada' : undefined);
		expect(deriveSubject('&gt; <@U1> &amp; <@U2> in <#C1|it-help>: <!here>', 'x', 80, { names })).toBe(
			'@Ada & @U2 in #it-help: @here',
		);
		expect(deriveSubject('```\nstack trace\n```', 'x')).toBe('stack trace');
	});

	it('shortens long lines at a word with an ellipsis within the maximum', () => {
		const subject = deriveSubject('word '.repeat(50), 'x', 30);
		expect(subject.length).toBeLessThanOrEqual(30);
		expect(subject.endsWith('…')).toBe(true);
		expect(subject).not.toMatch(/ …$/);
	});

	it('falls back when there is no text', () => {
		expect(deriveSubject('   \n ', 'Slack message')).toBe('Slack message');
	});
});

describe('tags', () => {
	it('slugs handle names', () => {
		expect(tagSlug('Customer Onboarding')).toBe('customer_onboarding');
		expect(tagSlug('IT — Hélpdesk!')).toBe('it_helpdesk');
	});

	it('adds slack_dm, the handle, slack_connect for partners and configured tags without duplicates', () => {
		expect(ticketTags({ handleName: 'HR', isPartner: true, configured: ['VIP', 'slack_dm', 'two words'] })).toEqual([
			'slack_dm',
			'slack_handle_hr',
			'slack_connect',
			'vip',
			'two_words',
		]);
		expect(ticketTags({ handleName: 'IT', isPartner: false, configured: [] })).toEqual(['slack_dm', 'slack_handle_it']);
	});

	it('parses comma lists and arrays', () => {
		expect(parseTagList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
		expect(parseTagList(['x', '', 'y'])).toEqual(['x', 'y']);
		expect(parseTagList(undefined)).toEqual([]);
	});
});

describe('request bodies', () => {
	const routing = {
		tags: ['slack_dm'],
		brandId: 3,
		groupId: 4,
		priority: 'high' as const,
		type: 'question' as const,
		customFields: [{ id: 9, value: 'x' }],
	};
	const comment = { html_body: '<p>hi</p>', public: true, author_id: 42 };

	it('creates a ticket with requester, external id, routing and the marker', () => {
		const { ticket } = buildCreateTicketBody({
			externalId: 'slack-dm:T:D',
			requesterId: 42,
			subject: 's',
			comment,
			routing,
			metadata: { k: 'v' },
		});
		expect(ticket).toEqual({
			external_id: 'slack-dm:T:D',
			requester_id: 42,
			subject: 's',
			comment,
			metadata: { k: 'v' },
			tags: ['slack_dm'],
			brand_id: 3,
			group_id: 4,
			priority: 'high',
			type: 'question',
			custom_fields: [{ id: 9, value: 'x' }],
		});
	});

	it('links a follow-up and leaves tags to be inherited', () => {
		const { ticket } = buildCreateTicketBody({
			externalId: 'e',
			requesterId: 42,
			subject: 's',
			comment,
			routing: { ...routing, customFields: [] },
			metadata: {},
			followUpSourceId: 77,
		});
		expect(ticket.via_followup_source_id).toBe(77);
		expect(ticket).not.toHaveProperty('tags');
		expect(ticket).not.toHaveProperty('custom_fields');
	});

	it('sends a safe update when a stamp is known, and reopens when asked', () => {
		expect(
			buildCommentUpdateBody({ comment, metadata: { k: 'v' }, updatedStamp: '2024-01-01T00:00:00Z', reopen: true })
				.ticket,
		).toEqual({
			comment,
			metadata: { k: 'v' },
			status: 'open',
			safe_update: true,
			updated_stamp: '2024-01-01T00:00:00Z',
		});
		expect(buildCommentUpdateBody({ comment, metadata: {} }).ticket).toEqual({ comment, metadata: {} });
	});
});

describe('helpers', () => {
	it('recognises Zendesk refusing to update a closed ticket', () => {
		const body = {
			error: 'RecordInvalid',
			details: { status: [{ description: 'Status: closed prevents ticket update' }] },
		};
		expect(isClosedTicketRefusal(422, body)).toBe(true);
		expect(
			isClosedTicketRefusal(422, { error: 'RecordInvalid', details: { subject: [{ description: 'too long' }] } }),
		).toBe(false);
		expect(isClosedTicketRefusal(409, body)).toBe(false);
	});

	it('builds agent URLs from the subdomain, the base URL override or an explicit base', () => {
		expect(agentTicketUrl({ subdomain: 'acme' }, 5)).toBe('https://acme.zendesk.com/agent/tickets/5');
		expect(agentTicketUrl({ subdomain: 'acme', baseUrl: 'http://127.0.0.1:4020/' }, 5)).toBe(
			'http://127.0.0.1:4020/agent/tickets/5',
		);
		expect(agentTicketUrl({ subdomain: 'acme', baseUrl: 'http://x', agentUrlBase: 'https://help.acme.com' }, 5)).toBe(
			'https://help.acme.com/agent/tickets/5',
		);
	});

	it('reads Slack ts as milliseconds', () => {
		expect(slackTsMs('1714557601.000100')).toBe(1714557601000);
		expect(slackTsMs('nope')).toBeUndefined();
	});
});

describe('group DM participants as CCs', () => {
	const ticket = (ccs: number[], collaborators: number[] = ccs): TicketSummary => ({
		id: 1,
		status: 'open',
		updated_at: '',
		email_cc_ids: ccs,
		collaborator_ids: collaborators,
	});

	it('copies every linked participant but the requester on creation, once each', () => {
		expect(participantsToCopy([11, 12, 11, 42, undefined, NaN, 0], 42)).toEqual([11, 12]);
	});

	it('later copies only participants the ticket does not have yet', () => {
		expect(participantsToCopy([11, 12, 13], 42, ticket([11], [11, 99]))).toEqual([12, 13]);
		expect(participantsToCopy([99], 42, ticket([], [99]))).toEqual([]);
		expect(participantsToCopy([11], 42, ticket([11]))).toEqual([]);
	});

	it("stays within Zendesk's 48 CCs", () => {
		const full = ticket(Array.from({ length: MAX_EMAIL_CCS - 1 }, (_, i) => 1000 + i));
		expect(participantsToCopy([1, 2, 3], 42, full)).toEqual([1]);
	});

	it('builds email_ccs put entries, additional_collaborators, or nothing', () => {
		expect(copyFields([11, 12], 'emailCcs')).toEqual({
			email_ccs: [
				{ user_id: 11, action: 'put' },
				{ user_id: 12, action: 'put' },
			],
		});
		expect(copyFields([11], 'collaborators')).toEqual({ additional_collaborators: [11] });
		expect(copyFields([11], 'off')).toEqual({});
		expect(copyFields([], 'emailCcs')).toEqual({});
	});

	it('create and update bodies carry the copies', () => {
		const routing = { tags: [], customFields: [] };
		const comment = { html_body: '<p>x</p>', public: true };
		const copies = copyFields([11], 'emailCcs');
		expect(
			buildCreateTicketBody({ externalId: 'e', requesterId: 1, subject: 's', comment, routing, metadata: {}, copies })
				.ticket.email_ccs,
		).toEqual(copies.email_ccs);
		expect(buildCommentUpdateBody({ comment, metadata: {}, copies }).ticket.email_ccs).toEqual(copies.email_ccs);
	});
});

describe('stampUsableFromMs (updated_at has one-second precision)', () => {
	const received = 1_000_000;
	it('waits until Zendesk has left the stamp second when the answer is from that second', () => {
		expect(stampUsableFromMs('2024-05-01T10:00:01Z', 'Wed, 01 May 2024 10:00:01 GMT', received)).toBe(received + 1000);
	});
	it('needs no wait when Zendesk was already in a later second', () => {
		expect(stampUsableFromMs('2024-05-01T10:00:01Z', 'Wed, 01 May 2024 10:00:02 GMT', received)).toBe(received);
		expect(stampUsableFromMs('2024-05-01T09:00:00Z', 'Wed, 01 May 2024 10:00:02 GMT', received)).toBe(received);
	});
	it('waits a whole second when the Date header or the stamp cannot be read', () => {
		expect(stampUsableFromMs('2024-05-01T10:00:01Z', undefined, received)).toBe(received + 1000);
		expect(stampUsableFromMs('not a date', 'Wed, 01 May 2024 10:00:02 GMT', received)).toBe(received + 1000);
	});
});

describe('refused ticket creation (one creation key per conversation)', () => {
	const keyTaken = {
		error: 'IdempotentRequestError',
		description: 'Idempotency key has already been used with a different request payload',
	};

	it('recognises the refusals that send the message back to the lookup, and no others', () => {
		expect(creationRefusalOf(400, keyTaken)).toBe('creationKeyTaken');
		expect(creationRefusalOf(409, { error: 'Conflict' })).toBe('conflict');
		expect(
			creationRefusalOf(422, {
				error: 'RecordInvalid',
				details: { via_followup_source_id: [{ description: 'Via followup source: is not a closed ticket' }] },
			}),
		).toBe('staleFollowUpSource');
		expect(
			creationRefusalOf(422, {
				error: 'RecordInvalid',
				details: { requester: [{ description: 'Requester: is invalid' }] },
			}),
		).toBeUndefined();
		expect(creationRefusalOf(201, { ticket: { id: 1, external_id: 'idempotent' } })).toBeUndefined();
	});

	it('has one creation key per conversation and predecessor, never one per message', () => {
		expect(creationKeyFor('slack-dm:T1:D1')).toBe('create:slack-dm:T1:D1:new');
		expect(creationKeyFor('slack-dm:T1:D1', { followUpSourceId: 42 })).toBe('create:slack-dm:T1:D1:42');
		// a deleted or re-keyed ticket 42 and a closed ticket 42 have one successor
		expect(creationKeyFor('slack-dm:T1:D1', { replacedTicketId: 42 })).toBe(
			creationKeyFor('slack-dm:T1:D1', { followUpSourceId: 42 }),
		);
		expect(creationKeyFor('slack-dm:T1:D1', { followUpSourceId: 43, replacedTicketId: 42 })).toBe(
			'create:slack-dm:T1:D1:43',
		);
	});

	it('keeps looking the conversation up with growing pauses past the second refusal, then fails: never another key', () => {
		const steps = Array.from({ length: CREATION_RETRY_LIMITS.maxRetries + 1 }, (_, retries) =>
			planCreationRetry(retries),
		);
		expect(steps).toEqual([
			{ action: 'lookUpAgain', waitMs: 0 },
			{ action: 'lookUpAgain', waitMs: 250 },
			{ action: 'lookUpAgain', waitMs: 500 },
			{ action: 'lookUpAgain', waitMs: 1000 },
			{ action: 'lookUpAgain', waitMs: 2000 },
			{ action: 'lookUpAgain', waitMs: 4000 },
			{ action: 'fail' },
		]);
	});

	it("waits at least Zendesk's Retry-After, and fails at once when it is beyond the limit", () => {
		expect(planCreationRetry(0, 3000)).toEqual({ action: 'lookUpAgain', waitMs: 3000 });
		expect(planCreationRetry(4, 1000)).toEqual({ action: 'lookUpAgain', waitMs: 2000 });
		expect(planCreationRetry(1, CREATION_RETRY_LIMITS.maxWaitMs + 1)).toEqual({ action: 'fail' });
	});

	it('explains an unresolved creation: nothing written, no second ticket, when to re-run', () => {
		const message = unresolvedCreationMessage({
			conversationKey: 'slack-dm:T1:D1',
			refusals: 7,
			zendeskMessage: 'IdempotentRequestError: used',
		});
		expect(message).toContain('conversation slack-dm:T1:D1 7 times ("IdempotentRequestError: used")');
		expect(message).toMatch(/not written, rather than risking a second ticket/);
		expect(message).toMatch(/Re-run this item later/);
	});
});
