import { createHmac } from 'node:crypto';

import type { CallRecord } from '../../emulators/common/server';
import { renderTemplate } from '../../emulators/zendesk/placeholders';
import { SlidingWindow } from '../../emulators/zendesk/rateLimits';
import { compareStatus, matchesQuery, parseSearchQuery } from '../../emulators/zendesk/search';
import { htmlFromPlain, normalizeTags, plainFromHtml } from '../../emulators/zendesk/store';
import { conditionsMatch } from '../../emulators/zendesk/triggers';
import type { TicketSnapshot, UpdateContext } from '../../emulators/zendesk/triggers';
import { signWebhook } from '../../emulators/zendesk/webhooks';
import { validateZendeskCall } from '../harness/zendeskSpec';

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

describe('placeholders', () => {
	const scope = {
		ticket: {
			id: 42,
			external_id: 'slack:T1:D1',
			latest_comment: {
				__text: 'plain "text"',
				id: 7,
				attachments: [
					{ filename: 'a.png', url: 'http://x/a' },
					{ filename: 'b.txt', url: 'http://x/b' },
				],
			},
			tags: 'a b',
		},
	};

	it('renders values, objects as their text, and JSON-escapes for JSON webhooks', () => {
		expect(renderTemplate('{{ticket.id}}/{{ ticket.external_id }}/{{ticket.missing}}', scope, { json: false })).toBe(
			'42/slack:T1:D1/',
		);
		expect(renderTemplate('{"c":"{{ticket.latest_comment}}"}', scope, { json: true })).toBe('{"c":"plain \\"text\\""}');
		expect(JSON.parse(renderTemplate('{"c":"{{ticket.latest_comment}}"}', scope, { json: true })).c).toBe(
			'plain "text"',
		);
	});

	it('loops over attachments with forloop helpers and handles if/unless', () => {
		const template =
			'[{% for a in ticket.latest_comment.attachments %}"{{a.filename}}"{% unless forloop.last %},{% endunless %}{% endfor %}]{% if ticket.tags %} tagged{% endif %}{% if ticket.none %} never{% endif %}';
		expect(renderTemplate(template, scope, { json: false })).toBe('["a.png","b.txt"] tagged');
	});
});

describe('helpers', () => {
	it('keeps a sliding window per key and reports the wait', () => {
		const window = new SlidingWindow(2, 10_000);
		expect(window.take('k', 0).allowed).toBe(true);
		expect(window.take('k', 1_000).remaining).toBe(0);
		const refused = window.take('k', 2_000);
		expect(refused).toMatchObject({ allowed: false, resetSeconds: 8 });
		expect(window.take('other', 2_000).allowed).toBe(true);
		expect(window.take('k', 10_001).allowed).toBe(true);
	});

	it('signs webhooks as base64 HMAC-SHA256 of timestamp + body', () => {
		const expected = createHmac('sha256', 'secret').update('2024-01-01T00:00:00Z{"a":1}').digest('base64');
		expect(signWebhook('secret', '2024-01-01T00:00:00Z', '{"a":1}')).toBe(expected);
		expect(signWebhook('secret', '2024-01-01T00:00:01Z', '{"a":1}')).not.toBe(expected);
	});

	it('converts comment bodies between plain text and HTML and normalises tags', () => {
		const html = htmlFromPlain('a <b>\nline\n\nnext');
		expect(html).toBe('<div class="zd-comment" dir="auto"><p>a &lt;b&gt;<br>line</p><p>next</p></div>');
		expect(plainFromHtml(html)).toBe('a <b>\nline\nnext');
		expect(normalizeTags(['Slack DM', 'slack_dm', 'IT'])).toEqual(['slack_dm', 'it']);
	});
});

describe('Zendesk spec validation', () => {
	const call = (over: Partial<CallRecord>): CallRecord => ({
		route: 'x',
		method: 'POST',
		path: '/api/v2/tickets.json',
		status: 201,
		at: 0,
		request: {
			headers: { 'content-type': 'application/json' },
			body: { ticket: { comment: { body: 'hi' } } },
			query: {},
		},
		response: {
			headers: { 'Content-Type': 'application/json' },
			body: { ticket: { id: 1, requester_id: 2, status: 'new' } },
		},
		...over,
	});

	it('accepts a conforming ticket creation', () => {
		expect(validateZendeskCall(call({}))).toEqual([]);
	});

	it('reports bad request bodies, bad response bodies, undocumented statuses and unknown operations', () => {
		const badRequest = validateZendeskCall(
			call({ request: { headers: {}, body: { ticket: { priority: 'super', comment: { body: 'x' } } }, query: {} } }),
		);
		expect(badRequest.map((v) => v.where)).toEqual(['request']);
		const badResponse = validateZendeskCall(
			call({ response: { headers: {}, body: { ticket: { id: 'one', requester_id: 2, status: 'new' } } } }),
		);
		expect(badResponse.map((v) => v.where)).toEqual(['response']);
		expect(validateZendeskCall(call({ status: 202 }))[0].message).toContain('not documented');
		expect(validateZendeskCall(call({ path: '/api/v2/nothing_here.json' }))[0].where).toBe('operation');
		const badError = validateZendeskCall(call({ status: 422, response: { headers: {}, body: { oops: true } } }));
		expect(badError[0].message).toContain('error body');
	});

	it('checks required query parameters and integer path parameters', () => {
		const upload = call({
			path: '/api/v2/uploads.json',
			request: { headers: {}, body: {}, query: {} },
			response: { headers: {}, body: { upload: { token: 't' } } },
		});
		expect(validateZendeskCall(upload).map((v) => v.message)).toContain('missing required query parameter "filename"');
		const show = call({
			method: 'GET',
			path: '/api/v2/tickets/abc.json',
			status: 200,
			request: { headers: {}, body: {}, query: {} },
		});
		expect(validateZendeskCall(show).map((v) => v.message)).toContain(
			'path parameter "ticket_id" must be an integer, got "abc"',
		);
	});
});
