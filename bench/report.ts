/**
 * Pure parts of the benchmark: percentiles, per-message counting of delivered comments, ratios,
 * target checks and the markdown table. No I/O here. The Zendesk outage's own figures: outageReport.ts.
 */
import { floorTriggerTargets } from './floorTriggerReport';
import { type OutageFigures, outageTable, outageTargets } from './outageReport';

/** `m` is (a′): the inbound template in Zendesk messaging mode (printed as "a′"). `d`: floorTriggerReport.ts. */
export type WorkflowKey = 'a' | 'm' | 'b' | 'c' | 'd';
export type ScenarioKey = 'steady' | 'burst' | 'chatty' | 'storm' | 'retries' | 'outage';

export const WORKFLOW_LABELS: Record<WorkflowKey, string> = {
	a: '(a) this package (inbound template)',
	m: '(a′) this package in Zendesk messaging mode (inbound messaging template)',
	b: '(b) n8n built-in nodes (Slack Trigger, IF, Zendesk)',
	c: '(c) n8n floor (Webhook → No Operation)',
	d: "(d) community-trigger floor (the bench's own trigger → No Operation)",
};

/** How a workflow is named in tables: (a), (a′), (b), (c), (d). */
export function workflowTag(key: WorkflowKey): string {
	return key === 'm' ? '(a′)' : `(${key})`;
}

/** Table order: the package's two modes first. */
export const WORKFLOW_ORDER: WorkflowKey[] = ['a', 'm', 'b', 'c', 'd'];

export const SCENARIO_LABELS: Record<ScenarioKey, string> = {
	steady: 'steady state',
	burst: 'burst of new users',
	chatty: 'chatty user',
	storm: 'Zendesk 429 storm',
	retries: 'Slack retries',
	outage: 'Zendesk outage',
};

export interface Distribution {
	count: number;
	p50: number | null;
	p99: number | null;
	max: number | null;
}

export interface ScenarioResult {
	workflow: WorkflowKey;
	scenario: ScenarioKey;
	/** Distinct messages (Slack events) sent. */
	messages: number;
	/** HTTP deliveries to n8n, Slack retries included. */
	sends: number;
	/** Acknowledgement latency as Slack sees it (ms): the 2xx answers only, Slack's retries included. */
	ack: Distribution;
	/** Steady state only: `ack` of the paced phase and of the closed-loop phase apart (where the tail is). */
	ackByPhase?: { paced: Distribution; closedLoop: Distribution };
	/**
	 * Steady state only: each closed-loop round apart. `position` 0 means this workflow ran first in
	 * that round; the order rotates from round to round.
	 */
	closedLoopRounds?: ClosedLoopRound[];
	/** 2xx answers slower than Slack's 3-second deadline (Slack would have retried these sends). */
	acksOver3s: number;
	/** Answers that were not 2xx, however fast: Slack does not count them as acknowledgements and retries. */
	nonAckAnswers: number;
	/** Sends without any answer within the driver's 10 s, or with a connection error. */
	unanswered: number;
	/** Event sent → comment stored in the Zendesk emulator (ms); null for the floor. */
	delivery: Distribution | null;
	/** Distinct messages delivered per second, Slack's retries of a message counted once (see README per scenario). */
	eventsPerSecond: number | null;
	zendeskRequests: number;
	slackRequests: number;
	zendeskPerMessage: number;
	slackPerMessage: number;
	/** (a′) only: Sunshine Conversations requests during the scenario, and per distinct message. */
	sunshineRequests?: number;
	sunshinePerMessage?: number | null;
	/** Zendesk answers 429 during the scenario (injected or by the emulator's limits). */
	zendesk429: number;
	/** Extra copies of messages among the stored comments. */
	duplicates: number | null;
	/** Messages never stored. */
	lost: number | null;
	/** Messages stored after a message of their conversation sent later (see countOutOfOrder). */
	outOfOrder: number | null;
	/** Tickets opened beyond one per conversation. */
	extraTickets: number | null;
	/** Most ticket updates one ticket got in any 10-minute window (Zendesk allows 30). */
	maxTicketUpdatesPer10Min: number | null;
	/** Peak resident memory of the n8n process during the scenario (MB). */
	peakRssMb: number | null;
	durationMs: number;
	/** The Zendesk outage scenario only (issue G7): recovery → delivery, failed executions (outageReport.ts). */
	outage?: OutageFigures;
	notes: string[];
}

