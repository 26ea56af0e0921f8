import { type TicketSummary } from '../../../../../nodes/ZendeskMessagingUpsert/helpers/tickets';
import { decideTicketAction } from '../../../../../nodes/ZendeskMessagingUpsert/supportTickets/supportPlanner';

function ticket(id: number, status: TicketSummary['status'], createdAt: string): TicketSummary {
	return { id, status, created_at: createdAt, updated_at: createdAt };
}

describe('decideTicketAction', () => {
	const at = '2024-01-01T00:00:00Z';
	it.each(['new', 'open', 'pending', 'hold'] as const)('appends to a %s ticket without reopening', (status) => {
		expect(decideTicketAction('message', { kind: 'active', ticket: ticket(5, status, at) })).toEqual({
			action: 'append',
			ticketId: 5,
			reopens: false,
		});
	});

	it('appends to a solved ticket and reopens it', () => {
		expect(decideTicketAction('message', { kind: 'active', ticket: ticket(5, 'solved', at) })).toEqual({
			action: 'append',
			ticketId: 5,
			reopens: true,
		});
	});

	it('follows up a closed ticket', () => {
		expect(decideTicketAction('message', { kind: 'closed', ticket: ticket(5, 'closed', at) })).toEqual({
			action: 'followUp',
			sourceTicketId: 5,
		});
	});

	it('creates when the conversation has no ticket', () => {
		expect(decideTicketAction('message', { kind: 'none' })).toEqual({ action: 'create' });
	});

	it.each(['edit', 'delete'] as const)('turns a %s into a note on an active ticket and skips otherwise', (kind) => {
		expect(decideTicketAction(kind, { kind: 'active', ticket: ticket(5, 'solved', at) })).toEqual({
			action: 'note',
			ticketId: 5,
		});
		expect(decideTicketAction(kind, { kind: 'none' }).action).toBe('skip');
		expect(decideTicketAction(kind, { kind: 'closed', ticket: ticket(5, 'closed', at) }).action).toBe('skip');
	});
});
