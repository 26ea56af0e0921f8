import type { IWebhookFunctions } from 'n8n-workflow';
import { onWebhookAnswer } from '../../../../../nodes/shared/n8n/webhookRequest';

describe('onWebhookAnswer', () => {
	/** The parts of Node's ServerResponse n8n answers through (express's json/send end in end). */
	class Response {
		statusCode = 200;
		ended: unknown[] = [];
		status(code: number) {
			this.statusCode = code;
			return this;
		}
		json(body: unknown) {
			return this.end(JSON.stringify(body));
		}
		end(...args: unknown[]) {
			this.ended.push(args[0]);
			return this;
		}
	}
	const contextFor = (response: Response) => ({ getResponseObject: () => response }) as unknown as IWebhookFunctions;

	it('tells the status n8n answers with, once, and still sends the answer', () => {
		const response = new Response();
		const statuses: number[] = [];
		onWebhookAnswer(contextFor(response), (status) => statuses.push(status));
		expect(statuses).toEqual([]);
		expect(response.status(500).json({ message: 'Error in workflow' })).toBe(response);
		response.end();
		expect(statuses).toEqual([500]);
		expect(response.ended).toEqual(['{"message":"Error in workflow"}', undefined]);
	});

	it('reports the default 200 when n8n sets no status', () => {
		const response = new Response();
		const statuses: number[] = [];
		onWebhookAnswer(contextFor(response), (status) => statuses.push(status));
		response.json({ message: 'Workflow was started' });
		expect(statuses).toEqual([200]);
	});
});
