/**
 * The Upsert's Mode and what each mode shows: the Support Ticket mode writes through the Zendesk
 * Support API (its `authentication` and credential), the Zendesk Messaging mode through Sunshine
 * Conversations (the `zendeskMessagingApi` credential); parameters only one mode reads are
 * shown in that mode only.
 */
import type { INodeProperties } from 'n8n-workflow';

import { zendeskAuthenticationProperty } from '../../shared/zendesk/nodeParameters';

export const SUPPORT_TICKETS_MODE = 'supportTickets';
export const ZENDESK_MESSAGING_MODE = 'zendeskMessaging';

/** A parameter the Support Ticket mode alone reads. */
export function supportOnly(property: INodeProperties): INodeProperties {
	return { ...property, displayOptions: { show: { ...property.displayOptions?.show, mode: [SUPPORT_TICKETS_MODE] } } };
}

/**
 * The Zendesk Support credential's choice. No displayOptions on `mode`: n8n's editor hides every
 * parameter named in an authentication field's displayOptions (test/unit/node-editor-parameters),
 * which would hide Mode itself. The credential slots decide per mode instead.
 */
export const upsertAuthenticationProperty = zendeskAuthenticationProperty;

export const modeProperty: INodeProperties = {
	displayName: 'Mode',
	name: 'mode',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Support Ticket',
			value: SUPPORT_TICKETS_MODE,
			description: 'One ticket per conversation through the Zendesk Support tickets API',
		},
		{
			name: 'Zendesk Messaging',
			value: ZENDESK_MESSAGING_MODE,
			description:
				'One messaging conversation per Slack conversation (Sunshine Conversations); the agent workspace makes it a messaging ticket',
		},
	],
	default: SUPPORT_TICKETS_MODE,
};
