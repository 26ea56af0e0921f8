/**
 * The Zendesk Reply Trigger when its static data lost the secret (a queue-mode worker's save,
 * docs/scaling.md): what both sources' integration tests check the same way.
 */
import { resetTransportCallCounts, totalTransportCalls } from '../../nodes/shared/transport/callStats';

interface Answer {
	status: number;
	body?: unknown;
	workflowData?: unknown[][];
}

/**
 * Forged deliveries are refused, with one look-up at the vendor for both (one per interval); then
 * the genuine one is admitted. Returns the genuine delivery's answer.
 */
export async function expectSecretFoundAgain<A extends Answer>(
	deliver: (secret: string) => Promise<A>,
	secret: string,
): Promise<A> {
	resetTransportCallCounts();
	expect((await deliver('forged')).status).toBe(401);
	const lookUpCalls = totalTransportCalls();
	expect(lookUpCalls).toBeGreaterThan(0);
	expect((await deliver('forged again')).status).toBe(401);
	expect(totalTransportCalls()).toBe(lookUpCalls);
	const admitted = await deliver(secret);
	expect(admitted.status).toBe(200);
	return admitted;
}
