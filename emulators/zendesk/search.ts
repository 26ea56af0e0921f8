/**
 * Zendesk search query language, the subset the bridge uses
 * (https://support.zendesk.com/hc/en-us/articles/4408886879258): `type:ticket`, `status<solved`,
 * `requester:erin@acme.test`, `external_id:x`, `tags:a`, `-tags:b`, quoted values, free text.
 */
import type { TicketStatus } from './model';

export interface SearchTerm {
	field: string;
	op: ':' | '<' | '>' | '<=' | '>=';
	value: string;
	negate: boolean;
}

export interface ParsedQuery {
	type: 'ticket' | 'user' | 'organization' | 'group' | null;
	terms: SearchTerm[];
	text: string[];
}

const TOKEN = /(-)?(?:([a-z_]+)(<=|>=|:|<|>))?("([^"]*)"|\S+)/gi;

export function parseSearchQuery(query: string): ParsedQuery {
	const parsed: ParsedQuery = { type: null, terms: [], text: [] };
	for (const match of query.matchAll(TOKEN)) {
		const [, minus, field, op, raw, quoted] = match;
		const value = quoted ?? raw;
		if (!field) {
			parsed.text.push(value.toLowerCase());
			continue;
		}
		const name = field.toLowerCase();
		if (name === 'type' && op === ':') {
			const type = value.toLowerCase();
			if (type === 'ticket' || type === 'user' || type === 'organization' || type === 'group') parsed.type = type;
			continue;
		}
		parsed.terms.push({ field: name, op: op as SearchTerm['op'], value, negate: minus === '-' });
	}
	return parsed;
}

export const STATUS_ORDER: TicketStatus[] = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];

/** Compares a ticket status with `status<solved` style operators. */
export function compareStatus(actual: string, op: SearchTerm['op'], wanted: string): boolean {
	const a = STATUS_ORDER.indexOf(actual as TicketStatus);
	const w = STATUS_ORDER.indexOf(wanted.toLowerCase() as TicketStatus);
	if (a < 0 || w < 0) return false;
	switch (op) {
		case '<':
			return a < w;
		case '>':
			return a > w;
		case '<=':
			return a <= w;
		case '>=':
			return a >= w;
		default:
			return a === w;
	}
}

/** Values a record exposes to search, by field name; arrays match when any element matches. */
export type SearchFields = Record<string, Array<string | number | null | undefined>>;

function valueMatches(candidate: string, wanted: string): boolean {
	const c = candidate.toLowerCase();
	const w = wanted.toLowerCase();
	if (w.endsWith('*')) return c.startsWith(w.slice(0, -1));
	return c === w;
}

/** True when every term (and every free-text word) matches the record's fields. */
export function matchesQuery(parsed: ParsedQuery, fields: SearchFields, fullText: string): boolean {
	for (const term of parsed.terms) {
		const values = (fields[term.field] ?? []).filter((v) => v !== null && v !== undefined).map(String);
		let hit: boolean;
		if (term.field === 'status') {
			hit = values.some((v) => compareStatus(v, term.op, term.value));
		} else if (term.value.toLowerCase() === 'none' && term.op === ':') {
			hit = values.length === 0;
		} else {
			hit = values.some((v) => valueMatches(v, term.value));
		}
		if (hit === term.negate) return false;
	}
	const haystack = fullText.toLowerCase();
	return parsed.text.every((word) => haystack.includes(word.replace(/\*$/, '')));
}
