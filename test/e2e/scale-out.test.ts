/**
 * The shipped Support templates in n8n's queue mode scaled out (test/harness/topology.ts):
 * PostgreSQL, Redis, one main process (no production webhooks), two `n8n webhook` processes
 * behind nginx (round robin), two `n8n worker`s. Slack's events and Zendesk's webhooks go to
 * nginx; a delivery meant for one webhook process on purpose goes straight to that process's
 * port, and nginx's access log ($upstream_addr) says which process got every request through it.
 *
 * Issue G6: every message exactly once (a retry landing on the other webhook process), agent
 * replies once, the queued notice once per conversation and outage, and Slack's order when two
 * workers write consecutive messages of one conversation. A worker killed while its write is at
 * Zendesk: the write lands once, n8n fails the stalled job and the team is alerted; killed before
 * its write reached Zendesk, the error workflow's Slack DM Catch-up hands the DMs of the last
 * minute to the trigger again and the message is written once (docs/scaling.md, *A worker dies*).
 */
import { type Execution, isFinished, nodeOutput } from '../harness/n8nExecutions';
import { loadTemplate } from '../harness/pipeline';
import { ALERT_CHANNEL, DESK_CLOSED_MARK, executionOutcome, useScaleOut } from '../harness/scaleOutDriver';

jest.setTimeout(180_000);

type Json = Record<string, unknown>;

const suite = useScaleOut({
	label: 'scale-out',
	inbound: loadTemplate('inbound'),
	outbound: loadTemplate('outbound'),
	userPrefix: 'SCL',
});
const { INBOUND, OUTBOUND, SLACK_EVENTS_PATH, slack, driver, newUser, log } = suite;
const ALERTS = loadTemplate('alerts').id as string;
const scale = () => suite.topology();
const pipeline = () => scale().pipeline;
const delay = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

const outcomeOf = executionOutcome;
const upsertOf = (execution: Execution) => nodeOutput(execution, 'Zendesk Messaging Upsert')[0]?.zendesk as Json;

const ticketsOf = (channelId: string) =>
	(pipeline().zendesk.tickets() as Array<{ ticket: Json; comments: Json[] }>).filter(
		(t) => String(t.ticket.external_id ?? '').split(':')[2] === channelId,
	);
const publicBodies = (channelId: string) =>
	ticketsOf(channelId).map((t) => t.comments.filter((c) => c.public).map((c) => String(c.body)));
/** The comments' first lines: one written over a minute late ends with "Sent in Slack at …" (docs/zendesk-upsert.md). */
const publicFirstLines = (channelId: string) =>
	publicBodies(channelId).map((bodies) => bodies.map((body) => body.split('\n')[0]));

const quiet = async (workflowId: string) => await driver().quiet(workflowId);

/** An emulator's server, as far as holding a call there goes. */
type HoldingServer = {
	injectFault(route: string, fault: { kind: 'latency'; ms: number }, times: number): void;
	inFlight(route: string): number;
};

/**
 * Sends a message whose execution's first `route` call is held at `server` (20 s), and SIGKILLs the
 * worker running that execution once the call is there: the running execution and its worker.
 */
async function killWorkerWhileHeld(server: HoldingServer, route: string, message: { userId: string; text: string }) {
	server.injectFault(route, { kind: 'latency', ms: 20_000 }, 1);
	await slack().userSends({ ...message, wait: false });
	for (const deadline = Date.now() + 30_000; server.inFlight(route) === 0 && Date.now() < deadline; ) await delay(100);
	expect(server.inFlight(route)).toBe(1);
	const running = (await pipeline().unseenExecutions(INBOUND)).find((e) => e.status === 'running');
	const victim = scale()
		.workers()
		.find((w) => running && scale().workersThatRan(running.id).includes(w.name));
	if (!running || !victim) throw new Error('no running execution on a worker');
	victim.kill('SIGKILL');
	await victim.exited;
	return { running, victim };
}

async function sendAndWait(userId: string, text: string) {
	const sent = await slack().userSends({ userId, text });
	const [execution] = await pipeline().newExecutions(INBOUND, 1, 60_000);
	expect(outcomeOf(execution)).toBe('success');
	return { sent, execution, upsert: upsertOf(execution) };
}

