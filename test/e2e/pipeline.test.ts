/**
 * The shipped templates, end to end in real n8n 2.41.1, against the Slack and Zendesk emulators:
 * one test per behaviour of PRODUCT.md points 1-9 and per opt-in. Everything is asserted from
 * emulator state (tickets, comments, users, organizations, Slack messages and uploads) and from
 * n8n's executions.
 *
 * One n8n start for the whole file, with four workflows: the inbound template (events of the
 * "main" Slack workspace), a copy of it with the opt-ins on (events of the "optIn" workspace),
 * the outbound template and the error workflow. Every test uses its own Slack users and
 * conversations, so no emulator reset is needed between tests.
 */
import { startSlackEmulator } from '../../emulators/slack';
import { type Execution, nodeOutput } from '../harness/n8nExecutions';
import { type Pipeline, TEMPLATE_CREDENTIALS, loadTemplate, patchWorkflow, startPipeline } from '../harness/pipeline';

jest.setTimeout(120_000);

type SlackEmulator = Awaited<ReturnType<typeof startSlackEmulator>>;
type Json = Record<string, unknown>;

const inbound = loadTemplate('inbound');
const outbound = loadTemplate('outbound');
const alerts = loadTemplate('alerts');
const INBOUND = inbound.id as string;
const OUTBOUND = outbound.id as string;
const ALERTS = alerts.id as string;
const OPT_IN = 'e2eInboundOptIn1';
const OPT_IN_SLACK_CREDENTIAL = { id: 'e2eSlackOptIn001', name: 'Slack DM Handle (optIn)' };
const ALERT_CHANNEL = 'C0ALERTS';

// Fixture ids are the same in every Slack emulator.
const BOT = 'U0HANDLEBOT';
const HR_HANDLE = 'U0HRHANDLE';
const TEAM = 'T0ACME';
const PARTNER_TEAM = 'T0PARTNER';
const BRANDS = { it: 360001, hr: 360002 };
const GROUPS = { it: 360101, hr: 360102 };

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

/** The inbound template with the two handles of the emulated workspace listed (IT = the bot, HR = the HR handle account). */
const handles = {
	handles: {
		handle: [
			{ name: 'IT', userId: BOT },
			{ name: 'HR', userId: HR_HANDLE },
		],
	},
};
/**
 * Whether the template's out-of-hours reply posts depends on the wall clock: here the desk is
 * always open, so it runs and posts nothing (its behaviour: test/integration/business-hours-notice.test.ts).
 */
const alwaysOpen = { 'Out-of-hours reply': { businessHours: 'Mon-Sun 00:00-24:00' } };
const inboundWorkflow = patchWorkflow(inbound, { nodes: { 'Slack DM Trigger': handles, ...alwaysOpen } });
const optInWorkflow = patchWorkflow(inbound, {
	id: OPT_IN,
	name: 'Slack DM → Zendesk ticket (opt-ins on)',
	webhookIds: { 'Slack DM Trigger': '7a1e0c55-0000-4000-8000-00000000e2e1' },
	nodes: {
		'Slack DM Trigger': {
			...handles,
			options: { includeThreadReplies: true, includeGroupDms: true, channelMentions: true, includeEdits: true },
		},
		...alwaysOpen,
	},
	credentials: Object.fromEntries(
		['Slack DM Trigger', 'Profile Linker', 'Attachment Allowlist', 'Out-of-hours reply'].map((name) => [
			name,
			{ slackDmApi: OPT_IN_SLACK_CREDENTIAL },
		]),
	),
});
const alertsWorkflow = patchWorkflow(alerts, { nodes: { 'Alert support channel': { alertChannelId: ALERT_CHANNEL } } });

let pipeline: Pipeline;
let main: SlackEmulator;
let optIn: SlackEmulator;

beforeAll(async () => {
	pipeline = await startPipeline({
		workflows: [inboundWorkflow, optInWorkflow, outbound, alertsWorkflow],
		slack: {
			main: { credentialId: TEMPLATE_CREDENTIALS.slack.id, eventsToWorkflow: INBOUND },
			optIn: { credentialId: OPT_IN_SLACK_CREDENTIAL.id, eventsToWorkflow: OPT_IN },
		},
	});
	main = pipeline.slack.main;
	optIn = pipeline.slack.optIn;
	main.addChannel({ id: ALERT_CHANNEL, name: 'support-alerts', members: [BOT] });
	process.stderr.write(
		`[e2e pipeline] ready: ${JSON.stringify(pipeline.timings)} n8n: ${JSON.stringify(pipeline.n8n.timings)}\n`,
	);
}, 240_000);

afterAll(async () => {
	await pipeline?.stop();
});

