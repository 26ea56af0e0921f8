/** The pickers' pure parts: list shaping, saved values of both node versions, and the node descriptions. */

import {
	brandResults,
	fieldOptionResults,
	groupResults,
	nextPageToken,
	pageOf,
	ticketFieldResults,
} from '../../../../../nodes/shared/zendesk/pickers';
import { channelListProblem, channelResults } from '../../../../../nodes/SlackDmReply/methods/channels';

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
