/**
 * The Sunshine Conversations spec check (test/harness/sunshineSpec.ts) accepts conforming calls and
 * catches each kind of mismatch; the webhook payload check catches undeclared fields and events.
 */
import type { CallRecord } from '../../../emulators/common/server';
import { sunshineWebhookProblems, validateSunshineCall } from '../../harness/sunshineSpec';

const APP = '65a000000000000000000a01';

function call(
	overrides: Partial<CallRecord> & {
		body?: unknown;
		query?: Record<string, string>;
		requestBody?: Record<string, unknown>;
	},
): CallRecord {
	return {
		route: overrides.route ?? 'test',
		method: overrides.method ?? 'GET',
		path: overrides.path ?? `/sc/v2/apps/${APP}`,
		status: overrides.status ?? 200,
		at: 0,
		request: {
			headers: { 'content-type': 'application/json' },
			body: overrides.requestBody ?? {},
			query: overrides.query ?? {},
		},
		response: {
			headers: { 'Content-Type': 'application/json' },
			body: overrides.body ?? { app: { id: APP, displayName: 'x', settings: {}, metadata: null } },
		},
	};
}

const message = {
	id: '65a000000000000000000c01',
	received: '2026-12-06T10:00:00.000Z',
	author: { type: 'user', userId: 'u' },
	content: { type: 'text', text: 'hi' },
	source: { type: 'api:conversations' },
	metadata: null,
	deleted: false,
};

describe('validateSunshineCall', () => {
	it('accepts a conforming call and ignores paths outside /sc/v2/', () => {
		expect(validateSunshineCall(call({}))).toEqual([]);
		expect(validateSunshineCall(call({ path: '/sc/attachments/x/y/z' }))).toEqual([]);
		expect(
			validateSunshineCall(
				call({
					method: 'POST',
					path: `/sc/v2/apps/${APP}/conversations/c1/messages`,
					status: 201,
					requestBody: { author: { type: 'user', userId: 'u' }, content: { type: 'text', text: 'hi' } },
					body: { messages: [message] },
				}),
			),
		).toEqual([]);
	});

	it('reports an operation the spec lacks and an undocumented success status', () => {
		expect(validateSunshineCall(call({ path: `/sc/v2/apps/${APP}/nothing` }))[0]).toMatchObject({ where: 'operation' });
		expect(validateSunshineCall(call({ status: 202 })).map((v) => v.message)).toEqual([
			'status 202 is not documented for this operation',
		]);
	});

	it('reports undeclared response fields, wrong types, and error bodies not shaped as errorResponse', () => {
		expect(validateSunshineCall(call({ body: { app: { id: APP, invented: true } } })).map((v) => v.message)).toEqual([
			'response field "app.invented" is not in the spec',
		]);
		expect(validateSunshineCall(call({ body: { app: { id: 5 } } }))[0].message).toMatch(/must be string/);
		expect(validateSunshineCall(call({ status: 401, body: { error: 'nope' } })).map((v) => v.message)).toEqual([
			'response field "error" is not in the spec',
		]);
		expect(
			validateSunshineCall(
				call({ status: 401, body: { errors: [{ code: 'unauthorized', title: 'Authorization is required' }] } }),
			),
		).toEqual([]);
	});

	it('follows content and integration discriminators: a file needs mediaUrl, a custom integration may carry webhooks', () => {
		const file = { ...message, content: { type: 'file' } };
		expect(
			validateSunshineCall(call({ path: `/sc/v2/apps/${APP}/conversations/c1/messages`, body: { messages: [file] } }))
				.map((v) => v.message)
				.join(),
		).toMatch(/mediaUrl/);
		const integration = {
			id: 'i',
			type: 'custom',
			status: 'active',
			displayName: null,
			webhooks: [{ id: 'w', version: 'v2', target: 'https://x', triggers: ['conversation:message'], secret: 's' }],
		};
		expect(validateSunshineCall(call({ path: `/sc/v2/apps/${APP}/integrations/i`, body: { integration } }))).toEqual(
			[],
		);
	});

	it('checks deepObject query parameters and required filters', () => {
		const messages = `/sc/v2/apps/${APP}/conversations/c1/messages`;
		expect(
			validateSunshineCall(
				call({ path: messages, query: { 'page[before]': '65a000000000000000000c01' }, body: { messages: [] } }),
			),
		).toEqual([]);
		expect(
			validateSunshineCall(call({ path: messages, query: { 'page[before]': 'short' }, body: { messages: [] } }))[0]
				.message,
		).toMatch(/page/);
		expect(
			validateSunshineCall(call({ path: messages, query: { since: '1' }, body: { messages: [] } })).map(
				(v) => v.message,
			),
		).toEqual(['query parameter "since" is not documented for this operation']);
		expect(
			validateSunshineCall(call({ path: `/sc/v2/apps/${APP}/conversations`, body: { conversations: [] } })).map(
				(v) => v.message,
			),
		).toEqual(['missing required query parameter "filter"']);
	});

	it('checks request bodies: required fields and undeclared ones', () => {
		const post = (requestBody: Record<string, unknown>) =>
			validateSunshineCall(
				call({ method: 'POST', path: `/sc/v2/apps/${APP}/conversations/c1/passControl`, requestBody, body: {} }),
			).map((v) => v.message);
		expect(post({ switchboardIntegration: 'next' })).toEqual([]);
		expect(post({ metadata: {} })[0]).toMatch(/switchboardIntegration/);
		expect(post({ switchboardIntegration: 'next', extra: 1 })).toEqual([
			'request body field "extra" is not in the spec',
		]);
	});
});

describe('sunshineWebhookProblems', () => {
	const payload = (event: Record<string, unknown>) => ({
		app: { id: APP },
		webhook: { id: 'w', version: 'v2' },
		events: [{ id: 'e', createdAt: '2026-12-06T10:00:00.000Z', ...event }],
	});

	it('accepts the documented event shapes', () => {
		expect(
			sunshineWebhookProblems(
				payload({
					type: 'switchboard:releaseControl',
					payload: { conversation: { id: 'c', type: 'personal' }, reason: 'ticketClosed' },
				}),
			),
		).toEqual([]);
	});

	it('reports undeclared fields, a reason outside the enum, and unknown event types', () => {
		expect(
			sunshineWebhookProblems(
				payload({
					type: 'conversation:message',
					payload: {
						conversation: { id: 'c' },
						message: { id: 'm', author: { type: 'business', subtypes: ['agent'] } },
					},
				}),
			),
		).toEqual(['event conversation:message: field "payload.message.author.subtypes" is not in the spec']);
		expect(
			sunshineWebhookProblems(payload({ type: 'switchboard:releaseControl', payload: { reason: 'agentLeft' } })).join(),
		).toMatch(/allowed values|must be equal|anyOf/);
		expect(sunshineWebhookProblems(payload({ type: 'ticket:solved', payload: {} }))).toContain(
			'event type "ticket:solved" is not in the spec',
		);
	});
});
