/**
 * The trigger's process-wide memory of its own webhook secrets (Zendesk signing secret, Sunshine
 * webhook secret), keyed by workflow, node and URL: what lets a webhook process keep admitting
 * genuine deliveries when the workflow's static data lost the secret (a queue-mode worker's save
 * replaces the static data whole: nodes/shared/n8n/staticData.ts), and how often it may ask the
 * vendor again (helpers/secretRecovery.ts). Per process.
 */
import { TtlMap } from '../shared/state/ttlCache';

export interface KnownSecret {
	secret: string;
	/** The Zendesk webhook or Sunshine webhook the secret belongs to. */
	webhookId: string;
	/** The Sunshine integration holding the webhook (messaging only). */
	integrationId?: string;
}

/** A day: a secret changes only when the trigger is activated again, and the static data then has the new one. */
export const KNOWN_SECRET_TTL_MS = 24 * 60 * 60 * 1000;
/** At most one look-up at the vendor per trigger in this time: a flood of forged requests costs one call set. */
export const RECOVERY_INTERVAL_MS = 30_000;

export const knownSecrets = new TtlMap<KnownSecret>({ ttlMs: KNOWN_SECRET_TTL_MS, maxEntries: 1_000 });
/** The vendor look-up of the current interval per trigger (shared by concurrent deliveries). */
export const recoveryAttempts = new TtlMap<Promise<KnownSecret | undefined>>({
	ttlMs: RECOVERY_INTERVAL_MS,
	maxEntries: 1_000,
});

/** Forget everything (tests). */
export function resetSecretState(): void {
	knownSecrets.clear();
	recoveryAttempts.clear();
}
