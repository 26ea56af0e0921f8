import { escapeSlackText } from '../../../../../nodes/shared/slack/mrkdwn';
import {
	alertExplanation,
	ALERT_MESSAGE_LIMIT,
	alertFromItem,
	deliveryErrorMessage,
	renderAlert,
	ticketIdInMessage,
} from '../../../../../nodes/SlackDmReply/helpers/replyAlert';

/** An item as n8n's Error Trigger emits it (execute-error-workflow.ts in n8n 2.41). */
function errorTriggerItem(overrides: { message?: string; node?: string; lastNode?: string; url?: string } = {}) {
	return {
		execution: {
			id: '231',
			url: overrides.url ?? 'http://localhost:5678/workflow/wf1/executions/231',
			error: {
				message:
					overrides.message ??
					'Reply for ticket #42 was not delivered to Slack: Slack chat.postMessage failed: channel_not_found',
				...(overrides.node ? { node: { name: overrides.node, type: 'n8n-nodes-slack-dm-zendesk.slackDmReply' } } : {}),
			},
			lastNodeExecuted: overrides.lastNode ?? 'Send reply to Slack DM',
			mode: 'webhook',
		},
		workflow: { id: 'wf1', name: 'Zendesk reply → Slack DM' },
	};
}

describe('deliveryErrorMessage', () => {
	it('names the ticket in front of the original message', () => {
		const message = deliveryErrorMessage('42', 'Slack chat.postMessage failed: channel_not_found');
		expect(message).toBe(
			'Reply for ticket #42 was not delivered to Slack: Slack chat.postMessage failed: channel_not_found',
		);
		expect(ticketIdInMessage(message)).toBe('42');
	});

	it('leaves the message alone without a ticket, or when it already names that ticket', () => {
		expect(deliveryErrorMessage(undefined, 'boom')).toBe('boom');
		const once = deliveryErrorMessage('7', 'boom');
		expect(deliveryErrorMessage('7', once)).toBe(once);
	});
});

describe('alertFromItem', () => {
	it('reads an Error Trigger item: workflow, failed node, message, execution, ticket from the message', () => {
		expect(alertFromItem(errorTriggerItem())).toEqual({
			workflowName: 'Zendesk reply → Slack DM',
			workflowId: 'wf1',
			failedNode: 'Send reply to Slack DM',
			errorMessage: 'Reply for ticket #42 was not delivered to Slack: Slack chat.postMessage failed: channel_not_found',
			executionUrl: 'http://localhost:5678/workflow/wf1/executions/231',
			executionId: '231',
			ticketId: '42',
		});
	});

	it('prefers the node named in the error over the last node executed', () => {
		expect(alertFromItem(errorTriggerItem({ node: 'Upsert', lastNode: 'Other' })).failedNode).toBe('Upsert');
	});

	it('has no ticket when neither the message nor the item names one', () => {
		const alert = alertFromItem(errorTriggerItem({ message: 'Slack auth.test failed: invalid_auth' }));
		expect(alert.ticketId).toBeUndefined();
		expect(alert.errorMessage).toBe('Slack auth.test failed: invalid_auth');
	});

	it('reads a Continue On Fail item of the reply node: ticket id from the item, message from `error`', () => {
		const alert = alertFromItem({
			ticketId: 99,
			comment: { body: 'hi' },
			error: 'Slack chat.postMessage failed: is_archived',
		});
		expect(alert).toEqual({ ticketId: '99', errorMessage: 'Slack chat.postMessage failed: is_archived' });
	});

	it('reads a failed trigger (no execution) item', () => {
		const alert = alertFromItem({
			trigger: { error: { message: 'Activation failed' }, mode: 'trigger' },
			workflow: { id: 'w2', name: 'Inbound' },
		});
		expect(alert).toMatchObject({ workflowName: 'Inbound', errorMessage: 'Activation failed' });
		expect(alert.executionUrl).toBeUndefined();
	});
});

