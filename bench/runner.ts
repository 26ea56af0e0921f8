/**
 * The benchmark proper (runs inside the namespace made by bench/netns.ts): emulators behind the
 * TLS front, one real n8n 2.41.1 with the three workflows, the five scenarios per workflow one
 * after the other, and the result files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURE_IDS as F, SlackEventsDriver, messageIm, startSlackEmulator } from '../emulators/slack';
import type { SendResult, SlackEmulatorInstance, SlackEventEnvelope } from '../emulators/slack';
import { startZendeskEmulator } from '../emulators/zendesk';
import { startSunshineEmulator, type SunshineEmulator } from '../emulators/sunshine';
import { emulatorOAuth2Data } from '../sandbox/settings';
import type { ZendeskEmulator } from '../emulators/zendesk';
import type { CallRecord } from '../emulators/common/server';
import { ticketExternalId, userExternalId } from '../nodes/shared/externalIds';
import { type Execution, listExecutions, nodeOutput, readExecution } from '../test/harness/n8nExecutions';
import { REPO_ROOT, ensureRuntime } from '../test/harness/n8nRuntime';
import { type CredentialJson, type RealN8n, type WorkflowJson, startRealN8n } from '../test/harness/realN8n';
import {
	type ScenarioKey,
	type ScenarioResult,
	type FloorExecution,
	type StoredComment,
	type WorkflowKey,
	ackFigures,
	checkTargets,
	countDeliveries,
	countOutOfOrder,
	distribution,
	floorDeliveries,
	isAcknowledged,
	markdownReport,
	markerFor,
	maxInWindow,
	ratiosFor,
	roundOrder,
	type SendWindow,
	windowedMessagesPerSecond,
} from './report';
import { startQueueInfra } from '../test/harness/queueInfra';
import { QUEUE_WEBHOOK_PROCESSES, QUEUE_WORKERS, startBalancer } from './balancer';
import { startTlsFront } from './tlsFront';
import { outage } from './outageScenario';
import { addCpuBetween, cpuNote, cpuSnapshot } from './cpuProbe';
import { historyNote, storeSentMessage } from './slackHistory';
import type { SlackWorkspace } from '../emulators/slack/state';
import { FLOOR_TRIGGER_NODE, FLOOR_TRIGGER_WORKFLOW_SOURCE, prepareFloorTrigger } from './floorTrigger';

export const HOSTS = {
	slack: 'slack.com',
	zendeskA: 'bench-a.zendesk.com',
	zendeskB: 'bench-b.zendesk.com',
	// (a′): its own Zendesk (the Profile Linker) and Zendesk messaging (Sunshine, joined to it as the agent workspace).
	zendeskM: 'bench-m.zendesk.com',
	sunshineM: 'bench-msg.zendesk.com',
};
const BENCH_DIR = __dirname;
const INBOUND_TEMPLATE = path.join(REPO_ROOT, 'workflows', 'slack-dm-to-zendesk.json');
const MESSAGING_TEMPLATE = path.join(REPO_ROOT, 'workflows', 'slack-dm-to-zendesk-messaging.json');
/** The scenarios (a′) runs in (issue G2b): its Sunshine cost, a chatty user, Slack's retries. */
const MESSAGING_SCENARIOS: ScenarioKey[] = ['steady', 'chatty', 'retries'];
const BASELINE_TOKEN = 'xoxb-bench-baseline';
/** (a′)'s own token for the same bot, so that its Slack calls are never counted as (a)'s. */
const MESSAGING_TOKEN = 'xoxb-bench-messaging';

export interface BenchOptions {
	smoke: boolean;
	outDir: string;
	command: string;
	/** Run only these scenarios (a partial re-run; its files get the scenarios in their name). */
	only?: ScenarioKey[];
	/** Extra environment for the n8n process (`--n8n-env=KEY=VALUE`): n8n settings compared in the same way. */
	n8nEnv?: Record<string, string>;
	/** n8n in queue mode (`--queue`): Redis, PostgreSQL, two webhook processes behind nginx, two workers (bench/balancer.ts). */
	queue?: boolean;
	/** Appended to the result files' names (`--label=messaging`). */
	label?: string;
}

/** How much load each scenario makes; the smoke sizes only prove that everything still runs. */
export interface Sizes {
	searchDelayMs: number;
	steadyUsers: number;
	steadyMessages: number;
	steadyRatePerSecond: number;
	/** Closed-loop messages per round and in flight; rounds interleave the workflows (steady state). */
	throughputMessages: number;
	throughputConcurrency: number;
	throughputRounds: number;
	burstUsers: number;
	burstConcurrency: number;
	burstSecondMessageAfterMs: number;
	chattyMessages: number;
	chattyIntervalMs: number;
	stormMessages: number;
	stormRatePerSecond: number;
	stormStartMs: number;
	stormDurationMs: number;
	retriesMessages: number;
	retriesRatePerSecond: number;
	/** Stop waiting for deliveries after this long without progress. */
	quietMs: number;
	chattyQuietMs: number;
	deadlineMs: number;
	chattyDeadlineMs: number;
	/** Extra wait after the last delivery, for late duplicates. */
	graceMs: number;
	/** Zendesk outage (bench/outageScenario.ts): users, messages at a steady pace, fault length, drain bound. */
	outageKnownUsers: number;
	outageNewUsers: number;
	outageMessages: number;
	outageIntervalMs: number;
	outageMs: number;
	outageBoundMs: number;
}

export const FULL: Sizes = {
	searchDelayMs: 3_000,
	// 100 users × (1 warm-up + 4) messages: steady state stays far below Zendesk's 30 updates per
	// ticket per 10 minutes, past which (a) holds messages back on purpose (the chatty scenario).
	steadyUsers: 100,
	steadyMessages: 200,
	steadyRatePerSecond: 5,
	throughputMessages: 200,
	throughputConcurrency: 10,
	throughputRounds: 3,
	burstUsers: 30,
	burstConcurrency: 30,
	burstSecondMessageAfterMs: 1_500,
	chattyMessages: 60,
	chattyIntervalMs: 1_000,
	stormMessages: 40,
	stormRatePerSecond: 2,
	stormStartMs: 5_000,
	stormDurationMs: 10_000,
	retriesMessages: 60,
	retriesRatePerSecond: 3,
	quietMs: 25_000,
	chattyQuietMs: 150_000,
	deadlineMs: 180_000,
	chattyDeadlineMs: 780_000,
	graceMs: 5_000,
	// Issue G7's measurement: 30 DMs from 10 users (2 of them new), one every 2 s, Zendesk down 60 s.
	outageKnownUsers: 8,
	outageNewUsers: 2,
	outageMessages: 30,
	outageIntervalMs: 2_000,
	outageMs: 60_000,
	outageBoundMs: 480_000,
};

