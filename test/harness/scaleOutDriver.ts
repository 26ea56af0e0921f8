/**
 * What the scale-out suites (Support and Zendesk Messaging templates) do to the topology of
 * topology.ts: find which webhook process nginx gave a request to, send a Slack event straight to
 * one webhook process, and wait until a workflow's executions have all finished.
 */
import type { SlackEventEnvelope } from '../../emulators/slack/builders';
import { SlackEventsDriver } from '../../emulators/slack/events';
import { type Execution, isFinished } from './n8nExecutions';
import { type Pipeline, TEMPLATE_CREDENTIALS, loadTemplate, patchWorkflow, webhookIdOf } from './pipeline';
import type { N8nProcess, WorkflowJson as Workflow } from './realN8n';
import { FRONT_URL, type FrontRequest, type ScaleOut, startScaleOut } from './topology';

type SlackEmulator = Pipeline['slack'][string];

export const executionOutcome = (execution: Execution): string => {
	const error = execution.data?.resultData.error as { message?: string } | undefined;
	return error ? `${execution.status}: ${error.message}` : execution.status;
};

const delay = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export function scaleOutDriver(scale: ScaleOut, slackEventsPath: string, signingSecret: () => string) {
	/** The webhook process nginx gave the (last) matching request to, and the other one. */
	async function routeOf(match: (request: FrontRequest) => boolean): Promise<{ took: N8nProcess; other: N8nProcess }> {
		const entry = await scale.nginx.loggedRequest(match);
		const took = entry && scale.webhookProcessAt(entry.upstream);
		if (!took) throw new Error('nginx logged no such request');
		const other = scale.webhookProcesses().find((p) => p !== took);
		if (!other) throw new Error('only one webhook process');
		return { took, other };
	}

	/** Sends one Slack event straight to a webhook process (bypassing nginx), as Slack's retry `retryNum`. */
	async function sendDirect(processName: string, envelope: SlackEventEnvelope, retryNum?: number) {
		const target = scale.webhookProcesses().find((p) => p.name === processName);
		if (!target) throw new Error(`no ${processName}`);
		const driver = new SlackEventsDriver({
			url: scale.directWebhookUrl(target, slackEventsPath),
			signingSecret: signingSecret(),
		});
		return await driver.send(envelope, retryNum ? { retryNum, retryReason: 'http_timeout' } : {});
	}

	/** Every execution of the workflow since the last call, once all of them finished and no new one came for 2 s. */
	async function quiet(workflowId: string, timeoutMs = 60_000): Promise<Execution[]> {
		const pipeline = scale.pipeline;
		const deadline = Date.now() + timeoutMs;
		let lastCount = -1;
		for (;;) {
			await pipeline.settle();
			const fresh = await pipeline.unseenExecutions(workflowId);
			if (fresh.every(isFinished) && fresh.length === lastCount) {
				await pipeline.skipExisting(workflowId);
				return fresh;
			}
			lastCount = fresh.every(isFinished) ? fresh.length : -1;
			if (Date.now() > deadline)
				throw new Error(`executions of ${workflowId} did not settle: ${fresh.map(executionOutcome)}`);
			await delay(2_000);
		}
	}

	/**
	 * Each text as a DM of the user through nginx, then Slack's retry of it straight to the other
	 * webhook process; per text: where each went, the retry's answer, the workflow's executions
	 * once they have all finished.
	 */
	async function sendEachWithRetryElsewhere(slack: SlackEmulator, userId: string, texts: string[], workflowId: string) {
		let channel = '';
		const deliveries = [];
		for (const text of texts) {
			const sent = await slack.userSends({ userId, text });
			channel = sent.channel;
			const envelope = sent.envelopes[0];
			const eventId = String(envelope.event_id);
			const { took, other } = await routeOf((r) => r.body.includes(eventId));
			const retry = await sendDirect(other.name, envelope, 1);
			const route = `"${text}": first to ${took.name}, retry to ${other.name}: ${retry.status} ${retry.body}`;
			deliveries.push({ route, retryStatus: retry.status, runs: await quiet(workflowId) });
		}
		return { channel, deliveries };
	}

	return { routeOf, sendDirect, quiet, sendEachWithRetryElsewhere };
}

