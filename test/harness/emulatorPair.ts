/**
 * The emulator set-up the integration tests share: start the Slack and/or Zendesk emulator in
 * jest hooks, optionally run the upsert's pacing on the Zendesk emulator's clock, and build the
 * node credentials that point at them.
 */
import type { SlackEmulatorInstance, SlackEmulatorOptions } from '../../emulators/slack';
import { startSlackEmulator } from '../../emulators/slack';
import type { ZendeskEmulator, ZendeskEmulatorOptions } from '../../emulators/zendesk';
import { startZendeskEmulator } from '../../emulators/zendesk';
import type { UpsertEnvironment } from '../../nodes/ZendeskMessagingUpsert/upsertState';
import { resetUpsertState, setUpsertEnvironment } from '../../nodes/ZendeskMessagingUpsert/upsertState';

export interface UseEmulatorsOptions {
	/** Start a Slack emulator with these options (omit for none). */
	slack?: SlackEmulatorOptions;
	/** Start a Zendesk emulator with these options (omit for none). */
	zendesk?: ZendeskEmulatorOptions;
	/**
	 * 'test': fresh emulators for every test (new ports, so the nodes' process-wide caches never
	 * carry over). 'file': one pair for the file; with `resetEachTest` their state is reset before
	 * every test.
	 */
	lifetime: 'test' | 'file';
	resetEachTest?: boolean;
	/**
	 * Upsert pacing waits run on the Zendesk emulator's clock (no real time), and the upsert's
	 * process state starts clean whenever the emulators do.
	 */
	upsertClock?: boolean;
}

export interface Emulators {
	/** Live handles: every property read goes to the emulator of the running test (or the last one, once closed). */
	slack: SlackEmulatorInstance;
	zendesk: ZendeskEmulator;
}

/** Upsert environment whose now/sleep are the Zendesk emulator's clock: a wait advances it. */
export function emulatorClock(zendesk: ZendeskEmulator): Partial<UpsertEnvironment> {
	return {
		now: () => zendesk.clock.now(),
		sleep: async (ms) => {
			zendesk.clock.advance(ms);
			await new Promise((resolve) => setImmediate(resolve));
		},
	};
}

/** A stand-in object that forwards to `current()`, so tests keep writing `slack.fixtures`. */
function liveHandle<T extends object>(name: string, current: () => T | undefined): T {
	const target = (): T => {
		const value = current();
		if (!value) throw new Error(`The ${name} emulator has not started (not requested, or used before the first test).`);
		return value;
	};
	return new Proxy({} as T, {
		get(_, prop) {
			const emulator = target();
			const value: unknown = Reflect.get(emulator, prop, emulator);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(emulator) : value;
		},
		set(_, prop, value) {
			return Reflect.set(target(), prop, value);
		},
		has(_, prop) {
			return Reflect.has(target(), prop);
		},
	});
}

/** Registers the jest hooks that start, reset and close the emulators; returns live handles. */
export function useEmulators(options: UseEmulatorsOptions): Emulators {
	let slack: SlackEmulatorInstance | undefined;
	let zendesk: ZendeskEmulator | undefined;

	const start = async () => {
		if (options.slack) slack = await startSlackEmulator(options.slack);
		if (options.zendesk) zendesk = await startZendeskEmulator(options.zendesk);
	};
	const close = async () => {
		if (options.upsertClock) setUpsertEnvironment();
		await slack?.close();
		await zendesk?.close();
	};
	const startUpsertClock = () => {
		if (!options.upsertClock) return;
		if (!zendesk) throw new Error('upsertClock needs the Zendesk emulator.');
		resetUpsertState();
		setUpsertEnvironment(emulatorClock(zendesk));
	};

	if (options.lifetime === 'test') {
		beforeEach(async () => {
			await start();
			startUpsertClock();
		});
		afterEach(close);
	} else {
		beforeAll(async () => {
			await start();
			if (!options.resetEachTest) startUpsertClock();
		});
		if (options.resetEachTest) {
			beforeEach(() => {
				slack?.reset();
				zendesk?.reset();
				startUpsertClock();
			});
		}
		afterAll(close);
	}

	return { slack: liveHandle('Slack', () => slack), zendesk: liveHandle('Zendesk', () => zendesk) };
}

/** The package's Slack credential (slackDmApi) for this emulator. */
export function slackCredentials(slack: SlackEmulatorInstance) {
	return { accessToken: slack.fixtures.botToken, signingSecret: slack.signingSecret, baseUrl: slack.apiUrl };
}

/** The package's Zendesk API-token credential (zendeskDmApi) for this emulator. */
export function zendeskCredentials(zendesk: ZendeskEmulator, baseUrl = zendesk.url) {
	return {
		subdomain: 'acme',
		email: zendesk.fixtures.bridge.email,
		apiToken: zendesk.fixtures.bridge.apiToken,
		baseUrl,
	};
}

/** Both credentials, keyed by credential type, as executeNode and runWorkflow take them. */
export function nodeCredentials(slack: SlackEmulatorInstance, zendesk: ZendeskEmulator) {
	return { slackDmApi: slackCredentials(slack), zendeskDmApi: zendeskCredentials(zendesk) };
}