export const SMOKE: Sizes = {
	searchDelayMs: 3_000,
	steadyUsers: 3,
	steadyMessages: 6,
	steadyRatePerSecond: 6,
	throughputMessages: 8,
	throughputConcurrency: 4,
	throughputRounds: 2,
	burstUsers: 3,
	burstConcurrency: 3,
	burstSecondMessageAfterMs: 500,
	chattyMessages: 5,
	chattyIntervalMs: 200,
	stormMessages: 4,
	stormRatePerSecond: 4,
	stormStartMs: 0,
	stormDurationMs: 1_500,
	retriesMessages: 3,
	retriesRatePerSecond: 6,
	quietMs: 5_000,
	chattyQuietMs: 5_000,
	deadlineMs: 30_000,
	chattyDeadlineMs: 30_000,
	graceMs: 1_000,
	// The template's shortest wait is 65 s: even the smoke run drains for over a minute.
	outageKnownUsers: 2,
	outageNewUsers: 1,
	outageMessages: 4,
	outageIntervalMs: 500,
	outageMs: 3_000,
	outageBoundMs: 240_000,
};

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Deliveries: every comment the Zendesk emulator stores, with the time it was stored.

export class DeliveryTracker {
	readonly comments: StoredComment[] = [];

	private readonly seen = new Map<number, number>();

	constructor(
		readonly zendesk: ZendeskEmulator,
		sunshine?: SunshineEmulator,
	) {
		this.scan();
		// Observers run right after the emulator has answered (the store is already updated).
		zendesk.server.observers.push((call) => {
			if (call.status < 300 && call.method !== 'GET' && call.path.includes('/tickets')) this.scan();
		});
		// (a′): the agent workspace writes the messaging ticket while Sunshine takes the message.
		sunshine?.server.observers.push((call) => {
			if (call.status < 300 && call.method === 'POST') this.scan();
		});
	}

