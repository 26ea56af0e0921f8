/**
 * The spec guard (test/harness/specGuard.ts, a jest setup file) checks every emulator started in a
 * test without the test asking for it, and fails on non-conforming traffic unless the test opts out.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import type { CallRecord } from '../../emulators/common/server';
import { EmulatorServer } from '../../emulators/common/server';
import { FIXTURE_IDS, startSlackEmulator } from '../../emulators/slack';
import { startZendeskEmulator } from '../../emulators/zendesk';
import { specGuard, specGuardCheckNow } from '../harness/specGuard';
import { openApiResponseProblems } from '../harness/slackSpec';
import { validateZendeskCall } from '../harness/zendeskSpec';

type Slack = Awaited<ReturnType<typeof startSlackEmulator>>;
type Zendesk = Awaited<ReturnType<typeof startZendeskEmulator>>;

let slack: Slack;
let zendesk: Zendesk;
const ZENDESK_AUTH = `Basic ${Buffer.from('bridge@acme.test/token:zd-emulator-token').toString('base64')}`;

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
	zendesk = await startZendeskEmulator({ rateLimits: false });
});

afterAll(async () => {
	await slack.close();
	await zendesk.close();
});

const postMessage = (args: Record<string, string>) =>
	fetch(`${slack.apiUrl}/chat.postMessage`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${FIXTURE_IDS.botToken}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(args).toString(),
	});

const showUser = (id: string) =>
	fetch(`${zendesk.url}/api/v2/users/${id}.json`, { headers: { Authorization: ZENDESK_AUTH } });

describe('spec guard', () => {
	it('lets conforming traffic through and records nothing', async () => {
		expect((await postMessage({ channel: FIXTURE_IDS.helpChannelId, text: 'hi' })).status).toBe(200);
		expect((await showUser('1001')).status).toBe(200);
		expect(specGuard.seen()).toEqual([]);
	});

	it('sees a Slack request with an argument the method does not have, and a Zendesk path parameter of the wrong type', async () => {
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		await showUser('me-myself');
		const seen = specGuard.seen();
		expect(seen).toEqual(
			expect.arrayContaining([
				expect.objectContaining({
					kind: 'slack',
					route: 'chat.postMessage',
					problem: expect.stringContaining('not_an_argument'),
				}),
				expect.objectContaining({
					kind: 'zendesk',
					path: '/api/v2/users/me-myself.json',
					problem: expect.stringContaining('must be an integer'),
				}),
			]),
		);
		expect(() => specGuardCheckNow()).toThrow(
			/do not conform to the vendor spec[\s\S]*chat\.postMessage[\s\S]*SPEC_EXCEPTIONS\.md/,
		);
	});

	it("accepts Slack's empty conversations.history window (the 2021 spec's minItems), nothing else under messages", () => {
		const envelope = { ok: true, has_more: false, pin_count: 0, channel_actions_ts: null, channel_actions_count: 0 };
		expect(openApiResponseProblems('conversations.history', { ...envelope, messages: [] })).toEqual([]);
		const wrong = openApiResponseProblems('conversations.history', {
			...envelope,
			messages: [{ type: 'message', ts: 5, text: 'x' }],
		});
		expect(wrong?.join('\n')).toMatch(/\$\.messages\[\]\.ts/);
		expect(openApiResponseProblems('conversations.members', { ok: true, members: [] })).not.toEqual(undefined);
	});

	it('expectViolations passes with exactly that many on the route, and fails with another count', async () => {
		specGuard.expectViolations(1, 'chat.postMessage');
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		expect(() => specGuardCheckNow()).not.toThrow();
		specGuard.expectViolations(2, 'chat.postMessage');
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		expect(() => specGuardCheckNow()).toThrow(/expected 2 spec violation\(s\) on chat\.postMessage, saw 1/);
	});

	it('allow ignores one route for this test only', async () => {
		specGuard.allow('chat.postMessage', 'deliberate');
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		// afterEach finds nothing to fail on
	});

	it('an allowance from an earlier test no longer applies, and never covers other routes', async () => {
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		expect(() => specGuardCheckNow()).toThrow(/not_an_argument/);
		specGuard.allow('chat.postMessage', 'deliberate');
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		await showUser('me-myself');
		expect(() => specGuardCheckNow()).toThrow(/^(?![\s\S]*not_an_argument)[\s\S]*users\/me-myself/);
	});

	it('also checks emulators a child process starts (e.g. the benchmark), through the call log', () => {
		const script = `
			import { FIXTURE_IDS, startSlackEmulator } from './emulators/slack';
			(async () => {
				const slack = await startSlackEmulator({ rateLimits: false });
				await fetch(slack.apiUrl + '/chat.postMessage', {
					method: 'POST',
					headers: { Authorization: 'Bearer ' + FIXTURE_IDS.botToken, 'Content-Type': 'application/json' },
					body: JSON.stringify({ channel: FIXTURE_IDS.helpChannelId, text: 'from a child', child_only_argument: true }),
				});
				await slack.close();
			})();`;
		const child = spawnSync('npx', ['tsx', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
		expect(child.status).toBe(0);
		expect(specGuard.seen()).toEqual([
			expect.objectContaining({
				kind: 'slack',
				route: 'chat.postMessage',
				problem: expect.stringContaining('child_only_argument'),
			}),
		]);
		specGuard.expectViolations(1, 'chat.postMessage', 'the child sent an unknown argument on purpose');
	}, 30_000);

	it('flags Zendesk query parameters and request-body fields the reference does not document, at any depth', async () => {
		const response = await fetch(`${zendesk.url}/api/v2/tickets.json?invented_flag=1`, {
			method: 'POST',
			headers: { Authorization: ZENDESK_AUTH, 'Content-Type': 'application/json' },
			body: JSON.stringify({
				ticket: { subject: 's', invented_ticket_field: 1, comment: { body: 'b', invented_comment_field: true } },
			}),
		});
		// The emulator answers as Zendesk would (it ignores unknown fields); the guard is what refuses them.
		expect(response.status).toBe(201);
		const problems = specGuard.seen().map((v) => v.problem);
		expect(problems).toEqual(
			expect.arrayContaining([
				expect.stringContaining('query parameter "invented_flag"'),
				expect.stringContaining('"ticket.invented_ticket_field"'),
				expect.stringContaining('"ticket.comment.invented_comment_field"'),
			]),
		);
		expect(problems).toHaveLength(3);
		specGuard.expectViolations(3, 'POST /api/v2/tickets.json', 'invented fields on purpose');
	});

	it('accepts fields Zendesk documents outside the per-operation tables (pagination, email CCs, audit metadata)', async () => {
		const created = await fetch(`${zendesk.url}/api/v2/tickets.json`, {
			method: 'POST',
			headers: { Authorization: ZENDESK_AUTH, 'Content-Type': 'application/json' },
			body: JSON.stringify({
				ticket: {
					subject: 's',
					comment: { body: 'b' },
					email_ccs: [{ user_id: 1001, action: 'put' }],
					metadata: { marker: 'x' },
				},
			}),
		});
		expect(created.status).toBe(201);
		const ticketId = ((await created.json()) as { ticket: { id: number } }).ticket.id;
		expect(
			(
				await fetch(`${zendesk.url}/api/v2/tickets/${ticketId}/comments.json?page[size]=10&sort_order=desc`, {
					headers: { Authorization: ZENDESK_AUTH },
				})
			).status,
		).toBe(200);
		expect(
			(await fetch(`${zendesk.url}/api/v2/users.json?per_page=5&page=1`, { headers: { Authorization: ZENDESK_AUTH } }))
				.status,
		).toBe(200);
		expect(specGuard.seen()).toEqual([]);
	});

	it('flags response fields Zendesk does not document for that object, but not the list pagination envelope', () => {
		const call = (body: unknown, route = 'GET /api/v2/users/:id.json', p = '/api/v2/users/1001.json'): CallRecord => ({
			route,
			method: 'GET',
			path: p,
			status: 200,
			at: Date.now(),
			request: { headers: {}, body: {}, query: {} },
			response: { headers: { 'Content-Type': 'application/json' }, body },
		});
		const user = { id: 1001, name: 'Erin', role: 'end-user', photo: null };
		expect(validateZendeskCall(call({ user }))).toEqual([]);
		expect(validateZendeskCall(call({ user: { ...user, emulator_only: true } })).map((v) => v.message)).toEqual([
			'response field "user.emulator_only" is not documented by Zendesk for this object',
		]);
		expect(
			validateZendeskCall(
				call(
					{ users: [user], next_page: null, previous_page: null, count: 1 },
					'GET /api/v2/users.json',
					'/api/v2/users.json',
				),
			),
		).toEqual([]);
		expect(
			validateZendeskCall(call({ users: [{ ...user, extra: 1 }] }, 'GET /api/v2/users.json', '/api/v2/users.json')).map(
				(v) => v.message,
			),
		).toEqual(['response field "users[].extra" is not documented by Zendesk for this object']);
	});

	it('refuses to start an emulator server it cannot classify', async () => {
		const server = new EmulatorServer('something else');
		await expect(server.start()).rejects.toThrow(/has no kind/);
		await server.close();
	});
});