describe('renderAlert', () => {
	it("explains n8n's error for a job whose worker stopped (the message may be missing), and nothing else", () => {
		const stalled =
			'This execution failed to be processed too many times and will no longer retry. To allow this execution to complete, please break down your workflow or scale up your workers or adjust your worker settings.';
		const lines = renderAlert({ errorMessage: stalled, executionId: '42' }, {}, (v) => v).split('\n');
		expect(lines).toContainEqual(
			expect.stringMatching(/^\*What happened:\* the n8n worker running this execution stopped/),
		);
		expect(alertExplanation(stalled)).toContain('may be missing in Zendesk');
		expect(alertExplanation('Zendesk stayed unavailable for 60 min')).toBeUndefined();
		expect(alertExplanation(undefined)).toBeUndefined();
		expect(renderAlert({ errorMessage: 'HTTP 500' }, {}, (v) => v)).not.toContain('What happened');
	});

	it('lists ticket, workflow, node, error and a link to the execution', () => {
		const text = renderAlert(alertFromItem(errorTriggerItem()), {}, escapeSlackText);
		const lines = text.split('\n');
		expect(lines[0]).toBe(':rotating_light: *A Slack DM delivery failed*');
		expect(lines).toContain('*Ticket:* #42');
		expect(lines).toContain('*Workflow:* Zendesk reply → Slack DM');
		expect(lines).toContain('*Failed node:* Send reply to Slack DM');
		expect(lines).toContain(
			'*Error:* Reply for ticket #42 was not delivered to Slack: Slack chat.postMessage failed: channel_not_found',
		);
		expect(lines).toContain('*Execution:* <http://localhost:5678/workflow/wf1/executions/231|open in n8n>');
	});

	it('links the ticket to the agent workspace when a base URL is configured', () => {
		const text = renderAlert(
			{ ticketId: '42' },
			{ ticketUrlBase: 'https://acme.zendesk.com/agent/tickets' },
			escapeSlackText,
		);
		expect(text).toContain('*Ticket:* <https://acme.zendesk.com/agent/tickets/42|#42>');
	});

	it('escapes every value, so error text can never mention @channel or a user', () => {
		const text = renderAlert(
			{ errorMessage: 'bad <!channel> <@U123> & more', workflowName: '<!here>', failedNode: '<#C1>' },
			{ title: '*Alert* <!everyone>' },
			escapeSlackText,
		);
		expect(text).not.toMatch(/<!(channel|here|everyone)>|<@U|<#C/);
		expect(text).toContain('bad &lt;!channel&gt; &lt;@U123&gt; &amp; more');
		expect(text.split('\n')[0]).toBe(':rotating_light: *Alert &lt;!everyone&gt;*');
	});

	it('shows a non-http execution URL as nothing rather than a link', () => {
		const text = renderAlert(
			{ errorMessage: 'x', executionUrl: 'javascript:alert(1)', executionId: '5' },
			{},
			escapeSlackText,
		);
		expect(text).not.toContain('javascript');
		expect(text).toContain('*Execution:* 5');
	});

	it('keeps a URL with | and & inside the link target', () => {
		const text = renderAlert(
			{ errorMessage: 'x', executionUrl: 'https://n8n.example/a?b=1&c=2|3' },
			{},
			escapeSlackText,
		);
		expect(text).toContain('*Execution:* <https://n8n.example/a?b=1&amp;c=2%7C3|open in n8n>');
	});

	it('shortens a very long error message and keeps it on one line', () => {
		const long = `line one\nline two ${'x'.repeat(ALERT_MESSAGE_LIMIT * 2)}`;
		const errorLine = renderAlert({ errorMessage: long }, {}, escapeSlackText)
			.split('\n')
			.find((l) => l.startsWith('*Error:*')) as string;
		expect(errorLine.startsWith('*Error:* line one line two')).toBe(true);
		expect(errorLine.length).toBeLessThan(ALERT_MESSAGE_LIMIT + 20);
		expect(errorLine.endsWith('…')).toBe(true);
	});
});
