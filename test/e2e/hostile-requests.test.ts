/**
 * Requests no vendor sends, to both triggers in a real n8n 2.41.1 (issue G5 point 1): a multipart
 * body (n8n parses the form before the node runs, so the signed bytes are gone), a body over n8n's
 * 16 MB limit, and an unsigned one. Each is answered 4xx by the trigger itself and records no
 * execution, not even a failed one; the answer carries no stack trace.
 */
import { FIXTURE_IDS as F, SlackEventsDriver, startSlackEmulator, urlVerification } from '../../emulators/slack';
import type { SlackEmulatorInstance } from '../../emulators/slack';
import { startZendeskEmulator, type ZendeskEmulator } from '../../emulators/zendesk';
import { type RealN8n, type WorkflowJson, startRealN8n } from '../harness/realN8n';

jest.setTimeout(240_000);

const SLACK_HOOK = '5d1a7c1e-0000-4000-8000-00000000c001';
const ZENDESK_HOOK = '5d1a7c1e-0000-4000-8000-00000000c002';
const SEVENTEEN_MB = 17 * 1024 * 1024;

function workflow(id: string, trigger: { name: string; type: string; [key: string]: unknown }): WorkflowJson {
	return {
		id,
		name: id,
		nodes: [
			{ position: [0, 0], ...trigger },
			{
				id: `${id}-noop`,
				name: 'Received',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
				parameters: {},
			},
		],
		connections: { [trigger.name]: { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

const slackWorkflow = workflow('e2eHostileSlack1', {
	id: `${SLACK_HOOK}-node`,
	name: 'Slack DM Trigger',
	type: 'n8n-nodes-slack-dm-zendesk.slackDmTrigger',
	typeVersion: 2,
	webhookId: SLACK_HOOK,
	parameters: { handles: { handle: [{ name: 'IT', userId: F.botUserId }] } },
	credentials: { slackDmApi: { id: 'e2eHostileSlackC', name: 'Slack DM (hostile)' } },
});

const zendeskWorkflow = workflow('e2eHostileZendsk', {
	id: `${ZENDESK_HOOK}-node`,
	name: 'Zendesk Reply Trigger',
	type: 'n8n-nodes-slack-dm-zendesk.zendeskReplyTrigger',
	// Version 2, as the templates: n8n reads the body of a version-1 trigger itself, whatever its type.
	typeVersion: 2,
	webhookId: ZENDESK_HOOK,
	parameters: {},
	credentials: { zendeskDmApi: { id: 'e2eHostileZendkC', name: 'Zendesk (hostile)' } },
});

let slack: SlackEmulatorInstance;
let zendesk: ZendeskEmulator;
let n8n: RealN8n;

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

async function post(
	path: string,
	body: Buffer | string,
	contentType: string,
): Promise<{ status: number; text: string }> {
	const response = await fetch(n8n.webhookUrl(path), {
		method: 'POST',
		headers: { 'content-type': contentType },
		body,
	});
	return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
	zendesk = await startZendeskEmulator({ rateLimits: false });
	n8n = await startRealN8n({
		mode: 'custom-extensions',
		workflows: [slackWorkflow, zendeskWorkflow],
		credentials: [
			{
				id: 'e2eHostileSlackC',
				name: 'Slack DM (hostile)',
				type: 'slackDmApi',
				data: { accessToken: F.botToken, signingSecret: slack.signingSecret, baseUrl: slack.apiUrl },
			},
			{
				id: 'e2eHostileZendkC',
				name: 'Zendesk (hostile)',
				type: 'zendeskDmApi',
				data: {
					subdomain: 'acme',
					email: zendesk.fixtures.bridge.email,
					apiToken: zendesk.fixtures.bridge.apiToken,
					baseUrl: zendesk.url,
				},
			},
		],
	});
	const driver = new SlackEventsDriver({
		url: n8n.webhookUrl(`${SLACK_HOOK}/slack-events`),
		signingSecret: slack.signingSecret,
		policy: { timeoutMs: 10_000, retryDelaysMs: [] },
	});
	const deadline = Date.now() + 30_000;
	while ((await driver.send(urlVerification('readiness'))).status === 404 && Date.now() < deadline) await sleep(250);
	while (zendesk.store.webhooks.size === 0 && Date.now() < deadline) await sleep(250);
});

afterAll(async () => {
	await n8n?.stop();
	await slack?.close();
	await zendesk?.close();
});

const TRIGGERS = [
	{ name: 'Slack DM Trigger', path: `${SLACK_HOOK}/slack-events`, workflowId: slackWorkflow.id },
	{ name: 'Zendesk Reply Trigger', path: `${ZENDESK_HOOK}/zendesk-reply`, workflowId: zendeskWorkflow.id },
];

describe.each(TRIGGERS)('$name in real n8n', ({ path, workflowId }) => {
	it('answers an unsigned multipart POST 415, with no stack trace and no execution', async () => {
		const multipart =
			'--XX\r\nContent-Disposition: form-data; name="payload"\r\n\r\n{"type":"event_callback"}\r\n--XX--\r\n';
		const answer = await post(path, multipart, 'multipart/form-data; boundary=XX');
		expect(answer.status).toBe(415);
		expect(answer.text).toContain('unsupported_media_type');
		expect(answer.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
		await sleep(1_000);
		expect(await n8n.executions({ workflowId })).toHaveLength(0);
	});

	it("answers a body over n8n's 16 MB limit 413 when the trigger reads it, and records no execution either way", async () => {
		const raw = await post(path, Buffer.alloc(SEVENTEEN_MB, 0x61), 'application/octet-stream');
		expect(raw.status).toBe(413);
		// A JSON body n8n parses itself before any node runs (webhook-helpers parseRequestBody): its
		// answer is n8n's own 500, which no trigger can change. Documented in docs/slack-setup.md,
		// with the reverse-proxy limit that answers 413 instead. It still records no execution.
		const json = await post(path, `{"x":"${'a'.repeat(SEVENTEEN_MB)}"}`, 'application/json');
		expect(json.status).toBe(500);
		expect(json.text).toContain('There was a problem executing the workflow');
		await sleep(1_000);
		expect(await n8n.executions({ workflowId })).toHaveLength(0);
	});

	it('answers an unsigned JSON POST 401 and records no execution', async () => {
		const answer = await post(
			path,
			'{"type":"event_callback","event_id":"Ev1","event":{"type":"message"}}',
			'application/json',
		);
		expect(answer.status).toBe(401);
		await sleep(500);
		expect(await n8n.executions({ workflowId })).toHaveLength(0);
	});
});
