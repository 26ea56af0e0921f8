/**
 * The Zendesk messaging templates end to end in real n8n 2.41.1: Slack emulator → Slack DM →
 * Zendesk messaging inbound template → Sunshine emulator, whose agent workspace (joined to the
 * Zendesk emulator) turns conversations into messaging tickets; agent messages come back through
 * the messaging outbound template into the Slack DM. Asserted from emulator state (Sunshine
 * conversations and messages, Zendesk messaging tickets and comments, Slack messages and uploads)
 * and from n8n's executions.
 *
 * One n8n start for the file: the two messaging templates (as generated, credentials imported
 * under their placeholder ids) and the error workflow. Every test uses its own Slack users.
 */
import { type Execution, nodeOutput } from '../harness/n8nExecutions';
import { type Pipeline, TEMPLATE_CREDENTIALS, loadTemplate, patchWorkflow, startPipeline } from '../harness/pipeline';

jest.setTimeout(120_000);

type Json = Record<string, unknown>;
type SlackEmulator = Pipeline['slack'][string];

const inbound = loadTemplate('messagingInbound');
const outbound = loadTemplate('messagingOutbound');
const alerts = loadTemplate('alerts');
const INBOUND = inbound.id as string;
const OUTBOUND = outbound.id as string;

const BOT = 'U0HANDLEBOT';
const HR_HANDLE = 'U0HRHANDLE';
const TEAM = 'T0ACME';
const PARTNER_TEAM = 'T0PARTNER';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

const handles = {
	handles: {
		handle: [
			{ name: 'IT', userId: BOT },
			{ name: 'HR', userId: HR_HANDLE },
		],
	},
};
// The desk is always open, so the out-of-hours reply posts nothing (as in pipeline.test.ts).
const inboundWorkflow = patchWorkflow(inbound, {
	nodes: { 'Slack DM Trigger': handles, 'Out-of-hours reply': { businessHours: 'Mon-Sun 00:00-24:00' } },
});

let pipeline: Pipeline;
let main: SlackEmulator;

beforeAll(async () => {
	pipeline = await startPipeline({
		workflows: [inboundWorkflow, outbound, alerts],
		slack: { main: { credentialId: TEMPLATE_CREDENTIALS.slack.id, eventsToWorkflow: INBOUND } },
		messaging: true,
	});
	main = pipeline.slack.main;
	process.stderr.write(`[e2e messaging] ready: ${JSON.stringify(pipeline.timings)}\n`);
}, 240_000);

afterAll(async () => {
	await pipeline?.stop();
});

beforeEach(async () => {
	await pipeline.settle();
	for (const workflowId of [INBOUND, OUTBOUND]) await pipeline.skipExisting(workflowId);
});

// ---------------------------------------------------------------- helpers

let userSeq = 0;
function newUser(options: { partner?: boolean } = {}): { id: string; email: string } {
	userSeq += 1;
	const n = String(userSeq).padStart(3, '0');
	const id = `U0MSG${n}`;
	const email = options.partner ? `msg-user-${n}@partner.test` : `msg-user-${n}@acme.test`;
	main.addUser({
		id,
		teamId: options.partner ? PARTNER_TEAM : TEAM,
		name: `msg-user-${n}`,
		realName: `Messaging User ${n}`,
		email,
		...(options.partner ? { emailHidden: true, isStranger: true } : {}),
	});
	return { id, email };
}

function outcomeOf(execution: Execution): string {
	const error = execution.data?.resultData.error as { message?: string; node?: { name?: string } } | undefined;
	return error
		? `${execution.status}: ${error.node?.name ?? execution.data?.resultData.lastNodeExecuted}: ${error.message}`
		: execution.status;
}

function upsertResult(execution: Execution): Json {
	expect(outcomeOf(execution)).toBe('success');
	return nodeOutput(execution, 'Zendesk Messaging Upsert')[0].zendesk as Json;
}

