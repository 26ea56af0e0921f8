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

/** Prefix of the ticket tag naming a handle; the rest is the handle name's tag slug. */
export const HANDLE_TAG_PREFIX = 'slack_handle_';

/** The ticket tag of a handle name ("HR & People" → "slack_handle_hr_people"); undefined when no tag-safe character is left. */
export function handleTag(name: string): string | undefined {
	const slug = tagSlug(name);
	return slug ? `${HANDLE_TAG_PREFIX}${slug}` : undefined;
}

/** The slug a handle tag carries ("slack_handle_it" → "it"); undefined for any other tag. */
export function handleSlugOfTag(tag: unknown): string | undefined {
	if (typeof tag !== 'string' || !tag.startsWith(HANDLE_TAG_PREFIX)) return undefined;
	const slug = tag.slice(HANDLE_TAG_PREFIX.length);
	return slug === '' ? undefined : slug;
}
