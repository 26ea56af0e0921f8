/**
 * Renders Zendesk placeholders ({{ticket.id}}, {{ticket.latest_comment.value}}, ...) and the small
 * Liquid subset used in webhook bodies: {% for a in ticket.latest_comment.attachments %}…{% endfor %},
 * {% if x %}/{% unless x %}…{% endif %}/{% endunless %}, with forloop.first/last/index.
 * Reference: https://support.zendesk.com/hc/en-us/articles/4408886858138 (placeholders).
 * For JSON webhooks the rendered values are JSON-string-escaped (quotes and newlines stay valid JSON).
 */
export type Scope = Record<string, unknown>;

export interface RenderOptions {
	/** Escape values for inclusion inside a JSON string literal. */
	json: boolean;
}

function lookup(scope: Scope, path: string): unknown {
	let current: unknown = scope;
	for (const part of path.trim().split('.')) {
		if (current === null || current === undefined) return undefined;
		if (typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[part];
	}
	return current;
}

function stringify(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (Array.isArray(value)) return value.map(stringify).join(' ');
	if (typeof value === 'object') {
		// Objects such as ticket.latest_comment render as their text, as in Zendesk.
		const text = (value as { __text?: unknown }).__text;
		return typeof text === 'string' ? text : '';
	}
	return String(value);
}

function truthy(value: unknown): boolean {
	if (Array.isArray(value)) return value.length > 0;
	return value !== null && value !== undefined && value !== false && value !== '';
}

interface Block {
	kind: 'for' | 'if' | 'unless';
	arg: string;
	variable?: string;
	body: string;
	end: number;
}

/** Finds the matching end tag of a block that starts at `from` (the index after the opening tag). */
function findBlock(template: string, from: number, kind: Block['kind']): { body: string; end: number } {
	const open = new RegExp(`{%-?\\s*${kind}\\b`, 'g');
	const close = new RegExp(`{%-?\\s*end${kind}\\s*-?%}`, 'g');
	let depth = 1;
	let cursor = from;
	while (depth > 0) {
		close.lastIndex = cursor;
		const closing = close.exec(template);
		if (!closing) throw new Error(`placeholder template: missing {% end${kind} %}`);
		open.lastIndex = cursor;
		const opening = open.exec(template);
		if (opening && opening.index < closing.index) {
			depth += 1;
			cursor = opening.index + opening[0].length;
			continue;
		}
		depth -= 1;
		if (depth === 0) return { body: template.slice(from, closing.index), end: closing.index + closing[0].length };
		cursor = closing.index + closing[0].length;
	}
	throw new Error('unreachable');
}

const TAG = /{%-?\s*(for|if|unless)\s+([^%]*?)\s*-?%}|{{\s*([^}]+?)\s*}}/g;

export function renderTemplate(template: string, scope: Scope, options: RenderOptions): string {
	let out = '';
	let cursor = 0;
	TAG.lastIndex = 0;
	for (;;) {
		TAG.lastIndex = cursor;
		const match = TAG.exec(template);
		if (!match) break;
		out += template.slice(cursor, match.index);
		const [whole, blockKind, blockArg, path] = match;
		if (path !== undefined) {
			const text = stringify(lookup(scope, path));
			out += options.json ? JSON.stringify(text).slice(1, -1) : text;
			cursor = match.index + whole.length;
			continue;
		}
		const kind = blockKind as Block['kind'];
		const { body, end } = findBlock(template, match.index + whole.length, kind);
		if (kind === 'for') {
			const forMatch = /^(\w+)\s+in\s+(\S+)$/.exec(blockArg);
			if (!forMatch) throw new Error(`placeholder template: bad for tag "${blockArg}"`);
			const items = lookup(scope, forMatch[2]);
			const list = Array.isArray(items) ? items : [];
			list.forEach((item, index) => {
				const forloop = {
					first: index === 0,
					last: index === list.length - 1,
					index: index + 1,
					index0: index,
					length: list.length,
				};
				out += renderTemplate(body, { ...scope, [forMatch[1]]: item, forloop }, options);
			});
		} else {
			const value = truthy(lookup(scope, blockArg));
			if (value === (kind === 'if')) out += renderTemplate(body, scope, options);
		}
		cursor = end;
	}
	return out + template.slice(cursor);
}