async function sendAndWait(input: Parameters<SlackEmulator['userSends']>[0]) {
	const sent = await main.userSends(input);
	const runs = await pipeline.newExecutions(INBOUND, 1);
	const ts = (run: Execution) => (nodeOutput(run, 'Slack DM Trigger')[0]?.message as Json | undefined)?.ts;
	expect(runs.map((run) => `${ts(run)} → ${outcomeOf(run)}`)).toEqual([`${sent.ts} → success`]);
	await pipeline.settle();
	return { sent, execution: runs[0] };
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

async function expectNoNewExecutions(workflowId: string): Promise<void> {
	await sleep(1_500);
	expect(await pipeline.unseenExecutions(workflowId)).toEqual([]);
}

function sunshine() {
	if (!pipeline.sunshine) throw new Error('the pipeline has no Sunshine emulator');
	return pipeline.sunshine;
}

/** The Sunshine conversations of one Slack DM (by the Upsert's metadata), oldest first. */
function conversationsOf(channel: string) {
	return [...sunshine().store.conversations.values()].filter(
		(c) => c.metadata?.slack_conversation === `slack-dm:${TEAM}:${channel}`,
	);
}

function messagesOf(channel: string) {
	const [conversation] = conversationsOf(channel);
	return conversation ? (sunshine().store.messages.get(conversation.id) ?? []) : [];
}

/** The messaging tickets of one Slack DM, oldest first (every ticket the agent workspace opened for it). */
function ticketsOf(channel: string): Array<{ ticket: Json; comments: Json[] }> {
	const conversations = new Set(conversationsOf(channel).map((c) => c.id));
	const ids = (sunshine().agentWorkspace?.tickets ?? [])
		.filter((t) => conversations.has(t.conversationId))
		.map((t) => t.ticketId);
	return (pipeline.zendesk.tickets() as Array<{ ticket: Json; comments: Json[] }>)
		.filter((t) => ids.includes(Number(t.ticket.id)))
		.sort((a, b) => Number(a.ticket.id) - Number(b.ticket.id));
}

const publicBodies = (comments: Json[]) => comments.filter((c) => c.public).map((c) => String(c.body));

/** What the Slack DM Trigger answered to the last delivery attempt of each event of a send. */
function triggerAnswers(sent: { deliveries: Array<{ attempts: Array<{ status: number; body: string }> }> }): Json[] {
	return sent.deliveries.map((d) => JSON.parse(d.attempts[d.attempts.length - 1].body) as Json);
}

async function waitFor<T>(what: string, read: () => T | undefined, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = read();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(200);
	}
}

const userMessages = (channel: string) => messagesOf(channel).filter((m) => m.author.type === 'user');

// ---------------------------------------------------------------- the templates

describe('the messaging templates in real n8n', () => {
	it('are imported and published; the Reply Trigger created its own Sunshine integration and webhook, no Zendesk trigger', () => {
		for (const id of [INBOUND, OUTBOUND]) expect(pipeline.n8n.workflows.find((w) => w.id === id)).toMatchObject({ id });
		const trigger = outbound.nodes.find((n) => n.name === 'Zendesk Reply Trigger') as unknown as { webhookId: string };
		const webhooks = [...sunshine().store.webhooks.values()];
		expect(webhooks.map((w) => w.target)).toEqual([pipeline.n8n.webhookUrl(`${trigger.webhookId}/zendesk-reply`)]);
		expect(pipeline.zendesk.store.triggers.size).toBe(0);
	});
});

// ---------------------------------------------------------------- DM → messaging ticket

