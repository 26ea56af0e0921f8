/**
 * Slack message text (mrkdwn) → what Zendesk shows well: the one place for the inbound
 * direction (nodes/shared/slack/mrkdwn.ts is the outbound one).
 *
 * Comments go to Zendesk as `html_body`: rendering is then the same on every account (whether
 * `body` Markdown is on or not), and all user text is HTML-escaped here, so a Slack message can
 * never inject markup, scripts or tracking images into the agent workspace. Links keep only
 * http(s) and mailto targets. Subjects are plain text (`slackTextToPlain`).
 *
 * Slack's text escapes `&`, `<` and `>` as entities; `<…>` are control sequences (links,
 * mentions); *bold*, _italic_, ~strike~, `code`, ```blocks``` and `>` quotes are mrkdwn.
 */

/** Display name of a Slack user id when known (Profile Linker's cache, the item's linked users). */
export type SlackNameLookup = (userId: string) => string | undefined;

export interface SlackTextOptions {
	names?: SlackNameLookup;
	/** Plain text only: a labelled link as "label (url)" (default) or just its label (subjects). */
	plainLinks?: 'labelAndUrl' | 'label';
}

// Private-use characters mark placeholders; any in the input are replaced first so a message
// cannot forge one.
const PH_OPEN = '\uE000';
const PH_CLOSE = '\uE001';
const PLACEHOLDER_CHARS = /[\uE000\uE001]/g;
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

export function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

/** Slack's three entities (and the common numeric/named ones a client may send). */
export function decodeSlackEntities(text: string): string {
	return text.replace(/&(amp|lt|gt|quot|apos|#39|#x27);/gi, (entity, name: string) => {
		switch (name.toLowerCase()) {
			case 'amp':
				return '&';
			case 'lt':
				return '<';
			case 'gt':
				return '>';
			case 'quot':
				return '"';
			default:
				return "'";
		}
	});
}

type Control = { kind: 'link'; url: string; label?: string } | { kind: 'text'; text: string };

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** One `<…>` control sequence (inner text, entities still encoded). */
function parseControl(inner: string, names: SlackNameLookup | undefined): Control {
	const bar = inner.indexOf('|');
	const target = bar >= 0 ? inner.slice(0, bar) : inner;
	const label = bar >= 0 ? decodeSlackEntities(inner.slice(bar + 1)).trim() : undefined;
	if (target.startsWith('@')) {
		const userId = target.slice(1);
		const name = names?.(userId) ?? (label ? label.replace(/^@/, '') : undefined);
		return { kind: 'text', text: `@${name ?? userId}` };
	}
	if (target.startsWith('#')) return { kind: 'text', text: `#${label ? label.replace(/^#/, '') : target.slice(1)}` };
	if (target.startsWith('!')) {
		const command = target.slice(1);
		if (/^(here|channel|everyone)$/.test(command)) return { kind: 'text', text: `@${command}` };
		// <!subteam^S123|@team>, <!date^…|fallback>: Slack's fallback text is what a reader should see.
		if (label) return { kind: 'text', text: label };
		const head = command.split('^')[0];
		return { kind: 'text', text: head === 'subteam' ? `@${command.split('^')[1] ?? 'group'}` : `@${head}` };
	}
	const url = decodeSlackEntities(target).trim();
	// Not a Slack control sequence (Slack escapes a typed "<"): show it as written.
	if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return { kind: 'text', text: `<${decodeSlackEntities(inner)}>` };
	if (!SAFE_LINK.test(url) || /\s/.test(url)) return { kind: 'text', text: label ? `${label} (${url})` : url };
	return { kind: 'link', url, label: label && label !== url ? label : undefined };
}

function linkText(url: string): string {
	return url.toLowerCase().startsWith('mailto:') ? url.slice('mailto:'.length) : url;
}

function controlAsHtml(control: Control): string {
	if (control.kind === 'text') return escapeHtml(control.text);
	return `<a href="${escapeHtml(control.url)}" rel="noopener noreferrer">${escapeHtml(control.label ?? linkText(control.url))}</a>`;
}

function controlAsPlain(control: Control, options: SlackTextOptions): string {
	if (control.kind === 'text') return control.text;
	const shown = linkText(control.url);
	if (!control.label || control.label === shown) return shown;
	return options.plainLinks === 'label' ? control.label : `${control.label} (${shown})`;
}

/** Control sequences as readable text, entities decoded: code spans and blocks. */
function literalText(raw: string, options: SlackTextOptions): string {
	return decodeSlackEntities(
		raw.replace(/<([^<>\n]*)>/g, (_, inner: string) => controlAsPlain(parseControl(inner, options.names), options)),
	);
}

/** A mark opens after a non-word character and closes before one; its content is not blank at the edges. */
const MARKS: Array<{ pattern: RegExp; tag: string }> = [
	{ pattern: /(?<![\p{L}\p{N}*])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\p{N}*])/gu, tag: 'strong' },
	{ pattern: /(?<![\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}_])/gu, tag: 'em' },
	{ pattern: /(?<![\p{L}\p{N}~])~(?=\S)([^~\n]*?\S)~(?![\p{L}\p{N}~])/gu, tag: 'del' },
];

