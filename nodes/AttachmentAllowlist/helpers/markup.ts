/**
 * HTML and SVG markup that makes bytes renderable (and runnable) as a web page: tags such as
 * `<script`, `<svg`, `<img`, `<iframe`, `<meta`, and any tag with an `on…=` event handler. Pure,
 * over Buffers, without string copies of the file.
 *
 * Where it is looked for is decided by the caller (contentCheck.ts): anywhere in images and PDFs
 * (they never contain markup legitimately), and within the first bytes of text files, where
 * browsers look when they guess a file's type (logs that quote tags further down stay allowed).
 */

/** Tags that load, run or redirect something, or make the document HTML or SVG. */
const ACTIVE_TAGS = new Set([
	'script',
	'iframe',
	'frame',
	'frameset',
	'object',
	'embed',
	'applet',
	'svg',
	'img',
	'image',
	'meta',
	'link',
	'base',
	'form',
	'html',
	'body',
	'style',
]);
/** With a namespace prefix (`<h:script>`, `<svg:svg>`), only what matters when parsed as XML. */
const ACTIVE_PREFIXED_TAGS = new Set(['script', 'svg', 'html', 'iframe', 'object', 'embed']);
/** Declarations that start a markup document. */
const MARKUP_DECLARATIONS = ['<!doctype html', '<!doctype svg', '<?php'];

const TAG_NAME_LIMIT = 32;
/** How far into a tag an event handler is looked for. */
const TAG_ATTRIBUTE_WINDOW = 512;

function lower(byte: number): number {
	return byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
}

function isLetter(byte: number | undefined): boolean {
	return byte !== undefined && ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a));
}

// The two byte readers below serve contentCheck.ts too: one notion of whitespace and of
// case-insensitive matching for both the sniffed start and the markup scan.

/** HTML's ASCII whitespace (tab, LF, FF, CR, space): what separates tags and attributes. */
export function isAsciiWhitespace(byte: number | undefined): boolean {
	return byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d || byte === 0x20;
}

/** Case-insensitive ASCII match of `pattern` (lower-case) at `offset`. */
export function matchesAt(bytes: Uint8Array, offset: number, pattern: string): boolean {
	if (offset + pattern.length > bytes.length) return false;
	for (let i = 0; i < pattern.length; i++) if (lower(bytes[offset + i]) !== pattern.charCodeAt(i)) return false;
	return true;
}

/** `<name` at `at` (lower-case, prefix kept) when followed by a space, `/`, `>` or the end. */
function tagNameAt(bytes: Uint8Array, at: number): { name: string; end: number } | undefined {
	if (bytes[at] !== 0x3c || !isLetter(bytes[at + 1])) return undefined;
	let name = '';
	let i = at + 1;
	while (i < bytes.length && name.length <= TAG_NAME_LIMIT) {
		const byte = bytes[i];
		if (isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte === 0x3a || byte === 0x2d || byte === 0x5f) {
			name += String.fromCharCode(lower(byte));
			i++;
			continue;
		}
		break;
	}
	const next = bytes[i];
	if (next !== undefined && !isAsciiWhitespace(next) && next !== 0x2f && next !== 0x3e) return undefined;
	return { name, end: i };
}

/** An `on…=` attribute (`onload=`, `onerror =`) before the tag's `>`. */
function eventHandlerIn(bytes: Uint8Array, from: number): string | undefined {
	const limit = Math.min(bytes.length, from + TAG_ATTRIBUTE_WINDOW);
	for (let i = from; i < limit; i++) {
		const byte = bytes[i];
		if (byte === 0x3e || byte === 0x3c) return undefined;
		const before = bytes[i - 1];
		if (!(isAsciiWhitespace(before) || before === 0x2f || before === 0x22 || before === 0x27)) continue;
		if (lower(byte) !== 0x6f || lower(bytes[i + 1]) !== 0x6e) continue;
		let k = i + 2;
		while (k < limit && isLetter(bytes[k])) k++;
		if (k - (i + 2) < 3) continue;
		let eq = k;
		while (eq < limit && isAsciiWhitespace(bytes[eq])) eq++;
		if (bytes[eq] === 0x3d) return String.fromCharCode(...Array.from(bytes.subarray(i, k), lower));
	}
	return undefined;
}

/** The markup found in `bytes[from, to)`, described for the sender (`<script>`, `onerror=`), or undefined. */
export function activeMarkup(bytes: Uint8Array, from = 0, to = bytes.length): string | undefined {
	const end = Math.min(to, bytes.length);
	let at = bytes.indexOf(0x3c, from);
	while (at !== -1 && at < end) {
		for (const declaration of MARKUP_DECLARATIONS) if (matchesAt(bytes, at, declaration)) return declaration;
		const tag = tagNameAt(bytes, at);
		if (tag) {
			const colon = tag.name.lastIndexOf(':');
			const local = colon === -1 ? tag.name : tag.name.slice(colon + 1);
			if (colon === -1 ? ACTIVE_TAGS.has(local) : ACTIVE_PREFIXED_TAGS.has(local)) return `<${tag.name}>`;
			const handler = eventHandlerIn(bytes, tag.end);
			if (handler) return `${handler}=`;
		}
		at = bytes.indexOf(0x3c, at + 1);
	}
	return undefined;
}
