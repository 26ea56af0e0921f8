/**
 * Content checks: the bytes of a file must be what its allowed type says, whatever its name
 * and declared MIME type claim. Pure and allocation-free over the downloaded Buffer, so a 50 MB
 * file is scanned in place (no string copies).
 *
 * What is refused, and why (docs/attachments.md has the table):
 * - a binary type whose leading signature is not its own (an executable or HTML renamed .pdf,
 *   a PNG named .gif);
 * - text that is UTF-16, not valid UTF-8 (Windows-1252 …), contains NUL, starts like HTML or a
 *   script, or has active HTML/SVG markup within the first bytes browsers sniff;
 * - polyglots, i.e. a valid image or PDF that also carries a second format another program
 *   would open: an appended ZIP archive (ZIP readers start from the end: GIFAR-style files),
 *   an embedded Windows or Linux executable, or HTML/SVG markup anywhere; and PDFs with active
 *   content (JavaScript, launch actions, rich media) or embedded files other than the XML
 *   invoice of a ZUGFeRD / Factur-X / XRechnung e-invoice (names decoded, see pdfObjects.ts).
 * These are heuristics against disguised files, not an antivirus; Zendesk scans uploads too.
 */
import type { ContentRule } from './allowlist';
import { activeMarkup, isAsciiWhitespace, matchesAt } from './markup';
import { embeddedFileProblem, scanPdf } from './pdfObjects';

export type ContentVerdict = { ok: true } | { ok: false; reason: 'empty' | 'contentMismatch'; detail: string };

export type LeadingKind =
	| 'pdf'
	| 'png'
	| 'jpeg'
	| 'gif'
	| 'webp'
	| 'bmp'
	| 'tiff'
	| 'zip'
	| 'gzip'
	| 'rar'
	| '7z'
	| 'ole'
	| 'pe'
	| 'elf'
	| 'macho'
	| 'wasm'
	| 'html'
	| 'script';

const KIND_LABELS: Record<LeadingKind, string> = {
	pdf: 'a PDF document',
	png: 'a PNG image',
	jpeg: 'a JPEG image',
	gif: 'a GIF image',
	webp: 'a WebP image',
	bmp: 'a BMP image',
	tiff: 'a TIFF image',
	zip: 'a ZIP archive',
	gzip: 'a gzip archive',
	rar: 'a RAR archive',
	'7z': 'a 7-Zip archive',
	ole: 'an OLE2 (legacy Office) file',
	pe: 'a Windows executable',
	elf: 'a Linux executable',
	macho: 'a macOS executable',
	wasm: 'a WebAssembly module',
	html: 'an HTML document',
	script: 'a script',
};

const EXECUTABLE_KINDS = new Set<LeadingKind>(['pe', 'elf', 'macho', 'wasm']);

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
	if (bytes.length < offset + signature.length) return false;
	for (let i = 0; i < signature.length; i++) if (bytes[offset + i] !== signature[i]) return false;
	return true;
}