export interface ClosedLoopRound {
	round: number;
	position: number;
	ack: Distribution;
	eventsPerSecond: number | null;
}

/** Which workflows run in which order in closed-loop round `round`: `order` rotated by one per round. */
export function roundOrder<T>(order: T[], round: number): T[] {
	if (order.length === 0) return [];
	const shift = round % order.length;
	return [...order.slice(shift), ...order.slice(0, shift)];
}

export function percentile(sorted: number[], p: number): number | null {
	if (sorted.length === 0) return null;
	// Nearest-rank: the smallest value with at least p% of the samples at or below it.
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function distribution(values: number[]): Distribution {
	const sorted = [...values].sort((x, y) => x - y);
	return {
		count: sorted.length,
		p50: percentile(sorted, 50),
		p99: percentile(sorted, 99),
		max: sorted.length ? sorted[sorted.length - 1] : null,
	};
}

/** What the events driver got back for one send (`SendResult` of emulators/slack). */
export interface AckSample {
	/** HTTP status; 0 when there was no answer. */
	status: number;
	durationMs: number;
	timedOut: boolean;
}

/** Slack counts a send as acknowledged only when a 2xx comes back within this. */
export const SLACK_ACK_DEADLINE_MS = 3_000;

export interface AckFigures {
	ack: Distribution;
	acksOver3s: number;
	nonAckAnswers: number;
	unanswered: number;
}

/** Slack counts only a 2xx answer as an acknowledgement. */
export function isAcknowledged(status: number): boolean {
	return status >= 200 && status < 300;
}

/**
 * Acknowledgements as Slack counts them: the latency distribution holds the 2xx answers only; a
 * non-2xx answer (however fast) and a send without answer are counted apart, never as acks.
 */
export function ackFigures(samples: AckSample[]): AckFigures {
	const acks = samples.filter((s) => isAcknowledged(s.status)).map((s) => s.durationMs);
	return {
		ack: distribution(acks),
		acksOver3s: acks.filter((ms) => ms > SLACK_ACK_DEADLINE_MS).length,
		nonAckAnswers: samples.filter((s) => s.status !== 0 && !isAcknowledged(s.status)).length,
		unanswered: samples.filter((s) => s.status === 0).length,
	};
}

/** Message markers the driver puts in each text, e.g. `bm-a-steady-17`. */
export const MARKER = /\bbm-[ambcd]-[a-z]+-\d+\b/g;

export function markerFor(workflow: WorkflowKey, scenario: ScenarioKey | 'warmup', seq: number): string {
	return `bm-${workflow}-${scenario}-${seq}`;
}

export interface StoredComment {
	ticketId: number;
	text: string;
	storedAt: number;
}

export interface DeliveryCount {
	/** First time each marker was stored. */
	firstStoredAt: Map<string, number>;
	duplicates: number;
	lost: number;
	lostMarkers: string[];
}

/** Compares the markers sent with the comments stored: each must appear exactly once. */
export function countDeliveries(
	sent: string[],
	comments: Array<Pick<StoredComment, 'text' | 'storedAt'>>,
): DeliveryCount {
	const wanted = new Set(sent);
	const seen = new Map<string, number>();
	const firstStoredAt = new Map<string, number>();
	for (const comment of comments) {
		for (const marker of comment.text.match(MARKER) ?? []) {
			if (!wanted.has(marker)) continue;
			seen.set(marker, (seen.get(marker) ?? 0) + 1);
			const first = firstStoredAt.get(marker);
			if (first === undefined || comment.storedAt < first) firstStoredAt.set(marker, comment.storedAt);
		}
	}
	let duplicates = 0;
	const lostMarkers: string[] = [];
	for (const marker of wanted) {
		const n = seen.get(marker) ?? 0;
		if (n === 0) lostMarkers.push(marker);
		else duplicates += n - 1;
	}
	return { firstStoredAt, duplicates, lost: lostMarkers.length, lostMarkers };
}

/**
 * Messages stored out of Slack's order: per ticket, in the order its comments (and the lines of a
 * coalesced comment) were stored, a message counts when a message sent after it is already there.
 * `sent` is in send order; a message stored twice counts at its first copy.
 */
export function countOutOfOrder(
	sent: string[],
	comments: Array<Pick<StoredComment, 'ticketId' | 'text'>>,
): { outOfOrder: number; markers: string[] } {
	const sendIndex = new Map(sent.map((marker, index) => [marker, index]));
	const stored = new Set<string>();
	const latestSentPerTicket = new Map<number, number>();
	const markers: string[] = [];
	for (const comment of comments) {
		for (const marker of comment.text.match(MARKER) ?? []) {
			const index = sendIndex.get(marker);
			if (index === undefined || stored.has(marker)) continue;
			stored.add(marker);
			const latest = latestSentPerTicket.get(comment.ticketId) ?? -1;
			if (index < latest) markers.push(marker);
			else latestSentPerTicket.set(comment.ticketId, index);
		}
	}
	return { outOfOrder: markers.length, markers };
}

/** A finished-or-not execution of a floor, (c) or (d), with the text of what its trigger received. */
export interface FloorExecution {
	status: string;
	stoppedAt: string | null;
	/** The trigger's output as text (holds the message's marker); empty when the data was not readable. */
	payload: string;
}

/**
 * The floors (c) and (d) have no Zendesk: a message counts as delivered when an execution holding its marker
 * has finished. Slack's retries of one message start more executions with the same marker; fed to
 * `countDeliveries`, they count once (at the first to finish), as a comment stored twice would.
 */
export function floorDeliveries(executions: FloorExecution[]): Array<Pick<StoredComment, 'text' | 'storedAt'>> {
	return executions
		.filter((e) => e.stoppedAt !== null && e.status !== 'running' && e.status !== 'new' && e.status !== 'waiting')
		.map((e) => ({ text: e.payload, storedAt: Date.parse(e.stoppedAt as string) }));
}

/** Messages sent from `firstSendAt` on: a scenario, or one closed-loop round of the steady state. */
export interface SendWindow {
	firstSendAt: number;
	markers: Iterable<string>;
}

/**
 * Sustained throughput: distinct messages delivered / (last first-delivery − first send), in
 * messages per second. `firstDeliveredAt` is per marker (`countDeliveries().firstStoredAt`), so a
 * message delivered twice, or an event Slack sent three times, counts once. Over several windows
 * (the steady state's rounds): all their messages / the sum of their spans, so the pauses between
 * rounds, while other workflows run, do not count.
 */
export function windowedMessagesPerSecond(firstDeliveredAt: Map<string, number>, windows: SendWindow[]): number | null {
	let delivered = 0;
	let spanMs = 0;
	for (const window of windows) {
		const times = [...window.markers]
			.map((marker) => firstDeliveredAt.get(marker))
			.filter((at): at is number => at !== undefined);
		if (times.length === 0) continue;
		delivered += times.length;
		spanMs += Math.max(...times) - window.firstSendAt;
	}
	return delivered && spanMs > 0 ? (delivered * 1000) / spanMs : null;
}

/** `windowedMessagesPerSecond` over one window; `only` restricts it to some markers (default: all delivered). */
export function distinctMessagesPerSecond(
	firstDeliveredAt: Map<string, number>,
	firstSendAt: number,
	only?: Iterable<string>,
): number | null {
	return windowedMessagesPerSecond(firstDeliveredAt, [{ firstSendAt, markers: only ?? firstDeliveredAt.keys() }]);
}

/** Largest number of timestamps inside any window of `windowMs`. */
export function maxInWindow(timestamps: number[], windowMs: number): number {
	const sorted = [...timestamps].sort((x, y) => x - y);
	let best = 0;
	let start = 0;
	for (let end = 0; end < sorted.length; end++) {
		while (sorted[end] - sorted[start] >= windowMs) start++;
		best = Math.max(best, end - start + 1);
	}
	return best;
}

export function ratio(numerator: number | null | undefined, denominator: number | null | undefined): number | null {
	if (
		numerator === null ||
		numerator === undefined ||
		denominator === null ||
		denominator === undefined ||
		denominator === 0
	)
		return null;
	return numerator / denominator;
}

export interface Ratios {
	scenario: ScenarioKey;
	ackP99AOverC: number | null;
	/** (a) against (d), the community-trigger floor (floorTriggerReport.ts). */
	ackP99AOverD: number | null;
	ackP99AOverB: number | null;
	epsAOverC: number | null;
	epsAOverD: number | null;
	epsAOverB: number | null;
	deliveryP99AOverB: number | null;
	zendeskPerMessageAOverB: number | null;
}

export function ratiosFor(results: ScenarioResult[]): Ratios[] {
	const scenarios = [...new Set(results.map((r) => r.scenario))];
	return scenarios.map((scenario) => {
		const of = (w: WorkflowKey) => results.find((r) => r.scenario === scenario && r.workflow === w);
		const [a, b, c, d] = [of('a'), of('b'), of('c'), of('d')];
		return {
			scenario,
			ackP99AOverC: ratio(a?.ack.p99, c?.ack.p99),
			ackP99AOverD: ratio(a?.ack.p99, d?.ack.p99),
			ackP99AOverB: ratio(a?.ack.p99, b?.ack.p99),
			epsAOverC: ratio(a?.eventsPerSecond, c?.eventsPerSecond),
			epsAOverD: ratio(a?.eventsPerSecond, d?.eventsPerSecond),
			epsAOverB: ratio(a?.eventsPerSecond, b?.eventsPerSecond),
			deliveryP99AOverB: ratio(a?.delivery?.p99, b?.delivery?.p99),
			zendeskPerMessageAOverB: ratio(a?.zendeskPerMessage, b?.zendeskPerMessage),
		};
	});
}

export interface TargetCheck {
	id: string;
	description: string;
	value: string;
	met: boolean | null;
}

const fmt = (value: number | null | undefined, digits = 2): string =>
	value === null || value === undefined ? '–' : value.toFixed(digits);

/** The issue's targets for (a), judged on this run's figures. `met` is null when not measured. */
export function checkTargets(results: ScenarioResult[], ratios: Ratios[]): TargetCheck[] {
	const a = (scenario: ScenarioKey) => results.find((r) => r.workflow === 'a' && r.scenario === scenario);
	const steady = a('steady');
	const steadyRatios = ratios.find((r) => r.scenario === 'steady');
	// The p99 holds 2xx answers only: sends that got an error or nothing must not pass unseen.
	const steadyNotAcked = steady ? steady.nonAckAnswers + steady.unanswered : 0;
	const checks: TargetCheck[] = [
		{
			id: 'zendesk-per-message',
			description: '(a) steady state: ≤ 1.05 Zendesk requests per message',
			value: fmt(steady?.zendeskPerMessage),
			met: steady ? steady.zendeskPerMessage <= 1.05 : null,
		},
		{
			id: 'slack-per-message',
			description: '(a) steady state: ≤ 0.05 Slack requests per message',
			value: fmt(steady?.slackPerMessage),
			met: steady ? steady.slackPerMessage <= 0.05 : null,
		},
		{
			id: 'ack-p99',
			description: '(a) steady state: acknowledgement p99 ≤ 1.2 × (c), every send answered 2xx',
			value: `${fmt(steadyRatios?.ackP99AOverC)}×${steadyNotAcked ? `, ${steadyNotAcked} send(s) without a 2xx` : ''}`,
			met:
				steadyRatios?.ackP99AOverC === null || steadyRatios?.ackP99AOverC === undefined
					? null
					: steadyRatios.ackP99AOverC <= 1.2 && steadyNotAcked === 0,
		},
		{
			id: 'throughput',
			description: '(a) steady state: sustained throughput ≥ 0.8 × (c)',
			value: `${fmt(steadyRatios?.epsAOverC)}×`,
			met:
				steadyRatios?.epsAOverC === null || steadyRatios?.epsAOverC === undefined
					? null
					: steadyRatios.epsAOverC >= 0.8,
		},
		...floorTriggerTargets(results, ratios),
	];
	const aResults = results.filter((r) => r.workflow === 'a');
	const dupLost = aResults.map((r) => `${r.scenario} ${r.duplicates ?? '–'}/${r.lost ?? '–'}`).join(', ');
	checks.push({
		id: 'exactly-once',
		description: '(a) zero duplicates and zero losses in every scenario (duplicates/lost)',
		value: dupLost,
		met: aResults.length ? aResults.every((r) => r.duplicates === 0 && r.lost === 0) : null,
	});
	const chatty = a('chatty');
	checks.push({
		id: 'chatty',
		description: "(a) chatty user fully delivered within Zendesk's ticket update limit (30 per 10 min)",
		value: chatty
			? `lost ${chatty.lost}, dup ${chatty.duplicates}, max ${chatty.maxTicketUpdatesPer10Min} updates/10 min, ${chatty.zendesk429} × 429`
			: '–',
		met: chatty ? chatty.lost === 0 && chatty.duplicates === 0 && (chatty.maxTicketUpdatesPer10Min ?? 0) <= 30 : null,
	});
	checks.push(...messagingTargets(results), ...outageTargets(results));
	return checks;
}

/** The targets for (a′), the messaging mode (issue G2b); none when (a′) did not run. */
export function messagingTargets(results: ScenarioResult[]): TargetCheck[] {
	const m = results.filter((r) => r.workflow === 'm');
	if (!m.length) return [];
	const of = (scenario: ScenarioKey) => m.find((r) => r.scenario === scenario);
	const steady = of('steady');
	const chatty = of('chatty');
	return [
		{
			id: 'sunshine-per-message',
			description: '(a′) steady state: ≤ 1.05 Sunshine requests per message',
			value: fmt(steady?.sunshinePerMessage),
			met:
				steady?.sunshinePerMessage === null || steady?.sunshinePerMessage === undefined
					? null
					: steady.sunshinePerMessage <= 1.05,
		},
		{
			id: 'messaging-exactly-once',
			description: '(a′) zero duplicates, losses and out-of-order messages in every scenario (dup/lost/out of order)',
			value: m.map((r) => `${r.scenario} ${r.duplicates ?? '–'}/${r.lost ?? '–'}/${r.outOfOrder ?? '–'}`).join(', '),
			met: m.every((r) => r.duplicates === 0 && r.lost === 0 && r.outOfOrder === 0),
		},
		{
			id: 'messaging-chatty',
			description: '(a′) chatty user (60 messages in 60 s) delivered with p99 under 3 s',
			value: chatty ? `delivery p99 ${ms(chatty.delivery?.p99)}, lost ${chatty.lost}` : '–',
			met: chatty ? chatty.lost === 0 && (chatty.delivery?.p99 ?? Infinity) < 3000 : null,
		},
	];
}

function ordinal(n: number): string {
	return `${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`;
}

function ms(value: number | null | undefined): string {
	if (value === null || value === undefined) return '–';
	return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** What the columns count, printed under the table (bench/README.md has the full definitions). */
export const TABLE_LEGEND = [
	"ack p50/p99: 2xx answers only (Slack counts nothing else as an acknowledgement), Slack's retries included; acks > 3 s: 2xx answers Slack would still have retried; non-2xx answers and sends with no answer in 10 s are never acknowledgements and are counted apart.",
	'out of order: messages stored in their ticket after a message of the same conversation sent later (a coalesced comment counts line by line).',
	"events/s: distinct messages delivered per second, each message once however often Slack sent it (the retries scenario sends every event three times). Delivered: for (a), (a′) and (b) the first comment holding the message's marker is stored in Zendesk (for (a′): in the messaging ticket, written by the agent workspace when the Sunshine message lands); for (c) and (d) the first n8n execution holding it has finished. Steady state: the closed-loop rounds' messages / the sum over rounds of (last delivery − first send of the round); other scenarios: messages / (last delivery − first send).",
];

export interface ReportInput {
	title: string;
	command: string;
	machine: string;
	notes: string[];
	results: ScenarioResult[];
	ratios: Ratios[];
	targets: TargetCheck[];
}

export function markdownReport(input: ReportInput): string {
	const lines: string[] = [
		`## ${input.title}`,
		'',
		`Command: \`${input.command}\``,
		'',
		`Machine: ${input.machine}`,
		'',
	];
	lines.push(
		'| scenario | workflow | msgs | ack p50 | ack p99 | acks > 3 s | non-2xx answers | no answer in 10 s | delivery p50 | delivery p99 | events/s | Zendesk req/msg | Sunshine req/msg | Slack req/msg | 429s | dup | lost | out of order | extra tickets | peak RSS |',
		'|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	);
	const order: ScenarioKey[] = ['steady', 'burst', 'chatty', 'storm', 'retries', 'outage'];
	for (const scenario of order) {
		for (const workflow of WORKFLOW_ORDER) {
			const r = input.results.find((x) => x.scenario === scenario && x.workflow === workflow);
			if (!r) continue;
			lines.push(
				`| ${SCENARIO_LABELS[scenario]} | ${workflowTag(workflow)} | ${r.messages} | ${ms(r.ack.p50)} | ${ms(r.ack.p99)} | ${r.acksOver3s} | ${r.nonAckAnswers} | ${r.unanswered} | ${ms(r.delivery?.p50)} | ${ms(r.delivery?.p99)} | ${fmt(r.eventsPerSecond, 1)} | ${fmt(r.zendeskPerMessage)} | ${fmt(r.sunshinePerMessage)} | ${fmt(r.slackPerMessage)} | ${r.zendesk429} | ${r.duplicates ?? '–'} | ${r.lost ?? '–'} | ${r.outOfOrder ?? '–'} | ${r.extraTickets ?? '–'} | ${r.peakRssMb === null ? '–' : `${Math.round(r.peakRssMb)} MB`} |`,
			);
		}
	}
	lines.push('', ...TABLE_LEGEND.map((text) => `- ${text}`), ...outageTable(input.results));
	const phased = input.results.filter((r) => r.ackByPhase);
	if (phased.length) {
		lines.push(
			'',
			'| steady state ack | workflow | paced p50 | paced p99 | closed loop p50 | closed loop p99 | closed loop max |',
			'|---|---|---:|---:|---:|---:|---:|',
		);
		for (const r of phased) {
			const { paced, closedLoop } = r.ackByPhase!;
			lines.push(
				`| ${SCENARIO_LABELS[r.scenario]} | ${workflowTag(r.workflow)} | ${ms(paced.p50)} | ${ms(paced.p99)} | ${ms(closedLoop.p50)} | ${ms(closedLoop.p99)} | ${ms(closedLoop.max)} |`,
			);
		}
	}
	const rounded = input.results.filter((r) => r.closedLoopRounds?.length);
	const roundCount = Math.max(0, ...rounded.map((r) => r.closedLoopRounds!.length));
	if (roundCount > 1) {
		const heads = Array.from({ length: roundCount }, (_, i) => `round ${i + 1}`);
		lines.push(
			'',
			`| closed loop by round: ack p99, events/s, position | workflow | ${heads.join(' | ')} |`,
			`|---|---|${heads.map(() => '---:').join('|')}|`,
		);
		for (const r of rounded) {
			const cells = Array.from({ length: roundCount }, (_, i) => {
				const round = r.closedLoopRounds!.find((x) => x.round === i);
				return round ? `${ms(round.ack.p99)}, ${fmt(round.eventsPerSecond, 1)}/s, ${ordinal(round.position + 1)}` : '–';
			});
			lines.push(`| ${SCENARIO_LABELS[r.scenario]} | ${workflowTag(r.workflow)} | ${cells.join(' | ')} |`);
		}
	}
	lines.push(
		'',
		'| scenario | ack p99 (a)/(c) | ack p99 (a)/(d) | ack p99 (a)/(b) | events/s (a)/(c) | events/s (a)/(d) | events/s (a)/(b) | delivery p99 (a)/(b) | Zendesk req/msg (a)/(b) |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|',
	);
	for (const r of input.ratios) {
		lines.push(
			`| ${SCENARIO_LABELS[r.scenario]} | ${fmt(r.ackP99AOverC)} | ${fmt(r.ackP99AOverD)} | ${fmt(r.ackP99AOverB)} | ${fmt(r.epsAOverC)} | ${fmt(r.epsAOverD)} | ${fmt(r.epsAOverB)} | ${fmt(r.deliveryP99AOverB)} | ${fmt(r.zendeskPerMessageAOverB)} |`,
		);
	}
	lines.push('', '| target | this run | met? |', '|---|---|---|');
	for (const t of input.targets)
		lines.push(`| ${t.description} | ${t.value} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**no**'} |`);
	if (input.notes.length) lines.push('', ...input.notes.map((n) => `- ${n}`));
	const perResultNotes = input.results
		.filter((r) => r.notes.length)
		.map((r) => `- ${SCENARIO_LABELS[r.scenario]} ${workflowTag(r.workflow)}: ${r.notes.join('; ')}`);
	if (perResultNotes.length) lines.push('', ...perResultNotes);
	return `${lines.join('\n')}\n`;
}
