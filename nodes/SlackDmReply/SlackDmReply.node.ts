import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

// Placeholder until its issue lands: passes items through unchanged.
export class SlackDmReply implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack DM Reply',
		name: 'slackDmReply',
		icon: { light: 'file:slack.svg', dark: 'file:slack.dark.svg' },
		subtitle: '={{$parameter["operation"] ?? ""}}',
		group: ['transform'],
		version: 1,
		description: 'Slack DM Reply (work in progress)',
		defaults: { name: 'Slack DM Reply' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } }))];
	}
}
