/**
 * What the scale-out suites (Support and Zendesk Messaging templates) do to the topology of
 * topology.ts: find which webhook process nginx gave a request to, send a Slack event straight to
 * one webhook process, and wait until a workflow's executions have all finished.
 */
import type { SlackEventEnvelope } from '../../emulators/slack/builders';
import { SlackEventsDriver } from '../../emulators/slack/events';
import { type Execution, isFinished } from './n8nExecutions';
import type { N8nProcess } from './realN8n';
import type { FrontRequest, ScaleOut } from './topology';

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

	return { routeOf, sendDirect, quiet };
}
