/** Pure figures of the benchmark (bench/report.ts): acknowledgements as Slack counts them, distinct-message throughput. */
import {
	type AckSample,
	type Ratios,
	type ScenarioResult,
	TABLE_LEGEND,
	ackFigures,
	checkTargets,
	countDeliveries,
	countOutOfOrder,
	distinctMessagesPerSecond,
	floorDeliveries,
	markdownReport,
	messagingTargets,
	ratiosFor,
	roundOrder,
	windowedMessagesPerSecond,
} from '../../../bench/report';

const ok = (durationMs: number): AckSample => ({ status: 200, durationMs, timedOut: false });
const answered = (status: number, durationMs: number): AckSample => ({ status, durationMs, timedOut: false });
const timeout: AckSample = { status: 0, durationMs: 10_000, timedOut: true };
const refused: AckSample = { status: 0, durationMs: 3, timedOut: false };

function result(workflow: 'a' | 'm' | 'b' | 'c', samples: AckSample[], eventsPerSecond = 10): ScenarioResult {
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

describe('ackFigures', () => {
	it('builds the latency distribution from 2xx answers only: fast errors are not acknowledgements', () => {
		// 10 fast 500s and one slow 2xx: counting every answer would give p50 = 5 ms.
		const samples = [...Array.from({ length: 10 }, () => answered(500, 5)), ok(800)];
		const figures = ackFigures(samples);
		expect(figures.ack).toEqual({ count: 1, p50: 800, p99: 800, max: 800 });
		expect(figures.nonAckAnswers).toBe(10);
		expect(figures.unanswered).toBe(0);
	});

	it('counts non-2xx answers, sends without answer and 2xx answers past 3 s apart', () => {
		const figures = ackFigures([
			ok(100),
			ok(200),
			ok(3_500),
			answered(401, 20),
			answered(503, 4_000),
			answered(302, 10),
			timeout,
			refused,
		]);
		expect(figures.ack.count).toBe(3);
		expect(figures.ack.p50).toBe(200);
		expect(figures.ack.max).toBe(3_500);
		expect(figures.acksOver3s).toBe(1);
		expect(figures.nonAckAnswers).toBe(3);
		expect(figures.unanswered).toBe(2);
	});

	it('has no percentiles when nothing was acknowledged', () => {
		expect(ackFigures([answered(500, 1), timeout]).ack).toEqual({ count: 0, p50: null, p99: null, max: null });
	});
});

describe('acknowledgements in the targets and the table', () => {
	const fastErrors = [...Array.from({ length: 98 }, () => ok(50)), answered(500, 1), answered(500, 1)];
	const results = [
		result('a', fastErrors),
		result(
			'c',
			Array.from({ length: 100 }, () => ok(50)),
		),
	];
	const ratios: Ratios[] = ratiosFor(results);

	it('does not meet the ack p99 target when (a) answered some sends with an error, however fast', () => {
		expect(ratios[0].ackP99AOverC).toBe(1);
		const check = checkTargets(results, ratios).find((t) => t.id === 'ack-p99');
		expect(check?.met).toBe(false);
		expect(check?.value).toContain('2 send(s) without a 2xx');
	});

	it('meets it when every send got a 2xx within the ratio', () => {
		const clean = [
			result(
				'a',
				Array.from({ length: 100 }, () => ok(55)),
			),
			result(
				'c',
				Array.from({ length: 100 }, () => ok(50)),
			),
		];
		expect(checkTargets(clean, ratiosFor(clean)).find((t) => t.id === 'ack-p99')?.met).toBe(true);
	});

	it('shows non-2xx answers and unanswered sends in their own columns, and says what the columns count', () => {
		const markdown = markdownReport({
			title: 't',
			command: 'c',
			machine: 'm',
			notes: [],
			results: [result('a', [...fastErrors, timeout])],
			ratios: [],
			targets: [],
		});
		const lines = markdown.split('\n');
		const header = lines.find((l) => l.startsWith('| scenario | workflow |')) as string;
		const row = lines.find((l) => l.startsWith('| steady state | (a) |')) as string;
		const cells = (line: string) =>
			line
				.split('|')
				.slice(1, -1)
				.map((c) => c.trim());
		const column = (name: string) => cells(row)[cells(header).indexOf(name)];
		expect(header).toMatch(/^\| scenario \| workflow \| msgs \| ack p50 \| ack p99 \|/);
		expect(cells(header).length).toBe(cells(row).length);
		expect(column('non-2xx answers')).toBe('2');
		expect(column('out of order')).toBe('–');
		expect(column('no answer in 10 s')).toBe('1');
		expect(column('ack p50')).toBe('50 ms');
		for (const text of TABLE_LEGEND) expect(markdown).toContain(text);
		expect(markdown).toContain('2xx answers only');
		expect(markdown).toContain('distinct messages delivered per second');
	});
});

describe('steady-state acknowledgements by phase', () => {
	it('prints the paced and the closed-loop phase apart, for the results that have them', () => {
		const steady = {
			...result('a', [ok(40), ok(60)]),
			ackByPhase: { paced: ackFigures([ok(40)]).ack, closedLoop: ackFigures([ok(300), ok(700)]).ack },
		};
		const markdown = markdownReport({
			title: 't',
			command: 'c',
			machine: 'm',
			notes: [],
			results: [steady, result('c', [ok(50)])],
			ratios: [],
			targets: [],
		});
		const lines = markdown.split('\n');
		expect(lines).toContain(
			'| steady state ack | workflow | paced p50 | paced p99 | closed loop p50 | closed loop p99 | closed loop max |',
		);
		expect(lines).toContain('| steady state | (a) | 40 ms | 40 ms | 300 ms | 700 ms | 700 ms |');
		expect(lines.filter((line) => line.startsWith('| steady state | (c) | 50 ms | 50 ms |'))).toEqual([]);
	});
});

describe('events/s counts distinct messages', () => {
	const markers = ['bm-c-retries-1', 'bm-c-retries-2', 'bm-c-retries-3'];
	const at = (ms: number) => new Date(1_000_000 + ms).toISOString();
	// Each event reaches the floor three times (Slack's retries 1 and 2): nine executions.
	const executions = markers.flatMap((marker, i) =>
		[0, 1, 2].map((retry) => ({
			status: 'success',
			stoppedAt: at(i * 1000 + retry * 400 + 100),
			payload: JSON.stringify([{ body: { event: { text: `Are you there? ${marker}` } } }]),
		})),
	);

	it("counts each of the floor's messages once, at its first finished execution", () => {
		const first = countDeliveries(markers, floorDeliveries(executions)).firstStoredAt;
		expect([...first.entries()].sort()).toEqual([
			['bm-c-retries-1', 1_000_100],
			['bm-c-retries-2', 1_001_100],
			['bm-c-retries-3', 1_002_100],
		]);
		// 3 messages over 2.1 s, not 9 executions over 2.9 s.
		expect(distinctMessagesPerSecond(first, 1_000_000)).toBeCloseTo(3 / 2.1, 6);
	});

	it('ignores executions still running and those without a readable marker', () => {
		const more = [
			...executions,
			{
				status: 'running',
				stoppedAt: null,
				payload: JSON.stringify([{ body: { event: { text: 'bm-c-retries-4' } } }]),
			},
			{ status: 'success', stoppedAt: at(9_000), payload: '' },
		];
		const first = countDeliveries([...markers, 'bm-c-retries-4'], floorDeliveries(more)).firstStoredAt;
		expect(first.has('bm-c-retries-4')).toBe(false);
		expect(distinctMessagesPerSecond(first, 1_000_000)).toBeCloseTo(3 / 2.1, 6);
	});

	it('counts a message stored twice once for (a) and (b) too, and only the markers asked for', () => {
		const comments = [
			{ text: 'x bm-a-steady-1', storedAt: 1_000 },
			{ text: 'x bm-a-steady-1', storedAt: 1_500 },
			{ text: 'x bm-a-steady-2', storedAt: 2_000 },
			{ text: 'x bm-a-steady-3', storedAt: 3_000 },
		];
		const first = countDeliveries(['bm-a-steady-1', 'bm-a-steady-2', 'bm-a-steady-3'], comments).firstStoredAt;
		expect(distinctMessagesPerSecond(first, 0)).toBeCloseTo(1, 6);
		expect(distinctMessagesPerSecond(first, 0, ['bm-a-steady-1', 'bm-a-steady-2'])).toBeCloseTo(1, 6);
		expect(distinctMessagesPerSecond(first, 0, ['bm-a-steady-9'])).toBeNull();
		expect(distinctMessagesPerSecond(new Map(), 0)).toBeNull();
	});
});

describe('messages out of order', () => {
	const sent = ['bm-a-chatty-1', 'bm-a-chatty-2', 'bm-a-chatty-3', 'bm-a-chatty-4'];

	it('counts a message stored after one of its conversation sent later', () => {
		const comments = [
			{ ticketId: 1, text: 'bm-a-chatty-1' },
			{ ticketId: 1, text: 'bm-a-chatty-3' },
			{ ticketId: 1, text: 'bm-a-chatty-2' },
			{ ticketId: 1, text: 'bm-a-chatty-4' },
		];
		expect(countOutOfOrder(sent, comments)).toEqual({ outOfOrder: 1, markers: ['bm-a-chatty-2'] });
	});

	it('reads a coalesced comment line by line, and each ticket (conversation) apart', () => {
		expect(
			countOutOfOrder(sent, [
				{ ticketId: 1, text: 'bm-a-chatty-1\nbm-a-chatty-3' },
				{ ticketId: 2, text: 'bm-a-chatty-2' },
				{ ticketId: 1, text: 'bm-a-chatty-4' },
			]).outOfOrder,
		).toBe(0);
		expect(countOutOfOrder(sent, [{ ticketId: 1, text: 'bm-a-chatty-2\nbm-a-chatty-1' }]).markers).toEqual([
			'bm-a-chatty-1',
		]);
	});

	it('counts a message stored twice at its first copy, and ignores markers not asked for', () => {
		const comments = [
			{ ticketId: 1, text: 'bm-a-chatty-1 bm-b-chatty-9' },
			{ ticketId: 1, text: 'bm-a-chatty-2' },
			{ ticketId: 1, text: 'bm-a-chatty-1' },
		];
		expect(countOutOfOrder(sent, comments).outOfOrder).toBe(0);
	});
});

describe('steady state in interleaved closed-loop rounds', () => {
	it('rotates the order so each workflow runs once in each position', () => {
		const rounds = [0, 1, 2].map((round) => roundOrder(['c', 'b', 'a'], round));
		expect(rounds).toEqual([
			['c', 'b', 'a'],
			['b', 'a', 'c'],
			['a', 'c', 'b'],
		]);
		for (const key of ['a', 'b', 'c']) expect(rounds.map((order) => order.indexOf(key)).sort()).toEqual([0, 1, 2]);
		expect(roundOrder(['c', 'b', 'a'], 3)).toEqual(['c', 'b', 'a']);
		expect(roundOrder([], 1)).toEqual([]);
	});

	it('pools throughput over the rounds without the pauses between them', () => {
		const first = new Map([
			['bm-a-steady-1', 1_500],
			['bm-a-steady-2', 2_000],
			// Round 2 starts 60 s later, while the other workflows ran in between.
			['bm-a-steady-3', 61_000],
			['bm-a-steady-4', 63_000],
		]);
		const rounds = [
			{ firstSendAt: 1_000, markers: ['bm-a-steady-1', 'bm-a-steady-2'] },
			{ firstSendAt: 60_000, markers: ['bm-a-steady-3', 'bm-a-steady-4', 'bm-a-steady-5'] },
		];
		// 4 delivered over 1 s + 3 s; the undelivered message adds nothing.
		expect(windowedMessagesPerSecond(first, rounds)).toBeCloseTo(1, 6);
		expect(windowedMessagesPerSecond(first, [rounds[0]])).toBeCloseTo(2, 6);
		// One window is the old single-phase figure.
		expect(windowedMessagesPerSecond(first, [rounds[1]])).toBe(
			distinctMessagesPerSecond(first, 60_000, rounds[1].markers),
		);
		expect(windowedMessagesPerSecond(first, [{ firstSendAt: 0, markers: ['bm-a-steady-9'] }])).toBeNull();
	});

	it('prints each round apart: p99, events/s and where the workflow ran in it', () => {
		const round = (n: number, position: number, samples: AckSample[], eventsPerSecond: number) => ({
			round: n,
			position,
			ack: ackFigures(samples).ack,
			eventsPerSecond,
		});
		const a = {
			...result('a', [ok(300), ok(500)]),
			closedLoopRounds: [round(0, 2, [ok(300)], 20), round(1, 1, [ok(500)], 25.25)],
		};
		const c = { ...result('c', [ok(200)]), closedLoopRounds: [round(0, 0, [ok(200)], 30), round(1, 2, [ok(210)], 31)] };
		const lines = markdownReport({
			title: 't',
			command: 'c',
			machine: 'm',
			notes: [],
			results: [a, c, result('b', [ok(1)])],
			ratios: [],
			targets: [],
		}).split('\n');
		expect(lines).toContain('| closed loop by round: ack p99, events/s, position | workflow | round 1 | round 2 |');
		expect(lines).toContain('| steady state | (a) | 300 ms, 20.0/s, 3rd | 500 ms, 25.3/s, 2nd |');
		expect(lines).toContain('| steady state | (c) | 200 ms, 30.0/s, 1st | 210 ms, 31.0/s, 3rd |');
		expect(lines.some((line) => line.startsWith('| steady state | (b) |') && line.includes('/s,'))).toBe(false);
	});

	it('prints no round table for a single round', () => {
		const a = {
			...result('a', [ok(300)]),
			closedLoopRounds: [{ round: 0, position: 0, ack: ackFigures([ok(300)]).ack, eventsPerSecond: 20 }],
		};
		const markdown = markdownReport({
			title: 't',
			command: 'c',
			machine: 'm',
			notes: [],
			results: [a],
			ratios: [],
			targets: [],
		});
		expect(markdown).not.toContain('closed loop by round');
	});
});

describe("(a′), the messaging mode's targets", () => {
	const messaging = (scenario: ScenarioResult['scenario'], changes: Partial<ScenarioResult>): ScenarioResult => ({
		...result('m', [ok(20), ok(30)]),
		scenario,
		duplicates: 0,
		lost: 0,
		outOfOrder: 0,
		delivery: { count: 2, p50: 200, p99: 900, max: 900 },
		sunshinePerMessage: 1,
		...changes,
	});
	const met = (results: ScenarioResult[]) => Object.fromEntries(messagingTargets(results).map((t) => [t.id, t.met]));

	it("counts (a′)'s markers (bm-m-…) like the others'", () => {
		const stored = [{ ticketId: 1, text: 'Hello bm-m-steady-1', storedAt: 5 }];
		expect(countDeliveries(['bm-m-steady-1', 'bm-m-steady-2'], stored)).toMatchObject({ lost: 1, duplicates: 0 });
	});

	it('are judged only when (a′) ran', () => {
		expect(messagingTargets([result('a', [ok(10)])])).toEqual([]);
	});

	it('Sunshine requests per message in steady state, exactly once and in order everywhere, chatty p99 under 3 s', () => {
		const clean = [messaging('steady', {}), messaging('chatty', {}), messaging('retries', {})];
		expect(met(clean)).toEqual({
			'sunshine-per-message': true,
			'messaging-exactly-once': true,
			'messaging-chatty': true,
		});
		expect(met([messaging('steady', { sunshinePerMessage: 1.06 }), ...clean.slice(1)])['sunshine-per-message']).toBe(
			false,
		);
		expect(met([...clean.slice(0, 2), messaging('retries', { duplicates: 1 })])['messaging-exactly-once']).toBe(false);
		expect(met([...clean.slice(0, 2), messaging('retries', { outOfOrder: 1 })])['messaging-exactly-once']).toBe(false);
		const slow = messaging('chatty', { delivery: { count: 60, p50: 500, p99: 3000, max: 3100 } });
		expect(met([clean[0], slow, clean[2]])['messaging-chatty']).toBe(false);
	});

	it('the table names it (a′) and shows its Sunshine requests per message', () => {
		const results = [result('a', [ok(10)]), messaging('steady', { sunshinePerMessage: 1.01 })];
		const markdown = markdownReport({
			title: 't',
			command: 'c',
			machine: 'm',
			notes: [],
			results,
			ratios: ratiosFor(results),
			targets: checkTargets(results, ratiosFor(results)),
		});
		const row = markdown.split('\n').find((line) => line.startsWith('| steady state | (a′) |'));
		expect(row).toContain('| 1.01 |');
		expect(markdown).toContain('| Zendesk req/msg | Sunshine req/msg |');
		expect(markdown).toContain('(a′) steady state: ≤ 1.05 Sunshine requests per message');
	});
});

describe('the Zendesk outage scenario in the report', () => {
	const outage = (changes: Partial<ScenarioResult> = {}, failedExecutions = 0): ScenarioResult => ({
		...result('a', [ok(20)]),
		scenario: 'outage',
		...{ duplicates: 0, lost: 0, outOfOrder: 0 },
		outage: {
			...{ sentDuringOutage: 30, outageMs: 60_000, recoveryToLastDeliveryMs: 72_400, deliveredDuringOutage: 0 },
			afterRecovery: { count: 30, p50: 41_000, p99: 72_400, max: 72_400 },
			...{ failedExecutions, executionsByStatus: { success: 30 }, zendesk503: 45, zendeskPerMessage: 3.2 },
		},
		...changes,
	});
	const report = (results: ScenarioResult[]) =>
		markdownReport({ ...{ title: 't', command: 'c', machine: 'm', notes: [] }, results, ratios: [], targets: [] });
	const drains = (r: ScenarioResult) => checkTargets([r], ratiosFor([r])).find((t) => t.id === 'outage-drains');

	it('prints a row with the recovery → last delivery time, its p50/p99, failures and cost', () => {
		const row = report([outage()])
			.split('\n')
			.find((line) => line.startsWith('| 503 to every request | (a) |'));
		expect(row).toBe(
			'| 503 to every request | (a) | 30 | 60.0 s | 72.4 s | 41.0 s | 72.4 s | 0 | 0 | 0 | 0 | 0 | 3.20 | 45 |',
		);
		expect(report([result('a', [ok(20)])])).not.toContain('recovery → last delivery');
	});

	it('meets the G7 target only with nothing lost, doubled, out of order or failed', () => {
		expect(drains(outage())).toMatchObject({ met: true, value: '0/0/0/0; 72.4 s' });
		expect(drains(outage({ lost: 1 }))?.met).toBe(false);
		expect(drains(outage({ outOfOrder: 2 }))?.met).toBe(false);
		expect(drains(outage({}, 1))?.met).toBe(false);
		expect(drains(result('a', [ok(20)]))).toBeUndefined();
	});
});
