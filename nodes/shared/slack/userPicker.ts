/**
 * The Handle picker both triggers offer: Slack's users.list (the workspace's people and bots),
 * searchable by name. `slackUserResults` decides what the list shows (pure); `searchSlackUsers` is
 * the listSearch method that fetches a page through the transport.
 */
import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { callSlack } from '../transport/slackTransport';

export interface SlackMember {
	id: string;
	name?: string;
	real_name?: string;
	deleted?: boolean;
	is_bot?: boolean;
	profile?: { display_name?: string; real_name?: string };
}

function label(member: SlackMember): string {
	const display =
		member.profile?.display_name || member.profile?.real_name || member.real_name || member.name || member.id;
	const handle = member.name && member.name !== display ? ` (@${member.name})` : '';
	return `${display}${handle}${member.is_bot ? ' · bot' : ''}`;
}

/** Members that can be a handle (not deleted, not Slackbot), matching the filter, by label. */
export function slackUserResults(members: SlackMember[], filter?: string): INodeListSearchItems[] {
	const wanted = (filter ?? '').trim().toLowerCase();
	return members
		.filter((member) => !member.deleted && member.id !== 'USLACKBOT')
		.map((member) => ({ name: label(member), value: member.id }))
		.filter((item) => !wanted || item.name.toLowerCase().includes(wanted) || item.value.toLowerCase().includes(wanted))
		.sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

export async function searchSlackUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const response = await callSlack<{
		ok: boolean;
		members?: SlackMember[];
		response_metadata?: { next_cursor?: string };
	}>(this, 'users.list', { limit: 200, ...(paginationToken ? { cursor: paginationToken } : {}) });
	return {
		results: slackUserResults(response.members ?? [], filter),
		paginationToken: response.response_metadata?.next_cursor || undefined,
	};
}
