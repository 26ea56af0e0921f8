/**
 * The package's inbound chain as one workflow JSON, run by the in-process runner (runWorkflow →
 * n8n-core's WorkflowExecute) against both emulators: Slack DM Trigger → Profile Linker →
 * Attachment Allowlist → Zendesk Messaging Upsert, with no n8n-nodes-base node. The trigger gets a
 * signed Events API request built by the Slack emulator (invokeWebhook); its workflowData starts
 * the run. The real-n8n version of this is test/e2e/pipeline.test.ts.
 */
import type { IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';

import { signSlackRequest } from '../../emulators/slack/signing';
import { SlackDmTrigger } from '../../nodes/SlackDmTrigger/SlackDmTrigger.node';
import { nodeCredentials, useEmulators } from '../harness/emulatorPair';
import type { WorkflowJson } from '../harness/inProcess';
import { invokeWebhook, runWorkflow } from '../harness/inProcess';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 1)]);

const workflow: WorkflowJson = {
	nodes: [
		{ name: 'Slack DM Trigger', type: 'slackDmTrigger', parameters: { responseMode: 'onReceived', options: {} } },
		{
			name: 'Profile Linker',
			type: 'profileLinker',
			parameters: { authentication: 'apiToken', resource: 'profile', operation: 'link', options: {} },
		},
		{ name: 'Attachment Allowlist', type: 'attachmentAllowlist', parameters: { fileSending: true, noticeMode: 'dm' } },
		{
			name: 'Zendesk Messaging Upsert',
			type: 'zendeskMessagingUpsert',
			parameters: { authentication: 'apiToken', mode: 'supportTickets', tags: 'slack-dm', options: {} },
		},
	],
	connections: {
		'Slack DM Trigger': { main: [[{ node: 'Profile Linker', type: 'main', index: 0 }]] },
		'Profile Linker': { main: [[{ node: 'Attachment Allowlist', type: 'main', index: 0 }]] },
		'Attachment Allowlist': { main: [[{ node: 'Zendesk Messaging Upsert', type: 'main', index: 0 }]] },
	},
};

const { slack, zendesk } = useEmulators({
	slack: { rateLimits: false },
	zendesk: { rateLimits: false },
	lifetime: 'file',
	upsertClock: true,
});

const credentials = () => nodeCredentials(slack, zendesk);

/** What Slack would POST for the employee's next DM to the bot, and the trigger's answer to it. */
async function employeeSends(text: string, files: Array<{ name: string; content: Buffer; mimetype?: string }> = []) {
	const sent = await slack.userSends({ userId: slack.fixtures.employeeId, text, files, wait: false });
	expect(sent.envelopes).toHaveLength(1);
	const rawBody = JSON.stringify(sent.envelopes[0]);
	const timestamp = Math.floor(Date.now() / 1000);
	const webhook = await invokeWebhook(new SlackDmTrigger(), {
		parameters: workflow.nodes[0].parameters,
		credentials: credentials(),
		headers: {
			'content-type': 'application/json',
			'x-slack-request-timestamp': String(timestamp),
			'x-slack-signature': signSlackRequest(slack.signingSecret, timestamp, rawBody),
		},
		rawBody,
	});
	expect(webhook.status).toBe(200);
	return { channel: sent.channel, items: webhook.workflowData?.[0] ?? [] };
}

function outputOf(run: IRun, node: string): INodeExecutionData[] {
	const runs = run.data.resultData.runData[node];
	expect(runs).toHaveLength(1);
	expect(runs[0].error).toBeUndefined();
	return runs[0].data?.main[0] ?? [];
}

function routesOf(server: { calls: Array<{ route: string; path: string }> }, prefix: string): string[] {
	return server.calls.filter((c) => c.path.startsWith(prefix)).map((c) => c.route);
}

