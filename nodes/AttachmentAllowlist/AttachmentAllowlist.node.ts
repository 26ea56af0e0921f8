import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

// Placeholder until its issue lands: passes items through unchanged.
export class AttachmentAllowlist implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Attachment Allowlist',
		name: 'attachmentAllowlist',
		icon: { light: 'file:bridge.svg', dark: 'file:bridge.dark.svg' },
		subtitle: '={{$parameter["operation"] ?? ""}}',
		group: ['transform'],
		version: 1,
		description: 'Attachment Allowlist (work in progress)',
		defaults: { name: 'Attachment Allowlist' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } }))];
	}
}
