/** Workflow (d), the community-trigger floor, in the report (bench/floorTriggerReport.ts and its columns in bench/report.ts). */
import {
	type AckSample,
	type ScenarioResult,
	type WorkflowKey,
	ackFigures,
	checkTargets,
	countDeliveries,
	floorDeliveries,
	markdownReport,
	ratiosFor,
} from '../../../bench/report';
import { floorTriggerTargets } from '../../../bench/floorTriggerReport';

const ok = (durationMs: number): AckSample => ({ status: 200, durationMs, timedOut: false });
const acks = (durationMs: number, n = 100) => Array.from({ length: n }, () => ok(durationMs));

function result(workflow: WorkflowKey, samples: AckSample[], eventsPerSecond: number | null = 10): ScenarioResult {
	return {
		workflow,
		scenario: 'steady',
		messages: samples.length,
		sends: samples.length,
		...ackFigures(samples),
		delivery: null,
		eventsPerSecond,
		zendeskRequests: 0,
		slackRequests: 0,
		zendeskPerMessage: 0,
		slackPerMessage: 0,
		zendesk429: 0,
		duplicates: null,
		lost: null,
		outOfOrder: null,
		extraTickets: null,
		maxTicketUpdatesPer10Min: null,
		peakRssMb: null,
		durationMs: 1,
		notes: [],
	};
}

const targetsOf = (results: ScenarioResult[]) =>
	Object.fromEntries(checkTargets(results, ratiosFor(results)).map((t) => [t.id, t]));

describe('(a) against (d), the community-trigger floor', () => {
	it('has its ratios beside those against (c)', () => {
		const results = [result('a', acks(120), 27), result('c', acks(60), 30), result('d', acks(100), 30)];
		const [steady] = ratiosFor(results);
		expect(steady.ackP99AOverC).toBeCloseTo(2);
		expect(steady.ackP99AOverD).toBeCloseTo(1.2);
		expect(steady.epsAOverC).toBeCloseTo(0.9);
		expect(steady.epsAOverD).toBeCloseTo(0.9);
	});

	it('meets the targets at 1.2× the ack p99 and 0.9× the throughput of (d), even where (c) is missed', () => {
		const targets = targetsOf([result('a', acks(120), 27), result('c', acks(60), 30), result('d', acks(100), 30)]);
		expect(targets['ack-p99']?.met).toBe(false);
		expect(targets['ack-p99-floor-trigger']).toMatchObject({ met: true, value: '1.20×' });
		expect(targets['throughput-floor-trigger']).toMatchObject({ met: true, value: '0.90×' });
	});

	it('misses them past 1.2× or below 0.9×, and when some of (a)’s sends got no 2xx', () => {
		const slow = targetsOf([result('a', acks(130), 26), result('d', acks(100), 30)]);
		expect(slow['ack-p99-floor-trigger']?.met).toBe(false);
		expect(slow['throughput-floor-trigger']?.met).toBe(false);
		const refused = targetsOf([
			result('a', [...acks(50, 99), { status: 500, durationMs: 1, timedOut: false }]),
			result('d', acks(100)),
		]);
		expect(refused['ack-p99-floor-trigger']).toMatchObject({ met: false });
		expect(refused['ack-p99-floor-trigger']?.value).toContain('1 send(s) without a 2xx');
	});

	it('are not measured when (d) did not run the steady state', () => {
		const results = [result('a', acks(50)), result('c', acks(50))];
		expect(floorTriggerTargets(results, ratiosFor(results)).map((t) => [t.id, t.met])).toEqual([
			['ack-p99-floor-trigger', null],
			['throughput-floor-trigger', null],
		]);
	});

	it('come right after the targets against (c)', () => {
		const ids = checkTargets([], []).map((t) => t.id);
		expect(ids.slice(ids.indexOf('throughput'), ids.indexOf('throughput') + 3)).toEqual([
			'throughput',
			'ack-p99-floor-trigger',
			'throughput-floor-trigger',
		]);
	});

	it('counts (d)’s markers (bm-d-…) like (c)’s: delivered when an execution holding one finished', () => {
		const { firstStoredAt, lost } = countDeliveries(
			['bm-d-steady-1', 'bm-d-steady-2'],
			floorDeliveries([
				{
					status: 'success',
					stoppedAt: '2026-01-01T00:00:01.000Z',
					payload: '[{"event":{"text":"Hi bm-d-steady-1"}}]',
				},
				{ status: 'running', stoppedAt: null, payload: '[{"event":{"text":"Hi bm-d-steady-2"}}]' },
			]),
		);
		expect([...firstStoredAt.keys()]).toEqual(['bm-d-steady-1']);
		expect(lost).toBe(1);
	});

	it('prints (d)’s row, and the (a)/(d) columns beside (a)/(c) in the ratio table', () => {
		const results = [result('a', acks(120), 27), result('c', acks(60), 30), result('d', acks(100), 30)];
		const lines = markdownReport({
			title: 't',
			command: 'c',
			machine: 'm',
			notes: [],
			results,
			ratios: ratiosFor(results),
			targets: checkTargets(results, ratiosFor(results)),
		}).split('\n');
		expect(lines.some((line) => line.startsWith('| steady state | (d) | 100 |'))).toBe(true);
		const cells = (line: string) =>
			line
				.split('|')
				.slice(1, -1)
				.map((c) => c.trim());
		const header = cells(lines.find((l) => l.startsWith('| scenario | ack p99 (a)/(c) |')) as string);
		const row = cells(lines.find((l) => l.startsWith('| steady state | 2.00 |')) as string);
		expect(header.slice(0, 6)).toEqual([
			'scenario',
			'ack p99 (a)/(c)',
			'ack p99 (a)/(d)',
			'ack p99 (a)/(b)',
			'events/s (a)/(c)',
			'events/s (a)/(d)',
		]);
		expect(row.length).toBe(header.length);
		expect(row[header.indexOf('ack p99 (a)/(d)')]).toBe('1.20');
		expect(row[header.indexOf('events/s (a)/(d)')]).toBe('0.90');
		expect(lines.some((l) => l.includes('acknowledgement p99 ≤ 1.2 × (d)') && l.endsWith('| yes |'))).toBe(true);
	});
});
