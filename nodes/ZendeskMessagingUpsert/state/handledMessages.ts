/**
 * Process-wide state: the Upsert's handled-messages memory (any mode). What a message's first
 * delivery resolved with is kept for an hour, so a Slack retry costs no call, and concurrent
 * deliveries of one message share one run (single flight). Keys are `${account}|${idempotencyKey}`.
 * The rules around it are in nodes/ZendeskMessagingUpsert/lane/handledOnce.ts.
 */
import { SingleFlight, TtlMap } from '../../shared/state/ttlCache';
import { upsertEnvironment } from './upsertClock';

const memory = new TtlMap<unknown>({ clock: () => upsertEnvironment().now() });

const flights = new SingleFlight<unknown>();

/** The memory's key of a message (its idempotency key) within a Zendesk account. */
export function handledKeyOf(account: string, key: string): string {
	return `${account}|${key}`;
}

/** Whether this process handled the message (its idempotency key) for the account. */
export function handledHere(account: string, key: string): boolean {
	return memory.get(handledKeyOf(account, key)) !== undefined;
}

export function handledResult<R>(key: string): R | undefined {
	return memory.get(key) as R | undefined;
}

export function rememberHandled<R>(key: string, result: R, ttlMs: number): void {
	memory.set(key, result, ttlMs);
}

/** Runs `work` unless a run for `key` is in progress, whose promise is then shared. */
export async function runOnce<R>(key: string, work: () => Promise<R>): Promise<R> {
	return (await flights.run(key, work)) as R;
}

export function clearHandledMessages(): void {
	memory.clear();
}