function tagsBalanced(html: string): boolean {
	const open: string[] = [];
	for (const [, closing, name] of html.matchAll(/<(\/?)(strong|em|del)>/g)) {
		if (!closing) open.push(name);
		else if (open.pop() !== name) return false;
	}
	return open.length === 0;
}

interface Inline {
	html: string;
	plain: string;
}

/** One line outside code blocks: inline code, control sequences, entities, marks. */
function renderInline(line: string, options: SlackTextOptions): Inline {
	const slots: Inline[] = [];
	const slot = (value: Inline): string => `${PH_OPEN}${slots.push(value) - 1}${PH_CLOSE}`;
	let text = line.replace(/`([^`\n]+)`/g, (_, code: string) => {
		const literal = literalText(code, options);
		return slot({ html: `<code>${escapeHtml(literal)}</code>`, plain: literal });
	});
	text = text.replace(/<([^<>\n]*)>/g, (_, inner: string) => {
		const control = parseControl(inner, options.names);
		return slot({ html: controlAsHtml(control), plain: controlAsPlain(control, options) });
	});
	const decoded = decodeSlackEntities(text);
	let html = escapeHtml(decoded);
	let plain = decoded;
	for (const { pattern, tag } of MARKS) {
		// A mark whose content holds half of another mark's tags stays literal: tags never cross.
		html = html.replace(pattern, (match, content: string) =>
			tagsBalanced(content) ? `<${tag}>${content}</${tag}>` : match,
		);
		plain = plain.replace(pattern, '$1');
	}
	const fill = (value: string, pick: (slotValue: Inline) => string): string =>
		value.replace(PLACEHOLDER, (_, index: string) => pick(slots[Number(index)]));
	return { html: fill(html, (s) => s.html), plain: fill(plain, (s) => s.plain) };
}

type Block =
	| { kind: 'code'; text: string }
	| { kind: 'quote'; lines: string[] }
	| { kind: 'paragraph'; lines: string[] };

const QUOTE_LINE = /^(?:&gt;|>)\s?(.*)$/;

function blocksOf(text: string): Block[] {
	const blocks: Block[] = [];
	const parts = text.replace(/\r\n?/g, '\n').split(/```/);
	// An unclosed ``` is literal text, as in Slack.
	const closed =
		parts.length % 2 === 1
			? parts
			: [...parts.slice(0, -2), `${parts[parts.length - 2]}\`\`\`${parts[parts.length - 1]}`];
	closed.forEach((part, index) => {
		if (index % 2 === 1) {
			blocks.push({ kind: 'code', text: part.replace(/^\n/, '').replace(/\n$/, '') });
			return;
		}
		let current: Block | undefined;
		for (const line of part.split('\n')) {
			const quoted = QUOTE_LINE.exec(line);
			if (quoted) {
				if (current?.kind !== 'quote') blocks.push((current = { kind: 'quote', lines: [] }));
				current.lines.push(quoted[1]);
			} else if (line.trim() === '') {
				current = undefined;
			} else {
				if (current?.kind !== 'paragraph') blocks.push((current = { kind: 'paragraph', lines: [] }));
				current.lines.push(line.trim());
			}
		}
	});
	return blocks;
}

/** C0 controls but tab (9), newline (10) and carriage return (13), and DEL: nothing a person typed; NUL breaks storage. */
function isControl(code: number): boolean {
	return (code < 0x20 && code !== 9 && code !== 10 && code !== 13) || code === 0x7f;
}

/**
 * Text as Zendesk can store it: a lone surrogate (no character, not encodable as UTF-8) becomes
 * U+FFFD as a UTF-8 encoder would make it, control characters are dropped, and the converter's
 * own placeholder marks are neutralised.
 */
export function cleanSlackText(text: string): string {
	let out = '';
	for (const char of text ?? '') {
		const code = char.codePointAt(0) ?? 0;
		if (isControl(code)) continue;
		// Iterating by code point, a surrogate arrives alone only when it has no partner.
		out += code >= 0xd800 && code <= 0xdfff ? '\uFFFD' : char;
	}
	return out.replace(PLACEHOLDER_CHARS, '\uFFFD');
}

const clean = cleanSlackText;

/** HTML for Zendesk's `html_body`; every piece of user text is escaped. Empty text gives ''. */
export function slackTextToHtml(text: string, options: SlackTextOptions = {}): string {
	return blocksOf(clean(text))
		.map((block) => {
			if (block.kind === 'code') return `<pre><code>${escapeHtml(literalText(block.text, options))}</code></pre>`;
			const lines = block.lines.map((line) => renderInline(line, options).html).join('<br>');
			return block.kind === 'quote' ? `<blockquote>${lines}</blockquote>` : `<p>${lines}</p>`;
		})
		.join('');
}

/** Readable plain text (subjects, summaries): marks dropped, links as "label (url)", quotes as "> ". */
export function slackTextToPlain(text: string, options: SlackTextOptions = {}): string {
	return blocksOf(clean(text))
		.map((block) => {
			if (block.kind === 'code') return literalText(block.text, options);
			const lines = block.lines.map((line) => renderInline(line, options).plain);
			return (block.kind === 'quote' ? lines.map((line) => `> ${line}`) : lines).join('\n');
		})
		.join('\n\n');
}
