/**
 * Following Zendesk's "next page" links through callZendesk, which takes paths below /api/v2.
 * Pure. Both offset (`next_page`) and cursor (`links.next`) links are full URLs.
 */
import type { IDataObject } from 'n8n-workflow';

export interface PageRequest {
	path: string;
	qs: IDataObject;
}

/** The path below /api/v2 of a next-page URL; undefined for none or a link elsewhere. */
export function nextPath(next: unknown): string | undefined {
	if (typeof next !== 'string' || !next) return undefined;
	const at = next.indexOf('/api/v2');
	return at === -1 ? undefined : next.slice(at + '/api/v2'.length);
}

/** A path with its query string split off into query parameters. */
export function splitPath(path: string): PageRequest {
	const [base, query] = path.split('?');
	return { path: base, qs: Object.fromEntries(new URLSearchParams(query ?? '')) };
}

/** The request for the page a next-page URL names, or undefined when there is no further page. */
export function nextPageRequest(next: unknown): PageRequest | undefined {
	const path = nextPath(next);
	return path ? splitPath(path) : undefined;
}
