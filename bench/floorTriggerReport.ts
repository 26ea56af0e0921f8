/**
 * Workflow (d) in the report (issue 22, G6): (a) against the community-trigger floor, the bench's
 * own trigger that emits the request body → No Operation (bench/floorTrigger.ts). (c), n8n's own
 * Webhook node, skips the expression isolate n8n takes per webhook request for every other
 * trigger; (d) pays it, as (a) does, so (a)/(d) is what a community trigger can still win. No I/O.
 */
import type { Ratios, ScenarioResult, TargetCheck } from './report';

/** Issue G6's targets against (d): steady-state ack p99 within 1.2×, throughput at least 0.9×. */
export const FLOOR_TRIGGER_ACK_P99_MAX = 1.2;
export const FLOOR_TRIGGER_THROUGHPUT_MIN = 0.9;

const fmt = (value: number | null | undefined): string =>
	value === null || value === undefined ? '–' : value.toFixed(2);

/** (a)'s steady-state targets against (d); `met` is null when (a) or (d) did not run the steady state. */
export function floorTriggerTargets(results: ScenarioResult[], ratios: Ratios[]): TargetCheck[] {
	const steady = results.find((r) => r.workflow === 'a' && r.scenario === 'steady');
	const steadyRatios = ratios.find((r) => r.scenario === 'steady');
	// As for (c): the p99 holds 2xx answers only, so sends without one must not pass unseen.
	const notAcked = steady ? steady.nonAckAnswers + steady.unanswered : 0;
	const ack = steadyRatios?.ackP99AOverD ?? null;
	const eps = steadyRatios?.epsAOverD ?? null;
	return [
		{
			id: 'ack-p99-floor-trigger',
			description: `(a) steady state: acknowledgement p99 ≤ ${FLOOR_TRIGGER_ACK_P99_MAX} × (d), every send answered 2xx`,
			value: `${fmt(ack)}×${notAcked ? `, ${notAcked} send(s) without a 2xx` : ''}`,
			met: ack === null ? null : ack <= FLOOR_TRIGGER_ACK_P99_MAX && notAcked === 0,
		},
		{
			id: 'throughput-floor-trigger',
			description: `(a) steady state: sustained throughput ≥ ${FLOOR_TRIGGER_THROUGHPUT_MIN} × (d)`,
			value: `${fmt(eps)}×`,
			met: eps === null ? null : eps >= FLOOR_TRIGGER_THROUGHPUT_MIN,
		},
	];
}
