/**
 * Which secret admits a delivery. The static data's secret, when there, decides alone (activation
 * writes it; a new activation's secret replaces the old). When the static data lost it (a
 * queue-mode worker's save replaces the workflow's static data whole: nodes/shared/n8n/staticData.ts),
 * the secret this process knew is tried, then the vendor is asked for the trigger's own webhook
 * again (found by name and URL, as activation's check does), at most once per
 * RECOVERY_INTERVAL_MS per trigger, so forged requests cost at most that. A secret found this way
 * is `restored`: the caller writes it back into the static data, which n8n then saves. A look-up
 * that fails throws (the caller answers 503, which both vendors retry).
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { knownSecrets, recoveryAttempts, type KnownSecret } from './secretState';

export interface SecretAdmission {
	/** The secret the delivery matched; undefined: refuse it. */
	admitted?: KnownSecret;
	/** The static data had no secret and this one was known or found: write it back. */
	restored: boolean;
}

export interface AdmitInput {
	/** The trigger: workflow, node and URL. */
	key: string;
	/** What the static data holds, if it holds a secret. */
	stored: KnownSecret | undefined;
	/** Whether the delivery was signed with (or carries) this secret. */
	matches: (secret: string) => boolean;
	/** Looks the trigger's own webhook up at the vendor; undefined when it has none. */
	recover: () => Promise<KnownSecret | undefined>;
	now?: number;
}

/** The look-up of this interval: concurrent and later deliveries share it (its failure too, until the interval ends). */
function recoverOnce(input: AdmitInput, now: number): Promise<KnownSecret | undefined> {
	const running = recoveryAttempts.get(input.key, now);
	if (running) return running;
	const attempt = Promise.resolve()
		.then(input.recover)
		.then((found) => {
			if (found) knownSecrets.set(input.key, found);
			return found;
		});
	recoveryAttempts.set(input.key, attempt, undefined, now);
	return attempt;
}

export async function admitSecret(input: AdmitInput): Promise<SecretAdmission> {
	const now = input.now ?? Date.now();
	if (input.stored) {
		knownSecrets.set(input.key, input.stored);
		return { admitted: input.matches(input.stored.secret) ? input.stored : undefined, restored: false };
	}
	const known = knownSecrets.get(input.key, now);
	if (known && input.matches(known.secret)) return { admitted: known, restored: true };
	const found = await recoverOnce(input, now);
	return found && input.matches(found.secret) ? { admitted: found, restored: true } : { restored: false };
}

/** The key of one trigger's secret: its workflow, node and the URL its webhook calls. */
export function secretKeyOf(workflowId: string, nodeId: string, url: string): string {
	return `${workflowId}|${nodeId}|${url}`;
}

/** The key of the trigger a webhook call reached (both sources). */
export function triggerSecretKey(ctx: IWebhookFunctions): string {
	return secretKeyOf(String(ctx.getWorkflow().id ?? ''), ctx.getNode().id, ctx.getNodeWebhookUrl('default') ?? '');
}
