/**
 * The Slack DM Trigger in a real n8n 2.41.1, fed over HTTP exactly as Slack sends (signed by the
 * Slack emulator's events driver), with auth.test answered by the Slack emulator.
 */
import {
	FIXTURE_IDS as F,
	SlackEventsDriver,
	messageIm,
	startSlackEmulator,
	urlVerification,
} from '../../emulators/slack';
import type { SlackEmulatorInstance } from '../../emulators/slack';
import { nodeOutput } from '../harness/n8nExecutions';
import { type RealN8n, startRealN8n } from '../harness/realN8n';

jest.setTimeout(240_000);

const AT_ONCE_HOOK = '5d1a7c1e-0000-4000-8000-00000000a001';
const AFTER_WORKFLOW_HOOK = '5d1a7c1e-0000-4000-8000-00000000a002';
const GROUPED_HOOK = '5d1a7c1e-0000-4000-8000-00000000a003';
const DM = 'D0EMPDM';

// Version 1 is what workflows saved before version 2 existed hold: it must keep working.
function triggerNode(webhookId: string, responseMode: string, options: Record<string, unknown> = {}, typeVersion = 2) {
	return {
		id: `${webhookId}-node`,
		name: 'Slack DM Trigger',
		type: 'n8n-nodes-slack-dm-zendesk.slackDmTrigger',
		typeVersion,
		position: [0, 0],
		webhookId,
		parameters: { responseMode, handles: { handle: [{ name: 'IT', userId: F.botUserId }] }, options },
		credentials: { slackDmApi: { id: 'e2eSlackDmCred01', name: 'Slack DM (e2e)' } },
	};
}

