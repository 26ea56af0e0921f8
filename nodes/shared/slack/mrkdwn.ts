/**
 * Zendesk comment text (HTML or Markdown) to Slack mrkdwn. Pure: no HTTP, no n8n.
 *
 * Safety rules, applied to every output:
 * - `&`, `<`, `>` in agent text are escaped, so agent text can never form a Slack control
 *   sequence (`<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`, `<#C…>`, `<!subteam^…>`).
 *   Only links built here from sanitised http(s)/mailto URLs use `<…>`.
 * - Plain `@here`, `@channel`, `@everyone` are not broadcasts in our posts (chat.postMessage with
 *   `link_names: false` and no `parse`: Slack only broadcasts for `<!here>`-style tokens, which the
 *   escaping above already prevents). As defence in depth, a standalone one (not in code, not part
 *   of an address such as support@everyone.example) gets a zero-width space after the `@`.
 * - Runs of three or more backticks inside code are turned into `ˋ`, so agent code cannot close
 *   a code block early; in running text too, so it cannot open one.
 * - Bidi override/isolate characters (U+202A–U+202E, U+2066–U+2069) are removed from all agent
 *   text (they can make text read differently from what it is).
 * - `allowMentions` lets the agent's own Slack mention syntax through (`<@U…>` and friends).
 */

export interface MrkdwnOptions {
	/** Let `<@U…>`, `<#C…>`, `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>` from the agent through. */
	allowMentions?: boolean;
}

const ZERO_WIDTH_SPACE = '\u200B';

/**
 * Around each inline format marker pair (`*…*`, `_…_`, `~…~`) while converting: replaced at the
 * end by a zero-width space where the marker touches a letter or digit (Slack formats only at word
 * boundaries, so `foo*bar*baz` would show its asterisks), else by nothing.
 */
const FORMAT_OPEN = '\uE000';
const FORMAT_CLOSE = '\uE001';

/** Bidi overrides and isolates, and the converter's own markers: never taken from agent text. */
const UNSAFE_CHARACTERS = /[\u202A-\u202E\u2066-\u2069\uE000\uE001]/g;

