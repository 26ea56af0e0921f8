/**
 * Fault injection against the package's own nodes: latency, connection resets and requests that
 * are never answered, injected by the emulators on one route while real nodes run through n8n-core
 * (test/harness/inProcess.ts). Every outcome must be one of: retried and succeeded, or failed
 * visibly with the item's data intact; never a duplicate ticket or comment.
 *
 * The transport's per-attempt deadline is 30 s (nodes/shared/transport/http.ts); the runner's
 * `requestTimeoutMs` lowers it to REQUEST_TIMEOUT_MS here so the no-answer path takes a second.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { ProfileLinker } from '../../nodes/ProfileLinker/ProfileLinker.node';
import type { LinkedZendeskUser, SlackDmItem } from '../../nodes/shared/types';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { nodeCredentials, useEmulators } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { fixtureHandle, slackDmItem } from '../harness/items';

const REQUEST_TIMEOUT_MS = 400;
const POST_TICKETS = 'POST /api/v2/tickets.json';
const PUT_TICKET = 'PUT /api/v2/tickets/:id.json';

// Fresh emulators per test: new ports, so the nodes' process-wide caches never carry over.
const { slack, zendesk } = useEmulators({
	slack: { rateLimits: false },
	zendesk: { rateLimits: false },
	lifetime: 'test',
	upsertClock: true,
});

const credentials = () => nodeCredentials(slack, zendesk);

let seq = 0;
function dmItem(text: string, channelId = 'D0FAULTS1'): SlackDmItem {
	seq += 1;
	const ts = `${1_700_000_000 + seq}.000100`;
	return slackDmItem({
		...fixtureHandle(slack.fixtures),
		eventId: `EvFault${seq}`,
		userId: slack.fixtures.employeeId,
		channelId,
		ts,
		text,
		receivedAt: zendesk.clock.now(),
	});
}

async function link(item: SlackDmItem, continueOnFail = false): Promise<INodeExecutionData> {
	const { outputs } = await executeNode(new ProfileLinker(), {
		credentials: credentials(),
		items: [{ json: item as unknown as IDataObject }],
		continueOnFail,
		requestTimeoutMs: REQUEST_TIMEOUT_MS,
		// The failure path itself (Wait Out Outages off); waiting out outages: outage-wait.test.ts.
		parameters: { waitOutOutages: false },
	});
	return outputs[0][0];
}

async function upsert(item: SlackDmItem, continueOnFail = false): Promise<INodeExecutionData> {
	const json = { ...item, zendeskUser: { id: zendesk.fixtures.erin.id } } as unknown as IDataObject;
	const { outputs } = await executeNode(new ZendeskMessagingUpsert(), {
		credentials: credentials(),
		items: [{ json }],
		continueOnFail,
		requestTimeoutMs: REQUEST_TIMEOUT_MS,
		// The failure path itself (Wait Out Outages off); waiting out outages: outage-wait.test.ts.
		parameters: { waitOutOutages: false },
	});
	return outputs[0][0];
}

const zendeskResult = (out: INodeExecutionData) =>
	out.json.zendesk as { ticketId: number; outcome: string; commentId: number | null };
const linkedUser = (out: INodeExecutionData) => out.json.zendeskUser as unknown as LinkedZendeskUser;
/** Per call of a route: its status, or the fault that left it unanswered. */
const attempts = (
	emulator: { server: { callsTo(route: string): Array<{ status: number; fault?: string }> } },
	route: string,
) => emulator.server.callsTo(route).map((c) => c.fault ?? c.status);

function ticketsOfChannel(channelId: string) {
	return zendesk.tickets().filter((t) => t.ticket.external_id === `slack-dm:${slack.fixtures.teamId}:${channelId}`);
}

