/** The pickers' pure parts: list shaping, saved values of both node versions, and the node descriptions. */

import type { SlackDmItem } from '../../../../../nodes/shared/types';
import { ticketRoutingFrom } from '../../../../../nodes/ZendeskMessagingUpsert/helpers/upsertParameters';

const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });

describe('routing from picker values', () => {
	const item = { handle: { name: 'HR' }, user: {}, channel: {} } as unknown as SlackDmItem;
	const base = { customFields: [], tags: '', priority: '', ticketType: '' };

	it('takes brand, group, rows and custom fields saved as resource locators', () => {
		const result = ticketRoutingFrom(item, {
			...base,
			brandId: rl('1'),
			groupId: rl('2', 'id'),
			customFields: [{ id: rl('7'), value: rl('hardware') }],
			handleRoutes: [{ handleName: 'hr', brandId: rl('3'), groupId: rl('') }],
		});
		expect(result).toMatchObject({
			ok: true,
			routing: { brandId: 3, groupId: 2, customFields: [{ id: 7, value: 'hardware' }] },
		});
	});

	it('an ID typed into a picker that is not a number is refused, naming the row', () => {
		const result = ticketRoutingFrom(item, {
			...base,
			brandId: '',
			groupId: '',
			handleRoutes: [{ handleName: 'HR', brandId: rl('abc', 'id') }],
		});
		expect(result).toEqual({ ok: false, problem: expect.stringContaining('Routing by Handle, row "HR"') });
	});
});
