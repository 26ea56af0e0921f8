import { Pacer, PacerQueueFullError } from '../../../../../nodes/shared/state/pacer';

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

/** A pacer on jest's fake clock: tests move time instead of waiting for it. */
function fakePacer(maxQueue?: number) {
	const clock = {
		get now() {
			return Date.now();
		},
		set now(at: number) {
			jest.setSystemTime(at);
		},
		slept: [] as number[],
	};
	const pacer = new Pacer({
		clock: () => Date.now(),
		sleep: async (ms) => {
			clock.slept.push(ms);
			await new Promise((resolve) => setTimeout(resolve, ms));
		},
		maxQueue,
	});
	return { clock, pacer };
}

/** Lets every timer fire, in time order, until the promise settles. */
async function settle<T>(promise: Promise<T>): Promise<T> {
	const result = promise.then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
	await jest.runAllTimersAsync();
	const outcome = (await result) as { value?: T; error?: unknown };
	if ('error' in outcome) throw outcome.error;
	return outcome.value as T;
}

const perSecond = (key: string) => ({ key, limit: 1, windowMs: 1000 });

describe('Pacer', () => {
	it('starts 30 concurrent callers one per second, in arrival order', async () => {
		const { clock, pacer } = fakePacer();
		const started: Array<{ caller: number; at: number }> = [];
		await settle(
			Promise.all(
				Array.from(
					{ length: 30 },
					async (_, caller) =>
						await pacer.run('acme|POST /users/create_or_update', [perSecond('acme|cou')], async () =>
							started.push({ caller, at: clock.now }),
						),
				),
			),
		);
		expect(started.map((s) => s.caller)).toEqual(Array.from({ length: 30 }, (_, i) => i));
		expect(started.map((s) => s.at)).toEqual(Array.from({ length: 30 }, (_, i) => i * 1000));
		expect(pacer.waiting('acme|POST /users/create_or_update')).toBe(0);
	});

	it('lets the first caller through without waiting, and a caller after a quiet second too', async () => {
		const { clock, pacer } = fakePacer();
		await pacer.run('lane', [perSecond('a')], async () => undefined);
		clock.now += 1500;
		await pacer.run('lane', [perSecond('a')], async () => undefined);
		expect(clock.slept).toEqual([]);
	});

	it('honours every limit of a call: 1 per second per account and 5 per minute per user', async () => {
		const { clock, pacer } = fakePacer();
		const limits = [perSecond('acme'), { key: 'acme|user-1', limit: 5, windowMs: 60_000 }];
		const starts: number[] = [];
		await settle(
			Promise.all(
				Array.from({ length: 7 }, async () => await pacer.run('acme', limits, async () => starts.push(clock.now))),
			),
		);
		expect(starts).toEqual([0, 1000, 2000, 3000, 4000, 60_000, 61_000]);
	});

	it('paces starts, not completions: a slow call does not hold the next one back', async () => {
		const { clock, pacer } = fakePacer();
		let releaseSlow!: () => void;
		const slow = pacer.run(
			'lane',
			[perSecond('a')],
			async () => await new Promise<void>((resolve) => (releaseSlow = resolve)),
		);
		const fastStart = await settle(pacer.run('lane', [perSecond('a')], async () => clock.now));
		expect(fastStart).toBe(1000);
		releaseSlow();
		await slow;
	});

	it('keeps lanes apart: another account does not wait', async () => {
		const { clock, pacer } = fakePacer();
		const a = Promise.all(
			[1, 2, 3].map(async () => await pacer.run('acme', [perSecond('acme')], async () => clock.now)),
		);
		const b = await pacer.run('other', [perSecond('other')], async () => clock.now);
		expect(b).toBe(0);
		expect(await settle(a)).toEqual([0, 1000, 2000]);
	});

	it('refuses a caller beyond the bounded queue at once, and the queued ones still run', async () => {
		const { pacer } = fakePacer(3);
		const runs = Array.from({ length: 4 }, async () => await pacer.run('lane', [perSecond('a')], async () => 'ran'));
		// The first starts at once; three wait; the fifth finds the queue full.
		await expect(pacer.run('lane', [perSecond('a')], async () => 'ran')).rejects.toBeInstanceOf(PacerQueueFullError);
		expect(await settle(Promise.all(runs))).toEqual(['ran', 'ran', 'ran', 'ran']);
	});

	it('passes a failing call on to its caller without blocking the lane', async () => {
		const { pacer } = fakePacer();
		const failing = pacer.run('lane', [perSecond('a')], async () => {
			throw new Error('HTTP 500');
		});
		const next = pacer.run('lane', [perSecond('a')], async () => 'next');
		await expect(failing).rejects.toThrow('HTTP 500');
		expect(await settle(next)).toBe('next');
	});
});