describe('a DM becomes a messaging ticket', () => {
	it("opens a messaging ticket whose requester is the employee's linked Zendesk profile, with the pipeline's tags", async () => {
		const employee = main.fixtures.employeeId; // erin@acme.test, who already has a Zendesk profile
		const { sent, execution } = await sendAndWait({ userId: employee, text: 'My laptop will not boot' });
		expect(upsertResult(execution)).toMatchObject({ outcome: 'created', ticketId: null });
		expect(nodeOutput(execution, 'Profile Linker')[0].zendeskUser).toMatchObject({
			id: pipeline.zendesk.fixtures.erin.id,
		});

		expect(conversationsOf(sent.channel)).toHaveLength(1);
		expect(userMessages(sent.channel).map((m) => [m.content.text, m.metadata?.slack_message])).toEqual([
			['My laptop will not boot', expect.stringContaining(sent.ts)],
		]);
		const tickets = ticketsOf(sent.channel);
		expect(tickets).toHaveLength(1);
		expect(tickets[0].ticket).toMatchObject({
			via: { channel: 'native_messaging' },
			requester_id: pipeline.zendesk.fixtures.erin.id,
			brand_id: 360001,
			group_id: 360101,
		});
		expect(tickets[0].ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_handle_it', 'it']));
		expect(publicBodies(tickets[0].comments).join('\n')).toContain('My laptop will not boot');
	});

	it('puts later DMs into the same ticket, one Sunshine message each, by the requester', async () => {
		const user = newUser();
		const first = await sendAndWait({ userId: user.id, text: 'VPN drops every 5 minutes' });
		expect(upsertResult(first.execution).outcome).toBe('created');
		const second = await sendAndWait({ userId: user.id, text: 'It happens on Wi-Fi and cable' });
		expect(upsertResult(second.execution)).toMatchObject({
			outcome: 'appended',
			conversationId: upsertResult(first.execution).conversationId,
		});

		expect(userMessages(first.sent.channel).map((m) => m.content.text)).toEqual([
			'VPN drops every 5 minutes',
			'It happens on Wi-Fi and cable',
		]);
		const [ticket] = ticketsOf(first.sent.channel);
		expect(ticketsOf(first.sent.channel)).toHaveLength(1);
		const last = ticket.comments[ticket.comments.length - 1];
		expect(last).toMatchObject({ public: true, author_id: ticket.ticket.requester_id });
		expect(String(last.body)).toContain('It happens on Wi-Fi and cable');
	});

	it('exactly once: Slack delivering the same event again writes nothing to Sunshine', async () => {
		const user = newUser();
		const { sent } = await sendAndWait({ userId: user.id, text: 'Outlook keeps asking for my password' });
		const requestsBefore = sunshine().server.calls.length;
		const again = await main.deliver(sent.envelopes[0]);
		expect(JSON.parse(again?.attempts[again.attempts.length - 1].body ?? '{}')).toEqual({ ok: true, duplicate: true });
		await expectNoNewExecutions(INBOUND);
		expect(sunshine().server.calls.length).toBe(requestsBefore);
		expect(userMessages(sent.channel)).toHaveLength(1);
		expect(ticketsOf(sent.channel)).toHaveLength(1);
	});

	it('after the agent solves the ticket, the next DM opens a new messaging ticket in the same conversation', async () => {
		const user = newUser();
		const first = await sendAndWait({ userId: user.id, text: 'Printer jammed' });
		const [ticket] = ticketsOf(first.sent.channel);
		pipeline.zendesk.messaging.updateTicket(
			Number(ticket.ticket.id),
			{ status: 'solved' },
			pipeline.zendesk.fixtures.anna.id,
		);
		await pipeline.settle();
		const later = await sendAndWait({ userId: user.id, text: 'The printer jammed again' });
		expect(['created', 'appended']).toContain(upsertResult(later.execution).outcome);

		expect(conversationsOf(first.sent.channel)).toHaveLength(1);
		const tickets = ticketsOf(first.sent.channel);
		expect(tickets).toHaveLength(2);
		expect(tickets[0].ticket.status).toBe('solved');
		expect(publicBodies(tickets[0].comments).join('\n')).not.toContain('The printer jammed again');
		expect(publicBodies(tickets[1].comments).join('\n')).toContain('The printer jammed again');
		expect(tickets[1].ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_handle_it']));
	});

	it('a file the allowlist accepts becomes a Sunshine file message after the text, its bytes in the ticket’s conversation', async () => {
		const user = newUser();
		const { sent, execution } = await sendAndWait({
			userId: user.id,
			text: 'Here is the error report',
			files: [{ name: 'report.pdf', mimetype: 'application/pdf', content: PDF }],
		});
		expect(upsertResult(execution).messageIds).toHaveLength(2);
		const messages = userMessages(sent.channel);
		expect(messages.map((m) => [m.content.type, m.content.text ?? m.content.altText])).toEqual([
			['text', 'Here is the error report'],
			['file', 'report.pdf'],
		]);
		const mediaUrl = String(messages[1].content.mediaUrl);
		expect(Buffer.from(await (await fetch(mediaUrl)).arrayBuffer()).equals(PDF)).toBe(true);
		const [ticket] = ticketsOf(sent.channel);
		expect(JSON.stringify(ticket.comments)).toContain(mediaUrl);
	});
});

// ---------------------------------------------------------------- Slack Connect, echoes, bots

describe('who writes', () => {
	it('a Slack Connect partner gets a Zendesk profile as requester and the slack_connect tag', async () => {
		const partner = newUser({ partner: true });
		const { sent, execution } = await sendAndWait({ userId: partner.id, text: 'Our SSO integration fails' });
		expect(nodeOutput(execution, 'Profile Linker')[0].zendeskUser).toMatchObject({ linkedBy: 'created' });
		const profile = [...pipeline.zendesk.store.users.values()].find(
			(u) => u.external_id === `slack:${PARTNER_TEAM}:${partner.id}`,
		);
		expect(profile).toMatchObject({ role: 'end-user' });
		const [ticket] = ticketsOf(sent.channel);
		expect(ticket.ticket).toMatchObject({ requester_id: profile?.id });
		expect(ticket.ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_connect']));
	});

	it("the handle's own message and another bot's message start nothing", async () => {
		const user = newUser();
		const own = await main.userSends({ userId: HR_HANDLE, toUserId: user.id, text: 'Hi, HR here: any questions?' });
		expect(triggerAnswers(own)).toEqual([{ ok: true, ignored: 'echoHandle' }]);

		const first = await sendAndWait({ userId: user.id, text: 'Need a new badge' });
		const envelope = JSON.parse(JSON.stringify(first.sent.envelopes[0])) as { event: Json; event_id: string };
		envelope.event_id = `${envelope.event_id}BOT`;
		envelope.event = {
			...envelope.event,
			user: undefined,
			bot_id: 'B0OTHERBOT',
			subtype: 'bot_message',
			text: 'Reminder from another app',
			ts: `${first.sent.ts.split('.')[0]}.999999`,
		};
		const bot = await main.deliver(envelope as never);
		expect(JSON.parse(bot?.attempts[bot.attempts.length - 1].body ?? '{}')).toEqual({ ok: true, ignored: 'echoBot' });
		await expectNoNewExecutions(INBOUND);
		expect(conversationsOf(own.channel)).toEqual([]);
		expect(conversationsOf(first.sent.channel)).toHaveLength(1);
		expect(userMessages(first.sent.channel).map((m) => m.content.text)).toEqual(['Need a new badge']);
	});
});

// ---------------------------------------------------------------- agent messages → Slack DM

describe('agent messages come back to the DM', () => {
	async function openConversation(text: string) {
		const user = newUser();
		const { sent } = await sendAndWait({ userId: user.id, text });
		const [ticket] = ticketsOf(sent.channel);
		return { channel: sent.channel, ticketId: Number(ticket.ticket.id) };
	}

	it("an agent's public reply arrives in the DM with the agent's name; its echo starts nothing", async () => {
		const { channel, ticketId } = await openConversation('How do I set up the VPN?');
		await pipeline.zendesk.agentReply(ticketId, { public: true, body: 'Install the client, then **sign in**.' });
		const [execution] = await pipeline.newExecutions(OUTBOUND, 1);
		expect(outcomeOf(execution)).toBe('success');
		const posted = main.postedMessages.filter((m) => m.channel === channel);
		expect(posted.map((m) => m.text)).toEqual([
			`*${pipeline.zendesk.fixtures.anna.name}:*\nInstall the client, then *sign in*.`,
		]);
		// Slack delivers the app's own post to the inbound trigger, which drops it.
		await main.waitForEvents();
		await expectNoNewExecutions(INBOUND);
		expect(userMessages(channel).map((m) => m.content.text)).toEqual(['How do I set up the VPN?']);
	});

	it('an internal note stays in Zendesk', async () => {
		const { channel, ticketId } = await openConversation('Laptop battery swollen');
		await pipeline.zendesk.agentReply(ticketId, { public: false, body: 'Internal: order a replacement from vendor X' });
		await pipeline.settle();
		await expectNoNewExecutions(OUTBOUND);
		expect(main.postedMessages.filter((m) => m.channel === channel)).toEqual([]);
		expect(messagesOf(channel).filter((m) => m.author.type === 'business')).toEqual([]);
	});

	it("an agent's attachment is uploaded into the DM", async () => {
		const { channel, ticketId } = await openConversation('Where are the VPN steps?');
		const steps = Buffer.from('%PDF-1.4\n% VPN steps\n%%EOF\n');
		await pipeline.zendesk.agentReply(ticketId, {
			public: true,
			body: 'Here they are.',
			attachments: [{ filename: 'vpn-steps.pdf', contentType: 'application/pdf', content: steps }],
		});
		const upload = await waitFor('the upload in the DM', () =>
			main.uploadedFiles.find((f) => f.channel === channel && f.filename === 'vpn-steps.pdf'),
		);
		expect(upload.bytes.equals(steps)).toBe(true);
		await waitFor('the text in the DM', () =>
			main.postedMessages.find((m) => m.channel === channel && m.text.includes('Here they are.')),
		);
		for (const run of await pipeline.newExecutions(OUTBOUND, 2)) expect(outcomeOf(run)).toBe('success');
	});
});
