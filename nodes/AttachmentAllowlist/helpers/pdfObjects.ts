/**
 * What a PDF says about active content, read from its uncompressed objects. PDF names may spell
 * any byte as `#xx` (`/J#61vaScript` is `/JavaScript`), so names are decoded before they are
 * compared. Pure and allocation-light: one pass over the `/` bytes of the file.
 *
 * What cannot be seen here: dictionaries inside compressed object streams (PDF 1.5+). Stream
 * dictionaries (which carry `/Type /EmbeddedFile`) are never compressed that way, so embedded
 * files stay visible; docs/attachments.md lists the limits.
 */

/**
 * Names that make a PDF run or open something, with what the sender is told. Only names long
 * enough not to turn up by chance in compressed stream data (a random `/JS ` does, in about one
 * of five 50 MB files): a JavaScript action always names its type `/JavaScript`.
 */
const ACTIVE_NAMES: Record<string, string> = {
	JavaScript: 'JavaScript',
	Launch: 'a launch action (it opens other programs)',
	RichMedia: 'rich media (Flash or video)',
};

/**
 * Embedded XML invoices of the European e-invoice standards (ZUGFeRD, Factur-X, XRechnung):
 * PDF/A-3 documents that must carry exactly one of these files. Compared lower-case.
 */
export const E_INVOICE_ATTACHMENT_NAMES = ['factur-x.xml', 'zugferd-invoice.xml', 'xrechnung.xml'];

export interface PdfFindings {
	/** What makes the PDF active (JavaScript, a launch action, rich media), first found. */
	active?: string;
	/** Embedded file streams (`/Type /EmbeddedFile`) and file references (`/EF`), and the name tree. */
	embeddedFileStreams: number;
	embeddedFileRefs: number;
	hasEmbeddedFilesTree: boolean;
	/** File names of file specifications (`/F`, `/UF` strings). */
	fileNames: string[];
}

const NAME_LIMIT = 16;
/** First bytes of the names scanPdf reads: J, L, R, E, F, U, or `#` (an escaped first letter). */
const NAME_STARTS = new Set([0x4a, 0x4c, 0x52, 0x45, 0x46, 0x55, 0x23]);
const STRING_LIMIT = 255;

function isPdfDelimiter(byte: number): boolean {
	return (
		byte === 0x00 ||
		byte === 0x09 ||
		byte === 0x0a ||
		byte === 0x0c ||
		byte === 0x0d ||
		byte === 0x20 ||
		byte === 0x28 ||
		byte === 0x29 ||
		byte === 0x3c ||
		byte === 0x3e ||
		byte === 0x5b ||
		byte === 0x5d ||
		byte === 0x7b ||
		byte === 0x7d ||
		byte === 0x2f ||
		byte === 0x25
	);
}

function hexValue(byte: number | undefined): number {
	if (byte === undefined) return -1;
	if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
	const lowered = byte | 0x20;
	if (lowered >= 0x61 && lowered <= 0x66) return lowered - 0x61 + 10;
	return -1;
}

/**
 * The decoded PDF name starting after the `/` at `start`, and where it ends. Names longer than
 * any we look for come back as undefined (only their end matters).
 */
export function readPdfName(bytes: Uint8Array, start: number): { name: string | undefined; end: number } {
	let i = start;
	let name = '';
	let tooLong = false;
	while (i < bytes.length && !isPdfDelimiter(bytes[i])) {
		let code = bytes[i];
		if (code === 0x23) {
			const high = hexValue(bytes[i + 1]);
			const low = hexValue(bytes[i + 2]);
			if (high >= 0 && low >= 0) {
				code = high * 16 + low;
				i += 2;
			}
		}
		i++;
		if (tooLong) continue;
		if (name.length >= NAME_LIMIT) {
			tooLong = true;
			continue;
		}
		name += String.fromCharCode(code);
	}
	return { name: tooLong ? undefined : name, end: i };
}

function isWhite(byte: number | undefined): boolean {
	return byte === 0x00 || byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d || byte === 0x20;
}

/** Text of a PDF string's bytes: UTF-16BE with its BOM, else one byte per character. */
function stringText(raw: number[]): string {
	if (raw.length >= 2 && raw[0] === 0xfe && raw[1] === 0xff) {
		let text = '';
		for (let k = 2; k + 1 < raw.length; k += 2) text += String.fromCharCode((raw[k] << 8) | raw[k + 1]);
		return text;
	}
	return String.fromCharCode(...raw);
}