describe('faults against the package nodes', () => {
	describe('Profile Linker', () => {
		it('a Slack users.info reset is retried and the user is linked', async () => {
			slack.server.injectFault('users.info', { kind: 'reset' });
			const out = await link(dmItem('hello'));
			expect(linkedUser(out).id).toBe(zendesk.fixtures.erin.id);
			expect(attempts(slack, 'users.info')).toEqual(['reset', 200]);
		});

		it('a Zendesk user search that never answers is retried after the per-attempt deadline and the user is linked', async () => {
			zendesk.server.injectFault('GET /api/v2/users/search.json', { kind: 'timeout' });
			const started = Date.now();
			const out = await link(dmItem('hello'));
			expect(linkedUser(out).id).toBe(zendesk.fixtures.erin.id);
			expect(attempts(zendesk, 'GET /api/v2/users/search.json')).toEqual(['timeout', 200]);
			expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
			expect(zendesk.store.users.get(zendesk.fixtures.erin.id)?.external_id).toBe(
				`slack:${slack.fixtures.teamId}:${slack.fixtures.employeeId}`,
			);
		});

		it('latency on every Zendesk call only slows the link down', async () => {
			for (const route of [
				'GET /api/v2/users/show_many.json',
				'GET /api/v2/users/search.json',
				'PUT /api/v2/users/:id.json',
			]) {
				zendesk.server.injectFault(route, { kind: 'latency', ms: 150 });
			}
			const started = Date.now();
			const out = await link(dmItem('hello'));
			expect(linkedUser(out).id).toBe(zendesk.fixtures.erin.id);
			expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 140);
			expect(attempts(zendesk, 'PUT /api/v2/users/:id.json')).toEqual([200]);
		});

		it('Slack unreachable on every attempt: the item fails visibly with its data intact (Continue On Fail)', async () => {
			slack.server.injectFault('users.info', { kind: 'reset' }, 10);
			const item = dmItem('keep me');
			const out = await link(item, true);
			expect(typeof out.json.error).toBe('string');
			expect(out.json).toMatchObject({ eventId: item.eventId, message: { text: 'keep me' } });
			expect(out.json.zendeskUser).toBeUndefined();
			const tried = attempts(slack, 'users.info');
			expect(tried.length).toBeGreaterThan(1);
			expect(tried.every((a) => a === 'reset')).toBe(true);
		});
	});

	describe('Zendesk Messaging Upsert', () => {
		it('latency on ticket creation only slows it down: one ticket, one comment', async () => {
			zendesk.server.injectFault(POST_TICKETS, { kind: 'latency', ms: 200 });
			const out = await upsert(dmItem('slow network', 'D0LATENCY'));
			expect(zendeskResult(out).outcome).toBe('created');
			expect(ticketsOfChannel('D0LATENCY')).toHaveLength(1);
			expect(ticketsOfChannel('D0LATENCY')[0].comments).toHaveLength(1);
			expect(attempts(zendesk, POST_TICKETS)).toEqual([201]);
		});

		it('a reset on ticket creation: the node looks the conversation up again, then creates exactly one ticket', async () => {
			zendesk.server.injectFault(POST_TICKETS, { kind: 'reset' });
			const out = await upsert(dmItem('reset while creating', 'D0RESET'));
			expect(zendeskResult(out).outcome).toBe('created');
			const tickets = ticketsOfChannel('D0RESET');
			expect(tickets).toHaveLength(1);
			expect(tickets[0].comments.map((c) => String(c.body))).toEqual([expect.stringContaining('reset while creating')]);
			// Never resent blindly: the lookup by external id runs again between the two POSTs.
			expect(zendesk.server.calls.map((c) => `${c.route} ${c.fault ?? c.status}`)).toEqual([
				'GET /api/v2/tickets.json 200',
				`${POST_TICKETS} reset`,
				'GET /api/v2/tickets.json 200',
				`${POST_TICKETS} 201`,
			]);
		});

		it('an append that is never answered: the node checks the audits for its marker, then appends exactly once', async () => {
			const first = await upsert(dmItem('first', 'D0TIMEOUT'));
			const ticketId = zendeskResult(first).ticketId;
			zendesk.server.resetCalls();
			zendesk.server.injectFault(PUT_TICKET, { kind: 'timeout' });
			const started = Date.now();
			const out = await upsert(dmItem('second, the answer is lost', 'D0TIMEOUT'));
			expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
			expect(zendeskResult(out)).toMatchObject({ ticketId, outcome: 'appended' });
			expect(ticketsOfChannel('D0TIMEOUT')).toHaveLength(1);
			const bodies = ticketsOfChannel('D0TIMEOUT')[0].comments.map((c) => String(c.body));
			expect(bodies).toEqual([expect.stringContaining('first'), expect.stringContaining('second, the answer is lost')]);
			expect(attempts(zendesk, PUT_TICKET)).toEqual(['timeout', 200]);
			expect(zendesk.server.countCalls('GET /api/v2/tickets/:id/audits.json')).toBeGreaterThan(0);
		});

		it('Zendesk dropping every append: the item fails visibly with its data intact, and nothing is written twice', async () => {
			await upsert(dmItem('first', 'D0DOWN'));
			zendesk.server.injectFault(PUT_TICKET, { kind: 'reset' }, 20);
			const item = dmItem('zendesk is down', 'D0DOWN');
			const out = await upsert(item, true);
			expect(typeof out.json.error).toBe('string');
			expect(out.json).toMatchObject({ eventId: item.eventId, message: { text: 'zendesk is down' } });
			expect(ticketsOfChannel('D0DOWN')).toHaveLength(1);
			expect(ticketsOfChannel('D0DOWN')[0].comments).toHaveLength(1);
			const tried = attempts(zendesk, PUT_TICKET);
			expect(tried.length).toBeGreaterThan(0);
			expect(tried.every((a) => a === 'reset')).toBe(true);
		});
	});
});
