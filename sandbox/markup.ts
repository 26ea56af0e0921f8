/**
 * Text formats of the console: what the agent types becomes the HTML Zendesk's rich editor
 * would store (html_body), and Slack's mrkdwn is shown the way the Slack client renders it.
 */

export function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Inline Markdown the agent workspace editor understands: bold (two stars), italic (one star or underscores), code, links. */
function inlineMarkdown(escaped: string): string {
	return escaped
		.replace(/`([^`\n]+)`/g, '<code>$1</code>')
		.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
		.replace(/(^|[^\w*])\*([^*\n]+)\*(?!\w)/g, '$1<em>$2</em>')
		.replace(/(^|[^\w])_([^_\n]+)_(?!\w)/g, '$1<em>$2</em>')
		.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2">$1</a>');
}

/** The agent's text as Zendesk's editor stores it: paragraphs, line breaks, inline formatting. */
export function agentHtmlFromMarkdown(text: string): string {
	const paragraphs = text
		.replace(/\r\n/g, '\n')
		.split(/\n{2,}/)
		.map((p) => p.trim())
		.filter(Boolean)
		.map((p) => `<p>${inlineMarkdown(escapeHtml(p)).replace(/\n/g, '<br>')}</p>`);
	return paragraphs.join('');
}

function decodeSlackEntities(text: string): string {
	return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function slackInline(escaped: string): string {
	return escaped
		.replace(/```([\s\S]+?)```/g, '<pre>$1</pre>')
		.replace(/`([^`\n]+)`/g, '<code>$1</code>')
		.replace(/(^|[^\w*])\*([^*\n]+)\*(?!\w)/g, '$1<b>$2</b>')
		.replace(/(^|[^\w])_([^_\n]+)_(?!\w)/g, '$1<i>$2</i>')
		.replace(/(^|[^\w~])~([^~\n]+)~(?!\w)/g, '$1<s>$2</s>')
		.replace(/^&gt; ?(.*)$/gm, '<blockquote>$1</blockquote>');
}

/**
 * Slack mrkdwn (as stored in a message's `text`: &, <, > escaped, links as <url|label>) to
 * safe HTML. Names for user mentions come from `names` when known.
 */
export function htmlFromSlackMrkdwn(
	text: string,
	names: (userId: string) => string | undefined = () => undefined,
): string {
	let html = '';
	let last = 0;
	for (const match of text.matchAll(/<([^<>]+)>/g)) {
		html += slackInline(escapeHtml(decodeSlackEntities(text.slice(last, match.index))));
		last = (match.index ?? 0) + match[0].length;
		const [target, label] = match[1].split('|', 2);
		if (target.startsWith('@')) {
			html += `<span class="mention">@${escapeHtml(names(target.slice(1)) ?? label ?? target.slice(1))}</span>`;
		} else if (target.startsWith('#')) {
			html += `<span class="mention">#${escapeHtml(label ?? target.slice(1))}</span>`;
		} else if (target.startsWith('!')) {
			html += `<span class="mention">@${escapeHtml(label ?? target.slice(1))}</span>`;
		} else if (/^(https?:|mailto:)/.test(target)) {
			const href = decodeSlackEntities(target);
			html += `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${escapeHtml(decodeSlackEntities(label ?? target))}</a>`;
		} else {
			html += escapeHtml(decodeSlackEntities(match[0]));
		}
	}
	html += slackInline(escapeHtml(decodeSlackEntities(text.slice(last))));
	return html.replace(/\n/g, '<br>');
}

const SAFE_TAGS = new Set([
	'p',
	'br',
	'strong',
	'b',
	'em',
	'i',
	'u',
	's',
	'code',
	'pre',
	'ul',
	'ol',
	'li',
	'blockquote',
	'h1',
	'h2',
	'h3',
	'h4',
]);

/**
 * A Zendesk comment's html_body reduced to formatting tags without attributes, plus links
 * (http/https/mailto only): enough to show what the agent wrote, nothing that runs.
 */
export function safeCommentHtml(html: string): string {
	let out = '';
	let last = 0;
	for (const match of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g)) {
		out += html.slice(last, match.index).replace(/</g, '&lt;').replace(/>/g, '&gt;');
		last = (match.index ?? 0) + match[0].length;
		const [, closing, rawTag, attributes] = match;
		const tag = rawTag.toLowerCase();
		if (SAFE_TAGS.has(tag)) {
			out += tag === 'br' ? '<br>' : `<${closing}${tag}>`;
		} else if (tag === 'a') {
			if (closing) {
				out += '</a>';
			} else {
				const href = /\bhref\s*=\s*("([^"]*)"|'([^']*)')/i.exec(attributes);
				const url = (href?.[2] ?? href?.[3] ?? '').replace(/&amp;/g, '&');
				out += /^(https?:|mailto:)/i.test(url) ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener">` : '<a>';
			}
		}
		// Any other tag (script, img, div, span, …) is dropped; its text stays as text.
	}
	out += html.slice(last).replace(/</g, '&lt;').replace(/>/g, '&gt;');
	return out;
}
