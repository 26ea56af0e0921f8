/**
 * Slack DM Reply against the Slack and Zendesk emulators, through real n8n-core contexts:
 * formatting, splitting with pacing, threads, conversations.open, attachments through the
 * external upload flow, echo markers, 429 handling and visible failures.
 */
import axios from 'axios';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { startSlackEmulator, FIXTURE_IDS } from '../../emulators/slack';
import { startZendeskEmulator, type ZendeskEmulator } from '../../emulators/zendesk';
import { SlackDmReply } from '../../nodes/SlackDmReply/SlackDmReply.node';
import { runPerItem } from '../../nodes/shared/n8n/perItem';
import { executeNode, runWorkflow } from '../harness/inProcess';

const node = new SlackDmReply();

let slack: Awaited<ReturnType<typeof startSlackEmulator>>;
let zendesk: ZendeskEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;
let dm: string;

function replyItem(overrides: IDataObject = {}): IDataObject {
	return {
		ticketId: 42,
		ticketStatus: 'open',
		ticketExternalId: `slack-dm:${FIXTURE_IDS.teamId}:${dm}`,
		comment: {
			id: 1,
			body: 'Hello',
			htmlBody: '<p>Have you tried <strong>turning it off</strong>?</p>',
			author: { id: 7, name: 'Anna' },
		},
		attachments: [],
		slack: { teamId: FIXTURE_IDS.teamId, userId: FIXTURE_IDS.employeeId, channelId: dm },
		...overrides,
	};
}

function run(
	items: IDataObject[],
	parameters: IDataObject = {},
	options: {
		continueOnFail?: boolean;
		credentials?: Record<string, ICredentialDataDecryptedObject>;
		requestTimeoutMs?: number;
	} = {},
) {
	return executeNode(node, {
		parameters: { operation: 'reply', ...parameters } as never,
		credentials: options.credentials ?? credentials,
		items: items.map((json) => ({ json })),
		continueOnFail: options.continueOnFail,
		requestTimeoutMs: options.requestTimeoutMs,
	});
}

