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
import { BULLETS, htmlToMrkdwn, imagePlaceholder } from './htmlToMrkdwn';
import type { MrkdwnOptions } from './mrkdwnText';
import {
	FORMAT_CLOSE,
	FORMAT_OPEN,
	applyMentionPolicy,
	escapeSlackText,
	finaliseFormatting,
	neutraliseFences,
	normaliseBlocks,
	sanitiseLinkUrl,
	slackLink,
	wrapInline,
} from './mrkdwnText';

export type { MrkdwnOptions } from './mrkdwnText';
export {
	escapeSlackText,
	neutraliseBroadcasts,
	neutraliseFences,
	decodeHtmlEntities,
	sanitiseLinkUrl,
} from './mrkdwnText';
export { htmlToMrkdwn } from './htmlToMrkdwn';

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
	text = text.replace(
		/(!?)\[([^\]]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?(?:\s+"[^"]*")?\s*\)/g,
		(match, bang: string, label: string, href: string) => {
			if (bang) return hold(imagePlaceholder(label, href, options));
			const url = sanitiseLinkUrl(href);
			const safeLabel = applyMentionPolicy(escapeSlackText(label), options);
			return url
				? hold(slackLink(url, safeLabel))
				: hold(safeLabel || applyMentionPolicy(escapeSlackText(match), options));
		},
	);
	// Autolinks, and Slack's own <url|label> when the agent typed it.
	text = text.replace(
		/<((?:https?:\/\/|mailto:)[^\s<>|]+)(?:\|([^<>\n]*))?>/gi,
		(match, href: string, label: string | undefined) => {
			const url = sanitiseLinkUrl(href);
			if (!url) return match;
			return hold(
				label === undefined ? `<${url}>` : slackLink(url, applyMentionPolicy(escapeSlackText(label), options)),
			);
		},
	);
	text = applyMentionPolicy(escapeSlackText(neutraliseFences(text)), options);
	const BOLD = '\u0001';
	const bold = `${FORMAT_OPEN}${BOLD}$1${BOLD}${FORMAT_CLOSE}`;
	text = text.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, bold).replace(/__(?=\S)([\s\S]*?\S)__/g, bold);
	text = text.replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?![*\w])/g, '$1_$2_');
	text = text.replace(/~~(?=\S)([\s\S]*?\S)~~/g, `${FORMAT_OPEN}~$1~${FORMAT_CLOSE}`);
	text = text.split(BOLD).join('*');
	return text.replace(
		new RegExp(`${PLACEHOLDER}(\\d+)${PLACEHOLDER}`, 'g'),
		(_m, index: string) => held[Number(index)] ?? '',
	);
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
export function commentToMrkdwn(
	comment: { htmlBody?: string | null; body?: string | null },
	options: MrkdwnOptions = {},
): string {
	if (comment.htmlBody && comment.htmlBody.trim()) return htmlToMrkdwn(comment.htmlBody, options);
	return markdownToMrkdwn(comment.body ?? '', options);
}

export function toMrkdwn(text: string, format: CommentTextFormat, options: MrkdwnOptions = {}): string {
	if (format === 'html') return htmlToMrkdwn(text, options);
	if (format === 'markdown') return markdownToMrkdwn(text, options);
	return plainToMrkdwn(text, options);
}
