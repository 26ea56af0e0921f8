import { admitSecret, secretKeyOf } from '../../../../nodes/ZendeskReplyTrigger/secretRecovery';
import { RECOVERY_INTERVAL_MS, resetSecretState } from '../../../../nodes/ZendeskReplyTrigger/secretState';

const KEY = secretKeyOf('wf', 'node', 'https://n8n.example/webhook/x');
const REAL = { secret: 'real-secret', webhookId: 'wh1' };

function lookUp(found: typeof REAL | null = REAL) {
	const calls: number[] = [];
	return { calls, recover: async () => (calls.push(1), found ?? undefined) };
}

beforeEach(() => resetSecretState());

describe('which secret admits a delivery', () => {
	it("the static data's secret decides alone: a mismatch is refused without a look-up", async () => {
		const { calls, recover } = lookUp();
		const refused = await admitSecret({ key: KEY, stored: REAL, matches: (s) => s === 'other', recover, now: 0 });
		expect(refused).toEqual({ admitted: undefined, restored: false });
		const admitted = await admitSecret({ key: KEY, stored: REAL, matches: (s) => s === REAL.secret, recover, now: 0 });
		expect(admitted).toEqual({ admitted: REAL, restored: false });
		expect(calls).toHaveLength(0);
	});

	it('static data lost it: the secret this process knew admits without a look-up, and is to be written back', async () => {
		const { calls, recover } = lookUp();
		await admitSecret({ key: KEY, stored: REAL, matches: () => true, recover, now: 0 });
		const admission = await admitSecret({
			key: KEY,
			stored: undefined,
			matches: (s) => s === REAL.secret,
			recover,
			now: 1,
		});
		expect(admission).toEqual({ admitted: REAL, restored: true });
		expect(calls).toHaveLength(0);
	});

	it('unknown here: one look-up per interval, shared by concurrent deliveries; a forged key is refused', async () => {
		const { calls, recover } = lookUp();
		const genuine = (now: number) =>
			admitSecret({ key: KEY, stored: undefined, matches: (s) => s === REAL.secret, recover, now });
		const forged = (now: number) => admitSecret({ key: KEY, stored: undefined, matches: () => false, recover, now });
		const [a, b, c] = await Promise.all([genuine(0), genuine(0), forged(0)]);
		expect([a.admitted, b.admitted, c.admitted]).toEqual([REAL, REAL, undefined]);
		expect(calls).toHaveLength(1);
		await forged(RECOVERY_INTERVAL_MS - 1);
		expect(calls).toHaveLength(1);
		await forged(RECOVERY_INTERVAL_MS + 1);
		expect(calls).toHaveLength(2);
	});

	it('nothing found at the vendor: refused, and not asked again within the interval', async () => {
		const { calls, recover } = lookUp(null);
		expect((await admitSecret({ key: KEY, stored: undefined, matches: () => true, recover, now: 0 })).admitted).toBe(
			undefined,
		);
		await admitSecret({ key: KEY, stored: undefined, matches: () => true, recover, now: 10 });
		expect(calls).toHaveLength(1);
	});

	it('a failed look-up throws (the trigger answers 503, which the vendors retry)', async () => {
		const recover = async () => {
			throw new Error('Zendesk is down');
		};
		await expect(admitSecret({ key: KEY, stored: undefined, matches: () => true, recover, now: 0 })).rejects.toThrow(
			'Zendesk is down',
		);
	});
});