const atOnce = {
	id: 'e2eSlackDmAtOnce',
	name: 'slack dm trigger (respond at once)',
	nodes: [
		triggerNode(AT_ONCE_HOOK, 'onReceived', {}, 1),
		{
			id: '5d1a7c1e-0000-4000-8000-00000000b001',
			name: 'Received',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [220, 0],
			parameters: {},
		},
	],
	connections: { 'Slack DM Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

const afterWorkflow = {
	id: 'e2eSlackDmAfterW',
	name: 'slack dm trigger (respond after workflow, failing)',
	nodes: [
		triggerNode(AFTER_WORKFLOW_HOOK, 'lastNode'),
		{
			id: '5d1a7c1e-0000-4000-8000-00000000b002',
			name: 'Zendesk down',
			type: 'n8n-nodes-base.stopAndError',
			typeVersion: 1,
			position: [220, 0],
			parameters: { errorType: 'errorMessage', errorMessage: 'Zendesk is down' },
		},
	],
	connections: { 'Slack DM Trigger': { main: [[{ node: 'Zendesk down', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

const grouped = {
	id: 'e2eSlackDmGroupd',
	name: 'slack dm trigger (group messages under load)',
	nodes: [
		triggerNode(GROUPED_HOOK, 'onReceived', { groupUnderLoad: true }),
		{
			id: '5d1a7c1e-0000-4000-8000-00000000b003',
			name: 'Received',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [220, 0],
			parameters: {},
		},
	],
	connections: { 'Slack DM Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

let slack: SlackEmulatorInstance;
let n8n: RealN8n;
let atOnceDriver: SlackEventsDriver;
let afterWorkflowDriver: SlackEventsDriver;
let groupedDriver: SlackEventsDriver;

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
	n8n = await startRealN8n({
		mode: 'custom-extensions',
		workflows: [atOnce, afterWorkflow, grouped],
		credentials: [
			{
				id: 'e2eSlackDmCred01',
				name: 'Slack DM (e2e)',
				type: 'slackDmApi',
				data: { accessToken: F.botToken, signingSecret: slack.signingSecret, baseUrl: slack.apiUrl },
			},
		],
	});
	// One attempt per send: retries are sent explicitly with Slack's headers.
	const policy = { timeoutMs: 10_000, retryDelaysMs: [] };
	atOnceDriver = new SlackEventsDriver({
		url: n8n.webhookUrl(`${AT_ONCE_HOOK}/slack-events`),
		signingSecret: slack.signingSecret,
		policy,
	});
	afterWorkflowDriver = new SlackEventsDriver({
		url: n8n.webhookUrl(`${AFTER_WORKFLOW_HOOK}/slack-events`),
		signingSecret: slack.signingSecret,
		policy,
	});
	groupedDriver = new SlackEventsDriver({
		url: n8n.webhookUrl(`${GROUPED_HOOK}/slack-events`),
		signingSecret: slack.signingSecret,
		policy,
	});
	// n8n can log "ready" before it finished activating workflows (activation runs the trigger's
	// checkExists, which calls auth.test): wait until both webhooks are registered.
	for (const driver of [atOnceDriver, afterWorkflowDriver, groupedDriver]) {
		const deadline = Date.now() + 30_000;
		while ((await driver.send(urlVerification('readiness'))).status === 404 && Date.now() < deadline) await sleep(250);
	}
});

afterAll(async () => {
	await n8n?.stop();
	await slack?.close();
});

describe('Slack DM Trigger in real n8n', () => {
	it("answers Slack's url_verification challenge", async () => {
		const result = await atOnceDriver.send(urlVerification('e2e-challenge-123'));
		expect(result.status).toBe(200);
		expect(JSON.parse(result.body)).toEqual({ challenge: 'e2e-challenge-123' });
	});

	it('a signed DM starts one execution with the documented item; its retry starts none', async () => {
		const payload = messageIm({ user: F.employeeId, channel: DM, text: 'My VPN is down', ts: '1700000500.000100' });
		const first = await atOnceDriver.send(payload);
		expect(first.status).toBe(200);
		const retry = await atOnceDriver.send(payload, { retryNum: 1, retryReason: 'http_timeout' });
		expect(retry.status).toBe(200);

		const [execution] = await n8n.waitForExecutions(1, 30_000, { workflowId: atOnce.id });
		expect(execution.status).toBe('success');
		const items = nodeOutput(execution, 'Slack DM Trigger');
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			eventId: payload.event_id,
			idempotencyKey: `slack:${F.teamId}:${DM}:1700000500.000100`,
			handle: { name: 'IT', userId: F.botUserId, botId: F.botId, appId: F.appId },
			user: { id: F.employeeId, teamId: F.teamId, isExternal: false },
			channel: { id: DM, type: 'im' },
			message: { ts: '1700000500.000100', text: 'My VPN is down', files: [] },
			kind: 'message',
		});
		await sleep(1_500);
		expect(await n8n.executions({ workflowId: atOnce.id })).toHaveLength(1);
	});

	it("a request Slack hangs up on early still counts once: the trigger reads n8n's answer, not the connection", async () => {
		const payload = messageIm({ user: F.employeeId, channel: DM, text: 'hung up early', ts: '1700000600.000100' });
		await atOnceDriver.send(payload, { timeoutMs: 20 });
		await sleep(1_000);
		const retry = await atOnceDriver.send(payload, { retryNum: 1, retryReason: 'http_timeout' });
		expect(retry.status).toBe(200);
		await sleep(1_500);
		const executions = await n8n.executions({ workflowId: atOnce.id });
		const texts = executions.flatMap((execution) =>
			nodeOutput(execution, 'Slack DM Trigger').map((item) => (item.message as { text: string }).text),
		);
		expect(texts.filter((text) => text === 'hung up early')).toEqual(['hung up early']);
	});

	it('forged, stale and unsigned requests get 401 and start no execution', async () => {
		const payload = messageIm({ user: F.employeeId, channel: DM, text: 'forged' });
		expect((await atOnceDriver.send(payload, { signature: `v0=${'0'.repeat(64)}` })).status).toBe(401);
		expect((await atOnceDriver.send(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
		expect((await atOnceDriver.send(payload, { signature: 'omit' })).status).toBe(401);
		await sleep(1_500);
		expect(await n8n.executions({ workflowId: atOnce.id })).toHaveLength(2);
	});

	it('respond after the workflow: a failed run answers an error, and every Slack retry of it runs again until one succeeds', async () => {
		const payload = messageIm({ user: F.employeeId, channel: DM, text: 'needs a ticket' });
		const first = await afterWorkflowDriver.send(payload);
		expect(first.status).toBeGreaterThanOrEqual(500);
		const retry = await afterWorkflowDriver.send(payload, { retryNum: 1, retryReason: 'http_error' });
		expect(retry.status).toBeGreaterThanOrEqual(500);
		// The trigger saw n8n's error answers: whatever reason Slack gives, nothing was delivered yet.
		const timeoutRetry = await afterWorkflowDriver.send(payload, { retryNum: 2, retryReason: 'http_timeout' });
		expect(timeoutRetry.status).toBeGreaterThanOrEqual(500);

		const executions = await n8n.waitForExecutions(3, 30_000, { workflowId: afterWorkflow.id });
		expect(executions.map((e) => e.status)).toEqual(['error', 'error', 'error']);
		const keys = executions.map((e) => nodeOutput(e, 'Slack DM Trigger')[0]?.idempotencyKey);
		expect(new Set(keys).size).toBe(1);
		await sleep(1_500);
		expect(await n8n.executions({ workflowId: afterWorkflow.id })).toHaveLength(3);
	});

	describe('Group Messages Under Load', () => {
		const textsOf = (executions: Awaited<ReturnType<RealN8n['executions']>>) =>
			executions.flatMap((execution) =>
				nodeOutput(execution, 'Slack DM Trigger').map((item) => (item.message as { text: string }).text),
			);

		it('an idle trigger starts one execution per message', async () => {
			for (const text of ['idle 1', 'idle 2', 'idle 3']) {
				expect((await groupedDriver.send(messageIm({ user: F.employeeId, channel: DM, text }))).status).toBe(200);
				await sleep(300);
			}
			const executions = await n8n.waitForExecutions(3, 30_000, { workflowId: grouped.id });
			expect(executions.map((execution) => nodeOutput(execution, 'Slack DM Trigger').length)).toEqual([1, 1, 1]);
		});

		it('a burst of 40 DMs: every one acknowledged and emitted exactly once, in fewer executions', async () => {
			const texts = Array.from({ length: 40 }, (_, i) => `burst ${i}`);
			const answers = await Promise.all(
				texts.map(async (text) => await groupedDriver.send(messageIm({ user: F.employeeId, channel: DM, text }))),
			);
			expect(answers.map((answer) => answer.status)).toEqual(texts.map(() => 200));
			// Executions are created before the acknowledgements: they only need to finish.
			const created = (await n8n.executions({ workflowId: grouped.id })).length;
			const finished = await n8n.waitForExecutions(created, 30_000, { workflowId: grouped.id });
			const burst = finished.slice(3);
			expect(burst.every((execution) => execution.status === 'success')).toBe(true);
			expect(textsOf(burst).sort()).toEqual([...texts].sort());
			expect(burst.length).toBeLessThan(texts.length);
			await sleep(1_500);
			expect(await n8n.executions({ workflowId: grouped.id })).toHaveLength(finished.length);
		});
	});

	it('called auth.test once for all of it', () => {
		expect(slack.server.countCalls('auth.test')).toBe(1);
	});
});
