/**
 * The load balancer of the bench's queue mode (`--queue`): nginx (Debian's, unprivileged, round
 * robin; test/harness/topology.ts) in front of the `n8n webhook` processes, as docs/scaling.md
 * describes the topology. The processes themselves are started by startRealN8n on these ports.
 */
import { freePort } from '../test/harness/realN8n';
import { type Nginx, startNginx } from '../test/harness/topology';

export const QUEUE_WEBHOOK_PROCESSES = 2;
export const QUEUE_WORKERS = 2;

export async function startBalancer(webhookProcesses: number): Promise<{ nginx: Nginx; webhookPorts: number[] }> {
	const webhookPorts: number[] = [];
	for (let i = 0; i < webhookProcesses; i++) webhookPorts.push(await freePort());
	return { nginx: await startNginx(webhookPorts), webhookPorts };
}
