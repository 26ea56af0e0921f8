/** The pickers' pure parts: list shaping, saved values of both node versions, and the node descriptions. */
import type { INodeProperties } from 'n8n-workflow';

import { SlackDmReply } from '../../nodes/SlackDmReply/SlackDmReply.node';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';

describe('node descriptions', () => {
	const props = (list: INodeProperties[], name: string) => list.filter((property) => property.name === name);

	it('Upsert versions 2 and later offer pickers (list + ID) for brand and group, in the fields and in Routing by Handle; version 1 keeps its ID fields', () => {
		const { description } = new ZendeskMessagingUpsert();
		expect(description.version).toEqual([1, 2, 3]);
		expect(description.defaultVersion).toBe(3);
		expect(props(description.properties, 'brandId')[1].displayOptions?.show?.['@version']).toEqual([
			{ _cnd: { gte: 2 } },
		]);
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
