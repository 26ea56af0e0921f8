import type { CallRecord } from '../../../emulators/common/server';
import { validateZendeskCall } from '../../harness/zendeskSpec';

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
