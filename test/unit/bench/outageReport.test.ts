/** The Zendesk outage scenario's figures (bench/outageReport.ts): recovery → delivery, failures, cost. */
import { type OutageInput, outageFigures, spread } from '../../../bench/outageReport';

const DOWN = 1_000_000;
const UP = DOWN + 60_000;

function input(overrides: Partial<OutageInput> = {}): OutageInput {
	return {
		sent: [
			{ marker: 'bm-a-outage-1', sentAt: DOWN + 10 },
			{ marker: 'bm-a-outage-2', sentAt: DOWN + 2_000 },
			{ marker: 'bm-a-outage-3', sentAt: DOWN + 58_000 },
		],
		firstStoredAt: new Map([
			['bm-a-outage-1', UP + 5_000],
			['bm-a-outage-2', UP + 7_000],
			['bm-a-outage-3', UP + 70_000],
		]),
		outageStartedAt: DOWN,
		recoveredAt: UP,
		executionStatuses: ['success', 'success', 'success'],
		zendeskStatuses: [503, 503, 503, 503, 200, 201, 200],
		...overrides,
	};
}

describe('outageFigures', () => {
	it('measures the time from recovery to the last delivery and its distribution', () => {
		const figures = outageFigures(input());
		expect(figures.sentDuringOutage).toBe(3);
		expect(figures.outageMs).toBe(60_000);
		expect(figures.recoveryToLastDeliveryMs).toBe(70_000);
		expect(figures.afterRecovery).toEqual({ count: 3, p50: 7_000, p99: 70_000, max: 70_000 });
		expect(figures.deliveredDuringOutage).toBe(0);
	});

	it('counts only the messages sent while Zendesk was down, and has no figure when none arrived', () => {
		const before = { marker: 'bm-a-warmup-1', sentAt: DOWN - 5_000 };
		const figures = outageFigures(
			input({ sent: [before, { marker: 'bm-a-outage-1', sentAt: DOWN + 1 }], firstStoredAt: new Map() }),
		);
		expect(figures.sentDuringOutage).toBe(1);
		expect(figures.recoveryToLastDeliveryMs).toBeNull();
		expect(figures.afterRecovery.count).toBe(0);
	});

	it('counts a message stored while Zendesk was still down apart, never as a negative delay', () => {
		const figures = outageFigures(
			input({
				firstStoredAt: new Map([
					['bm-a-outage-1', UP - 1_000],
					['bm-a-outage-2', UP + 3_000],
				]),
			}),
		);
		expect(figures.deliveredDuringOutage).toBe(1);
		expect(figures.afterRecovery).toEqual({ count: 1, p50: 3_000, p99: 3_000, max: 3_000 });
		expect(figures.recoveryToLastDeliveryMs).toBe(3_000);
	});

	it("counts failed executions (error, crashed) and the statuses of n8n's execution list", () => {
		const figures = outageFigures(input({ executionStatuses: ['success', 'error', 'crashed', 'waiting', 'success'] }));
		expect(figures.failedExecutions).toBe(2);
		expect(figures.executionsByStatus).toEqual({ success: 2, error: 1, crashed: 1, waiting: 1 });
	});

	it('counts the 503s and every Zendesk request per message sent', () => {
		const figures = outageFigures(input());
		expect(figures.zendesk503).toBe(4);
		expect(figures.zendeskPerMessage).toBeCloseTo(7 / 3);
		expect(outageFigures(input({ sent: [] })).zendeskPerMessage).toBeNull();
	});
});

describe('spread', () => {
	it('is the nearest-rank distribution', () => {
		expect(spread([30, 10, 20])).toEqual({ count: 3, p50: 20, p99: 30, max: 30 });
		expect(spread([])).toEqual({ count: 0, p50: null, p99: null, max: null });
	});
});
