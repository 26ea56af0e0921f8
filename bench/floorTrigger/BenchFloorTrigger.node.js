'use strict';
/**
 * Benchmark workflow (d)'s trigger: the smallest community trigger node. Its webhook answers at
 * once (responseMode onReceived, no body) and emits the request body as its one item: no
 * signature check, no credential, no parameter, nothing evaluated. n8n takes an expression isolate
 * for every webhook request of a trigger that is not its own Webhook node
 * (`webhookPhaseNeedsIsolate` in n8n's live-webhooks), so this is the floor a community trigger
 * such as the Slack DM Trigger can reach. Plain CommonJS, no imports: no build step.
 */
class BenchFloorTrigger {
	constructor() {
		this.description = {
			displayName: 'Bench Floor Trigger',
			name: 'benchFloorTrigger',
			group: ['trigger'],
			// Version 1 would make n8n evaluate its old Webhook node's binaryData option on every
			// request (webhook-helpers parseRequestBody); the Slack DM Trigger avoids it the same way.
			version: 2,
			description: 'Benchmark floor (d): emits the request body, answers 200 at once',
			defaults: { name: 'Floor Trigger' },
			inputs: [],
			outputs: ['main'],
			webhooks: [
				{
					name: 'default',
					httpMethod: 'POST',
					responseMode: 'onReceived',
					responseData: 'noData',
					path: 'floor',
				},
			],
			properties: [],
		};
	}

	async webhook() {
		return { workflowData: [[{ json: this.getBodyData() }]] };
	}
}

module.exports = { BenchFloorTrigger };
