import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

// Placeholder until its issue lands: passes items through unchanged.
export class ZendeskMessagingUpsert implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zendesk Messaging Upsert',
		name: 'zendeskMessagingUpsert',
		icon: { light: 'file:zendesk.svg', dark: 'file:zendesk.dark.svg' },
		subtitle: '={{$parameter["operation"] ?? ""}}',
		group: ['transform'],
		version: 1,
		description: 'Zendesk Messaging Upsert (work in progress)',
		defaults: { name: 'Zendesk Messaging Upsert' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } }))];
	}
}
