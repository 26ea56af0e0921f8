/** The pickers' pure parts: list shaping, saved values of both node versions, and the node descriptions. */
import type { INodeProperties } from 'n8n-workflow';

import { channelListProblem, channelResults } from '../../nodes/SlackDmReply/methods/channels';
import { SlackDmReply } from '../../nodes/SlackDmReply/SlackDmReply.node';
import {
	brandResults,
	fieldOptionResults,
	groupResults,
	locatorValue,
	nextPageToken,
	pageOf,
	ticketFieldResults,
} from '../../nodes/shared/zendesk/pickers';
import type { SlackDmItem } from '../../nodes/shared/types';
import { ticketRoutingFrom } from '../../nodes/ZendeskMessagingUpsert/helpers/upsertParameters';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';

const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });

describe('locatorValue', () => {
	it('reads a resource locator (version 2) and a plain value (version 1, expressions) alike', () => {
		expect(locatorValue(rl('360001'))).toBe('360001');
		expect(locatorValue({ mode: 'id', value: '42' })).toBe('42');
		expect(locatorValue('360001')).toBe('360001');
		expect(locatorValue(360001)).toBe(360001);
		expect(locatorValue(undefined)).toBeUndefined();
		expect(locatorValue({ other: 1 })).toEqual({ other: 1 });
	});
});

describe('list shaping', () => {
	it('brands: active ones by name, the default marked, filter any case', () => {
		const brands = [
			{ id: 2, name: 'HR', active: true },
			{ id: 1, name: 'IT', active: true, default: true, brand_url: 'https://acme.zendesk.com' },
			{ id: 3, name: 'Old', active: false },
		];
		expect(brandResults(brands)).toEqual([
			{ name: 'HR', value: '2' },
			{ name: 'IT (default)', value: '1', url: 'https://acme.zendesk.com' },
		]);
		expect(brandResults(brands, 'it')).toEqual([{ name: 'IT (default)', value: '1', url: 'https://acme.zendesk.com' }]);
	});

	it('groups: deleted ones left out', () => {
		expect(
			groupResults(
				[
					{ id: 5, name: 'Support' },
					{ id: 6, name: 'Gone', deleted: true },
				],
				'SUP',
			),
		).toEqual([{ name: 'Support', value: '5' }]);
	});

	it('ticket fields: only active custom fields, with their kind and how many options', () => {
		const fields = [
			{ id: 1, title: 'Subject', type: 'subject', removable: false },
			{
				id: 2,
				title: 'Request type',
				type: 'tagger',
				removable: true,
				custom_field_options: [{ name: 'Hardware', value: 'hardware' }],
			},
			{ id: 3, title: 'Asset tag', type: 'text', removable: true },
			{ id: 4, title: 'Retired', type: 'text', removable: true, active: false },
		];
		expect(ticketFieldResults(fields)).toEqual([
			{ name: 'Asset tag (text)', value: '3' },
			{ name: 'Request type (tagger, 1 options)', value: '2' },
		]);
		expect(fieldOptionResults(fields[1], 'hard')).toEqual([{ name: 'Hardware', value: 'hardware' }]);
		expect(fieldOptionResults(undefined)).toEqual([]);
	});

	it('pages: the next page while Zendesk names one', () => {
		expect(nextPageToken(1, 'https://acme.zendesk.com/api/v2/brands.json?page=2')).toBe('2');
		expect(nextPageToken(2, null)).toBeUndefined();
		expect(pageOf(undefined)).toBe(1);
		expect(pageOf('3')).toBe(3);
		expect(pageOf('x')).toBe(1);
	});

	it('channels: by name with #, private ones marked, archived ones left out; a missing scope says which', () => {
		const channels = [
			{ id: 'C2', name: 'support', is_private: false },
			{ id: 'G1', name: 'alerts', is_private: true },
			{ id: 'C3', name: 'old', is_archived: true },
		];
		expect(channelResults(channels)).toEqual([
			{ name: '#alerts (private)', value: 'G1' },
			{ name: '#support', value: 'C2' },
		]);
		expect(channelResults(channels, '#SUP')).toEqual([{ name: '#support', value: 'C2' }]);
		expect(channelListProblem('missing_scope')).toMatch(/channels:read/);
		expect(channelListProblem(undefined)).toBeUndefined();
	});
});

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

describe('node descriptions', () => {
	const props = (list: INodeProperties[], name: string) => list.filter((property) => property.name === name);

	it('Upsert version 2 offers pickers (list + ID) for brand and group, in the fields and in Routing by Handle; version 1 keeps its ID fields', () => {
		const { description } = new ZendeskMessagingUpsert();
		expect(description.version).toEqual([1, 2]);
		expect(description.defaultVersion).toBe(2);
		for (const name of ['brandId', 'groupId']) {
			const [v1, v2] = props(description.properties, name);
			expect(v1).toMatchObject({ type: 'string', displayOptions: { show: { '@version': [1] } } });
			expect(v2).toMatchObject({ type: 'resourceLocator' });
			expect((v2.modes ?? []).map((mode) => mode.name)).toEqual(['list', 'id']);
		}
		const rows = props(description.properties, 'handleRouting')[1].options?.[0] as { values: INodeProperties[] };
		expect(rows.values.filter((value) => value.type === 'resourceLocator').map((value) => value.name)).toEqual([
			'brandId',
			'groupId',
		]);
		const searches = description.properties
			.flatMap((property) => [property, ...((property.options?.[0] as { values?: INodeProperties[] })?.values ?? [])])
			.flatMap((property) => property.modes ?? []);
		const methods = searches.map((mode) => mode.typeOptions?.searchListMethod).filter(Boolean);
		expect(new Set(methods)).toEqual(
			new Set(['searchBrands', 'searchGroups', 'searchTicketFields', 'searchTicketFieldOptions']),
		);
		expect(Object.keys(new ZendeskMessagingUpsert().methods.listSearch).sort()).toEqual([
			'searchBrands',
			'searchGroups',
			'searchTicketFieldOptions',
			'searchTicketFields',
		]);
	});

	it('Slack DM Reply version 2 picks the alert channel from conversations.list', () => {
		const node = new SlackDmReply();
		const [v1, v2] = props(node.description.properties, 'alertChannelId');
		expect(v1.type).toBe('string');
		expect(v2).toMatchObject({ type: 'resourceLocator', displayOptions: { show: { operation: ['alert'] } } });
		expect(v2.modes?.[0].typeOptions?.searchListMethod).toBe('searchChannels');
		expect(typeof node.methods.listSearch.searchChannels).toBe('function');
	});
});
