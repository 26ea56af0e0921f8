/** List search of the Upsert's pickers: one page of a Zendesk list, shaped by nodes/shared/zendesk/pickers. */
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { callZendesk, zendeskCredentialType } from '../../shared/transport/zendeskTransport';
import type { ZendeskBrand, ZendeskGroup, ZendeskTicketField } from '../../shared/zendesk/pickers';
import {
	brandResults,
	fieldOptionResults,
	groupResults,
	locatorValue,
	nextPageToken,
	pageOf,
	ticketFieldResults,
} from '../../shared/zendesk/pickers';

function credentialTypeOf(ctx: ILoadOptionsFunctions): string {
	return zendeskCredentialType(ctx.getCurrentNodeParameter('authentication') ?? 'apiToken');
}

async function listPage<T>(
	ctx: ILoadOptionsFunctions,
	path: string,
	key: string,
	paginationToken?: string,
): Promise<{ records: T[]; page: number; nextPage: unknown }> {
	const page = pageOf(paginationToken);
	const response = await callZendesk<IDataObject>(ctx, credentialTypeOf(ctx), {
		method: 'GET',
		path,
		qs: { page, per_page: 100 },
	});
	return { records: (response.body[key] as T[] | undefined) ?? [], page, nextPage: response.body.next_page };
}

async function ticketFields(ctx: ILoadOptionsFunctions): Promise<ZendeskTicketField[]> {
	const response = await callZendesk<{ ticket_fields?: ZendeskTicketField[] }>(ctx, credentialTypeOf(ctx), {
		method: 'GET',
		path: '/ticket_fields.json',
	});
	return response.body.ticket_fields ?? [];
}

export const listSearch = {
	async searchBrands(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		const { records, page, nextPage } = await listPage<ZendeskBrand>(this, '/brands.json', 'brands', paginationToken);
		return { results: brandResults(records, filter), paginationToken: nextPageToken(page, nextPage) };
	},

	async searchGroups(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		const { records, page, nextPage } = await listPage<ZendeskGroup>(this, '/groups.json', 'groups', paginationToken);
		return { results: groupResults(records, filter), paginationToken: nextPageToken(page, nextPage) };
	},

	async searchTicketFields(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return { results: ticketFieldResults(await ticketFields(this), filter) };
	},

	/** The options of the field chosen in the same Custom Fields row. */
	async searchTicketFieldOptions(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const fieldId = String(locatorValue(this.getCurrentNodeParameter('&id')) ?? '');
		const field = (await ticketFields(this)).find((candidate) => String(candidate.id) === fieldId);
		return { results: fieldOptionResults(field, filter) };
	},
};