describe('scale-out: main, two webhook processes behind nginx, two workers', () => {
	it('runs the topology: main takes no production webhook, nginx spreads them over both webhook processes', async () => {
		expect(pipeline().n8n.processes.map((p) => p.name)).toEqual([
			'main',
			'worker-1',
			'worker-2',
			'webhook-1',
			'webhook-2',
		]);
		const onMain = await fetch(`${pipeline().n8n.url}/webhook/${SLACK_EVENTS_PATH}`, { method: 'POST', body: '{}' });
		expect(onMain.status).toBe(404);
		const user = newUser();
		await sendAndWait(user, 'Scale-out: first');
		await sendAndWait(user, 'Scale-out: second');
		const upstreams = new Set(
			scale()
				.nginx.accessLog()
				.map((r) => r.upstream),
		);
		expect(upstreams).toEqual(
			new Set(
				scale()
					.webhookProcesses()
					.map((p) => `127.0.0.1:${p.port}`),
			),
		);
	});

	it("every message once when Slack's retry lands on the other webhook process", async () => {
		const user = newUser();
		const texts = ['Scale-out retry: my laptop will not boot', 'Scale-out retry: it shows a blinking cursor'];
		const { channel, deliveries } = await driver().sendEachWithRetryElsewhere(slack(), user, texts, INBOUND);
		for (const { route, runs } of deliveries)
			log(`${route}\n  executions: ${runs.map((e) => `${e.id} ${outcomeOf(e)} ${upsertOf(e)?.outcome}`).join('; ')}`);
		expect(deliveries.map((d) => d.retryStatus)).toEqual([200, 200]);
		const runs = deliveries.flatMap((d) => d.runs);
		expect(runs.length).toBeGreaterThanOrEqual(texts.length);
		expect(runs.every((e) => outcomeOf(e) === 'success')).toBe(true);
		expect(publicBodies(channel)).toEqual([texts]);
	});

	it("an agent's reply reaches the DM once, also when Zendesk's webhook comes again to the other process", async () => {
		const user = newUser();
		const { sent, upsert } = await sendAndWait(user, 'Scale-out: VPN drops');
		await pipeline().zendesk.agentReply(Number(upsert.ticketId), {
			public: true,
			body: 'Reinstall the client, please.',
		});
		await pipeline().zendesk.flushWebhooks();
		const delivery = pipeline().zendesk.deliveries[pipeline().zendesk.deliveries.length - 1];
		const path = new URL(delivery.endpoint).pathname;
		const { took, other } = await driver().routeOf((r) => r.uri === path);
		// The first delivery's execution has ended on its worker (and saved what it wrote) before Zendesk comes again.
		await quiet(OUTBOUND);
		delivery.endpoint = `http://127.0.0.1:${other.port}${path}`;
		await pipeline().zendesk.redeliver(delivery.invocationId);
		log(`agent reply: first to ${took.name}, again to ${other.name}: ${JSON.stringify(delivery.attempts)}`);
		expect(delivery.attempts.map((a) => a.status)).toEqual([200, 200]);
		const runs = await quiet(OUTBOUND);
		log(`  executions: ${runs.map((e) => `${e.id} ${outcomeOf(e)}`).join('; ')}`);
		expect(
			slack()
				.postedMessages.filter((m) => m.channel === sent.channel)
				.map((m) => m.text),
		).toEqual([expect.stringContaining('Reinstall the client, please.')]);
	});

	it('two messages 50 ms apart, on different webhook processes and workers, are stored in Slack order', async () => {
		const pairs = 4;
		const results: string[] = [];
		let outOfOrder = 0;
		for (let i = 0; i < pairs; i++) {
			const user = newUser();
			const { sent } = await sendAndWait(user, `Scale-out order ${i}: opening`);
			const [wh1, wh2] = scale().webhookProcesses();
			slack().setEventsUrl(scale().directWebhookUrl(wh1, SLACK_EVENTS_PATH));
			const first = await slack().userSends({ userId: user, text: `Scale-out order ${i}: first`, wait: false });
			await delay(50);
			slack().setEventsUrl(scale().directWebhookUrl(wh2, SLACK_EVENTS_PATH));
			const second = await slack().userSends({ userId: user, text: `Scale-out order ${i}: second`, wait: false });
			slack().setEventsUrl(pipeline().n8n.webhookUrl(SLACK_EVENTS_PATH));
			expect(Number(first.ts)).toBeLessThan(Number(second.ts));
			const runs = await quiet(INBOUND);
			const workers = runs.map((e) => scale().workersThatRan(e.id).join('+'));
			const stored = publicBodies(sent.channel)[0] ?? [];
			const inOrder = stored.indexOf(`Scale-out order ${i}: first`) < stored.indexOf(`Scale-out order ${i}: second`);
			if (!inOrder) outOfOrder += 1;
			results.push(`pair ${i}: workers ${workers.join(', ')}; stored ${JSON.stringify(stored.slice(1))}`);
		}
		log(`order: ${outOfOrder}/${pairs} pairs out of order\n  ${results.join('\n  ')}`);
		for (const line of results) expect(line).toMatch(/workers worker-1, worker-2|workers worker-2, worker-1/);
		expect(outOfOrder).toBe(0);
	});

	it('the out-of-hours notice once per conversation, also when another worker handles a later message', async () => {
		const user = newUser();
		const closed = (text: string) => `Scale-out hours: ${text} ${DESK_CLOSED_MARK}`;
		const first = await sendAndWait(user, closed('first'));
		const notifiedBy = scale().workersThatRan(first.execution.id);
		// Later messages until one runs on the other worker (Bull picks the worker), with its own memory.
		const later: string[] = [];
		for (let i = 0; i < 6 && !later.some((w) => !notifiedBy.includes(w)); i++) {
			const { execution } = await sendAndWait(user, closed(`later ${i}`));
			later.push(...scale().workersThatRan(execution.id));
		}
		// What the user sees: a second notice posted in the same instant is deleted again (docs/scaling.md).
		const isNotice = (m: { text?: string }) => /outside business hours/.test(String(m.text));
		const notices = slack().messagesIn(first.sent.channel).filter(isNotice);
		const posted = slack()
			.postedMessages.filter((m) => m.channel === first.sent.channel)
			.filter(isNotice);
		log(
			`out-of-hours: first on ${notifiedBy.join('+')}, later on ${later.join(', ')}; ${notices.length} notice(s) in the DM, ${posted.length} posted`,
		);
		expect(later.some((w) => !notifiedBy.includes(w))).toBe(true);
		expect(notices).toHaveLength(1);
	});

	it("an outage on both workers: the queued notice once per conversation, each message once and in Slack's order", async () => {
		const user = newUser();
		const { sent } = await sendAndWait(user, 'Scale-out outage: before');
		pipeline().zendesk.server.injectFault('*', { kind: 'status', status: 503 }, 100_000);
		let parked: Execution[] = [];
		try {
			const [wh1, wh2] = scale().webhookProcesses();
			slack().setEventsUrl(scale().directWebhookUrl(wh1, SLACK_EVENTS_PATH));
			await slack().userSends({ userId: user, text: 'Scale-out outage: during 1' });
			slack().setEventsUrl(scale().directWebhookUrl(wh2, SLACK_EVENTS_PATH));
			await slack().userSends({ userId: user, text: 'Scale-out outage: during 2' });
			// Both parked: each execution waits (status "waiting") behind the Wait node.
			const deadline = Date.now() + 90_000;
			while (parked.length < 2 && Date.now() < deadline) {
				parked = (await pipeline().unseenExecutions(INBOUND)).filter((e) => e.status === 'waiting');
				await delay(1_000);
			}
		} finally {
			pipeline().zendesk.server.clearFaults();
		}
		// The bot's messages in the DM, what the user sees (a notice posted twice in the same instant is deleted again).
		const notices = () =>
			slack()
				.messagesIn(sent.channel)
				.filter((m) => m.bot_id)
				.map((m) => m.text);
		log(`outage: parked ${parked.map((e) => `${e.id} by ${scale().workersThatRan(e.id).join('+')}`).join(', ')}`);
		log(`  notices posted: ${JSON.stringify(notices())}`);
		// The parked messages come back after their wait (65 s or more, resumed by main's wait tracker).
		const drained = Date.now() + 400_000;
		let runs: Execution[] = [];
		for (;;) {
			runs = await pipeline().unseenExecutions(INBOUND);
			const done = publicFirstLines(sent.channel)[0]?.length === 3 && runs.every(isFinished);
			if (done || Date.now() > drained) break;
			await delay(5_000);
		}
		const parkReasons = (e: Execution) =>
			(e.data?.resultData.runData['Zendesk Messaging Upsert'] ?? []).map((run) =>
				run.data?.main?.[1]?.length ? `parked: ${JSON.stringify(run.data.main[1][0].json.retry)}` : 'written',
			);
		log(
			`  after the outage: ${JSON.stringify(publicBodies(sent.channel))}; executions ${runs
				.map((e) => `${e.id} ${e.status} ${JSON.stringify(parkReasons(e))}`)
				.join('; ')}`,
		);
		await pipeline().skipExisting(INBOUND);
		expect(parked).toHaveLength(2);
		// Each once and in Slack's order: when the earlier message waits out the outage at an earlier
		// node (the Profile Linker) on another worker, the later one, back from its own wait, parks
		// for it again while every parked message may still come back (docs/scaling.md, Order
		// across processes). (It parked only once before: written first in 1 of 4 runs on 2026-12-07.)
		const stored = publicFirstLines(sent.channel);
		expect(stored).toEqual([['Scale-out outage: before', 'Scale-out outage: during 1', 'Scale-out outage: during 2']]);
		expect(notices()).toHaveLength(1);
	}, 600_000);

	// Kills a worker, then starts another in its place.
	it('a worker killed before its write reached Zendesk: the error workflow catches the DMs up, the message is in the ticket once', async () => {
		const user = newUser();
		const { sent } = await sendAndWait(user, 'Scale-out catch-up: opening');
		// The Profile Linker's look at the DM's earlier messages is held at Slack; the worker dies there.
		const { running, victim } = await killWorkerWhileHeld(slack().server, 'conversations.history', {
			userId: user,
			text: 'Scale-out catch-up: lost with the worker',
		});
		// n8n fails the stalled job; the error workflow alerts and hands the last minute's DMs to the trigger again.
		let catchUp: Json | undefined;
		for (const deadline = Date.now() + 150_000; !catchUp && Date.now() < deadline; await delay(1_000)) {
			const runs = await pipeline().n8n.executions({ workflowId: ALERTS });
			catchUp = runs
				.flatMap((e) => nodeOutput(e, 'Catch up missed DMs'))
				.map((json) => json.catchUp as Json)
				.find((summary) => summary?.executionId === running.id);
		}
		let stored = publicFirstLines(sent.channel);
		for (const deadline = Date.now() + 90_000; stored[0]?.length !== 2 && Date.now() < deadline; await delay(1_000))
			stored = publicFirstLines(sent.channel);
		const runs = await quiet(INBOUND);
		log(
			`killed ${victim.name} in the Profile Linker (${running.id}); catch-up ${JSON.stringify(catchUp)}; stored ${JSON.stringify(stored)}; executions ${runs
				.map((e) => `${e.id} ${e.status} ${upsertOf(e)?.outcome}`)
				.join('; ')}`,
		);
		expect(catchUp).toMatchObject({ handedOver: expect.any(Number) as number });
		expect(Number(catchUp?.handedOver)).toBeGreaterThanOrEqual(1);
		// The lost message once, after the opening one (written once: the catch-up's copy of it is a duplicate).
		expect(stored).toEqual([['Scale-out catch-up: opening', 'Scale-out catch-up: lost with the worker']]);
		const alerted = slack()
			.messagesIn(ALERT_CHANNEL)
			.some((m) => String(m.text).includes(running.id));
		expect(alerted).toBe(true);
		await pipeline().n8n.addWorker(`${victim.name}-again`);
		expect(
			scale()
				.workers()
				.filter((w) => w.name !== victim.name),
		).toHaveLength(2);
	}, 400_000);

	// Last: it kills a worker (the topology runs on with one).
	it('a worker killed while its write is at Zendesk: the message is in the ticket once, the execution fails, the team is alerted', async () => {
		const user = newUser();
		const { sent } = await sendAndWait(user, 'Scale-out kill: opening');
		const { running, victim } = await killWorkerWhileHeld(pipeline().zendesk.server, 'PUT /api/v2/tickets/:id.json', {
			userId: user,
			text: 'Scale-out kill: held at Zendesk',
		});
		// n8n gives the stalled job up: the execution fails (no data kept), and the error workflow alerts.
		let status = running.status;
		for (const deadline = Date.now() + 120_000; status === 'running' && Date.now() < deadline; await delay(1_000))
			status = (await pipeline().unseenExecutions(INBOUND)).find((e) => e.id === running.id)?.status ?? status;
		let alert: string | undefined;
		for (const deadline = Date.now() + 90_000; !alert && Date.now() < deadline; await delay(1_000))
			alert = slack()
				.messagesIn(ALERT_CHANNEL)
				.map((m) => String(m.text))
				.find((text) => text.includes(running.id));
		const stored = publicFirstLines(sent.channel);
		log(`killed ${victim.name} running ${running.id}: ${status}; stored ${JSON.stringify(stored)}; alert ${alert}`);
		expect(status).toBe('error');
		// The write had reached Zendesk, which finishes it whoever waits for the answer.
		expect(stored).toEqual([['Scale-out kill: opening', 'Scale-out kill: held at Zendesk']]);
		expect(alert).toMatch(/What happened:\* the n8n worker running this execution stopped/);
	}, 400_000);
});
