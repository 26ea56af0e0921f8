/**
 * The "Zendesk outage" scenario (issue 24, G7), workflow (a) only: DMs from several users at a
 * steady pace while the Zendesk emulator answers 503 to every API request (fault route `*`, as
 * test/e2e/outage-drain.test.ts), then Zendesk comes back and the bench waits until every message
 * is in its ticket or the bound passes. The template parks each message on the nodes' Service
 * Unavailable output in an n8n Wait node of at least 65 s (docs/outages.md).
 */
import { listExecutions } from '../test/harness/n8nExecutions';
import { outageFigures } from './outageReport';
import { type ScenarioResult, countDeliveries } from './report';
import {
	type BenchUser,
	type Context,
	type Target,
	Measurement,
	ScenarioRun,
	atRate,
	closedLoop,
	knownUser,
	newSlackUser,
	waitForDeliveries,
} from './runner';

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

interface OutageWindow {
	startedAt: number;
	recoveredAt: number;
}

/** One message per known user before the outage (not measured): caches and the OAuth token are warm. */
async function warmUp(ctx: Context, target: Target, users: BenchUser[]): Promise<void> {
	const warm = new ScenarioRun(target, 'warmup');
	await closedLoop(users.length, 5, (i) => warm.send(users[i], 'Warm-up'));
	const markers = warm.sent.map((m) => m.marker);
	await waitForDeliveries(ctx, target, markers, ctx.sizes.quietMs, ctx.sizes.deadlineMs);
}

/** Users in the order they write: the new ones first, so a first message ever falls in the outage. */
function outageUsers(ctx: Context, target: Target): BenchUser[] {
	const fresh = Array.from({ length: ctx.sizes.outageNewUsers }, () => newSlackUser(ctx, target.key, 'P'));
	const known = Array.from({ length: ctx.sizes.outageKnownUsers }, () => knownUser(ctx, target, 'O'));
	return [...fresh, ...known];
}

/** Zendesk down, messages sent, Zendesk back after `outageMs`, then the drain (bounded). */
async function outageBody(
	ctx: Context,
	target: Target,
	users: BenchUser[],
	window: OutageWindow,
	run: ScenarioRun,
): Promise<void> {
	const s = ctx.sizes;
	const zendesk = target.zendesk!;
	zendesk.server.injectFault('*', { kind: 'status', status: 503 }, 1_000_000);
	window.startedAt = Date.now();
	await atRate(s.outageMessages, 1000 / s.outageIntervalMs, (i) =>
		run.send(users[i % users.length], 'While Zendesk is down'),
	);
	const left = s.outageMs - (Date.now() - window.startedAt);
	if (left > 0) await sleep(left);
	zendesk.server.clearFaults();
	window.recoveredAt = Date.now();
	const markers = run.sent.map((m) => m.marker);
	// No progress for a minute or more is normal here (the shortest wait is 65 s): only the bound ends it.
	await waitForDeliveries(ctx, target, markers, s.outageBoundMs, s.outageBoundMs);
}

export async function outage(ctx: Context, target: Target): Promise<ScenarioResult> {
	const s = ctx.sizes;
	const zendesk = target.zendesk;
	const tracker = target.tracker;
	if (!zendesk || !tracker) throw new Error(`bench: the outage scenario needs a Zendesk workflow, not (${target.key})`);
	const users = outageUsers(ctx, target);
	await warmUp(ctx, target, users.slice(s.outageNewUsers));
	const callsBefore = zendesk.server.calls.length;
	const window: OutageWindow = { startedAt: 0, recoveredAt: 0 };
	const measurement = new Measurement(ctx, target, 'outage');
	await measurement.segment(async (run) => await outageBody(ctx, target, users, window, run));
	const result = await measurement.result();
	const { sent, startedAt } = measurement.run;
	const executions = await listExecutions(ctx.n8n.rest, { workflowId: target.workflowId, startedAfter: startedAt });
	result.outage = outageFigures({
		sent,
		firstStoredAt: countDeliveries(
			sent.map((m) => m.marker),
			tracker.comments,
		).firstStoredAt,
		outageStartedAt: window.startedAt,
		recoveredAt: window.recoveredAt,
		executionStatuses: executions.map((e) => e.status),
		zendeskStatuses: zendesk.server.calls.slice(callsBefore).map((c) => c.status),
	});
	result.notes.push(
		`Zendesk answered 503 to every API request (fault route '*') for ${(window.recoveredAt - window.startedAt) / 1000} s while ${sent.length} messages of ${users.length} users (${s.outageNewUsers} new) were sent, one every ${s.outageIntervalMs / 1000} s; drain bound ${s.outageBoundMs / 60_000} min after recovery`,
	);
	return result;
}
