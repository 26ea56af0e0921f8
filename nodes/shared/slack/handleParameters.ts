import type { INodeProperties } from 'n8n-workflow';

/**
 * The "Handles" list (name → Slack user id) both triggers offer: the Slack DM Trigger answers for
 * these handles, the Zendesk Reply Trigger names them in its output. Only the texts differ; both
 * read the rows with parseHandleRows (identity/handles.ts), whose rules the field texts state.
 */
export function handlesProperty(texts: { description: string; nameDescription: string }): INodeProperties {
	return {
		displayName: 'Handles',
		name: 'handles',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Handle',
		default: {},
		description: texts.description,
		options: [
			{
				displayName: 'Handle',
				name: 'handle',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'IT',
						description: `${texts.nameDescription}. Leave empty to use the Slack user ID.`,
					},
					{
						displayName: 'Slack User ID',
						name: 'userId',
						type: 'string',
						default: '',
						placeholder: 'U012AB3CD',
						description:
							"User ID of the handle account (user-token mode) or of the app's bot user (bot mode). A row without it is ignored.",
					},
				],
			},
		],
	};
}
