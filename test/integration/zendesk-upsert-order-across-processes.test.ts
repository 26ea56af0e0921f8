/**
 * Slack's order across n8n processes (docs/scaling.md): in queue mode the trigger announces a
 * message in a webhook process and the Upsert writes it on a worker, so nothing is announced
 * where it is written. The Profile Linker puts the keys of the conversation's earlier messages
 * on such an item (`earlierMessages`, `announcedIn` another process's token); the Upsert writes
 * it only once those are in the ticket, which another worker writes. The other worker is played
 * here by a plain API update carrying the same marker any Upsert writes.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { EARLIER_MISSING, EARLIER_WAIT_MS } from '../../nodes/ZendeskMessagingUpsert/lane/earlierGate';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { RESTART_HOLD_MARGIN_MS } from '../../nodes/shared/n8n/outageRetry';
import { markerMetadata } from '../../nodes/shared/zendesk/comments';
import type { SlackDmItem } from '../../nodes/shared/types';
import { useEmulators, zendeskCredentials } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { LINKED_TEAM as TEAM, linkedDmItems } from '../harness/items';

const { zendesk: emu } = useEmulators({
	zendesk: { rateLimits: false },
	lifetime: 'file',
	resetEachTest: true,
	upsertClock: true,
});

const { newChannel, item } = linkedDmItems(emu, 'DX');
const upsert = new ZendeskMessagingUpsert();
const AUDITS = 'GET /api/v2/tickets/:id/audits.json';

async function runWith(input: SlackDmItem, parameters: INodeParameters = {}) {
	const { outputs } = await executeNode(upsert, {
		credentials: { zendeskDmApi: zendeskCredentials(emu) },
		items: [{ json: input as never } as INodeExecutionData],
		parameters,
	});
	return outputs[0][0].json.zendesk as { ticketId: number; outcome: string };
}

const run = async (input: SlackDmItem) => await runWith(input);

/** As a worker's Profile Linker leaves it: announced in another process, with its earlier messages. */
function fromAnotherProcess(message: SlackDmItem, earlier: SlackDmItem[]): SlackDmItem {
	return { ...message, announcedIn: 'webhook-process-2', earlierMessages: earlier.map((e) => e.idempotencyKey) };
}

function ticketOf(channel: string) {
	return emu.tickets().find((t) => t.ticket.external_id === `slack-dm:${TEAM}:${channel}`);
}

function steps(channel: string): string[] {
	return (ticketOf(channel)?.comments ?? []).map((c) => /step (\d)/.exec(String(c.body))?.[1] ?? '?');
}

/** Another worker's Upsert writing `message`: a comment with the message's marker. */
async function writtenElsewhere(ticketId: number, message: SlackDmItem): Promise<void> {
	const { email, apiToken } = zendeskCredentials(emu);
	const answer = await fetch(`${emu.url}/api/v2/tickets/${ticketId}.json`, {
		method: 'PUT',
		headers: {
			'content-type': 'application/json',
			authorization: `Basic ${Buffer.from(`${email}/token:${apiToken}`).toString('base64')}`,
		},
		body: JSON.stringify({
			ticket: {
				comment: { body: message.message.text, public: true },
				metadata: markerMetadata([message.idempotencyKey]),
			},
		}),
	});
	expect(answer.status).toBe(200);
}

/** The reason of a park for an earlier message not in Zendesk yet (no queued notice: "waiting behind"). */
const EARLIER_MISSING_REASON = expect.stringMatching(
	new RegExp(`^waiting behind ${EARLIER_MISSING} \\(slack:`),
) as unknown;

/** The message parked on the Service Unavailable output by a 503 on its look at the ticket. */
async function parkedByOutage(message: SlackDmItem): Promise<INodeExecutionData> {
	emu.server.injectFault(AUDITS, { kind: 'status', status: 503 }, 1_000);
	const { outputs } = await executeNode(upsert, {
		credentials: { zendeskDmApi: zendeskCredentials(emu) },
		items: [{ json: message as never }],
	});
	emu.server.clearFaults();
	expect(outputs[0]).toEqual([]);
	return outputs[1][0];
}

/** The parked item back from its wait, expected to park again: that park. */
async function resume(parked: INodeExecutionData): Promise<INodeExecutionData> {
	const { outputs } = await executeNode(upsert, {
		credentials: { zendeskDmApi: zendeskCredentials(emu) },
		items: [parked],
	});
	expect(outputs[0]).toEqual([]);
	return outputs[1][0];
}

