import type { INodeProperties } from 'n8n-workflow';

/** The fields every Zendesk credential of this package asks for first: the account's subdomain. */
export const zendeskSubdomainField: INodeProperties = {
	displayName: 'Subdomain',
	name: 'subdomain',
	type: 'string',
	default: '',
	placeholder: 'acme',
	required: true,
	description: 'The part before .zendesk.com',
};

/** The Base URL Override of a Zendesk credential (the sandbox and tests point it at an emulator). */
export function zendeskBaseUrlField(emulator: string, placeholder: string, path = ''): INodeProperties {
	return {
		displayName: 'Base URL Override',
		name: 'baseUrl',
		type: 'string',
		default: '',
		placeholder,
		description: `Leave empty for https://{subdomain}.zendesk.com${path}. The sandbox and tests point it at the ${emulator} emulator.`,
	};
}