/** Slack's three characters that must be escaped in message text; bidi controls are dropped. */
export function escapeSlackText(text: string): string {
	return text.replace(UNSAFE_CHARACTERS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Breaks a standalone `@here`, `@channel`, `@everyone` (defence in depth, see above). Not when the
 * `@` continues a word, so e-mail addresses such as support@everyone.example stay intact.
 */
export function neutraliseBroadcasts(text: string): string {
	return text.replace(/(?<![\p{L}\p{N}_.+\-@/])@(here|channel|everyone)\b/giu, `@${ZERO_WIDTH_SPACE}$1`);
}

/** Three or more backticks in agent text become `ˋ`, so they can neither open nor close a code block. */
export function neutraliseFences(text: string): string {
	return text.replace(/`{3,}/g, (run) => 'ˋ'.repeat(run.length));
}

/** Resolves the format markers (see FORMAT_OPEN): a zero-width space only where a word continues. */
function finaliseFormatting(text: string): string {
	return text
		.replace(new RegExp(`([\\p{L}\\p{N}_])?${FORMAT_OPEN}`, 'gu'), (_match, before: string | undefined) => (before ? `${before}${ZERO_WIDTH_SPACE}` : ''))
		.replace(new RegExp(`${FORMAT_CLOSE}([\\p{L}\\p{N}_])?`, 'gu'), (_match, after: string | undefined) => (after ? `${ZERO_WIDTH_SPACE}${after}` : ''));
}

const MENTION_TOKEN = /&lt;((?:@[UW][A-Z0-9]+)|(?:#C[A-Z0-9]+(?:\|[^&<>\n]*)?)|(?:!(?:here|channel|everyone))|(?:!subteam\^[A-Z0-9]+(?:\|[^&<>\n]*)?))&gt;/g;

/** Applies the mention policy to already-escaped text. Code shows its text literally: nothing to do there. */
function applyMentionPolicy(escaped: string, options: MrkdwnOptions, inCode = false): string {
	if (inCode) return escaped;
	if (!options.allowMentions) return neutraliseBroadcasts(escaped);
	return escaped.replace(MENTION_TOKEN, (_match, token: string) => `<${token}>`);
}

const NAMED_ENTITIES: Record<string, string> = {
	amp: '&',
	lt: '<',
	gt: '>',
	quot: '"',
	apos: "'",
	nbsp: '\u00a0',
	ndash: '–',
	mdash: '—',
	hellip: '…',
	lsquo: '‘',
	rsquo: '’',
	ldquo: '“',
	rdquo: '”',
	bull: '•',
	middot: '·',
	copy: '©',
	reg: '®',
	trade: '™',
	euro: '€',
	shy: '',
	zwj: '\u200D',
	zwnj: '\u200C',
};

export function decodeHtmlEntities(text: string): string {
	return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (match, entity: string) => {
		if (entity[0] === '#') {
			const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
			if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
			return String.fromCodePoint(code);
		}
		const named = NAMED_ENTITIES[entity.toLowerCase()];
		return named === undefined ? match : named;
	});
}

/**
 * A URL the agent linked to, made safe for `<url|text>`: only http, https and mailto, and the
 * characters that would end or split the link token are percent-encoded. Undefined otherwise.
 */
export function sanitiseLinkUrl(raw: string): string | undefined {
	const url = decodeHtmlEntities(raw).trim();
	if (!/^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i.test(url)) return undefined;
	const encoded = url.replace(/[<>|"\s`]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
	return encoded.replace(/&/g, '&amp;');
}

/** `<url|text>` (or `<url>` when the text adds nothing). `text` is already mrkdwn-safe. */
function slackLink(url: string, text: string): string {
	const label = text.trim();
	const bare = url.replace(/&amp;/g, '&').replace(/^mailto:/i, '');
	if (!label || label === url || label === bare) return `<${url}>`;
	return `<${url}|${label.replace(/\n+/g, ' ')}>`;
}

/** Wraps each line of `inner` in `marker`, keeping surrounding whitespace outside (Slack needs it so). */
function wrapInline(marker: string, inner: string): string {
	return inner
		.split('\n')
		.map((line) => {
			const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(line);
			if (!match || !match[2]) return line;
			return `${match[1]}${FORMAT_OPEN}${marker}${match[2]}${marker}${FORMAT_CLOSE}${match[3]}`;
		})
		.join('\n');
}

function normaliseBlocks(text: string): string {
	return text
		.split('\n')
		.map((line) => line.replace(/[ \t]+$/, ''))
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.replace(/^\n+|\n+$/g, '');
}

// ---------------------------------------------------------------- HTML

interface HtmlElement {
	tag: string;
	attrs: string;
	children: HtmlNode[];
}
type HtmlNode = HtmlElement | string;

const VOID_TAGS = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'wbr', 'col', 'area', 'base', 'source']);
const SKIPPED_TAGS = new Set(['script', 'style', 'head', 'title', 'template', 'noscript']);
const BLOCK_TAGS = new Set(['p', 'div', 'section', 'article', 'header', 'footer', 'main', 'aside', 'figure', 'figcaption', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'dl', 'dt', 'dd', 'address', 'center', 'details', 'summary']);
const HEADING_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** A forgiving HTML tree builder: enough for Zendesk's comment HTML, never throws. */
function parseHtml(html: string): HtmlNode[] {
	const root: HtmlElement = { tag: '#root', attrs: '', children: [] };
	const stack: HtmlElement[] = [root];
	const tokens = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<\/?([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</g;
	let match: RegExpExecArray | null;
	while ((match = tokens.exec(html)) !== null) {
		const token = match[0];
		const top = stack[stack.length - 1];
		if (token.startsWith('<!')) continue;
		if (!match[1]) {
			top.children.push(token);
			continue;
		}
		const tag = match[1].toLowerCase();
		if (token.startsWith('</')) {
			const index = stack.map((element) => element.tag).lastIndexOf(tag);
			if (index > 0) stack.length = index;
			continue;
		}
		if ((tag === 'li' || tag === 'p') && top.tag === tag) stack.pop();
		const element: HtmlElement = { tag, attrs: match[2] ?? '', children: [] };
		stack[stack.length - 1].children.push(element);
		const selfClosing = /\/\s*$/.test(element.attrs);
		if (!VOID_TAGS.has(tag) && !selfClosing) stack.push(element);
	}
	return root.children;
}

function attribute(attrs: string, name: string): string | undefined {
	const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(attrs);
	if (!match) return undefined;
	return match[1] ?? match[2] ?? match[3];
}

interface RenderContext {
	options: MrkdwnOptions;
	inPre: boolean;
	bold: boolean;
	italic: boolean;
	strike: boolean;
	listDepth: number;
}

function textContent(nodes: HtmlNode[]): string {
	return nodes.map((node) => (typeof node === 'string' ? decodeHtmlEntities(node) : node.tag === 'br' ? '\n' : textContent(node.children))).join('');
}

function renderText(raw: string, ctx: RenderContext): string {
	const decoded = decodeHtmlEntities(raw);
	// HTML collapses source whitespace; &nbsp; is a real space that survives.
	const text = ctx.inPre ? decoded : decoded.replace(/[ \t\r\n\f]+/g, ' ').replace(/\u00a0/g, ' ');
	return applyMentionPolicy(escapeSlackText(neutraliseFences(text)), ctx.options);
}

const BULLETS = ['•', '◦', '▪'];

function renderList(element: HtmlElement, ctx: RenderContext): string {
	const ordered = element.tag === 'ol';
	let number = Number.parseInt(attribute(element.attrs, 'start') ?? '1', 10);
	if (!Number.isFinite(number)) number = 1;
	const indent = '    '.repeat(ctx.listDepth);
	const lines: string[] = [];
	for (const child of element.children) {
		if (typeof child === 'string') {
			if (child.trim()) lines.push(`${indent}${renderText(child, ctx).trim()}`);
			continue;
		}
		if (child.tag === 'ul' || child.tag === 'ol') {
			lines.push(renderList(child, { ...ctx, listDepth: ctx.listDepth + 1 }));
			continue;
		}
		const marker = ordered ? `${number++}.` : BULLETS[Math.min(ctx.listDepth, BULLETS.length - 1)];
		const content = normaliseBlocks(renderNodes(child.tag === 'li' ? child.children : [child], { ...ctx, listDepth: ctx.listDepth + 1 })).replace(/\n{2,}/g, '\n');
		const [first, ...rest] = content.split('\n');
		lines.push(`${indent}${marker} ${first ?? ''}`.trimEnd());
		for (const line of rest) lines.push(/^\s/.test(line) ? line : `${indent}  ${line}`);
	}
	return `\n${lines.join('\n')}\n`;
}

function renderElement(element: HtmlElement, ctx: RenderContext): string {
	const { tag } = element;
	if (SKIPPED_TAGS.has(tag)) return '';
	if (tag === 'br') return '\n';
	if (tag === 'hr') return '\n\n———\n\n';
	if (tag === 'pre') {
		const code = textContent(element.children).replace(/\u00a0/g, ' ').replace(/^\n/, '').replace(/\s+$/, '');
		return `\n\`\`\`\n${escapeSlackText(neutraliseFences(code))}\n\`\`\`\n`;
	}
	if (tag === 'code' || tag === 'kbd' || tag === 'samp' || tag === 'tt') {
		if (ctx.inPre) return renderNodes(element.children, ctx);
		const code = textContent(element.children).replace(/`/g, 'ˋ');
		if (!code.trim()) return code;
		if (code.includes('\n')) return `\n\`\`\`\n${escapeSlackText(code)}\n\`\`\`\n`;
		return `\`${escapeSlackText(code)}\``;
	}
	if (tag === 'strong' || tag === 'b') {
		const inner = renderNodes(element.children, { ...ctx, bold: true });
		return ctx.bold ? inner : wrapInline('*', inner);
	}
	if (tag === 'em' || tag === 'i' || tag === 'cite' || tag === 'var') {
		const inner = renderNodes(element.children, { ...ctx, italic: true });
		return ctx.italic ? inner : wrapInline('_', inner);
	}
	if (tag === 's' || tag === 'strike' || tag === 'del') {
		const inner = renderNodes(element.children, { ...ctx, strike: true });
		return ctx.strike ? inner : wrapInline('~', inner);
	}
	if (tag === 'a') {
		const inner = renderNodes(element.children, ctx);
		const url = sanitiseLinkUrl(attribute(element.attrs, 'href') ?? '');
		return url ? slackLink(url, inner) : inner;
	}
	if (tag === 'img') return imagePlaceholder(decodeHtmlEntities(attribute(element.attrs, 'alt') ?? ''), decodeHtmlEntities(attribute(element.attrs, 'src') ?? ''), ctx.options);
	if (tag === 'ul' || tag === 'ol') return renderList(element, ctx);
	if (tag === 'li') return `\n${BULLETS[0]} ${renderNodes(element.children, ctx).trim()}\n`;
	if (tag === 'blockquote') {
		const inner = normaliseBlocks(renderNodes(element.children, ctx));
		return `\n\n${inner
			.split('\n')
			.map((line) => (line ? `> ${line}` : '>'))
			.join('\n')}\n\n`;
	}
	if (HEADING_TAGS.has(tag)) {
		const inner = renderNodes(element.children, { ...ctx, bold: true }).trim();
		return `\n\n${ctx.bold ? inner : wrapInline('*', inner)}\n\n`;
	}
	if (tag === 'td' || tag === 'th') return `${renderNodes(element.children, ctx).trim()} `;
	if (tag === 'tr' || tag === 'div' || tag === 'dt' || tag === 'dd') return `\n${renderNodes(element.children, ctx)}\n`;
	if (BLOCK_TAGS.has(tag)) return `\n\n${renderNodes(element.children, ctx)}\n\n`;
	return renderNodes(element.children, ctx);
}

/** The file name an image URL names: Zendesk's `?name=` or the last path segment. */
function imageFileName(src: string): string | undefined {
	try {
		const url = new URL(src);
		const name = url.searchParams.get('name') ?? decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
		return name.trim() || undefined;
	} catch {
		return undefined;
	}
}

/**
 * An inline image as text: `[image: name]`. Never a link: Zendesk's inline image URLs need a
 * signed-in agent, so the user would get a login page (the image itself travels as an attachment).
 */
function imagePlaceholder(alt: string, src: string, options: MrkdwnOptions): string {
	const name = alt.replace(/\s+/g, ' ').trim() || imageFileName(src) || 'image';
	return `[image: ${applyMentionPolicy(escapeSlackText(neutraliseFences(name)), options)}]`;
}

function renderNodes(nodes: HtmlNode[], ctx: RenderContext): string {
	let out = '';
	for (const node of nodes) out += typeof node === 'string' ? renderText(node, ctx) : renderElement(node, ctx);
	return out;
}

/** Zendesk `html_body` to Slack mrkdwn. */
export function htmlToMrkdwn(html: string, options: MrkdwnOptions = {}): string {
	const ctx: RenderContext = { options, inPre: false, bold: false, italic: false, strike: false, listDepth: 0 };
	const rendered = renderNodes(parseHtml(html), ctx);
	// Inline whitespace left at line starts by block boundaries; keep list/code indentation.
	const lines = rendered.split('\n');
	let inFence = false;
	const cleaned = lines.map((line) => {
		if (line.trim() === '```') inFence = !inFence;
		if (inFence || line.trim() === '```') return line;
		return /^ (?! )/.test(line) ? line.replace(/^ /, '') : line;
	});
	return finaliseFormatting(normaliseBlocks(cleaned.join('\n')));
}

// ---------------------------------------------------------------- Markdown

const PLACEHOLDER = '\u0000';

/** Inline Markdown (one line) to mrkdwn. */
function markdownInline(line: string, options: MrkdwnOptions): string {
	const held: string[] = [];
	const hold = (value: string) => `${PLACEHOLDER}${held.push(value) - 1}${PLACEHOLDER}`;
	let text = line.split(PLACEHOLDER).join('');
	text = text.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_m, _ticks: string, code: string) =>
		hold(`\`${escapeSlackText(code.trim().replace(/`/g, 'ˋ'))}\``),
	);
	text = text.replace(/(!?)\[([^\]]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?(?:\s+"[^"]*")?\s*\)/g, (match, bang: string, label: string, href: string) => {
		if (bang) return hold(imagePlaceholder(label, href, options));
		const url = sanitiseLinkUrl(href);
		const safeLabel = applyMentionPolicy(escapeSlackText(label), options);
		return url ? hold(slackLink(url, safeLabel)) : hold(safeLabel || applyMentionPolicy(escapeSlackText(match), options));
	});
	// Autolinks, and Slack's own <url|label> when the agent typed it.
	text = text.replace(/<((?:https?:\/\/|mailto:)[^\s<>|]+)(?:\|([^<>\n]*))?>/gi, (match, href: string, label: string | undefined) => {
		const url = sanitiseLinkUrl(href);
		if (!url) return match;
		return hold(label === undefined ? `<${url}>` : slackLink(url, applyMentionPolicy(escapeSlackText(label), options)));
	});
	text = applyMentionPolicy(escapeSlackText(neutraliseFences(text)), options);
	const BOLD = '\u0001';
	const bold = `${FORMAT_OPEN}${BOLD}$1${BOLD}${FORMAT_CLOSE}`;
	text = text.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, bold).replace(/__(?=\S)([\s\S]*?\S)__/g, bold);
	text = text.replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?![*\w])/g, '$1_$2_');
	text = text.replace(/~~(?=\S)([\s\S]*?\S)~~/g, `${FORMAT_OPEN}~$1~${FORMAT_CLOSE}`);
	text = text.split(BOLD).join('*');
	return text.replace(new RegExp(`${PLACEHOLDER}(\\d+)${PLACEHOLDER}`, 'g'), (_m, index: string) => held[Number(index)] ?? '');
}

