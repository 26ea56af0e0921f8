import {
	messageIdempotencyKey,
	ticketCreationIdempotencyKey,
	organizationExternalId,
	parseTicketExternalId,
	parseUserExternalId,
	ticketExternalId,
	userExternalId,
} from '../../../../nodes/shared/externalIds';

describe('external ids', () => {
	it('round-trips ticket keys with and without a thread', () => {
		const dm = { teamId: 'T1', channelId: 'D1' };
		const thread = { teamId: 'T1', channelId: 'D1', threadTs: '1700000000.000100' };
		expect(ticketExternalId(dm)).toBe('slack-dm:T1:D1');
		expect(parseTicketExternalId(ticketExternalId(dm))).toEqual(dm);
		expect(parseTicketExternalId(ticketExternalId(thread))).toEqual(thread);
	});
	it('refuses foreign ticket external ids', () => {
		for (const foreign of [null, undefined, '', 'jira:1', 'slack-dm:T1', 'slack-dm::D1', 'slack-dm:T:D:1:2']) {
			expect(parseTicketExternalId(foreign)).toBeUndefined();
		}
	});
	it('round-trips user keys', () => {
		expect(parseUserExternalId(userExternalId('T1', 'U1'))).toEqual({ teamId: 'T1', userId: 'U1' });
		expect(parseUserExternalId('slack:T1')).toBeUndefined();
		expect(organizationExternalId('T9')).toBe('slack-team:T9');
	});
	it('gives retries the same idempotency key and edits their own', () => {
		const base = { teamId: 'T1', channelId: 'D1', ts: '1.2' };
		expect(messageIdempotencyKey({ ...base, kind: 'message' })).toBe(
			messageIdempotencyKey({ ...base, kind: 'message' }),
		);
		const edit = messageIdempotencyKey({ ...base, kind: 'edit', eventTs: '1.3' });
		expect(edit).not.toBe(messageIdempotencyKey({ ...base, kind: 'message' }));
		expect(edit).not.toBe(messageIdempotencyKey({ ...base, kind: 'edit', eventTs: '1.4' }));
	});

	it("gives a ticket creation one key per conversation and predecessor ticket (never per message), within Zendesk's 255 characters", () => {
		const conversation = ticketExternalId({ teamId: 'T1', channelId: 'D1' });
		expect(ticketCreationIdempotencyKey(conversation)).toBe(ticketCreationIdempotencyKey(conversation));
		expect(ticketCreationIdempotencyKey(conversation)).not.toBe(ticketCreationIdempotencyKey(conversation, 42));
		expect(ticketCreationIdempotencyKey(conversation, 42)).not.toBe(ticketCreationIdempotencyKey(conversation, 43));
		expect(ticketCreationIdempotencyKey(ticketExternalId({ teamId: 'T1', channelId: 'D2' }))).not.toBe(
			ticketCreationIdempotencyKey(conversation),
		);
		const threaded = ticketExternalId({
			teamId: 'T0123456789',
			channelId: 'D0123456789',
			threadTs: '1700000000.000100',
		});
		expect(ticketCreationIdempotencyKey(threaded, Number.MAX_SAFE_INTEGER).length).toBeLessThanOrEqual(255);
	});
});
