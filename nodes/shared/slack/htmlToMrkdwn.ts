/**
 * Zendesk comment HTML to Slack mrkdwn, with the safety rules of mrkdwn.ts. Pure.
 */
import type { MrkdwnOptions } from './mrkdwnText';
import {
	applyMentionPolicy,
	decodeHtmlEntities,
	escapeSlackText,
	finaliseFormatting,
	neutraliseFences,
	normaliseBlocks,
	sanitiseLinkUrl,
	slackLink,
	wrapInline,
} from './mrkdwnText';

interface HtmlElement {
	tag: string;
	attrs: string;
	children: HtmlNode[];
}
type HtmlNode = HtmlElement | string;

const VOID_TAGS = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'wbr', 'col', 'area', 'base', 'source']);
const SKIPPED_TAGS = new Set(['script', 'style', 'head', 'title', 'template', 'noscript']);
const BLOCK_TAGS = new Set([
	'p',
	'div',
	'section',
	'article',
	'header',
	'footer',
	'main',
	'aside',
	'figure',
	'figcaption',
	'table',
	'thead',
	'tbody',
	'tfoot',
	'tr',
	'dl',
	'dt',
	'dd',
	'address',
	'center',
	'details',
	'summary',
]);
const HEADING_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** A forgiving HTML tree builder: enough for Zendesk's comment HTML, never throws. */
function parseHtml(html: string): HtmlNode[] {
	const root: HtmlElement = { tag: '#root', attrs: '', children: [] };
	const stack: HtmlElement[] = [root];
	const tokens =
		/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<\/?([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</g;
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
	return nodes
		.map((node) =>
			typeof node === 'string' ? decodeHtmlEntities(node) : node.tag === 'br' ? '\n' : textContent(node.children),
		)
		.join('');
}

function renderText(raw: string, ctx: RenderContext): string {
	const decoded = decodeHtmlEntities(raw);
	// HTML collapses source whitespace; &nbsp; is a real space that survives.
	const text = ctx.inPre ? decoded : decoded.replace(/[ \t\r\n\f]+/g, ' ').replace(/\u00a0/g, ' ');
	return applyMentionPolicy(escapeSlackText(neutraliseFences(text)), ctx.options);
}

export const BULLETS = ['•', '◦', '▪'];

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
		const content = normaliseBlocks(
			renderNodes(child.tag === 'li' ? child.children : [child], { ...ctx, listDepth: ctx.listDepth + 1 }),
		).replace(/\n{2,}/g, '\n');
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
		const code = textContent(element.children)
			.replace(/\u00a0/g, ' ')
			.replace(/^\n/, '')
			.replace(/\s+$/, '');
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
	if (tag === 'img')
		return imagePlaceholder(
			decodeHtmlEntities(attribute(element.attrs, 'alt') ?? ''),
			decodeHtmlEntities(attribute(element.attrs, 'src') ?? ''),
			ctx.options,
		);
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
		const name =
			url.searchParams.get('name') ?? decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
		return name.trim() || undefined;
	} catch {
		return undefined;
	}
}

/**
 * An inline image as text: `[image: name]`. Never a link: Zendesk's inline image URLs need a
 * signed-in agent, so the user would get a login page (the image itself travels as an attachment).
 */
export function imagePlaceholder(alt: string, src: string, options: MrkdwnOptions): string {
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
