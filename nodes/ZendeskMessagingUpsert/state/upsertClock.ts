/**
 * Process-wide state: the clock and sleep of the Zendesk Messaging Upsert (update pacing, cache
 * expiry, the handled-messages memory). Tests and the benchmark swap in virtual time.
 */
import { sleep } from 'n8n-workflow';

export interface UpsertEnvironment {
	now(): number;
	sleep(ms: number): Promise<void>;
}

const realEnvironment: UpsertEnvironment = { now: () => Date.now(), sleep: async (ms) => await sleep(ms) };

let environment: UpsertEnvironment = realEnvironment;

/** The clock and sleep of the update pacing; tests and the benchmark swap in virtual time. */
export function upsertEnvironment(): UpsertEnvironment {
	return environment;
}

export function setUpsertEnvironment(next?: Partial<UpsertEnvironment>): void {
	environment = { ...realEnvironment, ...(next ?? {}) };
}
