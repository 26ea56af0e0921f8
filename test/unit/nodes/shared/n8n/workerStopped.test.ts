import { isWorkerStoppedError } from '../../../../../nodes/shared/n8n/workerStopped';

describe('isWorkerStoppedError', () => {
	it("knows n8n's MaxStalledCountError message (n8n 2.41.1) and nothing else", () => {
		expect(
			isWorkerStoppedError(
				'This execution failed to be processed too many times and will no longer retry. To allow this execution to complete, please break down your workflow or scale up your workers or adjust your worker settings.',
			),
		).toBe(true);
		expect(isWorkerStoppedError('Zendesk answered 500')).toBe(false);
		expect(isWorkerStoppedError('Error: This execution failed to be processed too many times')).toBe(false);
		expect(isWorkerStoppedError(undefined)).toBe(false);
	});
});