/** A trigger-like start node: WorkflowExecute passes its items on unchanged. */
const startNode: INodeType = {
	description: {
		displayName: 'Start',
		name: 'start',
		group: ['trigger'],
		version: 1,
		description: 'test start',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	// A node with a webhook method is a trigger for WorkflowExecute: its start items pass through.
	webhook: async () => ({}),
};

/** Runs Start → node with On Error "Continue (using error output)" through n8n-core's WorkflowExecute (its real routing). */
async function runWithErrorOutput(
	nodeType: string,
	items: IDataObject[],
	parameters: IDataObject,
	extraNodeTypes: Record<string, INodeType> = {},
) {
	const result = await runWorkflow(
		{
			nodes: [
				{ name: 'Start', type: 'start', parameters: {} },
				{ name: 'Under Test', type: nodeType, parameters: parameters as never, onError: 'continueErrorOutput' },
			],
			connections: { Start: { main: [[{ node: 'Under Test', type: NodeConnectionTypes.Main, index: 0 }]] } },
		},
		{
			startNode: 'Start',
			startItems: items.map((json) => ({ json })),
			extraNodeTypes: { start: startNode, ...extraNodeTypes },
			credentials,
		},
	);
	const runData = result.data.resultData.runData['Under Test'][0];
	expect(runData.error).toBeUndefined();
	const [success, failure] = runData.data?.main ?? [];
	return { success: success ?? [], failure: failure ?? [] };
}

const postedTo = (channel: string) => slack.postedMessages.filter((m) => m.channel === channel);

beforeAll(async () => {
	slack = await startSlackEmulator();
	zendesk = await startZendeskEmulator({ rateLimits: false });
	credentials = {
		slackDmApi: { accessToken: FIXTURE_IDS.botToken, baseUrl: slack.apiUrl },
		zendeskDmApi: {
			subdomain: 'acme',
			email: zendesk.fixtures.bridge.email,
			apiToken: zendesk.fixtures.bridge.apiToken,
			baseUrl: zendesk.url,
		},
	};
});

afterAll(async () => {
	await slack.close();
	await zendesk.close();
});

beforeEach(() => {
	slack.reset();
	zendesk.reset();
	dm = slack.openDm(FIXTURE_IDS.botUserId, FIXTURE_IDS.employeeId);
});

describe('Slack DM Reply', () => {
	it('posts the converted reply with the agent prefix, as the bot (recognisable as echo)', async () => {
		const { outputs } = await run([replyItem()], { prefixTemplate: '{name} (IT Support)' });
		const [message] = postedTo(dm);
		expect(message.text).toBe('*Anna (IT Support):*\nHave you tried *turning it off*?');
		expect(message).toMatchObject({
			user: FIXTURE_IDS.botUserId,
			bot_id: FIXTURE_IDS.botId,
			app_id: FIXTURE_IDS.appId,
		});
		expect(outputs[0][0].json).toMatchObject({
			ticketId: 42,
			slackReply: { delivered: true, channelId: dm, messageTs: [message.ts], fileIds: [] },
		});
	});

	it('never lets agent text mention or broadcast', async () => {
		const html = '<p>&lt;!channel&gt; &lt;@U0EMP2&gt; @here <a href="https://x.example/|<!everyone>">x</a></p>';
		await run([replyItem({ comment: { id: 1, htmlBody: html, author: { id: 7, name: 'Anna' } } })], {
			prefixAgentName: false,
		});
		const [message] = postedTo(dm);
		expect(message.text).not.toMatch(/<[!@#]/);
		expect(message.text).toContain('&lt;!channel&gt;');
	});

	it('posts in the thread of a threaded conversation', async () => {
		const root = slack.ws.storeMessage({
			channel: dm,
			user: FIXTURE_IDS.employeeId,
			text: 'root',
			team: FIXTURE_IDS.teamId,
		});
		await run([replyItem({ slack: { teamId: FIXTURE_IDS.teamId, channelId: dm, threadTs: root.ts } })]);
		expect(postedTo(dm).map((m) => m.thread_ts)).toEqual([root.ts]);
	});

	it('opens the DM with conversations.open when only the user is known, once per user', async () => {
		const slackOnlyUser = { teamId: FIXTURE_IDS.teamId, userId: FIXTURE_IDS.employee2Id };
		await run([replyItem({ slack: slackOnlyUser }), replyItem({ slack: slackOnlyUser })], { prefixAgentName: false });
		const channel = slack.postedMessages[0].channel;
		expect(channel).toMatch(/^D/);
		expect(postedTo(channel)).toHaveLength(2);
		expect(slack.server.countCalls('conversations.open')).toBe(1);
	});

	it('splits a long reply within the limit, paced one per second per channel', async () => {
		const paragraphs = Array.from(
			{ length: 30 },
			(_, i) => `<p>Paragraph ${i}: ${'lorem ipsum dolor '.repeat(15)}</p>`,
		).join('');
		const started = Date.now();
		await run([replyItem({ comment: { id: 1, htmlBody: paragraphs, author: { id: 7, name: 'Anna' } } })], {
			options: { maxMessageLength: 3000 },
		});
		const messages = postedTo(dm);
		expect(messages.length).toBeGreaterThanOrEqual(3);
		for (const message of messages) expect(message.text.length).toBeLessThanOrEqual(3000);
		expect(messages.map((m) => m.text).join('\n\n')).toContain('Paragraph 29:');
		expect(Date.now() - started).toBeGreaterThanOrEqual((messages.length - 1) * 1000 - 50);
	});

	it('paces posts to one channel across executions of the process (not only within one)', async () => {
		await Promise.all([run([replyItem()]), run([replyItem()]), run([replyItem()])]);
		const times = slack.server
			.callsTo('chat.postMessage')
			.map((call) => call.at)
			.sort((a, b) => a - b);
		expect(times).toHaveLength(3);
		for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(950);
		// Another channel is not held up by this one.
		const other = slack.openDm(FIXTURE_IDS.botUserId, FIXTURE_IDS.employee2Id);
		const started = Date.now();
		await run([replyItem({ slack: { teamId: FIXTURE_IDS.teamId, channelId: other } })]);
		expect(Date.now() - started).toBeLessThan(900);
	});

	it('uploads agent attachments from Zendesk with the external upload flow into the thread', async () => {
		const user = await axios.post(
			`${zendesk.url}/api/v2/users.json`,
			{
				user: { name: 'Erin', external_id: `slack:${FIXTURE_IDS.teamId}:${FIXTURE_IDS.employeeId}`, role: 'end-user' },
			},
			{ auth: { username: `${zendesk.fixtures.bridge.email}/token`, password: zendesk.fixtures.bridge.apiToken } },
		);
		const ticket = await axios.post(
			`${zendesk.url}/api/v2/tickets.json`,
			{
				ticket: {
					subject: 's',
					requester_id: user.data.user.id,
					comment: { body: 'help', author_id: user.data.user.id },
				},
			},
			{ auth: { username: `${zendesk.fixtures.bridge.email}/token`, password: zendesk.fixtures.bridge.apiToken } },
		);
		const pdf = Buffer.from('%PDF-1.4\nsteps to fix\n%%EOF');
		await zendesk.agentReply(ticket.data.ticket.id, {
			public: true,
			body: 'See attached',
			attachments: [{ filename: 'steps.pdf', contentType: 'application/pdf', content: pdf }],
		});
		const comments = await axios.get(`${zendesk.url}/api/v2/tickets/${ticket.data.ticket.id}/comments.json`, {
			auth: { username: `${zendesk.fixtures.bridge.email}/token`, password: zendesk.fixtures.bridge.apiToken },
		});
		const attachment = comments.data.comments.at(-1).attachments[0];
		const root = slack.ws.storeMessage({
			channel: dm,
			user: FIXTURE_IDS.employeeId,
			text: 'root',
			team: FIXTURE_IDS.teamId,
		});
		const item = replyItem({
			slack: { teamId: FIXTURE_IDS.teamId, channelId: dm, threadTs: root.ts },
			attachments: [
				{
					id: attachment.id,
					fileName: 'steps.pdf',
					contentUrl: attachment.content_url,
					contentType: 'application/pdf',
					size: pdf.length,
				},
			],
		});
		const { outputs } = await run([item]);
		expect(slack.uploadedFiles).toHaveLength(1);
		expect(slack.uploadedFiles[0]).toMatchObject({
			filename: 'steps.pdf',
			channel: dm,
			thread_ts: root.ts,
			userId: FIXTURE_IDS.botUserId,
		});
		expect(slack.uploadedFiles[0].bytes.equals(pdf)).toBe(true);
		expect(slack.server.countCalls('files.getUploadURLExternal')).toBe(1);
		expect(slack.server.countCalls('files.upload_url')).toBe(1);
		expect(slack.server.countCalls('files.completeUploadExternal')).toBe(1);
		expect((outputs[0][0].json.slackReply as IDataObject).fileIds).toEqual([slack.uploadedFiles[0].fileId]);
		const share = slack.messagesIn(dm).find((m) => m.subtype === 'file_share');
		expect(share).toMatchObject({ user: FIXTURE_IDS.botUserId, bot_id: FIXTURE_IDS.botId, app_id: FIXTURE_IDS.appId });
	});

	it('retries after a 429 with Retry-After and delivers', async () => {
		slack.injectFault('chat.postMessage', { kind: 'rateLimit', retryAfterSeconds: 1 });
		await run([replyItem()]);
		expect(postedTo(dm)).toHaveLength(1);
		expect(slack.server.countCalls('chat.postMessage')).toBe(2);
	});

	it('does not resend a post whose answer was lost (Slack may have posted it): fails visibly instead of duplicating', async () => {
		// Slack applies the post but answers after the client gave up: a resend would post it twice.
		slack.injectFault('chat.postMessage', { kind: 'latency', ms: 1200 });
		// Wait Out Outages off (as versions 1-2): return-path-outage.test.ts covers the wait.
		const failure = await run([replyItem()], { waitOutOutages: false }, { requestTimeoutMs: 400 }).then(
			() => undefined,
			(error: Error) => error,
		);
		expect(failure?.message).toMatch(/ticket #42\b.*may have been delivered/);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(slack.server.countCalls('chat.postMessage')).toBe(1);
		expect(postedTo(dm)).toHaveLength(1);
	});

	it('does not resend a post after a 5xx answer either, but does after 429 (refused before processing)', async () => {
		slack.injectFault('chat.postMessage', { kind: 'status', status: 503 });
		await expect(run([replyItem()], { waitOutOutages: false })).rejects.toThrow(/may have been delivered/);
		expect(slack.server.countCalls('chat.postMessage')).toBe(1);
		slack.injectFault('chat.postMessage', { kind: 'rateLimit', retryAfterSeconds: 0 });
		await run([replyItem()]);
		expect(slack.server.countCalls('chat.postMessage')).toBe(3);
		expect(postedTo(dm)).toHaveLength(1);
	});

	it('fails visibly when the reply cannot be delivered', async () => {
		const lost = replyItem({ slack: { teamId: FIXTURE_IDS.teamId, channelId: 'D0NOTOPEN' } });
		// The error names the ticket (so the team can find the conversation) and nothing secret.
		const failure = await run([lost]).then(
			() => undefined,
			(error: Error) => error,
		);
		expect(failure?.message).toMatch(/ticket #42\b.*channel_not_found/);
		expect(failure?.message).not.toContain(FIXTURE_IDS.botToken);
		const { outputs } = await run([lost, replyItem()], {}, { continueOnFail: true });
		expect(outputs[0][0].json).toMatchObject({
			comment: (lost as { comment: IDataObject }).comment,
			slackReply: { delivered: false, messageTs: [] },
			error: expect.stringMatching(/ticket #42\b.*channel_not_found/),
		});
		expect(outputs[0][1].json).toMatchObject({ slackReply: { delivered: true } });
	});

	it('On Error "Continue (using error output)": a failed delivery goes down the error output with the reply intact', async () => {
		const lost = replyItem({ slack: { teamId: FIXTURE_IDS.teamId, channelId: 'D0NOTOPEN' } });
		const { success, failure } = await runWithErrorOutput('slackDmReply', [lost, replyItem()], { operation: 'reply' });
		expect(success.map((item) => item.json.slackReply)).toEqual([expect.objectContaining({ delivered: true })]);
		expect(failure).toHaveLength(1);
		expect(failure[0].json).toMatchObject({
			comment: (lost as { comment: IDataObject }).comment,
			slack: { channelId: 'D0NOTOPEN' },
			error: expect.stringMatching(/ticket #42\b.*channel_not_found/),
			details: { slackReply: { delivered: false, messageTs: [] } },
		});
	});

	it('On Error "Continue (using error output)" for every node on runPerItem: failures take the error output', async () => {
		const perItemNode: INodeType = {
			description: {
				...startNode.description,
				name: 'perItemProbe',
				displayName: 'Per Item Probe',
				group: ['transform'],
				inputs: [NodeConnectionTypes.Main],
			},
			async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
				return [
					await runPerItem(this, async (input, itemIndex) => {
						if (input.json.fail) throw new Error('item failed');
						return { json: { ...input.json, done: true }, pairedItem: { item: itemIndex } };
					}),
				];
			},
		};
		const { success, failure } = await runWithErrorOutput(
			'perItemProbe',
			[{ n: 0 }, { n: 1, fail: true }],
			{},
			{ perItemProbe: perItemNode },
		);
		expect(success.map((item) => item.json)).toEqual([{ n: 0, done: true }]);
		expect(failure.map((item) => item.json)).toEqual([{ n: 1, fail: true, error: 'item failed' }]);
	});

	it('refuses "post as handle user" with a bot token, and posts as the handle with its user token', async () => {
		await expect(run([replyItem()], { postAs: 'user' })).rejects.toThrow(/user token/);
		const handleDm = slack.openDm(FIXTURE_IDS.handleUserId, FIXTURE_IDS.employeeId);
		const handleCredentials = {
			...credentials,
			slackDmApi: { accessToken: FIXTURE_IDS.handleToken, baseUrl: slack.apiUrl },
		};
		await run(
			[replyItem({ slack: { teamId: FIXTURE_IDS.teamId, channelId: handleDm } })],
			{ postAs: 'user', options: { botUsername: 'ignored' } },
			{ credentials: handleCredentials },
		);
		const [message] = postedTo(handleDm);
		expect(message.user).toBe(FIXTURE_IDS.handleUserId);
		expect(message.username).toBeUndefined();
	});

	it('sends the created notice after an upsert, and nothing when the item calls for none', async () => {
		const upserted = {
			teamId: FIXTURE_IDS.teamId,
			channel: { id: dm, type: 'im' },
			user: { id: FIXTURE_IDS.employeeId },
			message: { ts: '1.1' },
			zendesk: { outcome: 'created', ticketId: 77 },
		};
		const { outputs } = await run([upserted, { ...upserted, zendesk: { outcome: 'appended', ticketId: 77 } }], {
			operation: 'notice',
		});
		expect(postedTo(dm).map((m) => m.text)).toEqual([expect.stringContaining('#77')]);
		expect(outputs[0][0].json.slackReply).toMatchObject({ delivered: true, notice: 'ticketCreated' });
		expect(outputs[0][1].json.slackReply).toMatchObject({ delivered: false, skipped: 'noNotice' });
	});

	it('follows a reply on a solved ticket with the solved notice when asked', async () => {
		await run([replyItem({ ticketStatus: 'solved' })], { options: { solvedNotice: true } });
		const texts = postedTo(dm).map((m) => m.text);
		expect(texts).toHaveLength(2);
		expect(texts[1]).toContain('#42');
		expect(texts[1]).toContain('solved');
	});

	it('Alert Channel: posts an Error Trigger item into the team channel, escaped, with the ticket and the execution link', async () => {
		const alertChannel = slack.addChannel({ name: 'support-alerts', members: [FIXTURE_IDS.botUserId] }).id;
		const errorItem = {
			execution: {
				id: '17',
				url: 'http://n8n.test/workflow/wf1/executions/17',
				error: {
					message:
						'Reply for ticket #42 was not delivered to Slack: Slack chat.postMessage failed: channel_not_found <!channel>',
				},
				lastNodeExecuted: 'Slack DM Reply',
				mode: 'webhook',
			},
			workflow: { id: 'wf1', name: 'Zendesk reply → Slack DM' },
		};
		const { outputs } = await run([errorItem], {
			operation: 'alert',
			alertChannelId: alertChannel,
			options: { ticketUrlBase: `${zendesk.url}/agent/tickets/` },
		});
		const [alert] = postedTo(alertChannel);
		expect(alert.text).toContain(`*Ticket:* <${zendesk.url}/agent/tickets/42|#42>`);
		expect(alert.text).toContain('*Failed node:* Slack DM Reply');
		expect(alert.text).toContain('*Execution:* <http://n8n.test/workflow/wf1/executions/17|open in n8n>');
		expect(alert.text).toContain('&lt;!channel&gt;');
		expect(outputs[0][0].json.slackReply).toMatchObject({ delivered: true, channelId: alertChannel });
		await expect(run([errorItem], { operation: 'alert', alertChannelId: '#support' })).rejects.toThrow(
			/not a Slack channel id/,
		);
	});
});
