/**
 * The Zendesk pickers (resource locators with list search) of the Upsert: brands, groups, custom
 * ticket fields and their options, from Zendesk's list endpoints. Pure: the node's listSearch
 * methods fetch a page and hand it here.
 */
import type { INodeListSearchItems } from 'n8n-workflow';

import { locatorValue } from '../values';

export { locatorValue };

function matches(name: string, filter: string | undefined): boolean {
	const wanted = (filter ?? '').trim().toLowerCase();
	return !wanted || name.toLowerCase().includes(wanted);
}

function byName(a: INodeListSearchItems, b: INodeListSearchItems): number {
	return a.name.localeCompare(b.name, 'en');
}

export interface ZendeskBrand {
	id: number;
	name: string;
	active?: boolean;
	default?: boolean;
	is_deleted?: boolean;
	brand_url?: string;
}

/** Active brands matching the filter, by name; the default brand says so. */
export function brandResults(brands: ZendeskBrand[], filter?: string): INodeListSearchItems[] {
	return brands
		.filter((brand) => brand.active !== false && brand.is_deleted !== true && matches(brand.name, filter))
		.map((brand) => ({
			name: brand.default ? `${brand.name} (default)` : brand.name,
			value: String(brand.id),
			...(brand.brand_url ? { url: brand.brand_url } : {}),
		}))
		.sort(byName);
}

export interface ZendeskGroup {
	id: number;
	name: string;
	deleted?: boolean;
}

export function groupResults(groups: ZendeskGroup[], filter?: string): INodeListSearchItems[] {
	return groups
		.filter((group) => group.deleted !== true && matches(group.name, filter))
		.map((group) => ({ name: group.name, value: String(group.id) }))
		.sort(byName);
}

export interface ZendeskTicketField {
	id: number;
	title: string;
	type: string;
	active?: boolean;
	/** false for Zendesk's system fields (subject, status, group, …), which are set elsewhere. */
	removable?: boolean;
	custom_field_options?: Array<{ name: string; value: string }>;
}

/** Active custom ticket fields; a field with options says how many. */
export function ticketFieldResults(fields: ZendeskTicketField[], filter?: string): INodeListSearchItems[] {
	return fields
		.filter((field) => field.removable !== false && field.active !== false && matches(field.title, filter))
		.map((field) => {
			const options = field.custom_field_options?.length;
			return {
				name: options ? `${field.title} (${field.type}, ${options} options)` : `${field.title} (${field.type})`,
				value: String(field.id),
			};
		})
		.sort(byName);
}

/** The options of one custom field (drop-down, multi-select): shown by name, set by their tag value. */
export function fieldOptionResults(field: ZendeskTicketField | undefined, filter?: string): INodeListSearchItems[] {
	return (field?.custom_field_options ?? [])
		.filter((option) => matches(option.name, filter))
		.map((option) => ({ name: option.name, value: option.value }));
}

/** Zendesk's offset pagination: the next page number while `next_page` is set. */
export function nextPageToken(page: number, nextPage: unknown): string | undefined {
	return typeof nextPage === 'string' && nextPage ? String(page + 1) : undefined;
}

/** The page a pagination token asks for (1 when there is none). */
export function pageOf(paginationToken: string | undefined): number {
	const page = Number(paginationToken);
	return Number.isInteger(page) && page > 0 ? page : 1;
}
