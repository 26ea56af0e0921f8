/** `npm start` says what it is doing and for how long, instead of a silent minute. */
import { PROGRESS_EVERY_MS, progressLine, stillWorkingLine } from '../../../scripts/start';

describe('npm start progress lines', () => {
	it('prefix every line with the seconds since npm start began', () => {
		expect(progressLine('building the package…', 0)).toBe('[sandbox 0s] building the package…');
		expect(progressLine('starting n8n…', 61_400)).toBe('[sandbox 61s] starting n8n…');
	});

	it('a long step is reported at least every 10 seconds with its own elapsed time', () => {
		expect(PROGRESS_EVERY_MS).toBeLessThanOrEqual(10_000);
		expect(stillWorkingLine('starting n8n', 20_300)).toBe('… still starting n8n (20s so far)');
	});
});
