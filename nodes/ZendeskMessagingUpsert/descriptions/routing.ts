/**
 * Where new tickets go: brand, group, Routing by Handle and custom fields. Version 1 took raw
 * IDs; version 2 picks them from Zendesk's lists (resource locators, each also taking an ID or an
 * expression). Both shapes are read by helpers/upsertParameters.ts (locatorValue), so a
 * version 1 node keeps working as saved.
 */
import type { INodeProperties } from 'n8n-workflow';

const V1 = { show: { '@version': [1] } };
const V2 = { show: { '@version': [{ _cnd: { gte: 2 } }] } };

function picker(
	displayName: string,
	name: string,
	description: string,
	searchListMethod: string,
	entity: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${entity}...`,
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '360001234567',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^[0-9]+$', errorMessage: `Not a Zendesk ${entity} ID (digits only)` },
					},
				],
			},
		],
	};
}

const brandV2 = (description: string) => picker('Brand', 'brandId', description, 'searchBrands', 'brand');
const groupV2 = (description: string) => picker('Group', 'groupId', description, 'searchGroups', 'group');

const ROUTING_DESCRIPTION =
	"Tags, brand and group of new tickets per Slack handle (the trigger's handle name, any case). A row replaces Tags, Brand and Group above where it sets them; other handles use the fields above.";

const handleNameField: INodeProperties = {
	displayName: 'Handle Name',
	name: 'handleName',
	type: 'string',
	default: '',
	placeholder: 'HR',
	description: 'Name of the handle in the Slack DM Trigger (handle.name)',
};
const routeTagsField: INodeProperties = {
	displayName: 'Tags',
	name: 'tags',
	type: 'string',
	default: '',
	placeholder: 'hr',
	description: 'Comma-separated tags instead of Tags above',
};

function handleRouting(values: INodeProperties[], displayOptions: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Routing by Handle',
		name: 'handleRouting',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Handle Route',
		default: {},
		displayOptions,
		description: ROUTING_DESCRIPTION,
		options: [{ displayName: 'Route', name: 'route', values }],
	};
}

function customFields(values: INodeProperties[], displayOptions: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Custom Fields',
		name: 'customFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Custom Field',
		default: {},
		displayOptions,
		options: [{ displayName: 'Field', name: 'field', values }],
	};
}

/** Version 1: raw IDs, as saved by the first releases. */
export const routingPropertiesV1: INodeProperties[] = [
	{
		displayName: 'Brand ID',
		name: 'brandId',
		type: 'string',
		default: '',
		displayOptions: V1,
		description: 'Brand of new tickets (ID). Leave empty for the default brand.',
	},
	{
		displayName: 'Group ID',
		name: 'groupId',
		type: 'string',
		default: '',
		displayOptions: V1,
		description: 'Group of new tickets (ID). Leave empty to let triggers route.',
	},
	handleRouting(
		[
			handleNameField,
			routeTagsField,
			{
				displayName: 'Brand ID',
				name: 'brandId',
				type: 'string',
				default: '',
				description: "Brand of this handle's new tickets (ID)",
			},
			{
				displayName: 'Group ID',
				name: 'groupId',
				type: 'string',
				default: '',
				description: "Group of this handle's new tickets (ID)",
			},
		],
		V1,
	),
];

export const customFieldsV1: INodeProperties = customFields(
	[
		{ displayName: 'Field ID', name: 'id', type: 'string', default: '', description: 'ID of the ticket field' },
		{ displayName: 'Value', name: 'value', type: 'string', default: '' },
	],
	V1,
);

/** Version 2: pickers from Zendesk's brands, groups and ticket fields. */
export const routingPropertiesV2: INodeProperties[] = [
	{ ...brandV2('Brand of new tickets. Leave empty for the default brand.'), displayOptions: V2 },
	{ ...groupV2('Group of new tickets. Leave empty to let triggers route.'), displayOptions: V2 },
	handleRouting(
		[
			handleNameField,
			routeTagsField,
			brandV2("Brand of this handle's new tickets"),
			groupV2("Group of this handle's new tickets"),
		],
		V2,
	),
];

export const customFieldsV2: INodeProperties = customFields(
	[
		picker('Field', 'id', 'A custom ticket field', 'searchTicketFields', 'field'),
		{
			displayName: 'Value',
			name: 'value',
			type: 'resourceLocator',
			default: { mode: 'text', value: '' },
			description: "The field's value: typed, or one of the field's options (drop-down and multi-select fields)",
			modes: [
				{ displayName: 'Value', name: 'text', type: 'string', placeholder: 'e.g. hardware' },
				{
					displayName: 'From Field Options',
					name: 'list',
					type: 'list',
					placeholder: 'Select an option...',
					typeOptions: { searchListMethod: 'searchTicketFieldOptions', searchable: true },
				},
			],
		},
	],
	V2,
);
