import type { TicketSnapshot, UpdateContext } from '../../../../emulators/zendesk/triggers';
import { conditionsMatch } from '../../../../emulators/zendesk/triggers';

describe('trigger conditions', () => {
	const ticket: TicketSnapshot = {
		id: 1,
		status: 'open',
		priority: null,
		type: null,
		tags: ['slack_dm'],
		group_id: 7,
		brand_id: 1,
		assignee_id: null,
		requester_id: 50,
		organization_id: null,
		via_id: 5,
		custom_fields: [{ id: 9, value: 'D1' }],
	};
	const ctx = (over: Partial<UpdateContext> = {}): UpdateContext => ({
		updateType: 'Change',
		ticket,
		previous: { ...ticket, status: 'new' },
		comment: { public: true, author_id: 2 },
		currentUser: { id: 2, role: 'agent' },
		currentViaId: 0,
		...over,
	});
	const returnPath = {
		all: [
			{ field: 'update_type', operator: 'is', value: 'Change' },
			{ field: 'comment_is_public', operator: 'is', value: 'true' },
			{ field: 'current_via_id', operator: 'is_not', value: '5' },
			{ field: 'role', operator: 'is', value: 'agent' },
			{ field: 'current_tags', operator: 'includes', value: 'slack_dm other' },
		],
		any: [],
	};

	it('fires for a public agent comment from the agent workspace', () => {
		expect(conditionsMatch(returnPath, ctx())).toBe(true);
	});

	it('does not fire for API updates, private notes, end users, creation or untagged tickets', () => {
		expect(conditionsMatch(returnPath, ctx({ currentViaId: 5 }))).toBe(false);
		expect(conditionsMatch(returnPath, ctx({ comment: { public: false, author_id: 2 } }))).toBe(false);
		expect(conditionsMatch(returnPath, ctx({ comment: null }))).toBe(false);
		expect(conditionsMatch(returnPath, ctx({ currentUser: { id: 50, role: 'end-user' } }))).toBe(false);
		expect(conditionsMatch(returnPath, ctx({ updateType: 'Create', previous: null }))).toBe(false);
		expect(conditionsMatch(returnPath, ctx({ ticket: { ...ticket, tags: [] } }))).toBe(false);
	});

	it('evaluates status changes, custom fields, and any-lists', () => {
		const changedToOpen = { all: [{ field: 'status', operator: 'value', value: 'open' }], any: [] };
		expect(conditionsMatch(changedToOpen, ctx())).toBe(true);
		expect(conditionsMatch(changedToOpen, ctx({ previous: ticket }))).toBe(false);
		expect(
			conditionsMatch({ all: [{ field: 'status', operator: 'less_than', value: 'solved' }], any: [] }, ctx()),
		).toBe(true);
		expect(conditionsMatch({ all: [{ field: 'ticket_fields_9', operator: 'present' }], any: [] }, ctx())).toBe(true);
		expect(
			conditionsMatch(
				{
					all: [],
					any: [
						{ field: 'group_id', operator: 'is', value: '8' },
						{ field: 'group_id', operator: 'is', value: '7' },
					],
				},
				ctx(),
			),
		).toBe(true);
		expect(conditionsMatch({ all: [{ field: 'unknown_field', operator: 'is', value: 'x' }], any: [] }, ctx())).toBe(
			false,
		);
	});
});
