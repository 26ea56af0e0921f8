/**
 * File names come from the Slack event (user input). Before a name reaches Zendesk, an agent's
 * download folder or a notice, it is reduced to one safe, readable path segment: directories
 * and traversal are dropped, control and direction-override characters removed (they hide a
 * real extension: "invoice\u202Efdp.exe"), characters Windows forbids replaced, and the length
 * limited without cutting a character or the extension. Letters of any script and emoji stay.
 */

export const MAX_FILE_NAME_LENGTH = 180;

// Bidi embeddings/overrides/isolates, zero-width characters and BOM (controls are removed below).
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/gu;

/** C0 controls, DEL and C1 controls. */
function withoutControls(text: string): string {
	let kept = '';
	for (const char of text) {
		const code = char.codePointAt(0) ?? 0;
		if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) continue;
		kept += char;
	}
	return kept;
}
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

function truncateKeepingExtension(name: string, maxLength: number): string {
	const chars = Array.from(name);
	if (chars.length <= maxLength) return name;
	const dot = name.lastIndexOf('.');
	const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
	if (extension.length > 0 && extension.length <= 16) {
		const stem = Array.from(name.slice(0, dot)).slice(0, maxLength - extension.length);
		return stem.join('') + extension.join('');
	}
	return chars.slice(0, maxLength).join('');
}

/**
 * One safe path segment for `rawName`; `fallback` (e.g. "attachment-F123") when nothing readable
 * is left. The result never contains / \ or control characters, never starts with a dot and
 * is never "." or "..".
 */
export function sanitiseFileName(rawName: string | undefined, fallback: string): string {
	let name = withoutControls((rawName ?? '').normalize('NFC')).replace(INVISIBLE, '');
	// Keep only the last path segment: "../../etc/passwd" → "passwd", "C:\\x\\a.pdf" → "a.pdf".
	const segments = name.split(/[/\\]+/).filter((segment) => segment.trim() !== '');
	name = segments.length > 0 ? segments[segments.length - 1] : '';
	name = name.replace(WINDOWS_FORBIDDEN, '_');
	name = name.replace(/\s+/g, ' ').trim();
	name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
	if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
	name = truncateKeepingExtension(name, MAX_FILE_NAME_LENGTH);
	if (name === '' || /^[._\s-]*$/.test(name)) return fallback;
	return name;
}
