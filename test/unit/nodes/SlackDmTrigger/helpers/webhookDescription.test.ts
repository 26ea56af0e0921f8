import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INode } from 'n8n-workflow';
import { fromParameter, resolveWebhookDescriptionField, webhookDescriptionIsNativelyResolvable } from 'n8n-workflow';

import { SlackDmTrigger } from '../../../../../nodes/SlackDmTrigger/SlackDmTrigger.node';
import { ZendeskReplyTrigger } from '../../../../../nodes/ZendeskReplyTrigger/ZendeskReplyTrigger.node';
import { parameterFields } from '../../../../../nodes/SlackDmTrigger/helpers/webhookDescription';

const triggerNode = (parameters: INode['parameters']): INode => ({
	id: 'n1',
	name: 'Slack DM Trigger',
	type: 'n8n-nodes-slack-dm-zendesk.slackDmTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters,
});

describe('webhook descriptions resolve without the expression engine (n8n-workflow decides)', () => {
	const [slackWebhook] = new SlackDmTrigger().description.webhooks ?? [];

	it('the Slack DM Trigger description is natively resolvable, as n8n checks before skipping the isolate', () => {
		expect(webhookDescriptionIsNativelyResolvable(slackWebhook)).toBe(true);
		for (const webhook of new ZendeskReplyTrigger().description.webhooks ?? [])
			expect(webhookDescriptionIsNativelyResolvable(webhook)).toBe(true);
	});

	it('reads responseMode from static parameters, with the default for an empty one', () => {
		expect(
			resolveWebhookDescriptionField(triggerNode({ responseMode: 'lastNode' }), slackWebhook, 'responseMode'),
		).toEqual({ resolved: true, value: 'lastNode' });
		expect(
			resolveWebhookDescriptionField(triggerNode({ responseMode: 'onReceived' }), slackWebhook, 'responseMode'),
		).toEqual({ resolved: true, value: 'onReceived' });
		expect(resolveWebhookDescriptionField(triggerNode({}), slackWebhook, 'responseMode')).toEqual({
			resolved: true,
			value: 'onReceived',
		});
	});

	it('leaves parameters holding an expression to the engine', () => {
		expect(
			resolveWebhookDescriptionField(triggerNode({ responseMode: '={{ "lastNode" }}' }), slackWebhook, 'responseMode'),
		).toEqual({ resolved: false });
	});

	it('carries the same template as n8n-workflow builds, and only the template survives JSON (what the editor gets)', () => {
		expect(parameterFields({ responseMode: { parameter: 'responseMode', fallback: 'onReceived' } }).responseMode).toBe(
			fromParameter('responseMode', 'onReceived').template,
		);
		expect(JSON.parse(JSON.stringify(slackWebhook))).toEqual({
			name: 'default',
			httpMethod: 'POST',
			responseMode: '={{$parameter["responseMode"] || "onReceived"}}',
			responseData: 'noData',
			path: 'slack-events',
		});
	});
});

describe('trigger versions', () => {
	// n8n (webhook-helpers parseRequestBody) evaluates an expression for every request to a
	// version-1 webhook node; from version 2 on it does not.
	it.each([
		['Slack DM Trigger', new SlackDmTrigger().description],
		['Zendesk Reply Trigger', new ZendeskReplyTrigger().description],
	])(
		'%s: new nodes get version 3 (the Handle picker), saved version-1 and -2 nodes still load',
		(_name, description) => {
			expect(description.defaultVersion).toBe(3);
			expect([description.version].flat()).toEqual([1, 2, 3]);
		},
	);

	it("the shipped templates use each trigger's default version", () => {
		const templates = ['slack-dm-to-zendesk.json', 'zendesk-reply-to-slack-dm.json'].map(
			(file) =>
				JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'workflows', file), 'utf8')) as {
					nodes: Array<{ type: string; typeVersion: number }>;
				},
		);
		const triggers = templates.flatMap((template) =>
			template.nodes.filter((node) => /\.(slackDmTrigger|zendeskReplyTrigger)$/.test(node.type)),
		);
		expect(triggers.map((node) => node.typeVersion)).toEqual([3, 3]);
	});
});
