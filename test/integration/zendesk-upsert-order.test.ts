/**
 * Slack's order across executions: executions of one workflow run side by side, so a later
 * message of a conversation can reach the Zendesk Messaging Upsert before an earlier one. What
 * the Slack DM Trigger announced (messagesInFlight) makes the later one wait, in the real node,
 * against the Zendesk emulator. Zendesk time is the emulator's clock; the order wait is real time.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { eventOrderOf, orderScopeOf } from '../../nodes/shared/slack/messageOrder';
import { messagesInFlight } from '../../nodes/shared/state/messagesInFlight';
import type { SlackDmItem } from '../../nodes/shared/types';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { useEmulators, zendeskCredentials } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { LINKED_TEAM as TEAM, linkedDmItems } from '../harness/items';

const { zendesk: emu } = useEmulators({
	zendesk: { rateLimits: false },
	lifetime: 'file',
	resetEachTest: true,
	upsertClock: true,
});

const { newChannel, item } = linkedDmItems(emu, 'DO');
const upsert = new ZendeskMessagingUpsert();
/** The in-process runner's workflow id (inProcess.ts): the trigger of this workflow announces under it. */
const WORKFLOW = 'wf-inproc';

async function run(input: SlackDmItem, parameters: INodeParameters = {}) {
	const { outputs } = await executeNode(upsert, {
		parameters,
		credentials: { zendeskDmApi: zendeskCredentials(emu) },
		items: [{ json: input as never } as INodeExecutionData],
	});
	return outputs[0][0].json.zendesk as { ticketId: number; outcome: string };
}

/** What the Slack DM Trigger does as it hands a message over (receiveEvent.ts). */
function announce(message: SlackDmItem, workflowId = WORKFLOW): () => void {
	return messagesInFlight.announce(orderScopeOf(workflowId, message), message.idempotencyKey, eventOrderOf(message)!);
}

function transcript(channel: string): string[] {
	const [conversation] = emu.tickets().filter((t) => t.ticket.external_id === `slack-dm:${TEAM}:${channel}`);
	return conversation ? conversation.comments.map((c) => String(c.body)) : [];
}

const realPause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => messagesInFlight.clear());

describe("Zendesk Messaging Upsert keeps Slack's order across executions", () => {
	it('a later message that reaches the node first waits for the earlier one still on its way', async () => {
		const channel = newChannel();
		await run(item(channel, 'step 1'));
		const two = item(channel, 'step 2');
		const three = item(channel, 'step 3');
		announce(two);
		announce(three);
		const third = run(three); // its execution got here first
		await realPause(400);
		expect(transcript(channel)).toEqual([expect.stringContaining('step 1')]);
		expect((await run(two)).outcome).toBe('appended');
		expect((await third).outcome).toBe('appended');
		const bodies = transcript(channel);
		expect(bodies).toHaveLength(3);
		expect(bodies.map((body) => /step (\d)/.exec(body)?.[1])).toEqual(['1', '2', '3']);
		expect(messagesInFlight.size).toBe(0);
	});

	it('an edit goes where it happened: after the messages sent before it', async () => {
		const channel = newChannel();
		const first = item(channel, 'printer broken');
		await run(first);
		const second = item(channel, 'also the scanner');
		const edit = {
			...item(channel, 'printer fixed', { kind: 'edit', ts: first.message.ts, previousText: 'printer broken' }),
		};
		// The edit happened after the second message was sent, and Slack numbers it so.
		edit.message = { ...edit.message, eventTs: `${Number(second.message.ts.split('.')[0]) + 5}.000001` };
		announce(second);
		announce(edit);
		const editing = run(edit);
		await realPause(300);
		await run(second);
		expect((await editing).outcome).toBe('noted');
		const bodies = transcript(channel);
		expect(bodies[1]).toContain('also the scanner');
		expect(bodies[2]).toContain('printer fixed');
	});

	it('an earlier message that never comes (n8n did not take it) stops holding the later one up at once', async () => {
		const channel = newChannel();
		await run(item(channel, 'hello'));
		const lost = item(channel, 'lost on the way');
		const next = item(channel, 'next one');
		const withdraw = announce(lost);
		announce(next);
		const writing = run(next);
		await realPause(300);
		expect(transcript(channel)).toHaveLength(1);
		withdraw();
		expect((await writing).outcome).toBe('appended');
		expect(transcript(channel)).toHaveLength(2);
	});

	it('an earlier message that fails before its lane (no requester) releases the later one', async () => {
		const channel = newChannel();
		await run(item(channel, 'hello'));
		const broken = { ...item(channel, 'no requester'), zendeskUser: undefined } as unknown as SlackDmItem;
		const next = item(channel, 'next one');
		announce(broken);
		announce(next);
		const writing = run(next);
		await realPause(300);
		expect(transcript(channel)).toHaveLength(1);
		await expect(run(broken)).rejects.toThrow(/No requester/);
		expect((await writing).outcome).toBe('appended');
		expect(transcript(channel).map((body) => body.includes('next one'))).toEqual([false, true]);
	});

	it('what another workflow announced holds nothing up', async () => {
		const channel = newChannel();
		await run(item(channel, 'hello'));
		const elsewhere = item(channel, 'in another workflow');
		const mine = item(channel, 'mine');
		announce(elsewhere, 'another-workflow');
		announce(mine, 'another-workflow');
		// Neither is announced for this workflow: nothing waits (a wait would take 10 s and time out).
		expect((await run(mine)).outcome).toBe('appended');
	});
});
