import type { INodeProperties } from 'n8n-workflow';

/**
 * The "Handles" list (name → Slack user) both triggers offer: the Slack DM Trigger answers for
 * these handles, the Zendesk Reply Trigger names them in its output. Only the texts differ; both
 * read the rows with parseHandleRows (slack/identity.ts), whose rules the field texts state. From
 * node version 3 the user is picked from Slack's user list (userPicker.ts), by ID or expression
 * too; versions 1 and 2 keep their text field, and both shapes are read.
 */
const USER_DESCRIPTION =
	"The handle account (user-token mode) or the app's bot user (bot mode). A row without it is ignored.";

function nameField(nameDescription: string): INodeProperties {
	return {
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'IT',
		description: `${nameDescription}. Leave empty to use the Slack user ID.`,
	};
}

const userIdText: INodeProperties = {
	displayName: 'Slack User ID',
	name: 'userId',
	type: 'string',
	default: '',
	placeholder: 'U012AB3CD',
	description:
		"User ID of the handle account (user-token mode) or of the app's bot user (bot mode). A row without it is ignored.",
};

const userIdPicker: INodeProperties = {
	displayName: 'Slack User',
	name: 'userId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	description: USER_DESCRIPTION,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchSlackUsers', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'U012AB3CD',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^[UW][A-Z0-9]{2,}$', errorMessage: 'A Slack user ID starts with U or W' },
				},
			],
		},
	],
};

function handles(
	texts: { description: string; nameDescription: string },
	userField: INodeProperties,
	versions: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: 'Handles',
		name: 'handles',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Handle',
		default: {},
		description: texts.description,
		displayOptions: versions,
		options: [{ displayName: 'Handle', name: 'handle', values: [nameField(texts.nameDescription), userField] }],
	};
}

/** The Handles parameter for each node version (one shown at a time). */
export function handlesProperties(texts: { description: string; nameDescription: string }): INodeProperties[] {
	return [
		handles(texts, userIdText, { show: { '@version': [1, 2] } }),
		handles(texts, userIdPicker, { show: { '@version': [{ _cnd: { gte: 3 } }] } }),
	];
}