function ascii(text: string): number[] {
	return Array.from(text, (char) => char.charCodeAt(0));
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MACHO_SIGNATURES = [
	[0xfe, 0xed, 0xfa, 0xce],
	[0xfe, 0xed, 0xfa, 0xcf],
	[0xce, 0xfa, 0xed, 0xfe],
	[0xcf, 0xfa, 0xed, 0xfe],
	[0xca, 0xfe, 0xba, 0xbe],
];

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Tags after which a browser sniffs a resource as HTML (WHATWG MIME Sniffing, "identifying a
 * resource with an unknown MIME type"), plus PHP. Each must be followed by a space or `>`.
 */
const HTML_LEADING_TAGS = [
	'<!doctype html',
	'<html',
	'<head',
	'<script',
	'<iframe',
	'<h1',
	'<div',
	'<font',
	'<table',
	'<a',
	'<style',
	'<title',
	'<b',
	'<body',
	'<br',
	'<p',
	'<!--',
	'<?php',
	'<svg',
];

function leadingMarkup(bytes: Uint8Array): 'html' | 'script' | undefined {
	let offset = startsWith(bytes, UTF8_BOM) ? 3 : 0;
	while (offset < bytes.length && isAsciiWhitespace(bytes[offset])) offset++;
	if (startsWith(bytes, ascii('#!'), offset)) return 'script';
	for (const tag of HTML_LEADING_TAGS) {
		if (!matchesAt(bytes, offset, tag)) continue;
		const next = bytes[offset + tag.length];
		if (next === undefined || next === 0x20 || next === 0x3e || isAsciiWhitespace(next) || next === 0x2f) {
			return tag === '<?php' ? 'script' : 'html';
		}
	}
	return undefined;
}

/** The format the first bytes announce, if any we know. */
export function leadingKind(bytes: Uint8Array): LeadingKind | undefined {
	if (startsWith(bytes, ascii('%PDF-'))) return 'pdf';
	if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
	if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
	if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
	if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
	if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip';
	if (startsWith(bytes, ascii('Rar!\x1a\x07'))) return 'rar';
	if (startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
	if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
	if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return 'elf';
	if (MACHO_SIGNATURES.some((signature) => startsWith(bytes, signature))) return 'macho';
	if (startsWith(bytes, [0x00, 0x61, 0x73, 0x6d])) return 'wasm';
	if (startsWith(bytes, ascii('MZ'))) return 'pe';
	if (startsWith(bytes, ascii('II*\0')) || startsWith(bytes, ascii('MM\0*'))) return 'tiff';
	if (startsWith(bytes, ascii('BM')) && bytes.length >= 14) return 'bmp';
	return leadingMarkup(bytes);
}

/** Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). Returns the bad offset. */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
	const length = bytes.length;
	let i = 0;
	while (i < length) {
		const byte = bytes[i];
		if (byte < 0x80) {
			i++;
			continue;
		}
		let needed: number;
		let min: number;
		let codePoint: number;
		if (byte >= 0xc2 && byte <= 0xdf) {
			needed = 1;
			min = 0x80;
			codePoint = byte & 0x1f;
		} else if (byte >= 0xe0 && byte <= 0xef) {
			needed = 2;
			min = 0x800;
			codePoint = byte & 0x0f;
		} else if (byte >= 0xf0 && byte <= 0xf4) {
			needed = 3;
			min = 0x10000;
			codePoint = byte & 0x07;
		} else {
			return i;
		}
		if (i + needed >= length) return i;
		for (let k = 1; k <= needed; k++) {
			const continuation = bytes[i + k];
			if (continuation === undefined || (continuation & 0xc0) !== 0x80) return i;
			codePoint = (codePoint << 6) | (continuation & 0x3f);
		}
		if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
		i += needed + 1;
	}
	return undefined;
}

/**
 * Browsers guess a resource's type from at most its first 1445 bytes (WHATWG MIME Sniffing,
 * "resource header"); older ones from the first 256. Markup there can make a text file render
 * as a web page, so it is refused there; further down (logs quoting tags) it is harmless text.
 */
export const TEXT_SNIFF_WINDOW = 1445;

function mismatch(detail: string): ContentVerdict {
	return { ok: false, reason: 'contentMismatch', detail };
}

const SAVE_AS_UTF8 = 'only UTF-8 text is accepted: save it as UTF-8 and send it again';

/** UTF-16 without a BOM: ASCII text has a NUL in every second byte. */
function looksLikeUtf16(bytes: Uint8Array): boolean {
	const sample = Math.min(bytes.length, 512) & ~1;
	if (sample < 4) return false;
	let evenNul = 0;
	let oddNul = 0;
	for (let i = 0; i < sample; i += 2) {
		if (bytes[i] === 0) evenNul++;
		if (bytes[i + 1] === 0) oddNul++;
	}
	const pairs = sample / 2;
	return (oddNul >= pairs * 0.6 && evenNul <= pairs * 0.1) || (evenNul >= pairs * 0.6 && oddNul <= pairs * 0.1);
}

function checkText(bytes: Uint8Array): ContentVerdict {
	if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]) || looksLikeUtf16(bytes)) {
		return mismatch(`the text file is UTF-16 encoded; ${SAVE_AS_UTF8}`);
	}
	const kind = leadingKind(bytes);
	const nul = bytes.indexOf(0);
	if (nul !== -1) return mismatch('the text file contains binary data (NUL bytes)');
	const bad = invalidUtf8Offset(bytes);
	if (bad !== undefined) {
		return mismatch(
			`the text file is not valid UTF-8 (it looks like Windows-1252 or another legacy encoding); ${SAVE_AS_UTF8}`,
		);
	}
	if (kind === 'html' || kind === 'script') return mismatch(`the text file is ${KIND_LABELS[kind]}`);
	const markup = activeMarkup(bytes, 0, TEXT_SNIFF_WINDOW);
	if (markup)
		return mismatch(
			`the text file contains HTML or SVG markup (${markup}) near its start, where browsers look to guess a file's type`,
		);
	return { ok: true };
}

/** Byte-sequence search without allocating (Buffer.indexOf where available). */
function indexOfBytes(bytes: Uint8Array, needle: Uint8Array, from = 0): number {
	if (Buffer.isBuffer(bytes)) return bytes.indexOf(needle, from);
	outer: for (let i = from; i <= bytes.length - needle.length; i++) {
		for (let k = 0; k < needle.length; k++) if (bytes[i + k] !== needle[k]) continue outer;
		return i;
	}
	return -1;
}

