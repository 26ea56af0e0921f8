/**
 * The Alert Channel picker: Slack's conversations.list (public and private channels the
 * credential can see), shaped for n8n's list search. Pure mapping plus one transport call.
 */
import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { sendWithRetry } from '../../shared/transport/http';
import { SLACK_CREDENTIAL_TYPE, slackBaseUrl } from '../../shared/transport/slackTransport';
import { credentialData } from '../../shared/n8n/credentialData';

export interface SlackChannel {
	id: string;
	name?: string;
	is_private?: boolean;
	is_archived?: boolean;
	is_member?: boolean;
}

/** Channels matching the filter (name, any case, with or without #), by name; private ones say so. */
export function channelResults(channels: SlackChannel[], filter?: string): INodeListSearchItems[] {
	const wanted = (filter ?? '').trim().replace(/^#/, '').toLowerCase();
	return channels
		.filter(
			(channel) => channel.name && !channel.is_archived && (!wanted || channel.name.toLowerCase().includes(wanted)),
		)
		.map((channel) => ({ name: `#${channel.name}${channel.is_private ? ' (private)' : ''}`, value: channel.id }))
		.sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

/** What Slack's answer means for the picker: its page of channels, or the reason it cannot list them. */
export function channelListProblem(error: string | undefined): string | undefined {
	if (!error) return undefined;
	if (error === 'missing_scope')
		return 'The Slack app needs the channels:read scope (and groups:read for private channels) to list channels; enter the channel ID instead, or add the scopes and reinstall the app';
	return `Slack conversations.list failed: ${error}`;
}

interface ConversationsList {
	ok: boolean;
	error?: string;
	channels?: SlackChannel[];
	response_metadata?: { next_cursor?: string };
}

export async function searchChannels(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const credentials = await credentialData(this, SLACK_CREDENTIAL_TYPE);
	const response = await sendWithRetry<ConversationsList>(this, {
		service: 'slack',
		route: 'conversations.list',
		credentialType: SLACK_CREDENTIAL_TYPE,
		request: {
			method: 'GET',
			url: `${slackBaseUrl(credentials)}/conversations.list`,
			qs: {
				types: 'public_channel,private_channel',
				exclude_archived: true,
				limit: 200,
				...(paginationToken ? { cursor: paginationToken } : {}),
			},
			json: true,
		},
		slackErrorOf: (body) =>
			(body as ConversationsList | undefined)?.error === 'ratelimited' ? 'ratelimited' : undefined,
	});
	const body = response.body;
	const problem = channelListProblem(body?.ok ? undefined : (body?.error ?? `HTTP ${response.statusCode}`));
	if (problem) throw new NodeOperationError(this.getNode(), problem);
	return {
		results: channelResults(body.channels ?? [], filter),
		paginationToken: body.response_metadata?.next_cursor || undefined,
	};
}

/** Version 2's Alert Channel: picked from the list, or a channel ID (C…, G…) or an expression. */
export const alertChannelV2: INodeProperties = {
	displayName: 'Alert Channel',
	name: 'alertChannelId',
	type: 'resourceLocator',
	// Not `required`: the shipped template leaves it empty for you to pick, and n8n would mark the
	// imported workflow with an issue; an alert without a channel fails with a clear error instead.
	default: { mode: 'list', value: '' },
	displayOptions: { show: { operation: ['alert'], '@version': [{ _cnd: { gte: 2 } }] } },
	description: 'The Slack channel the team watches; the bot or handle must be a member',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a channel...',
			typeOptions: { searchListMethod: 'searchChannels', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'C0123456789',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^[CGD][A-Z0-9]{2,}$', errorMessage: 'Not a Slack channel ID (C…, G… or D…)' },
				},
			],
		},
	],
};