/** A literal `( … )` or hex `< … >` string at `start` (after whitespace), or undefined. */
export function readPdfString(bytes: Uint8Array, start: number): string | undefined {
	let i = start;
	while (isWhite(bytes[i])) i++;
	const raw: number[] = [];
	if (bytes[i] === 0x28) {
		let depth = 1;
		for (i++; i < bytes.length && raw.length < STRING_LIMIT; i++) {
			const byte = bytes[i];
			if (byte === 0x5c) {
				const next = bytes[++i];
				if (next === undefined) break;
				if (next >= 0x30 && next <= 0x37) {
					let octal = next - 0x30;
					for (let n = 0; n < 2 && bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x37; n++)
						octal = octal * 8 + (bytes[++i] - 0x30);
					raw.push(octal & 0xff);
				} else {
					const escaped: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c };
					if (next !== 0x0a && next !== 0x0d) raw.push(escaped[next] ?? next);
				}
				continue;
			}
			if (byte === 0x28) depth++;
			if (byte === 0x29 && --depth === 0) return stringText(raw);
			raw.push(byte);
		}
		return undefined;
	}
	if (bytes[i] === 0x3c && bytes[i + 1] !== 0x3c) {
		let high = -1;
		for (i++; i < bytes.length && raw.length < STRING_LIMIT; i++) {
			if (bytes[i] === 0x3e) {
				if (high >= 0) raw.push(high * 16);
				return stringText(raw);
			}
			const value = hexValue(bytes[i]);
			if (value < 0) {
				if (isWhite(bytes[i])) continue;
				return undefined;
			}
			if (high < 0) high = value;
			else {
				raw.push(high * 16 + value);
				high = -1;
			}
		}
	}
	return undefined;
}

function opensDictionary(bytes: Uint8Array, from: number): boolean {
	let i = from;
	while (isWhite(bytes[i])) i++;
	return bytes[i] === 0x3c && bytes[i + 1] === 0x3c;
}

/** One pass over the PDF's names. */
export function scanPdf(bytes: Uint8Array): PdfFindings {
	const findings: PdfFindings = {
		embeddedFileStreams: 0,
		embeddedFileRefs: 0,
		hasEmbeddedFilesTree: false,
		fileNames: [],
	};
	let at = bytes.indexOf(0x2f);
	while (at !== -1) {
		// Only names that can decode to one we look for are read (most `/` bytes are stream data).
		if (!NAME_STARTS.has(bytes[at + 1])) {
			at = bytes.indexOf(0x2f, at + 1);
			continue;
		}
		const { name, end } = readPdfName(bytes, at + 1);
		if (name !== undefined) {
			if (!findings.active && Object.prototype.hasOwnProperty.call(ACTIVE_NAMES, name))
				findings.active = ACTIVE_NAMES[name];
			else if (name === 'EmbeddedFile') findings.embeddedFileStreams++;
			else if (name === 'EmbeddedFiles') findings.hasEmbeddedFilesTree = true;
			// `/EF <<` only: a bare two-letter name turns up by chance in compressed data.
			else if (name === 'EF' && opensDictionary(bytes, end)) findings.embeddedFileRefs++;
			else if (name === 'F' || name === 'UF') {
				const fileName = readPdfString(bytes, end);
				if (fileName !== undefined && findings.fileNames.length < 32) findings.fileNames.push(fileName);
			}
		}
		at = bytes.indexOf(0x2f, Math.max(end, at + 1));
	}
	return findings;
}

function baseName(path: string): string {
	return path.split(/[\\/:]/).pop() ?? path;
}

/**
 * Why the PDF's embedded files are refused, or undefined when it has none or only its e-invoice:
 * at most one embedded file, and every file name it names is one of the standard invoice names.
 */
export function embeddedFileProblem(findings: PdfFindings): string | undefined {
	const embeds = Math.max(findings.embeddedFileStreams, findings.embeddedFileRefs);
	if (embeds === 0 && !findings.hasEmbeddedFilesTree) return undefined;
	const names = findings.fileNames.map((name) => baseName(name.trim()));
	const isInvoice = (name: string) => E_INVOICE_ATTACHMENT_NAMES.includes(name.toLowerCase());
	if (embeds <= 1 && names.length > 0 && names.every(isInvoice)) return undefined;
	const shown = [...new Set(names.filter((name) => !isInvoice(name)))].slice(0, 3);
	return shown.length > 0 ? `an embedded file (${shown.join(', ')})` : 'an embedded file';
}