const ZIP_END_OF_CENTRAL_DIRECTORY = Uint8Array.from([0x50, 0x4b, 0x05, 0x06]);
/** EOCD is 22 bytes plus a comment of at most 65,535 bytes, so it sits within this tail. */
const ZIP_TAIL_WINDOW = 22 + 65_535;
const DOS_STUB = Uint8Array.from(ascii('This program cannot be run in DOS mode'));
const ELF_HEADERS = [
	Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x01, 0x01, 0x01]),
	Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01]),
	Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x01, 0x02, 0x01]),
	Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x02, 0x01]),
];

function indexOfCaseInsensitive(bytes: Uint8Array, pattern: string): number {
	const first = pattern.charCodeAt(0);
	const upperFirst = first >= 0x61 && first <= 0x7a ? first - 0x20 : first;
	for (const start of new Set([first, upperFirst])) {
		let at = bytes.indexOf(start);
		while (at !== -1) {
			if (matchesAt(bytes, at, pattern)) return at;
			at = bytes.indexOf(start, at + 1);
		}
	}
	return -1;
}

/** What makes a PDF more than a document, said the way the sender understands it. */
function pdfProblem(bytes: Uint8Array): string | undefined {
	const findings = scanPdf(bytes);
	if (findings.active) return findings.active;
	return embeddedFileProblem(findings);
}

/** Second formats hidden inside a file whose leading signature is fine. */
export function polyglotPayload(bytes: Uint8Array, kind: LeadingKind): string | undefined {
	if (kind !== 'zip') {
		const tailStart = Math.max(0, bytes.length - ZIP_TAIL_WINDOW);
		if (indexOfBytes(bytes, ZIP_END_OF_CENTRAL_DIRECTORY, tailStart) !== -1) return 'a ZIP archive';
	}
	if (indexOfBytes(bytes, DOS_STUB) !== -1) return 'a Windows executable';
	if (ELF_HEADERS.some((header) => indexOfBytes(bytes, header) !== -1)) return 'a Linux executable';
	// Images and PDFs never carry markup legitimately: anywhere in the file it makes a polyglot.
	const markup = activeMarkup(bytes);
	if (markup) return `HTML or SVG markup (${markup})`;
	if (indexOfCaseInsensitive(bytes, 'javascript:') !== -1) return 'a javascript: link';
	return undefined;
}

const BINARY_RULES: Partial<Record<ContentRule, LeadingKind>> = {
	pdf: 'pdf',
	png: 'png',
	jpeg: 'jpeg',
	gif: 'gif',
	webp: 'webp',
	bmp: 'bmp',
	tiff: 'tiff',
	zip: 'zip',
};

function describe(kind: LeadingKind | undefined): string {
	return kind ? KIND_LABELS[kind] : 'of an unknown format';
}

/** Do these bytes pass the content rule of the file's allowed type? */
export function checkContent(bytes: Uint8Array, rule: ContentRule): ContentVerdict {
	if (bytes.length === 0) return { ok: false, reason: 'empty', detail: 'the file is empty' };
	if (rule === 'text') return checkText(bytes);
	const kind = leadingKind(bytes);
	if (rule === 'unchecked') {
		if (kind && (EXECUTABLE_KINDS.has(kind) || kind === 'html' || kind === 'script')) {
			return { ok: false, reason: 'contentMismatch', detail: `the file is ${describe(kind)}` };
		}
		const embedded = firstExecutablePayload(bytes);
		if (embedded) return { ok: false, reason: 'contentMismatch', detail: `the file contains ${embedded}` };
		return { ok: true };
	}
	const expected = BINARY_RULES[rule];
	if (!expected || kind !== expected) {
		const expectedLabel = expected ? KIND_LABELS[expected] : rule;
		return { ok: false, reason: 'contentMismatch', detail: `the content is ${describe(kind)}, not ${expectedLabel}` };
	}
	if (kind === 'png' && !startsWith(bytes, ascii('IHDR'), 12)) {
		return { ok: false, reason: 'contentMismatch', detail: 'the PNG image is malformed (no IHDR header)' };
	}
	if (kind === 'pdf') {
		const problem = pdfProblem(bytes);
		if (problem) return mismatch(`the PDF contains ${problem}`);
	}
	const payload = polyglotPayload(bytes, kind);
	if (payload) return mismatch(`the ${rule.toUpperCase()} file also contains ${payload}`);
	return { ok: true };
}

function firstExecutablePayload(bytes: Uint8Array): string | undefined {
	if (indexOfBytes(bytes, DOS_STUB) !== -1) return 'a Windows executable';
	if (ELF_HEADERS.some((header) => indexOfBytes(bytes, header) !== -1)) return 'a Linux executable';
	return undefined;
}