beforeEach(async () => {
	// Each test starts from a quiet pipeline: deliveries in flight finished, earlier runs set aside.
	await pipeline.settle();
	for (const workflowId of [INBOUND, OPT_IN, OUTBOUND, ALERTS]) await pipeline.skipExisting(workflowId);
});

// ---------------------------------------------------------------- helpers

let userSeq = 0;
/** A new Slack user in one emulated workspace (ids unique across both, so Zendesk keys never collide). */
function newUser(
	slack: SlackEmulator,
	options: { partner?: boolean } = {},
): { id: string; email: string; name: string } {
	userSeq += 1;
	const n = String(userSeq).padStart(3, '0');
	const id = `U0E2E${n}`;
	const name = `e2e-user-${n}`;
	const email = options.partner ? `${name}@partner.test` : `${name}@acme.test`;
	slack.addUser({
		id,
		teamId: options.partner ? PARTNER_TEAM : TEAM,
		name,
		realName: `E2E User ${n}`,
		email,
		...(options.partner ? { emailHidden: true, isStranger: true } : {}),
	});
	return { id, email, name };
}

function tickets(): Array<{ ticket: Json; comments: Json[] }> {
	return pipeline.zendesk.tickets() as Array<{ ticket: Json; comments: Json[] }>;
}

/** Tickets of one Slack conversation (channel), oldest first. */
function ticketsOf(channelId: string): Array<{ ticket: Json; comments: Json[] }> {
	return tickets()
		.filter((t) => String(t.ticket.external_id ?? '').split(':')[2] === channelId)
		.sort((a, b) => Number(a.ticket.id) - Number(b.ticket.id));
}

function zendeskUserByExternalId(externalId: string) {
	return [...pipeline.zendesk.store.users.values()].find((u) => u.external_id === externalId);
}

/** The run's status, with the failing node and message when it failed (so a failure says why). */
function outcomeOf(execution: Execution): string {
	const error = execution.data?.resultData.error as { message?: string; node?: { name?: string } } | undefined;
	return error
		? `${execution.status}: ${error.node?.name ?? execution.data?.resultData.lastNodeExecuted}: ${error.message}`
		: execution.status;
}

function upsertResult(execution: Execution): Json {
	expect(outcomeOf(execution)).toBe('success');
	const [item] = nodeOutput(execution, 'Zendesk Messaging Upsert');
	return item.zendesk as Json;
}