	scan(): void {
		const now = Date.now();
		for (const ticket of this.zendesk.store.tickets.values()) {
			const done = this.seen.get(ticket.id) ?? 0;
			for (let i = done; i < ticket.comments.length; i++) {
				const comment = ticket.comments[i];
				this.comments.push({ ticketId: ticket.id, text: comment.plain_body || comment.body, storedAt: now });
			}
			this.seen.set(ticket.id, ticket.comments.length);
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Peak memory of the n8n process: VmHWM, reset per scenario through /proc/<pid>/clear_refs.

class MemoryProbe {
	private polledMaxKb = 0;

	private timer?: NodeJS.Timeout;

	resettable = true;

	constructor(readonly pid: number | undefined) {}

	private status(field: string): number | undefined {
		if (!this.pid) return undefined;
		try {
			const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
				fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'),
			);
			return match ? Number(match[1]) : undefined;
		} catch {
			return undefined;
		}
	}

	start(): void {
		if (!this.pid) return;
		try {
			// "5" resets the peak RSS (VmHWM) to the current RSS (Linux 4.0+).
			fs.writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
		} catch {
			this.resettable = false;
		}
		this.polledMaxKb = this.status('VmRSS') ?? 0;
		this.timer = setInterval(() => {
			this.polledMaxKb = Math.max(this.polledMaxKb, this.status('VmRSS') ?? 0);
		}, 200);
	}

	stopMb(): number | null {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		if (!this.pid) return null;
		const hwm = this.resettable ? (this.status('VmHWM') ?? 0) : 0;
		const kb = Math.max(hwm, this.polledMaxKb);
		return kb ? kb / 1024 : null;
	}
}

/** The `n8n start` process of this user folder (not its supervisor, not the task runner). */
function findN8nPid(userFolder: string, n8nBin: string): number | undefined {
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (argv[1] !== n8nBin || argv[2] !== 'start') continue;
			if (fs.readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`N8N_USER_FOLDER=${userFolder}\0`))
				return Number(entry);
		} catch {
			// Process gone or not readable.
		}
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// The three workflows.

export interface BenchUser {
	slackId: string;
	dm: string;
}

export interface Target {
	key: WorkflowKey;
	workflowId: string;
	url: string;
	driver: SlackEventsDriver;
	zendesk?: ZendeskEmulator;
	/** (a′): the Sunshine emulator its Upsert writes to. */
	sunshine?: SunshineEmulator;
	tracker?: DeliveryTracker;
	slackToken?: string;
	/** A floor's trigger, whose output holds the message: `Webhook` for (c) (the default), (d)'s own. */
	triggerNode?: string;
	/** The Slack the workflows read: each message is stored there before its event is sent (bench/slackHistory.ts). */
	slackWorkspace?: SlackWorkspace;
}

const CREDENTIAL_IDS = {
	slackDmApi: { id: 'benchSlackDm0001', name: 'Slack DM (bench)' },
	zendeskDmApi: { id: 'benchZendeskDm01', name: 'Zendesk DM (bench)' },
	zendeskDmOAuth2Api: { id: 'benchZendeskOA01', name: 'Zendesk DM OAuth2 (bench)' },
	zendeskMessagingApi: { id: 'benchZendMsgM001', name: 'Zendesk messaging (bench, a′)' },
	slackApi: { id: 'benchSlackBase01', name: 'Slack (bench baseline)' },
	zendeskApi: { id: 'benchZendeskBase', name: 'Zendesk (bench baseline)' },
} as const;

function readJson<T>(file: string): T {
	return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** (a′)'s Profile Linker reads its own Zendesk (bench-m); its Slack nodes use their own token. */
const MESSAGING_OAUTH2 = { id: 'benchZendeskOAM1', name: 'Zendesk DM OAuth2 (bench, a′)' };
const MESSAGING_SLACK = { id: 'benchSlackDmM001', name: 'Slack DM (bench, a′)' };

/** A shipped inbound template with its credential placeholders pointed at the bench credentials. */
function inboundWorkflow(
	file = INBOUND_TEMPLATE,
	id = 'benchInboundA001',
	label = '(a)',
	ids: Record<string, { id: string; name: string }> = CREDENTIAL_IDS,
): WorkflowJson {
	const template = readJson<WorkflowJson>(file);
	const nodes = template.nodes.map((node) => {
		// The out-of-hours branch stays in, always open: figures must not depend on the time of day.
		if (node.name === 'Out-of-hours reply')
			node = { ...node, parameters: { ...(node.parameters as object), businessHours: 'Mon-Sun 00:00-24:00' } };
		const credentials = node.credentials as Record<string, unknown> | undefined;
		if (!credentials) return node;
		const replaced = Object.fromEntries(Object.keys(credentials).map((type) => [type, ids[type] ?? credentials[type]]));
		return { ...node, credentials: replaced };
	});
	return { ...template, id, name: `bench ${label}: ${String(template.name)}`, tags: [], nodes };
}

function webhookIdOf(workflow: WorkflowJson, typeSuffix: string): string {
	const node = workflow.nodes.find((n) => n.type.endsWith(typeSuffix));
	if (!node || typeof node.webhookId !== 'string')
		throw new Error(`workflow ${String(workflow.name)} has no ${typeSuffix} with a webhookId`);
	return node.webhookId;
}

// ---------------------------------------------------------------------------------------------
// Sending.

interface Sent {
	marker: string;
	slackId: string;
	sentAt: number;
}

export class ScenarioRun {
	readonly sent: Sent[] = [];

	readonly attempts: SendResult[] = [];

	readonly startedAt = Date.now();

	private seq = 0;

	constructor(
		readonly target: Target,
		/** A scenario, or `warmup` for messages that are not measured. */
		readonly label: ScenarioKey | 'warmup',
	) {}

	/** A new message from `user`: its marker is what later identifies the stored comment. */
	payload(user: BenchUser, phrase = 'Hello from the benchmark'): { envelope: SlackEventEnvelope; marker: string } {
		const marker = markerFor(this.target.key, this.label, ++this.seq);
		const message = { user: user.slackId, channel: user.dm, text: `${phrase} ${marker}` };
		const ws = this.target.slackWorkspace;
		const ts = ws ? storeSentMessage(ws, { ...message, team: F.teamId }) : undefined;
		return { envelope: messageIm({ ...message, ...(ts ? { ts } : {}) }), marker };
	}

	async send(user: BenchUser, phrase?: string): Promise<{ envelope: SlackEventEnvelope; result: SendResult }> {
		const { envelope, marker } = this.payload(user, phrase);
		const sentAt = Date.now();
		this.sent.push({ marker, slackId: user.slackId, sentAt });
		const result = await this.target.driver.send(envelope);
		this.attempts.push(result);
		return { envelope, result };
	}

	/** The same event again, as Slack retries it. */
	async resend(envelope: SlackEventEnvelope, retryNum: number): Promise<SendResult> {
		const result = await this.target.driver.send(envelope, { retryNum, retryReason: 'http_timeout' });
		this.attempts.push(result);
		return result;
	}
}

/** Sends `count` messages at a fixed rate without waiting for answers (Slack does not wait either). */
export async function atRate(
	count: number,
	perSecond: number,
	sendOne: (i: number) => Promise<unknown>,
): Promise<void> {
	const start = Date.now();
	const pending: Array<Promise<unknown>> = [];
	for (let i = 0; i < count; i++) {
		const due = start + (i * 1000) / perSecond;
		if (due > Date.now()) await sleep(due - Date.now());
		pending.push(sendOne(i));
	}
	await Promise.all(pending);
}

/** Sends `count` messages with at most `concurrency` waiting for their acknowledgement. */
export async function closedLoop(
	count: number,
	concurrency: number,
	sendOne: (i: number) => Promise<unknown>,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < count) {
			const i = next++;
			await sendOne(i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

// ---------------------------------------------------------------------------------------------

export interface Context {
	sizes: Sizes;
	n8n: RealN8n;
	slack: SlackEmulatorInstance;
	memory: MemoryProbe;
	targets: Record<WorkflowKey, Target>;
	usersCreated: number;
}

export function newSlackUser(ctx: Context, key: WorkflowKey, kind: string): BenchUser {
	const n = ++ctx.usersCreated;
	const slackId = `U${key.toUpperCase()}${kind}${String(n).padStart(4, '0')}`;
	ctx.slack.addUser({
		id: slackId,
		teamId: F.teamId,
		name: slackId.toLowerCase(),
		realName: `Bench ${slackId}`,
		email: `${slackId.toLowerCase()}@acme.test`,
	});
	return { slackId, dm: ctx.slack.openDm(slackId, F.botUserId) };
}

/** A Slack user Zendesk already knows, with an open ticket for the conversation (as each workflow finds it). */
export function knownUser(ctx: Context, target: Target, kind: string): BenchUser {
	const user = newSlackUser(ctx, target.key, kind);
	const zd = target.zendesk;
	if (!zd) return user;
	const bridge = zd.store.getUser(zd.fixtures.bridge.id);
	const externalId =
		target.key === 'a' || target.key === 'm' ? userExternalId(F.teamId, user.slackId) : `slack:${user.slackId}`;
	const zUser = zd.store.insertUser(
		{
			name: `Bench ${user.slackId}`,
			email: `${user.slackId.toLowerCase()}@acme.test`,
			external_id: externalId,
			role: 'end-user',
		},
		true,
	);
	// (a′): the messaging ticket is the agent workspace's to open (its warm-up message does).
	if (target.key === 'm') return user;
	const ticket = zd.store.createTicket(
		{
			requester_id: zUser.id,
			subject: `Known conversation of ${user.slackId}`,
			status: 'open',
			comment: { body: 'Earlier conversation (seeded by the benchmark)', author_id: zUser.id, public: true },
			...(target.key === 'a' ? { external_id: ticketExternalId({ teamId: F.teamId, channelId: user.dm }) } : {}),
		},
		bridge,
	).ticket;
	zd.store.reindex('ticket', ticket.id, true);
	return user;
}

export async function waitForDeliveries(
	ctx: Context,
	target: Target,
	markers: string[],
	quietMs: number,
	deadlineMs: number,
): Promise<void> {
	if (!target.tracker || markers.length === 0) return;
	const start = Date.now();
	let delivered = -1;
	let lastProgress = Date.now();
	for (;;) {
		const count = countDeliveries(markers, target.tracker.comments);
		const now = Date.now();
		if (count.lost === 0) break;
		if (markers.length - count.lost !== delivered) {
			delivered = markers.length - count.lost;
			lastProgress = now;
		}
		if (now - lastProgress > quietMs || now - start > deadlineMs) break;
		await sleep(250);
	}
	// Late copies (a workflow that retried on its own) still count as duplicates.
	await sleep(ctx.sizes.graceMs);
}

/** Executions by status since `since`, and where the first failed ones stopped (explains losses). */
async function executionOutcomes(ctx: Context, target: Target, since: number): Promise<string[]> {
	const executions = await listExecutions(ctx.n8n.rest, { workflowId: target.workflowId, startedAfter: since });
	const byStatus = new Map<string, number>();
	for (const e of executions) byStatus.set(e.status, (byStatus.get(e.status) ?? 0) + 1);
	const failed = executions.filter((e) => e.status === 'error' || e.status === 'crashed');
	if (failed.length === 0) return [];
	const reasons = new Map<string, number>();
	for (const e of failed.slice(0, 5)) {
		try {
			const data = (await readExecution(ctx.n8n.rest, e)).data;
			const node = data?.resultData.lastNodeExecuted ?? '?';
			const reason = `${node}: ${String(data?.resultData.error?.message ?? 'no message').slice(0, 160)}`;
			reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
		} catch {
			// Execution pruned or unreadable; the counts still stand.
		}
	}
	const counts = [...byStatus.entries()].map(([status, n]) => `${n} ${status}`).join(', ');
	return [
		`executions: ${counts}; first failures: ${[...reasons.entries()].map(([r, n]) => `${n} × ${r}`).join(' | ')}`,
	];
}

/** How many sends n8n acknowledged (2xx): each of those, and only those, started an execution. */
function acknowledged(attempts: readonly SendResult[]): number {
	return attempts.filter((a) => isAcknowledged(a.status)).length;
}

/**
 * Executions of `target` started since `since` that have finished, once there are `count` of them
 * (or the deadline passed). For the floor, which has no Zendesk to watch.
 */
async function finishedExecutions(ctx: Context, target: Target, since: number, count: number): Promise<Execution[]> {
	const deadline = Date.now() + ctx.sizes.deadlineMs;
	for (;;) {
		const finished = (
			await listExecutions(ctx.n8n.rest, { workflowId: target.workflowId, startedAfter: since })
		).filter((e) => e.stoppedAt && e.status !== 'running' && e.status !== 'new');
		if (finished.length >= count || Date.now() > deadline) return finished;
		await sleep(500);
	}
}

/**
 * For the floor: wait until n8n has finished `count` executions started since `since`, then read
 * what each one received (its Webhook node's output holds the message's marker).
 */
async function floorExecutions(ctx: Context, target: Target, since: number, count: number): Promise<FloorExecution[]> {
	const finished = await finishedExecutions(ctx, target, since, count);
	// Read after the wait, a few at a time: the stop times are n8n's own, reading late does not move them.
	const out: FloorExecution[] = [];
	for (let i = 0; i < finished.length; i += 10) {
		const batch = await Promise.all(
			finished.slice(i, i + 10).map(async (e) => {
				let payload = '';
				try {
					// `Webhook`: the trigger's name in bench/workflows/floor-webhook-noop.json.
					const received = nodeOutput(await readExecution(ctx.n8n.rest, e), target.triggerNode ?? 'Webhook');
					if (received.length) payload = JSON.stringify(received);
				} catch {
					// Pruned or unreadable: the execution finished, but whose message it carried is unknown.
				}
				return { status: e.status, stoppedAt: e.stoppedAt, payload };
			}),
		);
		out.push(...batch);
	}
	return out;
}

/** The Slack calls made with the workflow's token (the workflows share one Slack emulator). */
function slackCallsOf(calls: CallRecord[], token: string | undefined): CallRecord[] {
	if (!token) return [];
	return calls.filter(
		(c) => String(c.request.headers.authorization ?? '').includes(token) || c.request.body.token === token,
	);
}

/** What one segment sent: its sends are `attempts[fromAttempt, toAttempt)`. */
interface SegmentSpan {
	firstSendAt: number;
	fromAttempt: number;
	toAttempt: number;
	markers: string[];
}

/** A closed-loop round of the steady state (`position` 0: this workflow ran first in it). */
interface RoundSpan extends SegmentSpan {
	round: number;
	position: number;
}

/**
 * One workflow's figures for one scenario, gathered over one or more segments of sending (the
 * steady state interleaves its closed-loop rounds with the other workflows'). Each segment waits
 * for its deliveries, so the next one starts on a quiet n8n.
 */
export class Measurement {
	readonly run: ScenarioRun;

	readonly notes: string[] = [];

	private readonly zdCallsBefore: number;

	private readonly slackCallsBefore: number;

	private readonly sunshineCallsBefore: number;

	private peakRssMb: number | null = null;

	private busyMs = 0;

	private readonly rounds: RoundSpan[] = [];

	/** CPU ms by process role over the closed-loop rounds (sends and the wait for their deliveries). */
	private readonly roundsCpuMs = new Map<string, number>();

	constructor(
		private readonly ctx: Context,
		readonly target: Target,
		readonly scenario: ScenarioKey,
	) {
		this.zdCallsBefore = target.zendesk?.server.calls.length ?? 0;
		this.slackCallsBefore = ctx.slack.server.calls.length;
		this.sunshineCallsBefore = target.sunshine?.server.calls.length ?? 0;
		this.run = new ScenarioRun(target, scenario);
	}

	/** Sends what `body` sends, with peak memory measured, then waits for its deliveries. */
	async segment(body: (run: ScenarioRun, notes: string[]) => Promise<void>): Promise<SegmentSpan> {
		const { ctx, target, run } = this;
		const firstSendAt = Date.now();
		const sentBefore = run.sent.length;
		const fromAttempt = run.attempts.length;
		ctx.memory.start();
		await body(run, this.notes);
		const span = {
			firstSendAt,
			fromAttempt,
			toAttempt: run.attempts.length,
			markers: run.sent.slice(sentBefore).map((s) => s.marker),
		};
		const chatty = this.scenario === 'chatty';
		if (target.tracker)
			await waitForDeliveries(
				ctx,
				target,
				span.markers,
				chatty ? ctx.sizes.chattyQuietMs : ctx.sizes.quietMs,
				chatty ? ctx.sizes.chattyDeadlineMs : ctx.sizes.deadlineMs,
			);
		// The floor has no Zendesk: wait for its executions, so the next segment starts on a quiet n8n.
		else await finishedExecutions(ctx, target, firstSendAt, acknowledged(run.attempts.slice(fromAttempt)));
		const peak = ctx.memory.stopMb();
		if (peak !== null) this.peakRssMb = Math.max(this.peakRssMb ?? 0, peak);
		this.busyMs += Date.now() - firstSendAt;
		return span;
	}

	/** A closed-loop round of the steady state: its acks, throughput and CPU by process are also reported apart. */
	async closedLoopRound(round: number, position: number, body: (run: ScenarioRun) => Promise<void>): Promise<void> {
		const cpuBefore = cpuSnapshot();
		this.rounds.push({ round, position, ...(await this.segment(body)) });
		addCpuBetween(cpuBefore, cpuSnapshot(), this.roundsCpuMs);
	}

	async result(): Promise<ScenarioResult> {
		const { ctx, target, run, notes, rounds } = this;
		const markers = run.sent.map((s) => s.marker);
		let deliveryLatencies: number[] = [];
		let duplicates: number | null = null;
		let lost: number | null = null;
		let outOfOrder: number | null = null;
		// First delivery per distinct message (marker): what events/s counts, for every workflow.
		let firstDeliveredAt: Map<string, number>;
		if (target.tracker) {
			const count = countDeliveries(markers, target.tracker.comments);
			duplicates = count.duplicates;
			lost = count.lost;
			if (count.lost) notes.push(`lost: ${count.lostMarkers.slice(0, 5).join(', ')}${count.lost > 5 ? ', …' : ''}`);
			const order = countOutOfOrder(markers, target.tracker.comments);
			outOfOrder = order.outOfOrder;
			if (order.outOfOrder)
				notes.push(`out of order: ${order.markers.slice(0, 5).join(', ')}${order.outOfOrder > 5 ? ', …' : ''}`);
			deliveryLatencies = run.sent
				.filter((s) => count.firstStoredAt.has(s.marker))
				.map((s) => (count.firstStoredAt.get(s.marker) as number) - s.sentAt);
			firstDeliveredAt = count.firstStoredAt;
		} else {
			// Steady state: only the closed-loop rounds count for events/s (all after the paced phase).
			const since = rounds[0]?.firstSendAt ?? run.startedAt;
			const sends = rounds.length
				? rounds.reduce((sum, r) => sum + acknowledged(run.attempts.slice(r.fromAttempt, r.toAttempt)), 0)
				: acknowledged(run.attempts);
			// Every acknowledged send starts an execution of (c), Slack's retries included: wait for all
			// of them (a send n8n refused, say 404 while a webhook process does not serve it yet, starts
			// none and is counted among the sends not acknowledged).
			const executions = await floorExecutions(ctx, target, since, sends);
			const unreadable = executions.filter((e) => e.stoppedAt && !e.payload).length;
			if (unreadable)
				notes.push(
					`${unreadable} finished execution(s) without readable data: their messages are not counted in events/s`,
				);
			firstDeliveredAt = countDeliveries(markers, floorDeliveries(executions)).firstStoredAt;
		}
		const windows: SendWindow[] = rounds.length
			? rounds
			: [{ firstSendAt: run.sent[0]?.sentAt ?? run.startedAt, markers }];
		const eventsPerSecond = windowedMessagesPerSecond(firstDeliveredAt, windows);

		if (target.tracker) notes.push(...(await executionOutcomes(ctx, target, run.startedAt)));
		const sunshineCalls = target.sunshine?.server.calls.slice(this.sunshineCallsBefore);
		if (sunshineCalls?.length) notes.push(routeNote('Sunshine', sunshineCalls, '/sc/v2/apps/:appId'));
		const problems = target.sunshine?.agentWorkspace?.problems ?? [];
		if (problems.length)
			notes.push(`agent workspace: ${problems.length} problem(s), first: ${problems.slice(0, 3).join(' | ')}`);
		const zdCalls = target.zendesk?.server.calls.slice(this.zdCallsBefore) ?? [];
		const slackCalls = ctx.slack.server.calls.slice(this.slackCallsBefore);
		const slackRequests = slackCallsOf(slackCalls, target.slackToken);
		const roundMessages = rounds.reduce((sum, r) => sum + r.markers.length, 0);
		const cpu = cpuNote(this.roundsCpuMs, roundMessages, 'closed-loop rounds, sends to last delivery');
		if (cpu) notes.push(cpu);
		if (zdCalls.length) notes.push(routeNote('Zendesk', zdCalls, '/api/v2'));
		if (slackRequests.length) notes.push(routeNote('Slack', slackRequests));
		const history = historyNote(slackRequests);
		if (history) notes.push(history);
		const messages = run.sent.length;

		let extraTickets: number | null = null;
		let maxUpdates: number | null = null;
		if (target.zendesk) {
			const users = new Set(run.sent.map((s) => s.slackId));
			const perUser = new Map<string, number>();
			for (const ticket of target.zendesk.store.tickets.values()) {
				const requester = target.zendesk.store.users.get(ticket.requester_id);
				const slackId =
					String(requester?.external_id ?? '')
						.split(':')
						.pop() ?? '';
				if (users.has(slackId)) perUser.set(slackId, (perUser.get(slackId) ?? 0) + 1);
			}
			extraTickets = [...perUser.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
			const updatesByTicket = new Map<string, number[]>();
			for (const call of zdCalls) {
				if (call.method !== 'PUT' || !/\/tickets\/\d+/.test(call.path) || call.status >= 300) continue;
				updatesByTicket.set(call.path, [...(updatesByTicket.get(call.path) ?? []), call.at]);
			}
			maxUpdates = Math.max(0, ...[...updatesByTicket.values()].map((at) => maxInWindow(at, 600_000)));
		}
		// Slack's view: only 2xx answers are acknowledgements; errors and silence are counted apart.
		const acks = ackFigures(run.attempts);
		const failed = run.attempts.filter((a) => !isAcknowledged(a.status));
		if (failed.length) {
			const reasons = failed.map((a) =>
				a.timedOut ? 'timeout' : a.status ? `HTTP ${a.status}` : (a.error ?? 'no answer'),
			);
			notes.push(`${failed.length} send(s) not acknowledged: ${[...new Set(reasons)].join(', ')}`);
		}
		const closedLoopFrom = rounds[0]?.fromAttempt;
		return {
			workflow: target.key,
			scenario: this.scenario,
			messages,
			sends: run.attempts.length,
			ack: acks.ack,
			...(closedLoopFrom === undefined
				? {}
				: {
						ackByPhase: {
							paced: ackFigures(run.attempts.slice(0, closedLoopFrom)).ack,
							closedLoop: ackFigures(run.attempts.slice(closedLoopFrom)).ack,
						},
						closedLoopRounds: rounds.map((r) => ({
							round: r.round,
							position: r.position,
							ack: ackFigures(run.attempts.slice(r.fromAttempt, r.toAttempt)).ack,
							eventsPerSecond: windowedMessagesPerSecond(firstDeliveredAt, [r]),
						})),
					}),
			acksOver3s: acks.acksOver3s,
			nonAckAnswers: acks.nonAckAnswers,
			unanswered: acks.unanswered,
			delivery: target.tracker ? distribution(deliveryLatencies) : null,
			eventsPerSecond,
			zendeskRequests: zdCalls.length,
			slackRequests: slackRequests.length,
			zendeskPerMessage: messages ? zdCalls.length / messages : 0,
			slackPerMessage: messages ? slackRequests.length / messages : 0,
			...(sunshineCalls
				? {
						sunshineRequests: sunshineCalls.length,
						sunshinePerMessage: messages ? sunshineCalls.length / messages : null,
					}
				: {}),
			zendesk429: zdCalls.filter((c) => c.status === 429).length,
			duplicates,
			lost,
			outOfOrder,
			extraTickets,
			maxTicketUpdatesPer10Min: maxUpdates,
			peakRssMb: this.peakRssMb,
			durationMs: this.busyMs,
			notes,
		};
	}
}

/** One scenario of one workflow in one segment. */
async function measure(
	ctx: Context,
	target: Target,
	scenario: ScenarioKey,
	body: (run: ScenarioRun, notes: string[]) => Promise<void>,
): Promise<ScenarioResult> {
	const measurement = new Measurement(ctx, target, scenario);
	await measurement.segment(body);
	return await measurement.result();
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

/**
 * Known users with open tickets. Per workflow in turn: one warm-up message per user (not measured),
 * then a steady rate. Then the closed loop (as fast as n8n acknowledges), in rounds that
 * interleave the workflows in a rotating order, so drift of a shared machine and what one
 * workflow leaves behind (memory, n8n's own housekeeping) do not fall on one workflow alone.
 */
async function steadyState(
	ctx: Context,
	order: Target[],
	usersOf: Record<WorkflowKey, BenchUser[]>,
	log: (text: string) => void,
): Promise<ScenarioResult[]> {
	const s = ctx.sizes;
	const measurements = new Map<WorkflowKey, Measurement>();
	for (const target of order) {
		const users = usersOf[target.key];
		// Warm-up: first contact of each user in this n8n process (caches fill), not measured.
		const warm = new ScenarioRun(target, 'warmup');
		await closedLoop(users.length, 10, (i) => warm.send(users[i], 'Warm-up'));
		await waitForDeliveries(
			ctx,
			target,
			warm.sent.map((m) => m.marker),
			s.quietMs,
			s.deadlineMs,
		);
		const measurement = new Measurement(ctx, target, 'steady');
		measurements.set(target.key, measurement);
		await measurement.segment(
			async (run) => await atRate(s.steadyMessages, s.steadyRatePerSecond, (i) => run.send(users[i % users.length])),
		);
		log(`steady / (${target.key}): warm-up and paced phase done`);
	}
	for (let round = 0; round < s.throughputRounds; round++) {
		for (const [position, target] of roundOrder(order, round).entries()) {
			const users = usersOf[target.key];
			const measurement = measurements.get(target.key) as Measurement;
			await measurement.closedLoopRound(
				round,
				position,
				async (run) =>
					await closedLoop(s.throughputMessages, s.throughputConcurrency, (i) => run.send(users[i % users.length])),
			);
			log(`steady / (${target.key}): closed-loop round ${round + 1} of ${s.throughputRounds} done`);
		}
	}
	const results: ScenarioResult[] = [];
	for (const target of order) results.push(await (measurements.get(target.key) as Measurement).result());
	return results;
}

/** Users nobody knows yet, all at once; each sends a second message shortly after the first. */
async function burst(ctx: Context, target: Target): Promise<ScenarioResult> {
	const s = ctx.sizes;
	const users = Array.from({ length: s.burstUsers }, () => newSlackUser(ctx, target.key, 'N'));
	target.zendesk?.setRateLimits(true);
	try {
		return await measure(ctx, target, 'burst', async (run) => {
			await closedLoop(users.length, s.burstConcurrency, async (i) => {
				await run.send(users[i], 'First message ever');
				await sleep(s.burstSecondMessageAfterMs);
				await run.send(users[i], 'And one more thing');
			});
		});
	} finally {
		target.zendesk?.setRateLimits(false);
	}
}

/** One person, many messages in a row into one ticket, with Zendesk's limits on. */
async function chatty(ctx: Context, target: Target): Promise<ScenarioResult> {
	const s = ctx.sizes;
	const user = knownUser(ctx, target, 'C');
	target.zendesk?.setRateLimits(true);
	try {
		return await measure(ctx, target, 'chatty', async (run) => {
			await atRate(s.chattyMessages, 1000 / s.chattyIntervalMs, () => run.send(user, 'One more detail'));
		});
	} finally {
		target.zendesk?.setRateLimits(false);
	}
}

/** Zendesk API routes the workflows use; the storm answers all of them 429. */
const ZENDESK_ROUTES = [
	'GET /api/v2/users/show_many.json',
	'GET /api/v2/users/search.json',
	'POST /api/v2/users/create_or_update.json',
	'POST /api/v2/users.json',
	'POST /api/v2/users/:id/identities.json',
	'GET /api/v2/users/:id.json',
	'GET /api/v2/tickets.json',
	'POST /api/v2/tickets.json',
	'GET /api/v2/tickets/:id.json',
	'PUT /api/v2/tickets/:id.json',
	'GET /api/v2/tickets/:id/audits.json',
	'GET /api/v2/search.json',
	'POST /api/v2/organizations/create_or_update.json',
	'GET /api/v2/organizations/search.json',
	'POST /api/v2/uploads.json',
];

/** Known, warm users write while every Zendesk call answers 429 with Retry-After (seconds left in the storm). */
async function storm(ctx: Context, target: Target, users: BenchUser[]): Promise<ScenarioResult> {
	const s = ctx.sizes;
	return await measure(ctx, target, 'storm', async (run, notes) => {
		const stormLoop = async () => {
			await sleep(s.stormStartMs);
			const end = Date.now() + s.stormDurationMs;
			const zd = target.zendesk;
			if (!zd) return;
			// Bounded: ends with the storm window.
			while (Date.now() < end) {
				const retryAfterSeconds = Math.max(1, Math.ceil((end - Date.now()) / 1000));
				zd.server.clearFaults();
				for (const route of ZENDESK_ROUTES) {
					zd.server.injectFault(
						route,
						{
							kind: 'rateLimit',
							retryAfterSeconds,
							body: {
								error: 'APIRateLimitExceeded',
								description: 'Number of allowed API requests per minute exceeded',
							},
						},
						1_000_000,
					);
				}
				await sleep(Math.min(250, Math.max(0, end - Date.now())));
			}
			zd.server.clearFaults();
		};
		await Promise.all([
			stormLoop(),
			atRate(s.stormMessages, s.stormRatePerSecond, (i) => run.send(users[i % users.length], 'During the storm')),
		]);
		notes.push(
			`429 with Retry-After on every Zendesk API route for ${s.stormDurationMs / 1000} s, from ${s.stormStartMs / 1000} s after the first message`,
		);
	});
}

/** Every event delivered again with X-Slack-Retry-Num 1 and 2 (Slack's http_timeout retries). */
async function retries(ctx: Context, target: Target, users: BenchUser[]): Promise<ScenarioResult> {
	const s = ctx.sizes;
	return await measure(ctx, target, 'retries', async (run) => {
		await atRate(s.retriesMessages, s.retriesRatePerSecond, async (i) => {
			const { envelope } = await run.send(users[i % users.length], 'Are you there?');
			await run.resend(envelope, 1);
			await sleep(1_000);
			await run.resend(envelope, 2);
		});
	});
}

// ---------------------------------------------------------------------------------------------

export async function runBench(
	options: BenchOptions,
): Promise<{ jsonFile: string; markdownFile: string; markdown: string }> {
	const sizes = options.smoke ? SMOKE : FULL;
	const startedAt = new Date();
	const cleanups: Array<() => Promise<void>> = [];
	try {
		const slack = await startSlackEmulator({ rateLimits: false });
		cleanups.push(() => slack.close());
		slack.issueToken(MESSAGING_TOKEN, {
			kind: 'bot',
			userId: F.botUserId,
			teamId: F.teamId,
			appId: F.appId,
			botId: F.botId,
		});
		slack.issueToken(BASELINE_TOKEN, {
			kind: 'bot',
			userId: F.botUserId,
			teamId: F.teamId,
			appId: F.appId,
			botId: F.botId,
		});
		const zendeskA = await startZendeskEmulator({
			subdomain: 'bench-a',
			searchDelayMs: sizes.searchDelayMs,
			rateLimits: false,
			plan: 'enterprisePlus',
		});
		cleanups.push(() => zendeskA.close());
		const zendeskB = await startZendeskEmulator({
			subdomain: 'bench-b',
			searchDelayMs: sizes.searchDelayMs,
			rateLimits: false,
			plan: 'enterprisePlus',
		});
		cleanups.push(() => zendeskB.close());
		const zendeskM = await startZendeskEmulator({
			subdomain: 'bench-m',
			searchDelayMs: sizes.searchDelayMs,
			rateLimits: false,
			plan: 'enterprisePlus',
		});
		cleanups.push(() => zendeskM.close());
		// ASSUMPTION (emulators/sunshine/README.md, 11): Sunshine publishes no rate limit; none is set.
		const sunshineM = await startSunshineEmulator({ subdomain: 'bench-msg', zendesk: zendeskM });
		cleanups.push(() => sunshineM.close());
		const portOf = (url: string) => Number(new URL(url).port);
		const front = await startTlsFront(
			{
				[HOSTS.slack]: portOf(slack.url),
				[HOSTS.zendeskA]: portOf(zendeskA.url),
				[HOSTS.zendeskB]: portOf(zendeskB.url),
				[HOSTS.zendeskM]: portOf(zendeskM.url),
				[HOSTS.sunshineM]: portOf(sunshineM.url),
			},
			443,
		);
		cleanups.push(() => front.close());

		const inbound = inboundWorkflow();
		const messaging = inboundWorkflow(MESSAGING_TEMPLATE, 'benchInboundM001', '(a′)', {
			...CREDENTIAL_IDS,
			zendeskDmOAuth2Api: MESSAGING_OAUTH2,
			slackDmApi: MESSAGING_SLACK,
		});
		const baseline = {
			...readJson<WorkflowJson>(path.join(BENCH_DIR, 'workflows', 'baseline-builtin.json')),
			id: 'benchBaselineB01',
		};
		const floor = {
			...readJson<WorkflowJson>(path.join(BENCH_DIR, 'workflows', 'floor-webhook-noop.json')),
			id: 'benchFloorC00001',
		};
		const bridge = zendeskA.fixtures.bridge;
		// Every credential uses the vendors' real hosts: the namespace's hosts file and the TLS front do the rest.
		const credentials: CredentialJson[] = [
			{
				...CREDENTIAL_IDS.slackDmApi,
				type: 'slackDmApi',
				data: { accessToken: F.botToken, signingSecret: slack.signingSecret, baseUrl: 'https://slack.com/api' },
			},
			{
				...CREDENTIAL_IDS.zendeskDmApi,
				type: 'zendeskDmApi',
				data: { subdomain: 'bench-a', email: bridge.email, apiToken: bridge.apiToken, baseUrl: '' },
			},
			// The inbound template uses Zendesk OAuth2: the emulator's OAuth client (client credentials), tokens from bench-a.
			{
				...CREDENTIAL_IDS.zendeskDmOAuth2Api,
				type: 'zendeskDmOAuth2Api',
				data: emulatorOAuth2Data({ subdomain: 'bench-a', url: '' }),
			},
			{
				...MESSAGING_SLACK,
				type: 'slackDmApi',
				data: { accessToken: MESSAGING_TOKEN, signingSecret: slack.signingSecret, baseUrl: 'https://slack.com/api' },
			},
			{ ...MESSAGING_OAUTH2, type: 'zendeskDmOAuth2Api', data: emulatorOAuth2Data({ subdomain: 'bench-m', url: '' }) },
			{
				...CREDENTIAL_IDS.zendeskMessagingApi,
				type: 'zendeskMessagingApi',
				data: {
					subdomain: 'bench-msg',
					appId: sunshineM.fixtures.appId,
					keyId: sunshineM.fixtures.appKey.id,
					secret: sunshineM.fixtures.appKey.secret,
					authMethod: 'basic',
					baseUrl: '',
				},
			},
			{
				...CREDENTIAL_IDS.slackApi,
				type: 'slackApi',
				data: { accessToken: BASELINE_TOKEN, signatureSecret: slack.signingSecret },
			},
			{
				...CREDENTIAL_IDS.zendeskApi,
				type: 'zendeskApi',
				data: { subdomain: 'bench-b', email: bridge.email, apiToken: bridge.apiToken },
			},
		];
		const queue = options.queue ? await startQueueInfra() : undefined;
		if (queue) cleanups.unshift(() => queue.close());
		// Queue mode as docs/scaling.md runs it: two webhook processes behind nginx, two workers.
		const balancer = queue ? await startBalancer(QUEUE_WEBHOOK_PROCESSES) : undefined;
		if (balancer) cleanups.unshift(() => balancer.nginx.close());
		// (d): its node package in a user folder of the bench's own (bench/floorTrigger.ts).
		const floorTrigger = prepareFloorTrigger();
		cleanups.push(floorTrigger.cleanup);
		const n8n = await startRealN8n({
			mode: 'custom-extensions',
			userFolder: floorTrigger.userFolder,
			workflows: [inbound, messaging, baseline, floor, floorTrigger.workflow],
			credentials,
			env: { ...queue?.env, ...floorTrigger.env, ...options.n8nEnv, NODE_EXTRA_CA_CERTS: front.caFile },
			...(balancer
				? { workers: QUEUE_WORKERS, webhookPorts: balancer.webhookPorts, webhookBaseUrl: balancer.nginx.url }
				: {}),
		});
		cleanups.unshift(() => n8n.stop());
		const rt = ensureRuntime();
		const pid = findN8nPid(n8n.userFolder, rt.n8n);
		const memory = new MemoryProbe(pid);
		const driverFor = (url: string) =>
			new SlackEventsDriver({
				url,
				signingSecret: slack.signingSecret,
				policy: { timeoutMs: 10_000, retryDelaysMs: [] },
			});
		// Every target's messages are in Slack before their events go out (bench/slackHistory.ts).
		const slackWorkspace = slack.ws;
		const targets: Record<WorkflowKey, Target> = {
			a: {
				key: 'a',
				slackWorkspace,
				workflowId: inbound.id as string,
				url: n8n.webhookUrl(`${webhookIdOf(inbound, '.slackDmTrigger')}/slack-events`),
				driver: driverFor(n8n.webhookUrl(`${webhookIdOf(inbound, '.slackDmTrigger')}/slack-events`)),
				zendesk: zendeskA,
				tracker: new DeliveryTracker(zendeskA),
				slackToken: F.botToken,
			},
			m: {
				key: 'm',
				slackWorkspace,
				workflowId: messaging.id as string,
				url: n8n.webhookUrl(`${webhookIdOf(messaging, '.slackDmTrigger')}/slack-events`),
				driver: driverFor(n8n.webhookUrl(`${webhookIdOf(messaging, '.slackDmTrigger')}/slack-events`)),
				zendesk: zendeskM,
				sunshine: sunshineM,
				tracker: new DeliveryTracker(zendeskM, sunshineM),
				slackToken: MESSAGING_TOKEN,
			},
			b: {
				key: 'b',
				slackWorkspace,
				workflowId: baseline.id,
				url: n8n.webhookUrl(`${webhookIdOf(baseline, '.slackTrigger')}/webhook`),
				driver: driverFor(n8n.webhookUrl(`${webhookIdOf(baseline, '.slackTrigger')}/webhook`)),
				zendesk: zendeskB,
				tracker: new DeliveryTracker(zendeskB),
				slackToken: BASELINE_TOKEN,
			},
			c: {
				key: 'c',
				slackWorkspace,
				workflowId: floor.id,
				url: n8n.webhookUrl('bench-floor'),
				driver: driverFor(n8n.webhookUrl('bench-floor')),
			},
			d: {
				key: 'd',
				slackWorkspace,
				workflowId: floorTrigger.workflow.id,
				url: n8n.webhookUrl(floorTrigger.webhookPath),
				driver: driverFor(n8n.webhookUrl(floorTrigger.webhookPath)),
				triggerNode: FLOOR_TRIGGER_NODE,
			},
		};
		const ctx: Context = { sizes, n8n, slack, memory, targets, usersCreated: 0 };
		const log = (text: string) => process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 23)} ${text}\n`);
		log(
			`n8n ready (${JSON.stringify(n8n.timings)}); pid ${pid ?? 'unknown'}; inbound template ${path.relative(REPO_ROOT, INBOUND_TEMPLATE)}`,
		);

		const results: ScenarioResult[] = [];
		const order: WorkflowKey[] = ['c', 'd', 'b', 'a', 'm'];
		const steadyUsers = {} as Record<WorkflowKey, BenchUser[]>;
		for (const key of order)
			steadyUsers[key] = Array.from({ length: sizes.steadyUsers }, () => knownUser(ctx, targets[key], 'S'));
		const scenarios: Array<[ScenarioKey, (t: Target) => Promise<ScenarioResult>]> = [
			['burst', (t) => burst(ctx, t)],
			['chatty', (t) => chatty(ctx, t)],
			['storm', (t) => storm(ctx, t, steadyUsers[t.key])],
			['retries', (t) => retries(ctx, t, steadyUsers[t.key])],
			// Opt-in (`--only=outage`), (a) only; last, so its waiting executions overlap no other scenario.
			['outage', (t) => outage(ctx, t)],
		];
		const logResult = (result: ScenarioResult) =>
			log(
				`${result.scenario} / (${result.workflow}): ${result.messages} msgs, ack p99 ${result.ack.p99} ms, delivery p99 ${result.delivery?.p99 ?? '–'} ms, ${result.eventsPerSecond?.toFixed(1) ?? '–'} ev/s, dup ${result.duplicates ?? '–'}, lost ${result.lost ?? '–'}`,
			);
		if (!options.only || options.only.includes('steady')) {
			log('steady …');
			for (const result of await steadyState(
				ctx,
				order.map((key) => targets[key]),
				steadyUsers,
				log,
			)) {
				results.push(result);
				logResult(result);
			}
		}
		for (const [scenario, runScenario] of scenarios) {
			if (options.only ? !options.only.includes(scenario) : scenario === 'outage') continue;
			for (const key of order) {
				if (key === 'm' && !MESSAGING_SCENARIOS.includes(scenario)) continue;
				if (scenario === 'outage' && key !== 'a') continue;
				log(`${scenario} / (${key}) …`);
				const result = await runScenario(targets[key]);
				results.push(result);
				logResult(result);
			}
		}

		const ratios = ratiosFor(results);
		const targetsMet = checkTargets(results, ratios);
		const finishedAt = new Date();
		const cpus = os.cpus();
		const machine = `${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, load average at start ${os.loadavg()[0].toFixed(2)}; n8n ${n8nVersion(rt.n8n)} on Node ${nodeVersion(rt.node)}, ${queue ? 'PostgreSQL, queue mode' : 'SQLite'}; shared with other work, so absolute figures are noisy`;
		const notes = [
			`One run, ${queue ? 'one n8n set-up (below)' : 'one n8n process'}, the workflows side by side; each scenario runs for (c), (d), (b), (a), then (a′) (steady, chatty and retries only) in turn, except the steady state's closed loop: ${sizes.throughputRounds} rounds of ${sizes.throughputMessages} messages per workflow, the order rotating each round (c, d, b, a, a′; then d, b, a, a′, c; …), figures pooled over the rounds. Zendesk search delay ${sizes.searchDelayMs / 1000} s everywhere.`,
			"Zendesk's rate limits (plan Enterprise Plus, ticket updates per ticket and per account, create-or-update user) are on for the burst and chatty scenarios, off elsewhere so they do not cap throughput; the storm injects its own 429s.",
			'Peak RSS: the n8n main process (VmHWM reset per scenario), not its task runner.',
		];
		if (queue)
			notes.push(
				`n8n in queue mode scaled out as docs/scaling.md describes: ${QUEUE_WEBHOOK_PROCESSES} \`n8n webhook\` processes behind nginx (round robin: a Slack retry may reach the other one), ${QUEUE_WORKERS} \`n8n worker\`s, main with no production webhooks; ${queue.description.replace(/^queue mode: [^;]*; /, '')}. Peak RSS is the main process's only.`,
			);
		const envEntries = Object.entries(options.n8nEnv ?? {});
		if (envEntries.length)
			notes.push(`n8n started with ${envEntries.map(([k, v]) => `${k}=${v}`).join(' ')} (all workflows alike).`);
		if (options.smoke) notes.unshift('SMOKE run: tiny sizes, proves the benchmark still works; figures mean nothing.');
		const markdown = markdownReport({
			title: `Benchmark ${startedAt.toISOString().slice(0, 10)}${options.smoke ? ' (smoke)' : ''}${options.only ? ` (only ${options.only.join(', ')})` : ''}`,
			command: options.command,
			machine,
			notes,
			results,
			ratios,
			targets: targetsMet,
		});
		const document = {
			// 2: ack over 2xx answers only, nonAckAnswers/unanswered, distinct-message events/s, ackByPhase.
			// 3: the steady state's closed loop in interleaved rounds (closedLoopRounds), figures pooled.
			// Still 3 with the outage scenario: results[].outage is an addition, nothing else changed.
			// Still 3 with (d): results for workflow d, workflows.d and ratios[].ackP99AOverD/epsAOverD are additions.
			version: 3,
			smoke: options.smoke,
			command: options.command,
			startedAt: startedAt.toISOString(),
			finishedAt: finishedAt.toISOString(),
			machine: {
				description: machine,
				cpus: cpus.length,
				cpuModel: cpus[0]?.model,
				totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
				loadAverageAtStart: os.loadavg(),
			},
			n8n: {
				version: n8nVersion(rt.n8n),
				node: nodeVersion(rt.node),
				env: options.n8nEnv ?? {},
				queueMode: Boolean(queue),
				startTimings: n8n.timings,
			},
			network: { namespace: process.env.N8N_DM_BENCH_NETNS ?? null, hosts: HOSTS, tlsFrontRequests: front.forwarded },
			workflows: {
				a: { id: targets.a.workflowId, source: path.relative(REPO_ROOT, INBOUND_TEMPLATE) },
				m: { id: targets.m.workflowId, source: path.relative(REPO_ROOT, MESSAGING_TEMPLATE), label: '(a′)' },
				b: { id: targets.b.workflowId, source: 'bench/workflows/baseline-builtin.json' },
				c: { id: targets.c.workflowId, source: 'bench/workflows/floor-webhook-noop.json' },
				d: { id: targets.d.workflowId, source: FLOOR_TRIGGER_WORKFLOW_SOURCE, package: 'bench/floorTrigger' },
			},
			sizes,
			notes,
			results,
			ratios,
			targets: targetsMet,
		};
		fs.mkdirSync(options.outDir, { recursive: true });
		const envTag = Object.keys(options.n8nEnv ?? {}).length
			? `-env-${Object.entries(options.n8nEnv ?? {})
					.map(([k, v]) => `${k.replace(/^N8N_/, '')}-${v}`)
					.join('-')
					.toLowerCase()
					.replace(/[^a-z0-9-]+/g, '-')}`
			: '';
		const labelTag = options.label ? `-${options.label.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}` : '';
		const stem = `${startedAt.toISOString().slice(0, 10)}${labelTag}${options.only ? `-only-${options.only.join('-')}` : ''}${options.queue ? '-queue' : ''}${envTag}`;
		const jsonFile = path.join(options.outDir, `${stem}.json`);
		const markdownFile = path.join(options.outDir, `${stem}.md`);
		fs.writeFileSync(jsonFile, `${JSON.stringify(document, null, 2)}\n`);
		fs.writeFileSync(markdownFile, markdown);
		return { jsonFile, markdownFile, markdown };
	} finally {
		for (const cleanup of cleanups) await cleanup().catch(() => undefined);
	}
}

function n8nVersion(n8nBin: string): string {
	try {
		return readJson<{ version: string }>(path.resolve(path.dirname(n8nBin), '..', 'package.json')).version;
	} catch {
		return 'unknown';
	}
}

function nodeVersion(nodeBin: string): string {
	try {
		return readJson<{ version: string }>(path.resolve(path.dirname(nodeBin), '..', 'package.json')).version;
	} catch {
		return 'unknown';
	}
}

/** "<service> requests by route: <route> <n> (<status> <n>, …), …", most requested first; non-2xx answers named. */
function routeNote(service: string, calls: CallRecord[], strip?: string): string {
	const byRoute = new Map<string, CallRecord[]>();
	for (const call of calls) byRoute.set(call.route, [...(byRoute.get(call.route) ?? []), call]);
	const described = [...byRoute.entries()]
		.sort((x, y) => y[1].length - x[1].length)
		.map(([route, routeCalls]) => {
			const failed = new Map<number, number>();
			for (const call of routeCalls)
				if (!isAcknowledged(call.status)) failed.set(call.status, (failed.get(call.status) ?? 0) + 1);
			const statuses = [...failed.entries()].map(([status, n]) => `${status} ${n}`).join(', ');
			return `${strip ? route.replace(strip, '') : route} ${routeCalls.length}${statuses ? ` (${statuses})` : ''}`;
		});
	return `${service} requests by route: ${described.join(', ')}`;
}