/** Markdown (as agents type it in Zendesk, or as `body`) to Slack mrkdwn. */
export function markdownToMrkdwn(markdown: string, options: MrkdwnOptions = {}): string {
	const out: string[] = [];
	let fence: string | undefined;
	for (const rawLine of markdown.replace(/\r\n?/g, '\n').split('\n')) {
		const fenceMatch = /^\s*(```+|~~~+)/.exec(rawLine);
		if (fence !== undefined) {
			if (fenceMatch && fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length) {
				out.push('```');
				fence = undefined;
			} else {
				out.push(escapeSlackText(neutraliseFences(rawLine)));
			}
			continue;
		}
		if (fenceMatch) {
			fence = fenceMatch[1];
			out.push('```');
			continue;
		}
		const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(rawLine);
		if (heading) {
			out.push(wrapInline('*', markdownInline(heading[1], options).replace(/\*/g, '')));
			continue;
		}
		if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(rawLine)) {
			out.push('———');
			continue;
		}
		const quote = /^\s{0,3}>\s?(.*)$/.exec(rawLine);
		if (quote) {
			out.push(`> ${markdownInline(quote[1], options)}`.trimEnd());
			continue;
		}
		const item = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(rawLine);
		if (item) {
			const depth = Math.floor(item[1].replace(/\t/g, '    ').length / 2);
			const marker = /\d/.test(item[2]) ? `${item[2].slice(0, -1)}.` : BULLETS[Math.min(depth, BULLETS.length - 1)];
			out.push(`${'    '.repeat(depth)}${marker} ${markdownInline(item[3], options)}`);
			continue;
		}
		out.push(markdownInline(rawLine.replace(/ {2,}$/, ''), options));
	}
	if (fence !== undefined) out.push('```');
	return finaliseFormatting(normaliseBlocks(out.join('\n')));
}

/** Plain text: only escaping and the mention policy. */
export function plainToMrkdwn(text: string, options: MrkdwnOptions = {}): string {
	return normaliseBlocks(applyMentionPolicy(escapeSlackText(neutraliseFences(text.replace(/\r\n?/g, '\n'))), options));
}

export type CommentTextFormat = 'html' | 'markdown' | 'plain';

/** The comment's HTML when Zendesk gave one (it always does for comments), else its Markdown body. */
export function commentToMrkdwn(comment: { htmlBody?: string | null; body?: string | null }, options: MrkdwnOptions = {}): string {
	if (comment.htmlBody && comment.htmlBody.trim()) return htmlToMrkdwn(comment.htmlBody, options);
	return markdownToMrkdwn(comment.body ?? '', options);
}

export function toMrkdwn(text: string, format: CommentTextFormat, options: MrkdwnOptions = {}): string {
	if (format === 'html') return htmlToMrkdwn(text, options);
	if (format === 'markdown') return markdownToMrkdwn(text, options);
	return plainToMrkdwn(text, options);
}