/**
 * One scale-out topology for a test file, with a pair of inbound and outbound templates: started
 * before its tests (the out-of-hours reply always open), stopped after them; before each test the
 * Slack events go to nginx again and earlier executions are skipped.
 */
/** The team channel of the delivery failure alert workflow (the inbound templates' error workflow). */
export const ALERT_CHANNEL = 'C0ALERTS';
/** The Slack handle's bot user (the template credential's). */
const HANDLE_BOT = 'U0HANDLEBOT';

/** The text that makes the desk closed for a message (a holiday today): the out-of-hours test's messages. */
export const DESK_CLOSED_MARK = '[desk closed]';

/**
 * The template's out-of-hours reply, open all day except for a message that says DESK_CLOSED_MARK
 * (today is a holiday for it), so that only the out-of-hours test meets the closed desk.
 */
const DESK_OPEN_UNLESS_ASKED = {
	businessHours: 'Mon-Sun 00:00-24:00',
	businessHolidays: `={{ String($json.message?.text ?? '').includes('${DESK_CLOSED_MARK}') ? $now.setZone('Europe/Berlin').toFormat('yyyy-MM-dd') : '' }}`,
};

export function useScaleOut(options: {
	label: string;
	inbound: Workflow;
	outbound: Workflow;
	messaging?: boolean;
	/** Slack user ids `U0${userPrefix}001`, … */
	userPrefix: string;
}) {
	const INBOUND = options.inbound.id as string;
	const OUTBOUND = options.outbound.id as string;
	const slackEventsPath = `${webhookIdOf(options.inbound, 'Slack DM Trigger')}/slack-events`;
	const log = (text: string) => process.stderr.write(`[e2e ${options.label}] ${text}\n`);
	let scale: ScaleOut | undefined;
	const topology = () => {
		if (!scale) throw new Error('the scale-out topology is not running');
		return scale;
	};
	const slack = () => topology().pipeline.slack.main;

	beforeAll(async () => {
		scale = await startScaleOut({
			workflows: [
				patchWorkflow(loadTemplate('alerts'), {
					nodes: {
						'Alert support channel': { alertChannelId: ALERT_CHANNEL },
						// Look back one minute: the messages of the test that kills a worker, not the earlier tests'.
						'Catch up missed DMs': { triggerUrl: `${FRONT_URL}/webhook/${slackEventsPath}`, lookBackMinutes: 1 },
					},
				}),
				patchWorkflow(options.inbound, { nodes: { 'Out-of-hours reply': DESK_OPEN_UNLESS_ASKED } }),
				options.outbound,
			],
			slack: { main: { credentialId: TEMPLATE_CREDENTIALS.slack.id, eventsToWorkflow: INBOUND } },
			messaging: options.messaging,
		});
		scale.pipeline.slack.main.addChannel({ id: ALERT_CHANNEL, name: 'support-alerts', members: [HANDLE_BOT] });
		log(`ready: ${JSON.stringify(scale.pipeline.timings)}`);
	}, 400_000);
	afterAll(async () => await scale?.stop());
	beforeEach(async () => {
		const { pipeline } = topology();
		slack().setEventsUrl(pipeline.n8n.webhookUrl(slackEventsPath));
		await pipeline.settle();
		for (const workflowId of [INBOUND, OUTBOUND]) await pipeline.skipExisting(workflowId);
	});

	let userSeq = 0;
	const newUser = (): string => {
		userSeq += 1;
		const n = String(userSeq).padStart(3, '0');
		const name = `${options.userPrefix.toLowerCase()}-user-${n}`;
		slack().addUser({
			id: `U0${options.userPrefix}${n}`,
			teamId: 'T0ACME',
			name,
			realName: name,
			email: `${name}@acme.test`,
		});
		return `U0${options.userPrefix}${n}`;
	};

	return {
		INBOUND,
		OUTBOUND,
		SLACK_EVENTS_PATH: slackEventsPath,
		topology,
		slack,
		driver: () => scaleOutDriver(topology(), slackEventsPath, () => slack().signingSecret),
		newUser,
		log,
	};
}
