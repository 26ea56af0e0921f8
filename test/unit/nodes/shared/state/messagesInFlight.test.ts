/**
 * Keeping a conversation's order across executions: Slack's order of events (messageOrder.ts)
 * and the process's messages in flight between the Slack DM Trigger and the Zendesk Messaging
 * Upsert (state/messagesInFlight.ts). Time is a fake clock.
 */
import { MessagesInFlight } from '../../../../../nodes/shared/state/messagesInFlight';

describe('messages in flight', () => {
	let now = 1_000_000;
	const clock = () => now;
	const scope = 'wf|T1:D1';
	let inFlight: MessagesInFlight;

	beforeEach(() => {
		now = 1_000_000;
		inFlight = new MessagesInFlight(10_000, clock);
	});

	/** A message reaches the writer: how long it waits, from its place. */
	const reaches = (key: string, where = scope) => {
		const place = inFlight.arrived(where, key);
		return { place, waitUntil: () => (place ? inFlight.waitUntil(where, place) : undefined) };
	};

	it('a later message that arrives first waits for an earlier one handed over before it, until that one arrives', () => {
		inFlight.announce(scope, 'one', 1);
		inFlight.announce(scope, 'two', 2);
		const two = reaches('two');
		expect(two.waitUntil()).toBe(1_000_000 + 10_000);
		const one = reaches('one');
		expect(one.waitUntil()).toBeUndefined();
		expect(two.waitUntil()).toBeUndefined();
		expect(inFlight.size).toBe(0);
	});

	it("waits at most until the earlier one's deadline, which then is forgotten", () => {
		inFlight.announce(scope, 'one', 1);
		now += 4_000;
		inFlight.announce(scope, 'two', 2);
		const two = reaches('two');
		expect(two.waitUntil()).toBe(1_000_000 + 10_000);
		now = 1_000_000 + 10_000;
		expect(two.waitUntil()).toBeUndefined();
		expect(inFlight.size).toBe(0);
	});

	it('a clock set back after an announcement does not make a message wait longer than the bound', () => {
		inFlight.announce(scope, 'one', 1);
		inFlight.announce(scope, 'two', 2);
		const two = reaches('two');
		now -= 60 * 60_000; // NTP sets the clock back an hour
		expect(two.waitUntil()).toBeUndefined();
	});

	it('the latest deadline among several earlier ones decides', () => {
		inFlight.announce(scope, 'one', 1);
		now += 1_000;
		inFlight.announce(scope, 'two', 2);
		inFlight.announce(scope, 'three', 3);
		const three = reaches('three');
		expect(three.waitUntil()).toBe(1_000_000 + 11_000);
		reaches('two');
		expect(three.waitUntil()).toBe(1_000_000 + 10_000);
	});

	it("waits for a message earlier in Slack's order though it was handed over after it (n8n took the requests in the other order)", () => {
		inFlight.announce(scope, 'late', 5);
		inFlight.announce(scope, 'early', 4);
		const late = reaches('late');
		expect(late.waitUntil()).toBe(1_000_000 + 10_000);
		// The earlier one never waits for the later one: waits point only at earlier messages.
		expect(reaches('early').waitUntil()).toBeUndefined();
		expect(late.waitUntil()).toBeUndefined();
	});

	it("never waits for a message later in Slack's order, nor for another channel's or workflow's", () => {
		inFlight.announce(scope, 'later', 9);
		inFlight.announce('wf|T1:D2', 'other channel', 1);
		inFlight.announce('wf2|T1:D1', 'other workflow', 1);
		inFlight.announce(scope, 'earlier', 8);
		expect(reaches('earlier').waitUntil()).toBeUndefined();
	});

	it("a message never announced (another workflow's, or expired) has no place and waits for nothing", () => {
		inFlight.announce(scope, 'one', 1);
		expect(reaches('unknown').place).toBeUndefined();
		expect(reaches('one', 'wf2|T1:D1').place).toBeUndefined();
		now += 10_000;
		inFlight.announce(scope, 'two', 2); // sweeps what expired
		expect(reaches('one').place).toBeUndefined();
	});

	it("a withdrawn message (n8n did not take it) holds nothing up; a redelivery's announcement outlives the first one's withdrawal", () => {
		const withdrawFirst = inFlight.announce(scope, 'one', 1);
		inFlight.announce(scope, 'two', 2);
		withdrawFirst();
		expect(reaches('two').waitUntil()).toBeUndefined();
		const withdrawRetry = inFlight.announce(scope, 'one', 1);
		inFlight.announce(scope, 'three', 3);
		const three = reaches('three');
		withdrawFirst(); // late report of the first delivery: not the retry's
		expect(three.waitUntil()).toBe(now + 10_000);
		withdrawRetry();
		expect(three.waitUntil()).toBeUndefined();
	});

	it('an arrival wakes whoever waits', async () => {
		inFlight.announce(scope, 'one', 1);
		inFlight.announce(scope, 'two', 2);
		reaches('two');
		let woken = false;
		const waiting = inFlight.changed(now + 60_000).then(() => (woken = true));
		await Promise.resolve();
		expect(woken).toBe(false);
		reaches('one');
		// Woken by the arrival itself, not by the periodic look (200 ms).
		const first = await Promise.race([
			waiting.then(() => 'arrival'),
			new Promise((resolve) => setTimeout(() => resolve('timer'), 50)),
		]);
		expect(first).toBe('arrival');
		expect(woken).toBe(true);
	});

	it('without an arrival a waiter looks again after a short while (an expiry wakes nobody)', async () => {
		const real = new MessagesInFlight(10_000);
		const started = Date.now();
		await real.changed(Date.now() + 60_000);
		// It resolved (well before the 60 s asked for: the test's own timeout), after waiting a while.
		expect(Date.now() - started).toBeGreaterThanOrEqual(150);
	});
});
