/**
 * Zendesk tag rules, for users and tickets alike. Zendesk tags are single words: a space
 * separates two tags, so a configured list splits on commas and white space.
 */

/** Lower-cased, de-duplicated, empty entries dropped; a space inside one entry becomes `_`. */
export function normaliseTags(tags: string[]): string[] {
	const cleaned = tags.map((tag) => tag.trim().toLowerCase().replace(/\s+/g, '_')).filter((tag) => tag !== '');
	return [...new Set(cleaned)];
}

/** Splits a "Tags" parameter typed as text (comma or white-space separated); an array from an expression keeps its entries. */
export function parseTagList(value: unknown): string[] {
	if (Array.isArray(value)) return normaliseTags(value.map(String));
	if (typeof value !== 'string') return [];
	return normaliseTags(value.split(/[,\s]+/));
}

/** A tag-safe slug of a name, e.g. a handle: "IT — Hélpdesk!" → "it_helpdesk". */
export function tagSlug(value: string): string {
	return value
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_+|_+$/g, '');
}
