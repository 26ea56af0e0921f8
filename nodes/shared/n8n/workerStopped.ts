/**
 * n8n's error when the worker running an execution stopped (killed, crashed, out of memory) and
 * n8n gave the job up (MaxStalledCountError, n8n/dist/errors/max-stalled-count.error.js): the
 * execution is saved with empty run data, so what it carried is gone from n8n. The team alert
 * says so (Slack DM Reply), and the Slack DM Catch-up reads the DMs again (docs/scaling.md).
 */
const WORKER_STOPPED_ERROR = 'This execution failed to be processed too many times';

/** Whether an error message is n8n's "worker stopped" error. Pure. */
export function isWorkerStoppedError(errorMessage: string | undefined): boolean {
	return typeof errorMessage === 'string' && errorMessage.startsWith(WORKER_STOPPED_ERROR);
}
