/**
 * The shipped templates in n8n's queue mode (EXECUTIONS_MODE=queue, PostgreSQL, Redis, one
 * `n8n worker`), as larger teams run n8n: the main process answers Slack and Zendesk, the worker
 * runs the executions. The trigger's memory (deliveries, groups) lives in the main process, the
 * action nodes' (ticket memory, pacing) in the worker; this checks that the whole loop still holds.
 */
import type { startSlackEmulator } from '../../emulators/slack';
import { type Execution, nodeOutput } from '../harness/n8nExecutions';
import { type Pipeline, TEMPLATE_CREDENTIALS, loadTemplate, patchWorkflow, startPipeline } from '../harness/pipeline';
import { type QueueInfra, startQueueInfra } from '../harness/queueInfra';

jest.setTimeout(120_000);

type SlackEmulator = Awaited<ReturnType<typeof startSlackEmulator>>;
type Json = Record<string, unknown>;

const inbound = loadTemplate('inbound');
const outbound = loadTemplate('outbound');
const INBOUND = inbound.id as string;
const OUTBOUND = outbound.id as string;

let queue: QueueInfra;
let pipeline: Pipeline;
let slack: SlackEmulator;

beforeAll(async () => {
	queue = await startQueueInfra();
	pipeline = await startPipeline({
		// Always open: the out-of-hours reply posts nothing, whatever the wall clock.
		workflows: [
			patchWorkflow(inbound, { nodes: { 'Out-of-hours reply': { businessHours: 'Mon-Sun 00:00-24:00' } } }),
			outbound,
		],
		slack: { main: { credentialId: TEMPLATE_CREDENTIALS.slack.id, eventsToWorkflow: INBOUND } },
		n8nEnv: queue.env,
		worker: true,
	});
	slack = pipeline.slack.main;
	process.stderr.write(`[e2e queue mode] ready: ${JSON.stringify(pipeline.timings)}\n`);
}, 300_000);

afterAll(async () => {
	await pipeline?.stop();
	await queue?.close();
});

let userSeq = 0;
function newUser(): string {
	userSeq += 1;
	const n = String(userSeq).padStart(3, '0');
	slack.addUser({
		id: `U0QUE${n}`,
		teamId: 'T0ACME',
		name: `queue-user-${n}`,
		realName: `Queue User ${n}`,
		email: `queue-user-${n}@acme.test`,
	});
	return `U0QUE${n}`;
}

function outcomeOf(execution: Execution): string {
	const error = execution.data?.resultData.error as { message?: string } | undefined;
	return error ? `${execution.status}: ${error.message}` : execution.status;
}

async function sendAndWait(userId: string, text: string) {
	const sent = await slack.userSends({ userId, text });
	const [execution] = await pipeline.newExecutions(INBOUND, 1);
	expect(outcomeOf(execution)).toBe('success');
	return { sent, execution, upsert: nodeOutput(execution, 'Zendesk Messaging Upsert')[0].zendesk as Json };
}

const ticketsOf = (channelId: string) =>
	(pipeline.zendesk.tickets() as Array<{ ticket: Json; comments: Json[] }>).filter(
		(t) => String(t.ticket.external_id ?? '').split(':')[2] === channelId,
	);

describe('queue mode: the main process answers, a worker runs the executions', () => {
	it('n8n runs in queue mode with a worker', () => {
		expect(pipeline.n8n.logs()).toContain('n8n worker is now ready');
	});

	it('a DM opens a ticket, the next one joins it, and a Slack retry adds nothing', async () => {
		const user = newUser();
		const first = await sendAndWait(user, 'Queue mode: my laptop will not boot');
		expect(first.upsert.outcome).toBe('created');
		// The main process queued the run and the worker ran it.
		expect(pipeline.n8n.logs()).toMatch(new RegExp(`Enqueued execution ${first.execution.id} `));
		expect(pipeline.n8n.logs()).toMatch(new RegExp(`Worker started execution ${first.execution.id} `));
		const second = await sendAndWait(user, 'It shows a blinking cursor');
		expect(second.upsert).toEqual(expect.objectContaining({ outcome: 'appended', ticketId: first.upsert.ticketId }));

		const again = await slack.deliver(first.sent.envelopes[0]);
		expect(JSON.parse(again?.attempts[again.attempts.length - 1].body ?? '{}')).toEqual({ ok: true, duplicate: true });
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		expect(await pipeline.unseenExecutions(INBOUND)).toEqual([]);
		const [conversation] = ticketsOf(first.sent.channel);
		expect(conversation.comments.filter((c) => c.public).map((c) => c.body)).toEqual([
			'Queue mode: my laptop will not boot',
			'It shows a blinking cursor',
		]);
	});

	it("an agent's reply reaches the DM", async () => {
		const user = newUser();
		const { sent, upsert } = await sendAndWait(user, 'Queue mode: VPN drops');
		await pipeline.zendesk.agentReply(Number(upsert.ticketId), { public: true, body: 'Reinstall the client, please.' });
		const [execution] = await pipeline.newExecutions(OUTBOUND, 1);
		expect(outcomeOf(execution)).toBe('success');
		expect(slack.postedMessages.filter((m) => m.channel === sent.channel).map((m) => m.text)).toEqual([
			expect.stringContaining('Reinstall the client, please.'),
		]);
	});
});
