/**
 * Pure figures of the "Zendesk outage" scenario (issue 24, G7): how long after Zendesk came back
 * the messages sent while it was down reached their tickets, and what it cost. No I/O here.
 */
import type { Distribution, ScenarioResult, TargetCheck } from './report';

export interface OutageFigures {
	/** Messages sent while every Zendesk API request was answered 503. */
	sentDuringOutage: number;
	/** Fault on → fault cleared (ms). */
	outageMs: number;
	/** Fault cleared → the last of those messages stored in its ticket (ms); null when none arrived. */
	recoveryToLastDeliveryMs: number | null;
	/** Per delivered message: stored − fault cleared (ms). */
	afterRecovery: Distribution;
	/** Messages stored while Zendesk was still down (should be 0). */
	deliveredDuringOutage: number;
	/** Executions of the workflow that ended in error or crashed (n8n's execution list). */
	failedExecutions: number;
	/** Executions by status at the end of the scenario (`waiting`: still parked). */
	executionsByStatus: Record<string, number>;
	/** Zendesk requests answered 503 (the injected outage), and all Zendesk requests per message sent. */
	zendesk503: number;
	zendeskPerMessage: number | null;
}

export interface OutageInput {
	sent: Array<{ marker: string; sentAt: number }>;
	/** First time each marker was stored (`countDeliveries().firstStoredAt`). */
	firstStoredAt: Map<string, number>;
	outageStartedAt: number;
	recoveredAt: number;
	executionStatuses: string[];
	zendeskStatuses: number[];
}

function percentileOf(sorted: number[], p: number): number | null {
	if (sorted.length === 0) return null;
	return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/** Nearest-rank distribution (as `report.distribution`), kept here so this module needs only types. */
export function spread(values: number[]): Distribution {
	const sorted = [...values].sort((x, y) => x - y);
	return {
		count: sorted.length,
		p50: percentileOf(sorted, 50),
		p99: percentileOf(sorted, 99),
		max: sorted.length ? sorted[sorted.length - 1] : null,
	};
}

export const FAILED_STATUSES = ['error', 'crashed'];

export function outageFigures(input: OutageInput): OutageFigures {
	const during = input.sent.filter((s) => s.sentAt >= input.outageStartedAt && s.sentAt < input.recoveredAt);
	const stored = during.map((s) => input.firstStoredAt.get(s.marker)).filter((at): at is number => at !== undefined);
	const afterRecovery = stored.filter((at) => at >= input.recoveredAt).map((at) => at - input.recoveredAt);
	const byStatus: Record<string, number> = {};
	for (const status of input.executionStatuses) byStatus[status] = (byStatus[status] ?? 0) + 1;
	return {
		sentDuringOutage: during.length,
		outageMs: input.recoveredAt - input.outageStartedAt,
		recoveryToLastDeliveryMs: afterRecovery.length ? Math.max(...afterRecovery) : null,
		afterRecovery: spread(afterRecovery),
		deliveredDuringOutage: stored.length - afterRecovery.length,
		failedExecutions: input.executionStatuses.filter((s) => FAILED_STATUSES.includes(s)).length,
		executionsByStatus: byStatus,
		zendesk503: input.zendeskStatuses.filter((s) => s === 503).length,
		zendeskPerMessage: input.sent.length ? input.zendeskStatuses.length / input.sent.length : null,
	};
}

function seconds(ms: number | null | undefined): string {
	return ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`;
}

const countOrDash = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : String(n));

/** The outage table under the main one; nothing when no result has outage figures. */
export function outageTable(results: ScenarioResult[]): string[] {
	const rows = results.filter((r) => r.outage);
	if (!rows.length) return [];
	const lines = [
		'',
		'| Zendesk outage | workflow | sent during outage | outage | recovery → last delivery | after recovery p50 | p99 | dup | lost | out of order | failed executions | still waiting | Zendesk req/msg | 503s |',
		'|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const r of rows) {
		const o = r.outage as OutageFigures;
		const tag = r.workflow === 'm' ? '(a′)' : `(${r.workflow})`;
		lines.push(
			`| 503 to every request | ${tag} | ${o.sentDuringOutage} | ${seconds(o.outageMs)} | ${seconds(o.recoveryToLastDeliveryMs)} | ${seconds(o.afterRecovery.p50)} | ${seconds(o.afterRecovery.p99)} | ${countOrDash(r.duplicates)} | ${countOrDash(r.lost)} | ${countOrDash(r.outOfOrder)} | ${o.failedExecutions} | ${o.executionsByStatus.waiting ?? 0} | ${o.zendeskPerMessage === null ? '–' : o.zendeskPerMessage.toFixed(2)} | ${o.zendesk503} |`,
		);
	}
	lines.push(
		'',
		"- Zendesk outage: every Zendesk API request answered 503 (fault route `*`) while the messages were sent; recovery = the fault cleared; a message is delivered when its marker is stored in its ticket. Out of order counts per conversation (ticket). Failed executions: error or crashed in n8n's execution list; still waiting: parked executions left at the end. Zendesk req/msg counts every request of the scenario (503s included) per message sent.",
	);
	return lines;
}

/** G7's target: the outage drains by itself, exactly once, in order, nothing failed. None when not run. */
export function outageTargets(results: ScenarioResult[]): TargetCheck[] {
	const r = results.find((x) => x.workflow === 'a' && x.outage);
	if (!r?.outage) return [];
	const o = r.outage;
	const met =
		r.lost === 0 &&
		r.duplicates === 0 &&
		r.outOfOrder === 0 &&
		o.failedExecutions === 0 &&
		o.recoveryToLastDeliveryMs !== null;
	return [
		{
			id: 'outage-drains',
			description:
				'(a) Zendesk outage: every message sent while down delivered by itself, once, in order, no failed execution (dup/lost/out of order/failed; recovery → last delivery)',
			value: `${r.duplicates ?? '–'}/${r.lost ?? '–'}/${r.outOfOrder ?? '–'}/${o.failedExecutions}; ${seconds(o.recoveryToLastDeliveryMs)}`,
			met,
		},
	];
}