/** What the Slack DM Trigger answered to the last delivery attempt of each event of a send. */
function triggerAnswers(sent: { deliveries: Array<{ attempts: Array<{ status: number; body: string }> }> }): Json[] {
	return sent.deliveries.map((d) => {
		const last = d.attempts[d.attempts.length - 1];
		expect(last.status).toBe(200);
		return JSON.parse(last.body) as Json;
	});
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Nothing ran: no execution started for the workflow (given a moment, as At Once runs after answering). */
async function expectNoNewExecutions(workflowId: string): Promise<void> {
	await sleep(1_500);
	expect(await pipeline.unseenExecutions(workflowId)).toEqual([]);
}

/** The finished run of `workflowId` that handled the Slack message `ts` (other new runs fail the test: they would be leftovers). */
async function executionForMessage(workflowId: string, ts: string): Promise<Execution> {
	const runs = await pipeline.newExecutions(workflowId, 1);
	const messageTs = (run: Execution) => (nodeOutput(run, 'Slack DM Trigger')[0]?.message as Json | undefined)?.ts;
	const escaped = ts.replace(/\./g, '\\.');
	expect(runs.map((run) => `${messageTs(run)} → ${outcomeOf(run)}`)).toEqual([
		expect.stringMatching(new RegExp(`^${escaped} → `)),
	]);
	return runs[0];
}

async function sendAndWait(slack: SlackEmulator, workflowId: string, input: Parameters<SlackEmulator['userSends']>[0]) {
	const sent = await slack.userSends(input);
	return { sent, execution: await executionForMessage(workflowId, sent.ts) };
}

const publicBodies = (comments: Json[]) => comments.filter((c) => c.public).map((c) => String(c.body));

// ---------------------------------------------------------------- the templates in n8n

describe('the templates in real n8n', () => {
	it('are imported and published, every node type known to n8n, the error workflow wired', async () => {
		const known = new Set(await pipeline.n8n.nodeTypes());
		for (const id of [INBOUND, OPT_IN, OUTBOUND, ALERTS]) {
			const workflow = await pipeline.n8n.rest<{
				active: boolean;
				nodes: Array<{ name: string; type: string }>;
				settings?: Json;
			}>('GET', `/rest/workflows/${id}`);
			expect([id, workflow.active]).toEqual([id, true]);
			for (const node of workflow.nodes)
				expect([node.name, node.type, known.has(node.type)]).toEqual([node.name, node.type, true]);
			if (id === OUTBOUND) expect(workflow.settings?.errorWorkflow).toBe(ALERTS);
		}
	});

	it('the Zendesk Reply Trigger set up its webhook and trigger in Zendesk on activation', () => {
		const [webhook] = [...pipeline.zendesk.store.webhooks.values()];
		expect(pipeline.zendesk.store.webhooks.size).toBe(1);
		const replyTrigger = outbound.nodes.find((n) => n.name === 'Zendesk Reply Trigger') as unknown as {
			webhookId: string;
		};
		expect(webhook.endpoint).toBe(pipeline.n8n.webhookUrl(`${replyTrigger.webhookId}/zendesk-reply`));
		expect(pipeline.zendesk.store.triggers.size).toBe(1);
	});
});

// ---------------------------------------------------------------- inbound: points 1, 3, 4, 6, 8

describe('a DM becomes a ticket (points 1, 3, 4, 6, 8)', () => {
	it("creates a ticket for a new conversation, linked to the employee's existing Zendesk profile, routed to IT", async () => {
		const employee = main.fixtures.employeeId; // erin@acme.test, who already has a Zendesk profile
		const { sent, execution } = await sendAndWait(main, INBOUND, {
			userId: employee,
			text: 'My laptop will not boot\nIt shows a blinking cursor.',
		});
		expect(upsertResult(execution)).toMatchObject({ outcome: 'created' });
		expect(nodeOutput(execution, 'Profile Linker')[0].zendeskUser).toMatchObject({
			id: pipeline.zendesk.fixtures.erin.id,
			linkedBy: 'email',
		});
		expect(nodeOutput(execution, 'Out-of-hours reply')[0].slackReply).toMatchObject({
			delivered: false,
			skipped: 'open',
		});

		const [conversation] = ticketsOf(sent.channel);
		expect(ticketsOf(sent.channel)).toHaveLength(1);
		expect(conversation.ticket).toMatchObject({
			external_id: `slack-dm:${TEAM}:${sent.channel}`,
			subject: 'My laptop will not boot',
			requester_id: pipeline.zendesk.fixtures.erin.id,
			brand_id: BRANDS.it,
			group_id: GROUPS.it,
			status: 'new',
		});
		expect(conversation.ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_handle_it', 'it']));
		expect(publicBodies(conversation.comments)).toEqual(['My laptop will not boot\nIt shows a blinking cursor.']);
		expect(conversation.comments[0].author_id).toBe(pipeline.zendesk.fixtures.erin.id);
	});

	it('appends the next message of the conversation to the same ticket, as the requester', async () => {
		const user = newUser(main);
		const first = await sendAndWait(main, INBOUND, { userId: user.id, text: 'VPN drops every 5 minutes' });
		expect(upsertResult(first.execution).outcome).toBe('created');
		const second = await sendAndWait(main, INBOUND, { userId: user.id, text: 'It happens on Wi-Fi and cable' });
		expect(upsertResult(second.execution)).toMatchObject({
			outcome: 'appended',
			ticketId: upsertResult(first.execution).ticketId,
		});

		const [conversation] = ticketsOf(first.sent.channel);
		expect(ticketsOf(first.sent.channel)).toHaveLength(1);
		expect(publicBodies(conversation.comments)).toEqual(['VPN drops every 5 minutes', 'It happens on Wi-Fi and cable']);
		const requester = zendeskUserByExternalId(`slack:${TEAM}:${user.id}`);
		expect(requester).toMatchObject({ email: user.email, role: 'end-user' });
		expect(conversation.comments.map((c) => c.author_id)).toEqual([requester?.id, requester?.id]);
	});

	it('starts a follow-up ticket linked to the closed one when the user writes after closure', async () => {
		const user = newUser(main);
		const first = await sendAndWait(main, INBOUND, { userId: user.id, text: 'Printer jammed' });
		const closedId = Number(upsertResult(first.execution).ticketId);
		await pipeline.zendesk.closeTicket(closedId);

		const later = await sendAndWait(main, INBOUND, { userId: user.id, text: 'The printer jammed again' });
		const result = upsertResult(later.execution);
		expect(result).toMatchObject({ outcome: 'followUp', followUpSourceId: closedId });

		const [closed, followUp] = ticketsOf(first.sent.channel);
		expect(closed.ticket).toMatchObject({ id: closedId, status: 'closed' });
		expect(followUp.ticket).toMatchObject({
			id: result.ticketId,
			external_id: closed.ticket.external_id,
			status: 'new',
		});
		expect((followUp.ticket.via as { source: Json }).source).toMatchObject({
			rel: 'follow_up',
			from: { ticket_id: closedId },
		});
		expect(publicBodies(followUp.comments)).toEqual(['The printer jammed again']);
		expect(publicBodies(closed.comments)).toEqual(['Printer jammed']);
	});

	it('reopens a solved ticket when the user writes again', async () => {
		const user = newUser(main);
		const first = await sendAndWait(main, INBOUND, { userId: user.id, text: 'Need access to the wiki' });
		const ticketId = Number(upsertResult(first.execution).ticketId);
		// The agent solves it a little later (Zendesk's updated_at has one-second precision; see the report on same-second solves).
		pipeline.zendesk.clock.advance(2_000);
		await pipeline.zendesk.solve(ticketId);
		expect(ticketsOf(first.sent.channel)[0].ticket.status).toBe('solved');

		const again = await sendAndWait(main, INBOUND, { userId: user.id, text: 'Access works but editing does not' });
		expect(upsertResult(again.execution)).toMatchObject({ outcome: 'reopened', ticketId });
		expect(ticketsOf(first.sent.channel)).toHaveLength(1);
		const [conversation] = ticketsOf(first.sent.channel);
		expect(conversation.ticket.status).toBe('open');
		expect(publicBodies(conversation.comments)).toEqual([
			'Need access to the wiki',
			'Access works but editing does not',
		]);
	});

	it('exactly once: Slack delivering the same event again adds no second comment', async () => {
		const user = newUser(main);
		const { sent, execution } = await sendAndWait(main, INBOUND, {
			userId: user.id,
			text: 'Outlook keeps asking for my password',
		});
		expect(upsertResult(execution).outcome).toBe('created');
		const again = await main.deliver(sent.envelopes[0]);
		expect(JSON.parse(again?.attempts[again.attempts.length - 1].body ?? '{}')).toEqual({ ok: true, duplicate: true });
		await expectNoNewExecutions(INBOUND);
		const conversations = ticketsOf(sent.channel);
		expect(conversations).toHaveLength(1);
		expect(publicBodies(conversations[0].comments)).toEqual(['Outlook keeps asking for my password']);
	});

	it('routes two handles to two brands and groups (Routing by Handle in the Upsert)', async () => {
		const itUser = newUser(main);
		const hrUser = newUser(main);
		const toIt = await sendAndWait(main, INBOUND, { userId: itUser.id, text: 'Monitor flickers' });
		const toHr = await sendAndWait(main, INBOUND, {
			userId: hrUser.id,
			toUserId: HR_HANDLE,
			text: 'Question about my payslip',
		});
		expect(nodeOutput(toIt.execution, 'Slack DM Trigger')[0].handle).toMatchObject({ name: 'IT', userId: BOT });
		expect(nodeOutput(toHr.execution, 'Slack DM Trigger')[0].handle).toMatchObject({ name: 'HR', userId: HR_HANDLE });

		const [it] = ticketsOf(toIt.sent.channel);
		const [hr] = ticketsOf(toHr.sent.channel);
		expect(it.ticket).toMatchObject({ brand_id: BRANDS.it, group_id: GROUPS.it });
		expect(hr.ticket).toMatchObject({ brand_id: BRANDS.hr, group_id: GROUPS.hr });
		expect(it.ticket.tags).toEqual(expect.arrayContaining(['slack_handle_it', 'it']));
		expect(hr.ticket.tags).toEqual(expect.arrayContaining(['slack_handle_hr', 'hr']));
		expect(hr.ticket.tags).not.toContain('it');
	});

	it('keeps a long conversation complete and in order in the ticket', async () => {
		const user = newUser(main);
		const texts = Array.from(
			{ length: 12 },
			(_, i) => `Step ${i + 1}: ${['checked cable', 'restarted', 'new driver', 'safe mode'][i % 4]}`,
		);
		const first = await sendAndWait(main, INBOUND, { userId: user.id, text: texts[0] });
		expect(upsertResult(first.execution).outcome).toBe('created');
		// The rest back to back, as a chatty user types: each delivery is answered at once, the runs overlap.
		for (const text of texts.slice(1)) await main.userSends({ userId: user.id, text });
		const executions = await pipeline.newExecutions(INBOUND, texts.length - 1, 90_000);
		expect(executions.map((e) => e.status)).toEqual(texts.slice(1).map(() => 'success'));

		const conversations = ticketsOf(first.sent.channel);
		expect(conversations).toHaveLength(1);
		// Every message once, in the order it was sent (a coalesced comment keeps order line by line).
		const transcript = publicBodies(conversations[0].comments).join('\n');
		const positions = texts.map((text) => transcript.indexOf(text));
		for (const position of positions) expect(position).toBeGreaterThanOrEqual(0);
		expect([...positions].sort((a, b) => a - b)).toEqual(positions);
		for (const text of texts) expect(transcript.split(text)).toHaveLength(2);
	});

	it('a file and the words sent right after it stay in that order, though the words overtake it', async () => {
		const user = newUser(main);
		const first = await sendAndWait(main, INBOUND, { userId: user.id, text: 'The printer shows an error' });
		expect(upsertResult(first.execution).outcome).toBe('created');
		// The file's download from Slack is slow: the next message's execution reaches Zendesk first.
		main.injectFault('files.download', { kind: 'latency', ms: 1_500 });
		await main.userSends({
			userId: user.id,
			text: 'Here is the report',
			files: [{ name: 'report.pdf', mimetype: 'application/pdf', content: PDF }],
		});
		await main.userSends({ userId: user.id, text: 'It says paper jam' });
		const executions = await pipeline.newExecutions(INBOUND, 2, 60_000);
		expect(executions.map((e) => e.status)).toEqual(['success', 'success']);

		const [conversation] = ticketsOf(first.sent.channel);
		const bodies = publicBodies(conversation.comments);
		const at = (text: string) => bodies.findIndex((body) => body.includes(text));
		expect([at('The printer shows an error'), at('Here is the report'), at('It says paper jam')]).toEqual([0, 1, 2]);
		expect(conversation.comments[1].attachments).toEqual([expect.objectContaining({ file_name: 'report.pdf' })]);
	});
});

// ---------------------------------------------------------------- attachments: point 5

describe('attachments (point 5)', () => {
	it('passes an allowed file to the ticket and refuses a disallowed one with a notice to the sender', async () => {
		const user = newUser(main);
		const { sent, execution } = await sendAndWait(main, INBOUND, {
			userId: user.id,
			text: 'Here is the error report',
			files: [
				{ name: 'report.pdf', mimetype: 'application/pdf', content: PDF },
				{ name: 'setup.exe', mimetype: 'application/x-msdownload', content: EXE },
			],
		});
		expect(upsertResult(execution).outcome).toBe('created');
		const [allowlist] = nodeOutput(execution, 'Attachment Allowlist');
		expect((allowlist.acceptedFiles as Json[]).map((f) => f.name)).toEqual(['report.pdf']);
		expect(allowlist.rejectedFiles).toEqual([expect.objectContaining({ name: 'setup.exe', reason: 'typeNotAllowed' })]);

		const [conversation] = ticketsOf(sent.channel);
		const attachments = conversation.comments[0].attachments as Json[];
		expect(attachments.map((a) => [a.file_name, a.content_type])).toEqual([['report.pdf', 'application/pdf']]);
		const stored = pipeline.zendesk.store.attachments.get(Number(attachments[0].id));
		expect(stored?.content.equals(PDF)).toBe(true);

		// The notice: one bot message in the sender's DM, naming the refused file and not the accepted one.
		await main.waitForEvents();
		const notices = main.postedMessages.filter((m) => m.channel === sent.channel);
		expect(notices).toHaveLength(1);
		expect(notices[0].text).toContain('setup.exe');
		expect(notices[0].text).not.toContain('report.pdf');
		// The notice comes back from Slack as the app's own message: it starts nothing.
		await expectNoNewExecutions(INBOUND);
	});
});

// ---------------------------------------------------------------- limits and their opt-ins: point 5

describe('limits of the original, and their opt-ins (point 5)', () => {
	it('echo: a message written as the handle itself creates nothing', async () => {
		const user = newUser(main);
		// An agent logged in as the HR handle account writes in the DM with an employee.
		const sent = await main.userSends({ userId: HR_HANDLE, toUserId: user.id, text: 'Hi, HR here: any questions?' });
		expect(triggerAnswers(sent)).toEqual([{ ok: true, ignored: 'echoHandle' }]);
		await expectNoNewExecutions(INBOUND);
		expect(ticketsOf(sent.channel)).toEqual([]);
	});

	it('threads: a reply inside a thread of the DM is not forwarded by default', async () => {
		const user = newUser(main);
		const root = await sendAndWait(main, INBOUND, { userId: user.id, text: 'Keyboard missing keys' });
		const reply = await main.userSends({ userId: user.id, threadTs: root.sent.ts, text: 'The Q and W keys' });
		expect(triggerAnswers(reply)).toEqual([{ ok: true, ignored: 'threadReply' }]);
		await expectNoNewExecutions(INBOUND);
		const conversations = ticketsOf(root.sent.channel);
		expect(conversations).toHaveLength(1);
		expect(publicBodies(conversations[0].comments)).toEqual(['Keyboard missing keys']);
	});

	it("threads (opt-in): a thread reply joins the DM's ticket, marked as a thread reply (Upsert default)", async () => {
		const user = newUser(optIn);
		const root = await sendAndWait(optIn, OPT_IN, { userId: user.id, text: 'Two problems: mouse and headset' });
		const reply = await sendAndWait(optIn, OPT_IN, {
			userId: user.id,
			threadTs: root.sent.ts,
			text: 'About the headset: no sound',
		});
		const result = upsertResult(reply.execution);
		expect(nodeOutput(reply.execution, 'Slack DM Trigger')[0].message).toMatchObject({
			threadTs: root.sent.ts,
			threadKey: `${root.sent.channel}:${root.sent.ts}`,
		});

		// Thread Replies = Join the Conversation's Ticket: one ticket, keyed by the DM (agent replies go to the DM).
		const conversations = ticketsOf(root.sent.channel);
		expect(conversations).toHaveLength(1);
		expect(conversations[0].ticket).toMatchObject({
			id: result.ticketId,
			external_id: `slack-dm:${TEAM}:${root.sent.channel}`,
		});
		const bodies = publicBodies(conversations[0].comments);
		expect(bodies).toHaveLength(2);
		expect(bodies[1]).toContain('Reply in a Slack thread, to “Two problems: mouse and headset”');
		expect(bodies[1]).toContain('About the headset: no sound');
	});

	it('edits: an edited message is not forwarded by default', async () => {
		const user = newUser(main);
		const { sent } = await sendAndWait(main, INBOUND, { userId: user.id, text: 'Printer on floor 2' });
		const edit = await main.userEdits({ userId: user.id, ts: sent.ts, text: 'Printer on floor 3' });
		expect(triggerAnswers(edit)).toEqual([{ ok: true, ignored: 'editsNotEnabled' }]);
		await expectNoNewExecutions(INBOUND);
		expect(ticketsOf(sent.channel)[0].comments).toHaveLength(1);
	});

	it('edits (opt-in): an edit and a deletion become internal notes that never reach Slack', async () => {
		const user = newUser(optIn);
		const { sent } = await sendAndWait(optIn, OPT_IN, { userId: user.id, text: 'Printer on floor 2' });
		const edit = await optIn.userEdits({ userId: user.id, ts: sent.ts, text: 'Printer on floor 3' });
		expect(upsertResult(await executionForMessage(OPT_IN, edit.ts)).outcome).toBe('noted');
		const deletion = await optIn.userDeletes({ userId: user.id, ts: sent.ts });
		expect(upsertResult(await executionForMessage(OPT_IN, deletion.ts)).outcome).toBe('noted');

		const [conversation] = ticketsOf(sent.channel);
		expect(conversation.comments.map((c) => `${c.public ? 'public' : 'note'}: ${String(c.body)}`)).toEqual([
			'public: Printer on floor 2',
			expect.stringMatching(/^note: [\s\S]*floor 2[\s\S]*floor 3/),
			expect.stringMatching(/^note: [\s\S]*deleted[\s\S]*floor 3/),
		]);
		await pipeline.zendesk.flushWebhooks();
		await expectNoNewExecutions(OUTBOUND);
	});

	it('group DMs: a message in a group DM with the handle is ignored by default', async () => {
		const [a, b] = [newUser(main), newUser(main)];
		const group = main.openGroupDm([BOT, a.id, b.id]);
		const sent = await main.userSends({ userId: a.id, channelId: group, text: 'Can we get a shared drive?' });
		expect(triggerAnswers(sent)).toEqual([{ ok: true, ignored: 'groupDmNotEnabled' }]);
		await expectNoNewExecutions(INBOUND);
		expect(ticketsOf(group)).toEqual([]);
	});

	it("group DMs (opt-in): one ticket for the group conversation, the other participants CC'd", async () => {
		const [a, b] = [newUser(optIn), newUser(optIn)];
		const group = optIn.openGroupDm([BOT, a.id, b.id]);
		const first = await sendAndWait(optIn, OPT_IN, {
			userId: a.id,
			channelId: group,
			text: 'Can we get a shared drive?',
		});
		expect(outcomeOf(first.execution)).toBe('success');
		const second = await sendAndWait(optIn, OPT_IN, {
			userId: b.id,
			channelId: group,
			text: 'For the design team, 50 GB',
		});
		expect(nodeOutput(first.execution, 'Slack DM Trigger')[0].channel).toMatchObject({
			id: group,
			type: 'mpim',
			participants: expect.arrayContaining([a.id, b.id]),
		});
		const participants = nodeOutput(first.execution, 'Profile Linker')[0].zendeskParticipants as Json[];
		expect(participants.map((p) => p.externalId)).toEqual(expect.arrayContaining([`slack:${TEAM}:${b.id}`]));
		expect(upsertResult(second.execution).outcome).toBe('appended');

		const conversations = ticketsOf(group);
		expect(conversations).toHaveLength(1);
		expect(publicBodies(conversations[0].comments)).toEqual([
			'Can we get a shared drive?',
			'For the design team, 50 GB',
		]);
		const [profileA, profileB] = [a, b].map((u) => zendeskUserByExternalId(`slack:${TEAM}:${u.id}`)?.id);
		expect(conversations[0].comments.map((c) => c.author_id)).toEqual([profileA, profileB]);
		// The requester is the first writer; the other participant is CC'd.
		expect(conversations[0].ticket.requester_id).toBe(profileA);
		expect(conversations[0].ticket.email_cc_ids).toEqual([profileB]);
	});

	it('channel mentions: an @-mention of the handle in a channel starts nothing by default', async () => {
		const user = newUser(main);
		const channel = main.addChannel({ name: `e2e-mention-${user.name}`, members: [user.id, BOT] });
		const sent = await main.userSends({
			userId: user.id,
			channelId: channel.id,
			text: `<@${BOT}> the printer on floor 3 is on fire`,
		});
		const answers = triggerAnswers(sent);
		expect(answers.length).toBeGreaterThan(0);
		for (const answer of answers)
			expect(answer).toMatchObject({
				ok: true,
				ignored: expect.stringMatching(/^(mentionNotEnabled|channelMessage)$/),
			});
		await expectNoNewExecutions(INBOUND);
		expect(ticketsOf(channel.id)).toEqual([]);
	});

	it('channel mentions (opt-in): a mention opens one ticket for its thread', async () => {
		const user = newUser(optIn);
		const channel = optIn.addChannel({ name: `e2e-mention-${user.name}`, members: [user.id, BOT] });
		const { sent, execution } = await sendAndWait(optIn, OPT_IN, {
			userId: user.id,
			channelId: channel.id,
			text: `<@${BOT}> the printer on floor 3 is on fire`,
		});
		expect(upsertResult(execution).outcome).toBe('created');
		// Slack sends the mention twice (message.channels and app_mention): one ticket, one comment.
		await optIn.waitForEvents();
		await expectNoNewExecutions(OPT_IN);
		const conversations = ticketsOf(channel.id);
		expect(conversations).toHaveLength(1);
		expect(conversations[0].ticket.external_id).toBe(`slack-dm:${TEAM}:${channel.id}:${sent.ts}`);
		expect(conversations[0].comments).toHaveLength(1);
	});
});

// ---------------------------------------------------------------- Slack Connect partners: point 9

describe('Slack Connect partners (point 9)', () => {
	it('a partner whose email Slack hides gets a Zendesk profile and a partner organization', async () => {
		const partner = newUser(main, { partner: true });
		const { sent, execution } = await sendAndWait(main, INBOUND, {
			userId: partner.id,
			text: 'Our SSO integration fails since this morning',
		});
		expect(nodeOutput(execution, 'Slack DM Trigger')[0].user).toMatchObject({
			id: partner.id,
			teamId: PARTNER_TEAM,
			isExternal: true,
		});
		expect(nodeOutput(execution, 'Profile Linker')[0].zendeskUser).toMatchObject({ linkedBy: 'created' });

		const profile = zendeskUserByExternalId(`slack:${PARTNER_TEAM}:${partner.id}`);
		expect(profile).toMatchObject({ role: 'end-user', email: null });
		const organization = [...pipeline.zendesk.store.organizations.values()].find(
			(o) => o.external_id === `slack-team:${PARTNER_TEAM}`,
		);
		expect(organization).toMatchObject({ name: main.fixtures.partnerTeamName });
		expect(profile?.organization_id).toBe(organization?.id);

		const [conversation] = ticketsOf(sent.channel);
		expect(conversation.ticket).toMatchObject({ requester_id: profile?.id });
		expect(conversation.ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_connect']));
	});
});

// ---------------------------------------------------------------- return path: point 2

describe('agent replies (point 2)', () => {
	async function openConversation(text: string) {
		const user = newUser(main);
		const { sent, execution } = await sendAndWait(main, INBOUND, { userId: user.id, text });
		return { user, channel: sent.channel, ticketId: Number(upsertResult(execution).ticketId) };
	}

	it('an agent reply arrives in the DM with its formatting and its attachment', async () => {
		const { channel, ticketId } = await openConversation('How do I set up the VPN?');
		const steps = Buffer.from('%PDF-1.4\n% VPN steps\n%%EOF\n');
		await pipeline.zendesk.agentReply(ticketId, {
			public: true,
			htmlBody:
				'<p>Hi, <strong>follow</strong> <a href="https://kb.acme.test/vpn">this guide</a>:</p><ul><li>install the client</li><li>sign in</li></ul>',
			attachments: [{ filename: 'vpn-steps.pdf', contentType: 'application/pdf', content: steps }],
		});
		const [execution] = await pipeline.newExecutions(OUTBOUND, 1);
		expect(execution.status).toBe('success');

		const posted = main.postedMessages.filter((m) => m.channel === channel);
		expect(posted).toHaveLength(1);
		const text = posted[0].text;
		expect(text.split('\n')[0]).toBe(`*${pipeline.zendesk.fixtures.anna.name}:*`);
		expect(text).toContain('*follow*');
		expect(text).toContain('<https://kb.acme.test/vpn|this guide>');
		expect(text).toMatch(/• install the client\n• sign in/);
		const uploads = main.uploadedFiles.filter((f) => f.channel === channel);
		expect(uploads.map((f) => f.filename)).toEqual(['vpn-steps.pdf']);
		expect(uploads[0].bytes.equals(steps)).toBe(true);
	});

	it("echo: the app's own reply in the DM does not come back to Zendesk as a comment", async () => {
		const { channel, ticketId } = await openConversation('Is the wiki down?');
		await pipeline.zendesk.agentReply(ticketId, { public: true, body: 'Yes, back in 10 minutes.' });
		expect((await pipeline.newExecutions(OUTBOUND, 1))[0].status).toBe('success');
		await main.waitForEvents();

		// Slack delivered the bot's post to the inbound trigger, which recognised it as its own.
		const echoes = main.deliveries.filter((d) => d.envelope.event.channel === channel && d.envelope.event.bot_id);
		expect(echoes.length).toBeGreaterThan(0);
		for (const echo of echoes)
			expect(JSON.parse(echo.result.attempts[echo.result.attempts.length - 1].body)).toEqual({
				ok: true,
				ignored: expect.stringMatching(/^echo(App|Handle)$/),
			});
		await expectNoNewExecutions(INBOUND);
		const [conversation] = ticketsOf(channel);
		expect(conversation.comments.map((c) => c.body)).toEqual(['Is the wiki down?', 'Yes, back in 10 minutes.']);
	});

	it('internal notes stay in Zendesk', async () => {
		const { channel, ticketId } = await openConversation('Laptop battery swollen');
		const deliveriesBefore = pipeline.zendesk.deliveries.length;
		await pipeline.zendesk.agentReply(ticketId, { public: false, body: 'Internal: order a replacement from vendor X' });
		await pipeline.zendesk.flushWebhooks();
		expect(pipeline.zendesk.deliveries.slice(deliveriesBefore).filter((d) => d.ticketId === ticketId)).toEqual([]);
		await expectNoNewExecutions(OUTBOUND);
		expect(main.postedMessages.filter((m) => m.channel === channel)).toEqual([]);
		expect(main.messagesIn(channel).map((m) => m.text)).toEqual(['Laptop battery swollen']);
	});

	it('a reply that cannot be delivered fails visibly and the error workflow alerts the team channel', async () => {
		// A conversation whose DM no longer exists in Slack (the user left): Slack answers channel_not_found.
		const api = `${pipeline.zendesk.url}/api/v2`;
		const auth = `Basic ${Buffer.from(`${pipeline.zendesk.fixtures.bridge.email}/token:${pipeline.zendesk.fixtures.bridge.apiToken}`).toString('base64')}`;
		const post = async (path: string, body: unknown) => {
			const response = await fetch(`${api}${path}`, {
				method: 'POST',
				headers: { authorization: auth, 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			expect(response.status).toBe(201);
			return (await response.json()) as Json;
		};
		const requester = (
			await post('/users.json', {
				user: { name: 'Former Employee', external_id: `slack:${TEAM}:U0GONE01`, role: 'end-user' },
			})
		).user as Json;
		const ticket = (
			await post('/tickets.json', {
				ticket: {
					subject: 'Old request',
					comment: { body: 'Old request' },
					requester_id: requester.id,
					external_id: `slack-dm:${TEAM}:D0GONE01`,
					tags: ['slack_dm'],
				},
			})
		).ticket as Json;

		await pipeline.zendesk.agentReply(Number(ticket.id), { public: true, body: 'Your new badge is ready.' });
		const [failed] = await pipeline.newExecutions(OUTBOUND, 1);
		expect(failed.status).toBe('error');
		const message = String(failed.data?.resultData.error?.message);
		expect(message).toContain(`ticket #${ticket.id}`);
		expect(message).toContain('channel_not_found');

		const [alertRun] = await pipeline.newExecutions(ALERTS, 1);
		expect(alertRun.status).toBe('success');
		const [alert] = main.messagesIn(ALERT_CHANNEL);
		expect(main.messagesIn(ALERT_CHANNEL)).toHaveLength(1);
		expect(alert.bot_id).toBe(main.fixtures.botId);
		const lines = alert.text.split('\n');
		expect(lines).toContain(`*Ticket:* #${ticket.id}`);
		expect(lines).toContain(`*Workflow:* ${outbound.name}`);
		expect(lines).toContain('*Failed node:* Slack DM Reply');
		expect(alert.text).toContain('channel_not_found');
		expect(alert.text).toContain(`/workflow/${OUTBOUND}/executions/${failed.id}|open in n8n>`);
		for (const secret of [main.fixtures.botToken, main.signingSecret, pipeline.zendesk.fixtures.bridge.apiToken])
			expect(alert.text).not.toContain(secret);
	});
});