const realPause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

describe("Zendesk Messaging Upsert keeps Slack's order across processes", () => {
	it('waits until the earlier message another worker writes is in the ticket, then appends after it', async () => {
		const channel = newChannel();
		const { ticketId } = await run(item(channel, 'step 1'));
		const two = item(channel, 'step 2');
		const three = fromAnotherProcess(item(channel, 'step 3'), [two]);
		// Each look at the ticket takes real time, so the wait spans the other worker's write.
		emu.server.injectFault(AUDITS, { kind: 'latency', ms: 150 }, 1_000);
		const third = run(three);
		await realPause(600);
		expect(steps(channel)).toEqual(['1']);
		await writtenElsewhere(ticketId, two);
		expect((await third).outcome).toBe('appended');
		expect(steps(channel)).toEqual(['1', '2', '3']);
	});

	it("a Slack retry that another process's trigger emitted as new waits for its first delivery's comment: a duplicate", async () => {
		const channel = newChannel();
		const { ticketId } = await run(item(channel, 'step 1'));
		const two = item(channel, 'step 2');
		emu.server.injectFault(AUDITS, { kind: 'latency', ms: 150 }, 1_000);
		const retry = run({ ...two, announcedIn: 'webhook-process-2', slackRetry: 1 });
		await realPause(600);
		// The first delivery reached the other webhook process; another worker writes it now.
		await writtenElsewhere(ticketId, two);
		expect((await retry).outcome).toBe('duplicate');
		expect(steps(channel)).toEqual(['1', '2']);
	});

	it('a message the Slack DM Catch-up handed over again: a duplicate when its lost execution had written it, written once when not', async () => {
		const channel = newChannel();
		const { ticketId } = await run(item(channel, 'step 1'));
		const two = item(channel, 'step 2');
		await writtenElsewhere(ticketId, two);
		// Announced in this very process: the catch-up's item waits for its own key all the same.
		expect((await run({ ...two, caughtUpFor: '4711' })).outcome).toBe('duplicate');
		const three = item(channel, 'step 3');
		const startedAt = emu.clock.now();
		expect((await run({ ...three, caughtUpFor: '4711' })).outcome).toBe('appended');
		expect(emu.clock.now() - startedAt).toBeGreaterThanOrEqual(EARLIER_WAIT_MS);
		expect((await run({ ...three, caughtUpFor: '4712', announcedIn: 'webhook-process-2' })).outcome).toBe('duplicate');
		expect(steps(channel)).toEqual(['1', '2', '3']);
	});

	it("a thread reply with its own ticket waits for the thread's earlier reply another worker writes, then appends after it", async () => {
		const channel = newChannel();
		await run(item(channel, 'step 1'));
		const parent = item(channel, 'step 0 parent');
		const first = item(channel, 'step 2', { threadTs: parent.message.ts });
		const second = item(channel, 'step 3', { threadTs: parent.message.ts });
		const perThread = { options: { threadReplies: 'ticketPerThread' } };
		const { ticketId } = await runWith(first, perThread);
		const third = item(channel, 'step 4', { threadTs: parent.message.ts });
		emu.server.injectFault(AUDITS, { kind: 'latency', ms: 150 }, 1_000);
		const later = runWith(fromAnotherProcess(third, [second]), perThread);
		await realPause(600);
		await writtenElsewhere(ticketId, second);
		expect((await later).outcome).toBe('appended');
		const threadTicket = emu.tickets().find((t) => t.ticket.id === ticketId);
		expect((threadTicket?.comments ?? []).map((c) => /step (\d)/.exec(String(c.body))?.[1])).toEqual(['2', '3', '4']);
	});

	it('goes at once when its earlier messages are already in the ticket (one read of the audits)', async () => {
		const channel = newChannel();
		const { ticketId } = await run(item(channel, 'step 1'));
		const two = item(channel, 'step 2');
		await writtenElsewhere(ticketId, two);
		emu.server.resetCalls();
		expect((await run(fromAnotherProcess(item(channel, 'step 3'), [two]))).outcome).toBe('appended');
		expect(emu.server.callsTo(AUDITS)).toHaveLength(1);
		expect(steps(channel)).toEqual(['1', '2', '3']);
	});

	/**
	 * Step 1 written here, step 2 by another worker seconds later; then step 3 (its earlier message:
	 * step 2) is written here, with `fault` on its requests: the requests it made, route and status.
	 */
	async function thirdAfterAnotherWorker(channel: string, fault?: () => void): Promise<string[]> {
		const { ticketId } = await run(item(channel, 'step 1'));
		emu.clock.advance(2_000);
		const two = item(channel, 'step 2');
		await writtenElsewhere(ticketId, two);
		emu.clock.advance(2_000);
		fault?.();
		emu.server.resetCalls();
		expect((await run(fromAnotherProcess(item(channel, 'step 3'), [two]))).outcome).toBe('appended');
		return emu.server.callsTo().map((c) => `${c.route} ${c.status}`);
	}

	it('its previous message, older than the minute, another worker wrote: the ticket read again, one update (no refused one)', async () => {
		const channel = newChannel();
		const { ticketId } = await run(item(channel, 'step 1'));
		emu.clock.advance(2_000);
		const two = item(channel, 'step 2');
		await writtenElsewhere(ticketId, two);
		emu.clock.advance(90_000);
		emu.server.resetCalls();
		// As the Profile Linker leaves it: nothing in the last minute, the previous message named.
		const three = { ...fromAnotherProcess(item(channel, 'step 3'), []), previousMessage: two.idempotencyKey };
		expect((await run(three)).outcome).toBe('appended');
		// Until 2026-12-07: a safe update refused (409), the ticket read, the update again.
		expect(emu.server.callsTo().map((c) => `${c.route} ${c.status}`)).toEqual([
			'GET /api/v2/tickets/:id.json 200',
			'PUT /api/v2/tickets/:id.json 200',
		]);
		expect(steps(channel)).toEqual(['1', '2', '3']);
		// Its own previous message: the ticket it holds is its own write's, nothing read.
		emu.clock.advance(90_000);
		emu.server.resetCalls();
		const four = { ...fromAnotherProcess(item(channel, 'step 4'), []), previousMessage: three.idempotencyKey };
		expect((await run(four)).outcome).toBe('appended');
		expect(emu.server.callsTo().map((c) => `${c.route} ${c.status}`)).toEqual(['PUT /api/v2/tickets/:id.json 200']);
	});

	it('another worker wrote since its last write: one audits page, the ticket read again, one update (no refused one)', async () => {
		const channel = newChannel();
		const requests = await thirdAfterAnotherWorker(channel);
		// Until 2026-12-07: the audit count, the page, a safe update refused (409), the ticket, the
		// count and the page again, then the update (7 requests).
		expect(requests).toEqual([
			'GET /api/v2/tickets/:id/audits.json 200',
			'GET /api/v2/tickets/:id.json 200',
			'PUT /api/v2/tickets/:id.json 200',
		]);
		expect(steps(channel)).toEqual(['1', '2', '3']);
	});

	it('the ticket read again after the audits is gone: the conversation is looked up again and the message written once', async () => {
		const channel = newChannel();
		const requests = await thirdAfterAnotherWorker(channel, () =>
			emu.server.injectFault('GET /api/v2/tickets/:id.json', { kind: 'status', status: 404 }, 1),
		);
		expect(requests).toEqual([
			'GET /api/v2/tickets/:id/audits.json 200',
			'GET /api/v2/tickets/:id.json 404',
			'GET /api/v2/tickets.json 200',
			'GET /api/v2/tickets/:id/audits.json 200',
			'PUT /api/v2/tickets/:id.json 200',
		]);
		expect(steps(channel)).toEqual(['1', '2', '3']);
	});

	it('an earlier message handled in this process needs no read', async () => {
		const channel = newChannel();
		const one = item(channel, 'step 1');
		await run(one);
		emu.server.resetCalls();
		expect((await run(fromAnotherProcess(item(channel, 'step 2'), [one]))).outcome).toBe('appended');
		expect(emu.server.callsTo(AUDITS)).toHaveLength(0);
		expect(steps(channel)).toEqual(['1', '2']);
	});

	it('writes anyway once the wait runs out (the earlier message was dropped or failed)', async () => {
		const channel = newChannel();
		await run(item(channel, 'step 1'));
		const lost = item(channel, 'step 2 never written');
		const startedAt = emu.clock.now();
		expect((await run(fromAnotherProcess(item(channel, 'step 3'), [lost]))).outcome).toBe('appended');
		expect(emu.clock.now() - startedAt).toBeGreaterThanOrEqual(EARLIER_WAIT_MS);
		expect(steps(channel)).toEqual(['1', '3']);
	});

	it('the first message of a conversation waits for an earlier one creating the ticket elsewhere', async () => {
		const channel = newChannel();
		const one = item(channel, 'step 1');
		emu.server.injectFault('GET /api/v2/tickets.json', { kind: 'latency', ms: 150 }, 1_000);
		const second = run(fromAnotherProcess(item(channel, 'step 2'), [one]));
		await realPause(600);
		expect(ticketOf(channel)).toBeUndefined();
		emu.server.clearFaults();
		await run(one); // "the other worker": creates the ticket with step 1
		expect((await second).outcome).toBe('appended');
		expect(steps(channel)).toEqual(['1', '2']);
	});

	it('a look at the ticket Zendesk does not answer fails the message (it waits out the outage), never hangs the lane', async () => {
		const channel = newChannel();
		await run(item(channel, 'step 1'));
		const two = item(channel, 'step 2');
		const parked = await parkedByOutage(fromAnotherProcess(item(channel, 'step 3'), [two]));
		expect(parked.json.retry).toMatchObject({ attempt: 1, reason: 'HTTP 503' });
		// Back from its wait, step 2 still missing after the 20 s: it parks once more (step 2 may be
		// waiting out the same outage on another worker), and again on its next turn while every
		// message parked in the outage may still come back (the longest wait plus the wait tracker's
		// look since its first such park), then it is written anyway.
		const again = await resume(parked);
		expect(again.json.retry).toMatchObject({ attempt: 2, waitSeconds: 65, reason: EARLIER_MISSING_REASON });
		const since = (again.json.retry as { behindSince: string }).behindSince;
		expect(Date.now() - Date.parse(since)).toBeLessThan(60_000);
		const third = await resume(again);
		expect(third.json.retry).toMatchObject({ attempt: 3, waitSeconds: 65, behindSince: since });
		const windowOver = new Date(Date.parse(since) - (180_000 + RESTART_HOLD_MARGIN_MS)).toISOString();
		const late = {
			...third,
			json: { ...third.json, retry: { ...(third.json.retry as object), behindSince: windowOver } },
		};
		const resumed = await executeNode(upsert, {
			credentials: { zendeskDmApi: zendeskCredentials(emu) },
			items: [late],
		});
		expect(resumed.outputs[0][0].json.zendesk).toMatchObject({ outcome: 'appended' });
		expect((await run(item(channel, 'step 4'))).outcome).toBe('appended');
		expect(steps(channel)).toEqual(['1', '3', '4']);
	});

	it('passed on by the Profile Linker after an outage wait, it parks for an earlier message still missing, and goes after it', async () => {
		const channel = newChannel();
		const { ticketId } = await run(item(channel, 'step 1'));
		const two = item(channel, 'step 2');
		const held = { ...fromAnotherProcess(item(channel, 'step 3'), [two]), waitedOutSince: new Date().toISOString() };
		const { outputs } = await executeNode(upsert, {
			credentials: { zendeskDmApi: zendeskCredentials(emu) },
			items: [{ json: held as never }],
		});
		expect(outputs[0]).toEqual([]);
		expect(outputs[1][0].json.retry).toMatchObject({ attempt: 1, waitSeconds: 65, reason: EARLIER_MISSING_REASON });
		expect(steps(channel)).toEqual(['1']);
		await writtenElsewhere(ticketId, two);
		const resumed = await executeNode(upsert, {
			credentials: { zendeskDmApi: zendeskCredentials(emu) },
			items: [outputs[1][0]],
		});
		expect(resumed.outputs[0][0].json.zendesk).toMatchObject({ outcome: 'appended' });
		expect(steps(channel)).toEqual(['1', '2', '3']);
	});

	it('back from an outage wait, it waits once more for an earlier message still waiting elsewhere, and goes after it', async () => {
		const channel = newChannel();
		const { ticketId } = await run(item(channel, 'step 1'));
		const two = item(channel, 'step 2');
		const parked = await parkedByOutage(fromAnotherProcess(item(channel, 'step 3'), [two]));
		const again = await resume(parked);
		expect(again.json.retry).toMatchObject({ attempt: 2, reason: EARLIER_MISSING_REASON });
		expect(steps(channel)).toEqual(['1']);
		// Meanwhile the other worker's execution of step 2 comes back from its own wait and writes it.
		await writtenElsewhere(ticketId, two);
		const { outputs } = await executeNode(upsert, {
			credentials: { zendeskDmApi: zendeskCredentials(emu) },
			items: [again],
		});
		expect(outputs[0][0].json.zendesk).toMatchObject({ outcome: 'appended' });
		expect(steps(channel)).toEqual(['1', '2', '3']);
	});
});
