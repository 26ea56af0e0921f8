/**
 * The text rules every Slack mrkdwn conversion applies (see mrkdwn.ts for the safety rules):
 * escaping, mention policy, broadcasts, fences, links and inline marks. Pure.
 */
export interface MrkdwnOptions {
	/** Let `<@U…>`, `<#C…>`, `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>` from the agent through. */
	allowMentions?: boolean;
}

export const ZERO_WIDTH_SPACE = '\u200B';

/**
 * Around each inline format marker pair (`*…*`, `_…_`, `~…~`) while converting: replaced at the
 * end by a zero-width space where the marker touches a letter or digit (Slack formats only at word
 * boundaries, so `foo*bar*baz` would show its asterisks), else by nothing.
 */
export const FORMAT_OPEN = '\uE000';
export const FORMAT_CLOSE = '\uE001';

/** Bidi overrides and isolates, and the converter's own markers: never taken from agent text. */
export const UNSAFE_CHARACTERS = /[\u202A-\u202E\u2066-\u2069\uE000\uE001]/g;

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
export function finaliseFormatting(text: string): string {
	return text
		.replace(new RegExp(`([\\p{L}\\p{N}_])?${FORMAT_OPEN}`, 'gu'), (_match, before: string | undefined) =>
			before ? `${before}${ZERO_WIDTH_SPACE}` : '',
		)
		.replace(new RegExp(`${FORMAT_CLOSE}([\\p{L}\\p{N}_])?`, 'gu'), (_match, after: string | undefined) =>
			after ? `${ZERO_WIDTH_SPACE}${after}` : '',
		);
}

export const MENTION_TOKEN =
	/&lt;((?:@[UW][A-Z0-9]+)|(?:#C[A-Z0-9]+(?:\|[^&<>\n]*)?)|(?:!(?:here|channel|everyone))|(?:!subteam\^[A-Z0-9]+(?:\|[^&<>\n]*)?))&gt;/g;

/** Applies the mention policy to already-escaped text. Code shows its text literally: nothing to do there. */
export function applyMentionPolicy(escaped: string, options: MrkdwnOptions, inCode = false): string {
	if (inCode) return escaped;
	if (!options.allowMentions) return neutraliseBroadcasts(escaped);
	return escaped.replace(MENTION_TOKEN, (_match, token: string) => `<${token}>`);
}

export const NAMED_ENTITIES: Record<string, string> = {
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
			const code =
				entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
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
export function slackLink(url: string, text: string): string {
	const label = text.trim();
	const bare = url.replace(/&amp;/g, '&').replace(/^mailto:/i, '');
	if (!label || label === url || label === bare) return `<${url}>`;
	return `<${url}|${label.replace(/\n+/g, ' ')}>`;
}

/** Wraps each line of `inner` in `marker`, keeping surrounding whitespace outside (Slack needs it so). */
export function wrapInline(marker: string, inner: string): string {
	return inner
		.split('\n')
		.map((line) => {
			const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(line);
			if (!match || !match[2]) return line;
			return `${match[1]}${FORMAT_OPEN}${marker}${match[2]}${marker}${FORMAT_CLOSE}${match[3]}`;
		})
		.join('\n');
}

export function normaliseBlocks(text: string): string {
	return text
		.split('\n')
		.map((line) => line.replace(/[ \t]+$/, ''))
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.replace(/^\n+|\n+$/g, '');
}
