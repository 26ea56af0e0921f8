/**
 * Exactly-once edge cases of the Zendesk Messaging Upsert found by the audit of issues 4/6:
 * one-second `updated_at` precision, answers lost after Zendesk applied a write, creation keys,
 * outcome labels. Other processes are isolated module copies (their own caches and lanes).
 * Time is the emulator's clock; waits advance it (no real sleeping).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startZendeskEmulator } from '../../emulators/zendesk';
import type { SlackDmItem } from '../../nodes/shared/types';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { emulatorClock, useEmulators, zendeskCredentials } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { LINKED_TEAM as TEAM, linkedDmItems } from '../harness/items';

const PUT_TICKET = 'PUT /api/v2/tickets/:id.json';
const POST_TICKETS = 'POST /api/v2/tickets.json';

const { zendesk: emu } = useEmulators({
	zendesk: { rateLimits: false },
	lifetime: 'file',
	resetEachTest: true,
	upsertClock: true,
});

const { newChannel, item } = linkedDmItems(emu, 'DX');

const credentials = (baseUrl = emu.url) => ({ zendeskDmApi: zendeskCredentials(emu, baseUrl) });

interface Out {
	ticketId: number;
	outcome: string;
	commentId?: number;
	followUpSourceId?: number;
}

async function run(
	node: ZendeskMessagingUpsert,
	input: SlackDmItem,
	baseUrl = emu.url,
	parameters: INodeParameters = {},
): Promise<Out> {
	const { outputs } = await executeNode(node, {
		parameters,
		credentials: credentials(baseUrl),
		items: [{ json: input as never } as INodeExecutionData],
	});
	return outputs[0][0].json.zendesk as Out;
}

/** A second n8n process: the same node with its own module state (caches, lanes, windows). */
async function otherProcess(): Promise<ZendeskMessagingUpsert> {
	let node!: ZendeskMessagingUpsert;
	await jest.isolateModulesAsync(async () => {
		const nodeModule = await import('../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node');
		const state = await import('../../nodes/ZendeskMessagingUpsert/upsertState');
		state.setUpsertEnvironment(emulatorClock(emu));
		node = new nodeModule.ZendeskMessagingUpsert();
	});
	return node;
}

/** Moves the emulator's clock to just after the start of its next second. */
function toStartOfSecond(): void {
	emu.clock.advance(1000 - (emu.clock.now() % 1000) + 5);
}

function bodies(ticketId: number): string[] {
	return emu
		.tickets()
		.find((t) => t.ticket.id === ticketId)!
		.comments.map((c) => String(c.body));
}

function conversationTickets(channel: string) {
	return emu.tickets().filter((t) => t.ticket.external_id === `slack-dm:${TEAM}:${channel}`);
}

type Damage = { kind: 'reset' } | { kind: 'status'; status: number };

/**
 * A proxy in front of the emulator that lets the request reach Zendesk, then loses the answer
 * (connection reset) or replaces it with a 5xx: the write is applied, the caller cannot know.
 */
