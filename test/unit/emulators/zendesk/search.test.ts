import { compareStatus, matchesQuery, parseSearchQuery } from '../../../../emulators/zendesk/search';

describe('search query language', () => {
	it('parses type, comparison terms, negation, quoted values and free text', () => {
		const parsed = parseSearchQuery('type:ticket status<solved -tags:spam requester:"erin@acme.test" printer');
		expect(parsed.type).toBe('ticket');
		expect(parsed.terms).toEqual([
			{ field: 'status', op: '<', value: 'solved', negate: false },
			{ field: 'tags', op: ':', value: 'spam', negate: true },
			{ field: 'requester', op: ':', value: 'erin@acme.test', negate: false },
		]);
		expect(parsed.text).toEqual(['printer']);
	});

	it('orders statuses as Zendesk does', () => {
		expect(compareStatus('pending', '<', 'solved')).toBe(true);
		expect(compareStatus('solved', '<', 'solved')).toBe(false);
		expect(compareStatus('closed', '>=', 'solved')).toBe(true);
		expect(compareStatus('open', ':', 'open')).toBe(true);
	});

	it('matches fields case-insensitively, with prefixes, negation and free text', () => {
		const fields = { status: ['open'], tags: ['slack_dm', 'it'], external_id: ['slack:T1:D1'] };
		expect(matchesQuery(parseSearchQuery('status<solved tags:SLACK_DM'), fields, 'laptop broken')).toBe(true);
		expect(matchesQuery(parseSearchQuery('external_id:slack:T1*'), fields, '')).toBe(true);
		expect(matchesQuery(parseSearchQuery('external_id:slack:T1'), fields, '')).toBe(false);
		expect(matchesQuery(parseSearchQuery('-tags:it'), fields, '')).toBe(false);
		expect(matchesQuery(parseSearchQuery('laptop'), fields, 'Laptop broken')).toBe(true);
		expect(matchesQuery(parseSearchQuery('printer'), fields, 'Laptop broken')).toBe(false);
	});
});
