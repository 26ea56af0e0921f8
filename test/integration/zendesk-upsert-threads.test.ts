/**
 * Zendesk Messaging Upsert, option "Thread Replies", against the Zendesk emulator through real
 * n8n-core contexts: join the DM's ticket (default) or one ticket per thread; channel mentions.
 */
import type { INodeParameters } from 'n8n-workflow';

import { parseTicketExternalId } from '../../nodes/shared/externalIds';
import { resetTransportCallCounts, totalTransportCalls } from '../../nodes/shared/transport/callStats';
import { resetUpsertState } from '../../nodes/ZendeskMessagingUpsert/upsertState';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { useEmulators, zendeskCredentials } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import type { LinkedDmItem } from '../harness/items';
import { LINKED_TEAM as TEAM, linkedDmItems } from '../harness/items';

const PUT_TICKET = 'PUT /api/v2/tickets/:id.json';
const POST_TICKETS = 'POST /api/v2/tickets.json';
const GET_TICKETS = 'GET /api/v2/tickets.json';
const PER_THREAD: INodeParameters = { options: { threadReplies: 'ticketPerThread' } };

const { zendesk: emu } = useEmulators({
	zendesk: { rateLimits: false },
	lifetime: 'file',
	resetEachTest: true,
	upsertClock: true,
});

/** Slack DM Trigger items as the trigger emits them (threadKey only for thread replies and mentions). */
const { newChannel, item: slackItem } = linkedDmItems(emu);

interface Output {
	ticketId: number;
	outcome: string;
	commentId: number | null;
	dmTicketId?: number;
	followUpSourceId?: number;
}

async function send(item: LinkedDmItem, parameters: INodeParameters = {}): Promise<Output> {
	const credentials = { zendeskDmApi: zendeskCredentials(emu) };
	const { outputs } = await executeNode(new ZendeskMessagingUpsert(), {
		parameters,
		credentials,
		items: [{ json: item as never }],
	});
	return outputs[0][0].json.zendesk as unknown as Output;
}

function ticketOf(id: number) {
	return emu.tickets().find((t) => t.ticket.id === id)!;
}

function ticketsOf(channel: string) {
	return emu.tickets().filter((t) => String(t.ticket.external_id).startsWith(`slack-dm:${TEAM}:${channel}`));
}

function htmlOf(comment: Record<string, unknown>): string {
	return String(comment.html_body ?? comment.body);
}

describe("Thread Replies: Join the Conversation's Ticket (default)", () => {
	it("adds a DM thread reply to the DM's ticket as a public comment quoting its root, with one request", async () => {
		const channel = newChannel();
		const root = slackItem(channel, 'Two problems: mouse and headset');
		const dm = await send(root);
		emu.server.resetCalls();
		const reply = await send(slackItem(channel, 'About the headset: no sound', { threadTs: root.message.ts }));
		expect(reply).toMatchObject({ ticketId: dm.ticketId, outcome: 'appended' });
		expect(reply.dmTicketId).toBeUndefined();
		expect(emu.server.countCalls()).toBe(1);
		expect(emu.server.countCalls(PUT_TICKET)).toBe(1);

		expect(ticketsOf(channel)).toHaveLength(1);
		const { ticket, comments } = ticketOf(dm.ticketId);
		// No thread in the key: the return path answers in the DM itself.
		expect(parseTicketExternalId(String(ticket.external_id))).toEqual({ teamId: TEAM, channelId: channel });
		expect(comments).toHaveLength(2);
		expect(comments[1]).toMatchObject({ public: true, author_id: emu.fixtures.erin.id, id: reply.commentId });
		expect(htmlOf(comments[1])).toContain('Reply in a Slack thread, to “Two problems: mouse and headset”');
		expect(htmlOf(comments[1])).toContain('About the headset: no sound');
		expect(htmlOf(comments[0])).not.toContain('Slack thread');
	});

	it('names the root by its Slack time when this process never saw it (another process, or an agent message)', async () => {
		const channel = newChannel();
		const root = slackItem(channel, 'Printer jammed');
		const dm = await send(root);
		resetUpsertState();
		const reply = await send(slackItem(channel, 'Fixed it myself', { threadTs: root.message.ts }));
		expect(reply).toMatchObject({ ticketId: dm.ticketId, outcome: 'appended' });
		const last = ticketOf(dm.ticketId).comments.at(-1)!;
		expect(htmlOf(last)).toContain('Reply in a Slack thread, to the message of');
		expect(htmlOf(last)).not.toContain('Printer jammed');
	});

	it("opens the DM's ticket with the reply when the DM has none yet, keyed by the DM", async () => {
		const channel = newChannel();
		const reply = await send(slackItem(channel, 'Replying to an old message', { threadTs: '1700000000.000100' }));
		expect(reply.outcome).toBe('created');
		const { ticket, comments } = ticketOf(reply.ticketId);
		expect(ticket.external_id).toBe(`slack-dm:${TEAM}:${channel}`);
		expect(ticket.tags).not.toContain('slack_thread');
		expect(htmlOf(comments[0])).toContain('Reply in a Slack thread');
	});

	it("turns the edit of a thread reply into a note on the DM's ticket", async () => {
		const channel = newChannel();
		const root = slackItem(channel, 'VPN down');
		const dm = await send(root);
		const edit = slackItem(channel, 'VPN down since 9:00', { threadTs: root.message.ts, kind: 'edit' });
		expect(await send(edit)).toMatchObject({ ticketId: dm.ticketId, outcome: 'noted' });
		expect(ticketOf(dm.ticketId).comments.at(-1)).toMatchObject({ public: false });
	});
});