async function lossyProxy() {
	const armed: Array<{ method: string; damage: Damage }> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const upstream = http.request(emu.url + req.url!, { method: req.method, headers: req.headers }, (answer) => {
				const out: Buffer[] = [];
				answer.on('data', (chunk: Buffer) => out.push(chunk));
				answer.on('end', () => {
					const at = armed.findIndex((rule) => rule.method === req.method);
					if (at >= 0) {
						const [{ damage }] = armed.splice(at, 1);
						if (damage.kind === 'reset') {
							req.socket.destroy();
							return;
						}
						res.writeHead(damage.status, { 'Content-Type': 'application/json' });
						res.end(JSON.stringify({ error: 'BadGateway' }));
						return;
					}
					res.writeHead(answer.statusCode!, answer.headers);
					res.end(Buffer.concat(out));
				});
			});
			upstream.end(Buffer.concat(chunks));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		lose: (method: string, damage: Damage) => armed.push({ method, damage }),
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe('Zendesk Messaging Upsert: updated_at has one-second precision', () => {
	it('another process appending in the same second as our stamp cannot let a redelivery through', async () => {
		const processA = await otherProcess();
		const processB = new ZendeskMessagingUpsert();
		const channel = newChannel();
		toStartOfSecond();
		const first = await run(processB, item(channel, 'one')); // B creates in second X and keeps stamp X
		const two = item(channel, 'two');
		expect((await run(processA, two)).outcome).toBe('appended'); // A (cold) appends, still around second X
		emu.clock.advance(60_000); // Slack's retry one minute later reaches B
		expect((await run(processB, two)).outcome).toBe('duplicate');
		expect(bodies(first.ticketId)).toEqual(['one', 'two']);
	});

	it('never sends a safe update in the same second as the stamp it carries', async () => {
		const node = new ZendeskMessagingUpsert();
		const channel = newChannel();
		toStartOfSecond();
		await run(node, item(channel, 'one'));
		await run(node, item(channel, 'two'));
		await run(node, item(channel, 'three'));
		for (const call of emu.server.callsTo(PUT_TICKET)) {
			const stamp = (call.request.body as { ticket: { updated_stamp: string } }).ticket.updated_stamp;
			const sentAt = Date.parse(String(call.response.headers.Date));
			expect(Math.floor(sentAt / 1000)).toBeGreaterThan(Math.floor(Date.parse(stamp) / 1000));
		}
		expect(emu.server.countCalls(PUT_TICKET)).toBe(2);
	});
});

describe('Zendesk Messaging Upsert: a write applied whose answer is lost', () => {
	it.each([
		['a connection reset', { kind: 'reset' } as Damage],
		['a 502', { kind: 'status', status: 502 } as Damage],
	])(
		'a comment PUT answered by %s is not resent blindly: the ticket is reloaded and the marker found',
		async (_name, damage) => {
			const proxy = await lossyProxy();
			try {
				const node = new ZendeskMessagingUpsert();
				const channel = newChannel();
				toStartOfSecond();
				const first = await run(node, item(channel, 'one'), proxy.url);
				proxy.lose('PUT', damage);
				const second = await run(node, item(channel, 'two'), proxy.url);
				expect(second.outcome).toBe('appended');
				expect(bodies(first.ticketId)).toEqual(['one', 'two']);
				expect(emu.server.countCalls(PUT_TICKET)).toBe(1);
			} finally {
				await proxy.close();
			}
		},
	);

	it('the same when the previous update is in an earlier second', async () => {
		const proxy = await lossyProxy();
		try {
			const node = new ZendeskMessagingUpsert();
			const channel = newChannel();
			const first = await run(node, item(channel, 'one'), proxy.url);
			emu.clock.advance(2000);
			proxy.lose('PUT', { kind: 'reset' });
			expect((await run(node, item(channel, 'two'), proxy.url)).outcome).toBe('appended');
			expect(bodies(first.ticketId)).toEqual(['one', 'two']);
		} finally {
			await proxy.close();
		}
	});

	it('a create whose answer is lost reports created (one ticket), not duplicate', async () => {
		const proxy = await lossyProxy();
		try {
			const channel = newChannel();
			proxy.lose('POST', { kind: 'reset' });
			const out = await run(new ZendeskMessagingUpsert(), item(channel, 'first ever'), proxy.url);
			expect(out.outcome).toBe('created');
			expect(conversationTickets(channel)).toHaveLength(1);
			expect(bodies(out.ticketId)).toEqual(['first ever']);
			expect(emu.server.countCalls(POST_TICKETS)).toBe(1);
		} finally {
			await proxy.close();
		}
	});
});

describe('Zendesk Messaging Upsert: one creation key per conversation', () => {
	it('two processes with two different first messages of a new conversation make one ticket', async () => {
		const [processA, processB] = [await otherProcess(), await otherProcess()];
		const channel = newChannel();
		const [a, b] = await Promise.all([
			run(processA, item(channel, 'first from A')),
			run(processB, item(channel, 'first from B')),
		]);
		expect([a.outcome, b.outcome].sort()).toEqual(['appended', 'created']);
		expect(conversationTickets(channel)).toHaveLength(1);
		expect(a.ticketId).toBe(b.ticketId);
		expect(bodies(a.ticketId).sort()).toEqual(['first from A', 'first from B']);
	});

	it('two processes with two different messages after the ticket closed make one follow-up', async () => {
		const channel = newChannel();
		const first = await run(new ZendeskMessagingUpsert(), item(channel, 'hello'));
		await emu.closeTicket(first.ticketId);
		emu.clock.advance(5000);
		const [processA, processB] = [await otherProcess(), await otherProcess()];
		const [a, b] = await Promise.all([
			run(processA, item(channel, 'back from A')),
			run(processB, item(channel, 'back from B')),
		]);
		expect([a.outcome, b.outcome].sort()).toEqual(['appended', 'followUp']);
		expect(a.ticketId).toBe(b.ticketId);
		expect(conversationTickets(channel)).toHaveLength(2);
		expect(bodies(a.ticketId).sort()).toEqual(['back from A', 'back from B']);
	});
});

describe('Zendesk Messaging Upsert: a refused creation key never becomes a second ticket', () => {
	const GET_TICKETS = 'GET /api/v2/tickets.json';

	/** The exact lookup answers as if the other process's ticket were not listed yet, `times` times. */
	function lookupLags(times: number): void {
		emu.server.injectFault(
			GET_TICKETS,
			{ kind: 'status', status: 200, body: { tickets: [], next_page: null, previous_page: null, count: 0 } },
			times,
		);
	}

	/** The creation keys process B sent (after process A's one create). */
	const keysSentAfterFirst = () =>
		emu.server
			.callsTo(POST_TICKETS)
			.slice(1)
			.map((call) => call.request.headers['idempotency-key']);

	it('resends under the conversation key while the lookup lags behind the first ticket, then appends to it', async () => {
		const channel = newChannel();
		const first = await run(await otherProcess(), item(channel, 'first from A'));
		lookupLags(4);
		const second = await run(await otherProcess(), item(channel, 'first from B'));
		expect(second).toMatchObject({ ticketId: first.ticketId, outcome: 'appended' });
		expect(conversationTickets(channel)).toHaveLength(1);
		expect(bodies(first.ticketId)).toEqual(['first from A', 'first from B']);
		// four refusals, each followed by a fresh lookup; always the conversation's own key
		expect(keysSentAfterFirst()).toEqual(Array(4).fill(`create:slack-dm:${TEAM}:${channel}:new`));
		expect(emu.server.countCalls(GET_TICKETS)).toBe(1 + 5);
	});

	it('fails the item with its data intact when the ticket never shows up, and writes nothing', async () => {
		const channel = newChannel();
		const first = await run(await otherProcess(), item(channel, 'first from A'));
		lookupLags(50);
		const message = item(channel, 'first from B');
		const { outputs } = await executeNode(await otherProcess(), {
			parameters: {},
			credentials: credentials(),
			items: [{ json: message as never }],
			continueOnFail: true,
		});
		const [failed] = outputs[0];
		expect(failed.json.error).toMatch(
			new RegExp(
				`refused the creation of the ticket for conversation slack-dm:${TEAM}:${channel} 7 times .*IdempotentRequestError`,
			),
		);
		expect(failed.json.error).toMatch(/rather than risking a second ticket/);
		expect(failed.json).toMatchObject({ idempotencyKey: message.idempotencyKey, message: { text: 'first from B' } });
		expect(failed.json.zendesk).toBeUndefined();
		expect(conversationTickets(channel)).toHaveLength(1);
		expect(bodies(first.ticketId)).toEqual(['first from A']);
		expect(keysSentAfterFirst()).toEqual(Array(7).fill(`create:slack-dm:${TEAM}:${channel}:new`));

		// Without Continue On Fail the execution fails; once Zendesk lists the ticket, a re-run appends once.
		lookupLags(50);
		await expect(run(await otherProcess(), message)).rejects.toThrow(/rather than risking a second ticket/);
		emu.server.clearFaults();
		expect((await run(await otherProcess(), message)).outcome).toBe('appended');
		expect(bodies(first.ticketId)).toEqual(['first from A', 'first from B']);
	});
});

describe('Zendesk Messaging Upsert: markers are read from the newest audits', () => {
	it('recognises a redelivery whose marker is beyond the first 100 audits (List Audits is oldest first)', async () => {
		const node = new ZendeskMessagingUpsert();
		const channel = newChannel();
		const first = await run(node, item(channel, 'hello'));
		for (let note = 0; note < 150; note++)
			await emu.agentReply(first.ticketId, { body: `internal note ${note}`, public: false });
		emu.clock.advance(2000);
		const message = item(channel, 'delivered twice');
		expect((await run(node, message)).outcome).toBe('appended');
		emu.clock.advance(60_000);
		expect((await run(await otherProcess(), message)).outcome).toBe('duplicate');
		expect(bodies(first.ticketId).filter((body) => !body.startsWith('internal note'))).toEqual([
			'hello',
			'delivered twice',
		]);
		for (const call of emu.server.callsTo('GET /api/v2/tickets/:id/audits.json'))
			expect(call.request.query).not.toHaveProperty('sort_order');
	});
});

describe('Zendesk Messaging Upsert: caches are per Zendesk account', () => {
	it('two workflows with two Zendesk accounts on one Slack workspace never share tickets or handled messages', async () => {
		const other = await startZendeskEmulator({ rateLimits: false });
		try {
			const otherCredentials = {
				zendeskDmApi: {
					subdomain: 'other',
					email: other.fixtures.bridge.email,
					apiToken: other.fixtures.bridge.apiToken,
					baseUrl: other.url,
				},
			};
			const runOther = async (input: SlackDmItem) => {
				const { outputs } = await executeNode(new ZendeskMessagingUpsert(), {
					parameters: {},
					credentials: otherCredentials,
					items: [{ json: { ...input, zendeskUser: { id: other.fixtures.erin.id } } as never }],
				});
				return outputs[0][0].json.zendesk as Out;
			};
			const unrelated = await runOther(item(newChannel(), 'unrelated conversation')); // the other account's first ticket
			const channel = newChannel();
			const first = await run(new ZendeskMessagingUpsert(), item(channel, 'hello')); // this account's first ticket: same id
			expect(first.ticketId).toBe(unrelated.ticketId);
			const second = await runOther(item(channel, 'to the other account'));
			expect(second.outcome).toBe('created');
			const both = item(channel, 'one Slack message, two workflows');
			expect((await run(new ZendeskMessagingUpsert(), both)).outcome).toBe('appended');
			expect((await runOther(both)).outcome).toBe('appended');
			const otherBodies = (id: number) =>
				other
					.tickets()
					.find((t) => t.ticket.id === id)!
					.comments.map((c) => String(c.body));
			expect(otherBodies(unrelated.ticketId)).toEqual(['unrelated conversation']);
			expect(otherBodies(second.ticketId)).toEqual(['to the other account', 'one Slack message, two workflows']);
			expect(bodies(first.ticketId)).toEqual(['hello', 'one Slack message, two workflows']);
		} finally {
			await other.close();
		}
	});
});

describe('Zendesk Messaging Upsert: a reloaded ticket must still be the conversation ticket', () => {
	it('after a 409, a ticket whose external id an agent changed is not written to; the conversation gets its own ticket', async () => {
		const node = new ZendeskMessagingUpsert();
		const channel = newChannel();
		const first = await run(node, item(channel, 'hello'));
		emu.clock.advance(2000);
		emu.store.updateTicket(
			emu.store.getTicket(first.ticketId),
			{ external_id: 'crm-case-17' },
			emu.store.getUser(emu.fixtures.anna.id),
		);
		emu.clock.advance(2000);
		const next = await run(node, item(channel, 'still there?'));
		expect(next.outcome).toBe('created');
		expect(next.ticketId).not.toBe(first.ticketId);
		expect(bodies(first.ticketId)).toEqual(['hello']);
	});

	it('two processes that both saw the ticket re-keyed create one successor under one key', async () => {
		const [processA, processB] = [await otherProcess(), await otherProcess()];
		const channel = newChannel();
		const first = await run(processA, item(channel, 'hello'));
		emu.clock.advance(2000);
		await run(processB, item(channel, 'B caches the ticket'));
		emu.clock.advance(2000);
		emu.store.updateTicket(
			emu.store.getTicket(first.ticketId),
			{ external_id: 'crm-case-18' },
			emu.store.getUser(emu.fixtures.anna.id),
		);
		emu.clock.advance(2000);
		const [a, b] = await Promise.all([run(processA, item(channel, 'from A')), run(processB, item(channel, 'from B'))]);
		expect([a.outcome, b.outcome].sort()).toEqual(['appended', 'created']);
		expect(a.ticketId).toBe(b.ticketId);
		expect(conversationTickets(channel)).toHaveLength(1);
		expect(bodies(a.ticketId).sort()).toEqual(['from A', 'from B']);
		const keys = emu.server
			.callsTo(POST_TICKETS)
			.slice(1)
			.map((call) => call.request.headers['idempotency-key']);
		expect(new Set(keys)).toEqual(new Set([`create:slack-dm:${TEAM}:${channel}:${first.ticketId}`]));
	});
});

describe('Zendesk Messaging Upsert: outcome labels say what Zendesk did', () => {
	it('a reply to a ticket an agent just solved reports reopened, even when the cache still says open', async () => {
		const node = new ZendeskMessagingUpsert();
		const channel = newChannel();
		const noCollisionProtection = { options: { safeUpdates: false } };
		const first = await run(node, item(channel, 'hello'), emu.url, noCollisionProtection);
		await emu.solve(first.ticketId);
		emu.clock.advance(2000);
		const reply = await run(node, item(channel, 'actually, it is back'), emu.url, noCollisionProtection);
		expect(reply.outcome).toBe('reopened');
		expect(emu.tickets().find((t) => t.ticket.id === first.ticketId)!.ticket.status).toBe('open');
		emu.clock.advance(2000);
		expect((await run(node, item(channel, 'and more'), emu.url, noCollisionProtection)).outcome).toBe('appended');
	});
});

describe('Zendesk Messaging Upsert: late writes are attributable to their Slack time', () => {
	it('a message written minutes after it was sent carries its Slack time; a prompt one does not', async () => {
		const node = new ZendeskMessagingUpsert();
		const channel = newChannel();
		const first = await run(node, item(channel, 'prompt'));
		const late = item(channel, 'late');
		emu.clock.advance(3 * 60_000);
		await run(node, late);
		const comments = emu
			.tickets()
			.find((t) => t.ticket.id === first.ticketId)!
			.comments.map((c) => String(c.html_body));
		expect(comments[0]).not.toContain('Sent in Slack at');
		expect(comments[1]).toContain('Sent in Slack at ');
		expect(comments[1]).toContain(new Date(Math.floor(Number(late.message.ts)) * 1000).toISOString().slice(11, 19));
	});
});