describe('inbound chain as a workflow (runWorkflow, no n8n-nodes-base)', () => {
	it('a first DM with an allowed and a refused file: linked user, one ticket with the text and the PDF, a notice for the .exe, within the call budget', async () => {
		const { channel, items } = await employeeSends('My laptop will not boot', [
			{ name: 'error.pdf', content: PDF, mimetype: 'application/pdf' },
			{ name: 'fix.exe', content: EXE, mimetype: 'application/octet-stream' },
		]);
		expect(items).toHaveLength(1);
		slack.server.resetCalls();
		zendesk.server.resetCalls();

		const run = await runWorkflow(workflow, {
			credentials: credentials(),
			startNode: 'Slack DM Trigger',
			startItems: items,
		});
		expect(run.data.resultData.error).toBeUndefined();

		const erin = zendesk.fixtures.erin;
		const f = slack.fixtures;
		// Profile Linker: the employee is Erin (same email), now keyed by her Slack id.
		expect(outputOf(run, 'Profile Linker')[0].json.zendeskUser).toMatchObject({
			id: erin.id,
			externalId: `slack:${f.teamId}:${f.employeeId}`,
			linkedBy: 'email',
		});
		expect(zendesk.store.users.get(erin.id)?.external_id).toBe(`slack:${f.teamId}:${f.employeeId}`);

		// Zendesk Messaging Upsert: one ticket for the conversation, requested by Erin, the text and the PDF in its first comment.
		const [upserted] = outputOf(run, 'Zendesk Messaging Upsert');
		const result = upserted.json.zendesk as IDataObject;
		expect(result.outcome).toBe('created');
		const tickets = zendesk.tickets().filter((t) => t.ticket.external_id === `slack-dm:${f.teamId}:${channel}`);
		expect(tickets).toHaveLength(1);
		expect(tickets[0].ticket).toMatchObject({
			id: result.ticketId,
			requester_id: erin.id,
			tags: expect.arrayContaining(['slack-dm']),
		});
		// The message, then the internal note that names the refused file for the agents.
		expect(tickets[0].comments.map((c) => c.public)).toEqual([true, false]);
		expect(String(tickets[0].comments[0].body)).toContain('My laptop will not boot');
		expect(String(tickets[0].comments[1].body)).toContain('fix.exe: this file type is not allowed');
		expect((tickets[0].comments[0].attachments as Array<{ file_name: string }>).map((a) => a.file_name)).toEqual([
			'error.pdf',
		]);

		// Attachment Allowlist: the .exe is refused by its type (never downloaded) and the sender is told in the DM.
		const notices = slack.postedMessages.filter((m) => m.channel === channel);
		expect(notices).toHaveLength(1);
		expect(String(notices[0].text)).toContain('fix.exe');
		expect(String(notices[0].text)).not.toContain('error.pdf');

		// Call budget of a first contact with two files: Slack (in order) and Zendesk.
		expect(slack.server.calls.map((c) => c.route)).toEqual(['users.info', 'files.download', 'chat.postMessage']);
		expect(slack.server.callsTo('files.download')[0].path).toMatch(/\/error\.pdf$/);
		expect(routesOf(zendesk.server, '/api/v2/')).toEqual([
			'GET /api/v2/users/show_many.json',
			'GET /api/v2/users/search.json',
			'PUT /api/v2/users/:id.json',
			'POST /api/v2/uploads.json',
			'GET /api/v2/tickets.json',
			'POST /api/v2/tickets.json',
			// Only because a file was refused: the note for the agents.
			'PUT /api/v2/tickets/:id.json',
		]);
	});

	it('the next DM of the conversation is appended to the same ticket with no user lookup at all', async () => {
		const first = zendesk.tickets();
		expect(first).toHaveLength(1);
		const { items } = await employeeSends('It shows a blue screen now');
		slack.server.resetCalls();
		zendesk.server.resetCalls();

		const run = await runWorkflow(workflow, {
			credentials: credentials(),
			startNode: 'Slack DM Trigger',
			startItems: items,
		});
		expect(run.data.resultData.error).toBeUndefined();
		expect((outputOf(run, 'Zendesk Messaging Upsert')[0].json.zendesk as IDataObject).outcome).toBe('appended');
		expect(zendesk.tickets()).toHaveLength(1);
		expect(
			zendesk
				.tickets()[0]
				.comments.filter((c) => c.public)
				.map((c) => String(c.body)),
		).toEqual([
			expect.stringContaining('My laptop will not boot'),
			expect.stringContaining('It shows a blue screen now'),
		]);
		// Steady state: no Slack call, one Zendesk write.
		expect(routesOf(slack.server, '/api/')).toEqual([]);
		expect(routesOf(zendesk.server, '/api/v2/')).toEqual(['PUT /api/v2/tickets/:id.json']);
	});
});