describe('Thread Replies: One Ticket per Thread', () => {
	it("creates the thread's own ticket, tagged and mentioning the DM's ticket; later replies append to it", async () => {
		const channel = newChannel();
		const root = slackItem(channel, 'Two problems: mouse and headset');
		const dm = await send(root, PER_THREAD);
		emu.server.resetCalls();
		const first = await send(
			slackItem(channel, 'About the headset: no sound', { threadTs: root.message.ts }),
			PER_THREAD,
		);
		expect(first).toMatchObject({ outcome: 'created', dmTicketId: dm.ticketId });
		expect(first.ticketId).not.toBe(dm.ticketId);
		// thread ticket lookup + create; the DM's ticket came from this process's cache
		expect(emu.server.countCalls(GET_TICKETS)).toBe(1);
		expect(emu.server.countCalls(POST_TICKETS)).toBe(1);

		const { ticket, comments } = ticketOf(first.ticketId);
		expect(parseTicketExternalId(String(ticket.external_id))).toEqual({
			teamId: TEAM,
			channelId: channel,
			threadTs: root.message.ts,
		});
		expect(ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_thread']));
		expect(htmlOf(comments[0])).toContain(
			`Slack thread in the Slack DM of ticket #${dm.ticketId}, under “Two problems: mouse and headset”`,
		);

		const second = await send(slackItem(channel, 'Tried another headset', { threadTs: root.message.ts }), PER_THREAD);
		expect(second).toMatchObject({ ticketId: first.ticketId, outcome: 'appended' });
		expect(second.dmTicketId).toBeUndefined();
		expect(htmlOf(ticketOf(first.ticketId).comments[1])).not.toContain('Slack thread');
		expect(ticketOf(dm.ticketId).comments).toHaveLength(1);
	});

	it("finds the DM's ticket by its external id in a fresh process", async () => {
		const channel = newChannel();
		const root = slackItem(channel, 'Badge not working');
		const dm = await send(root, PER_THREAD);
		resetUpsertState();
		emu.server.resetCalls();
		const thread = await send(slackItem(channel, 'Door 3', { threadTs: root.message.ts }), PER_THREAD);
		expect(thread).toMatchObject({ outcome: 'created', dmTicketId: dm.ticketId });
		const lookups = emu.server.callsTo(GET_TICKETS).map((call) => call.request.query.external_id);
		expect(lookups).toEqual([`slack-dm:${TEAM}:${channel}:${root.message.ts}`, `slack-dm:${TEAM}:${channel}`]);
		expect(htmlOf(ticketOf(thread.ticketId).comments[0])).toContain(`ticket #${dm.ticketId}, under the message of`);
	});

	it("looks the DM's ticket up once per execution, however many of its threads get a ticket", async () => {
		const channel = newChannel();
		const dm = await send(slackItem(channel, 'Three problems'), PER_THREAD);
		resetUpsertState(); // a fresh process: the DM's ticket is not cached
		emu.server.resetCalls();
		resetTransportCallCounts();
		const replies = ['1700000001.000100', '1700000002.000100', '1700000003.000100'].map((rootTs, n) => ({
			json: slackItem(channel, `Reply ${n}`, { threadTs: rootTs }) as never,
		}));
		const { outputs } = await executeNode(new ZendeskMessagingUpsert(), {
			parameters: PER_THREAD,
			credentials: { zendeskDmApi: zendeskCredentials(emu) },
			items: replies,
		});
		const results = outputs[0].map((out) => out.json.zendesk as unknown as Output);
		expect(results.map((r) => [r.outcome, r.dmTicketId])).toEqual(Array(3).fill(['created', dm.ticketId]));
		expect(new Set(results.map((r) => r.ticketId)).size).toBe(3);
		const lookups = emu.server.callsTo(GET_TICKETS).map((call) => call.request.query.external_id);
		expect(lookups.filter((key) => key === `slack-dm:${TEAM}:${channel}`)).toHaveLength(1);
		expect(emu.server.countCalls()).toBe(3 * 2 + 1); // per thread: lookup + create; the DM: one lookup
		expect(totalTransportCalls('zendesk')).toBe(3 * 2 + 1);

		// The next execution starts without it (nothing of an execution outlives it).
		emu.server.resetCalls();
		await send(slackItem(channel, 'Reply 3', { threadTs: '1700000004.000100' }), PER_THREAD);
		expect(
			emu.server
				.callsTo(GET_TICKETS)
				.filter((call) => call.request.query.external_id === `slack-dm:${TEAM}:${channel}`),
		).toHaveLength(1);
	});

	it('creates the thread ticket without a mention when the DM has no ticket', async () => {
		const channel = newChannel();
		const thread = await send(
			slackItem(channel, 'Reply to an old thread', { threadTs: '1700000000.000100' }),
			PER_THREAD,
		);
		expect(thread.outcome).toBe('created');
		expect(thread.dmTicketId).toBeUndefined();
		expect(htmlOf(ticketOf(thread.ticketId).comments[0])).toContain('Slack thread in a Slack DM');
	});

	it('follows up a closed thread ticket like any conversation (Zendesk links it), without a new mention', async () => {
		const channel = newChannel();
		const root = slackItem(channel, 'Laptop slow');
		await send(root, PER_THREAD);
		const first = await send(slackItem(channel, 'Since the update', { threadTs: root.message.ts }), PER_THREAD);
		await emu.closeTicket(first.ticketId);
		const again = await send(slackItem(channel, 'Slow again', { threadTs: root.message.ts }), PER_THREAD);
		expect(again).toMatchObject({ outcome: 'followUp', followUpSourceId: first.ticketId });
		expect(htmlOf(ticketOf(again.ticketId).comments[0])).not.toContain('Slack thread');
	});
});

describe('channel @-mentions', () => {
	it("always get their thread's own ticket, with no DM lookup, in both modes", async () => {
		for (const parameters of [{}, PER_THREAD]) {
			const channel = newChannel('C');
			const mention = slackItem(channel, '<@UHANDLE> the wiki is down', { channelType: 'channel' });
			mention.message = {
				...mention.message,
				threadTs: mention.message.ts,
				threadKey: `${channel}:${mention.message.ts}`,
			} as typeof mention.message;
			emu.server.resetCalls();
			const result = await send(mention, parameters);
			expect(result.outcome).toBe('created');
			expect(result.dmTicketId).toBeUndefined();
			expect(emu.server.countCalls()).toBe(2); // lookup + create
			const { ticket } = ticketOf(result.ticketId);
			expect(ticket.external_id).toBe(`slack-dm:${TEAM}:${channel}:${mention.message.ts}`);
			expect(ticket.tags).toContain('slack_thread');
		}
	});
});
