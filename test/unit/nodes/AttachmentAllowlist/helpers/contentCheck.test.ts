import { buildAllowlist } from '../../../../../nodes/AttachmentAllowlist/helpers/allowlist';
import {
	checkContent,
	invalidUtf8Offset,
	leadingKind,
	TEXT_SNIFF_WINDOW,
} from '../../../../../nodes/AttachmentAllowlist/helpers/contentCheck';
import {
	embeddedFileProblem,
	readPdfName,
	readPdfString,
	scanPdf,
} from '../../../../../nodes/AttachmentAllowlist/helpers/pdfObjects';
import * as files from '../../../../fixtures/files/generate';

const defaults = buildAllowlist().types;

function typeFor(extension: string) {
	const type = defaults.find((candidate) => candidate.extensions.includes(extension));
	if (!type) throw new Error(`no default type for ${extension}`);
	return type;
}

describe('content check: real files of each allowed type pass', () => {
	it.each([
		['pdf', files.makePdf()],
		['png', files.makePng(4, 3)],
		['jpeg', files.makeJpeg()],
		['gif', files.makeGif('89a')],
		['gif', files.makeGif('87a')],
		['txt', files.makeText()],
	])('%s', (extension, bytes) => {
		expect(checkContent(bytes, typeFor(extension).content)).toEqual({ ok: true });
	});

	it('accepts a text file with a BOM, tabs and CRLF line ends', () => {
		const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a\tb\r\nc <div> d\r\n', 'utf8')]);
		expect(checkContent(text, 'text')).toEqual({ ok: true });
	});
});

describe('content check: spoofed types are refused', () => {
	it.each([
		['an ELF executable named .pdf', files.makeElf(), 'pdf', 'a Linux executable'],
		['a PE executable named .pdf', files.makePe(), 'pdf', 'a Windows executable'],
		['a PNG named .gif', files.makePng(), 'gif', 'a PNG image, not a GIF image'],
		['a GIF named .jpg', files.makeGif(), 'jpg', 'a GIF image, not a JPEG image'],
		['a ZIP named .png', files.makeZip(), 'png', 'a ZIP archive'],
		['HTML named .pdf', files.makeHtml(), 'pdf', 'an HTML document'],
		['random text named .png', files.makeText(), 'png', 'unknown format'],
	])('%s', (_label, bytes, extension, detail) => {
		const verdict = checkContent(bytes, typeFor(extension).content);
		expect(verdict).toMatchObject({ ok: false, reason: 'contentMismatch' });
		expect(verdict.ok ? '' : verdict.detail).toContain(detail);
	});

	it.each([
		['HTML', files.makeHtml(), 'an HTML document'],
		['HTML after whitespace and a BOM', Buffer.from('\ufeff  \n<html lang="de">x</html>', 'utf8'), 'an HTML document'],
		['an HTML comment opener', Buffer.from('<!-- x -->', 'utf8'), 'an HTML document'],
		['a shell script', Buffer.from('#!/bin/sh\nrm -rf ~\n', 'utf8'), 'a script'],
		['PHP', Buffer.from('<?php system($_GET["c"]); ?>', 'utf8'), 'a script'],
		['an ELF binary', files.makeElf(), 'NUL'],
		['Latin-1 bytes', Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]), 'not valid UTF-8'],
		[
			'Windows-1252 text, with a reason the sender can act on',
			Buffer.from('Gr\xfc\xdfe aus K\xf6ln \x80 20', 'latin1'),
			'Windows-1252',
		],
		[
			'UTF-16LE with a BOM',
			Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Hello log line', 'utf16le')]),
			'UTF-16',
		],
		['UTF-16LE without a BOM', Buffer.from('Hello, this is a log line from Windows', 'utf16le'), 'UTF-16'],
		[
			'UTF-16BE with a BOM',
			Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('Hi', 'utf16le').swap16()]),
			'UTF-16',
		],
	])('text files: %s named .txt', (_label, bytes, detail) => {
		const verdict = checkContent(bytes, 'text');
		expect(verdict).toMatchObject({ ok: false, reason: 'contentMismatch' });
		expect(verdict.ok ? '' : verdict.detail).toContain(detail);
	});

	it('reads whitespace (form feed too) and upper case alike at the sniffed start and in the markup scan', () => {
		expect(checkContent(Buffer.from('\f\r\n\t<HTML>x', 'utf8'), 'text')).toMatchObject({
			ok: false,
			detail: 'the text file is an HTML document',
		});
		expect(checkContent(Buffer.from('<!DOCTYPE HTML>', 'utf8'), 'text')).toMatchObject({
			ok: false,
			detail: 'the text file is an HTML document',
		});
		const scanned = checkContent(Buffer.from('notes\n<IMG\fsrc=x>', 'utf8'), 'text');
		expect(scanned.ok ? '' : scanned.detail).toContain('(<img>)');
		const handler = checkContent(Buffer.from('notes <x\fONLOAD\f=y>', 'utf8'), 'text');
		expect(handler.ok ? '' : handler.detail).toContain('(onload=)');
	});

	it('does not take "<b" inside a word or a tag name prefix for HTML', () => {
		expect(checkContent(Buffer.from('<bold claims> are fine', 'utf8'), 'text')).toEqual({ ok: true });
		expect(checkContent(Buffer.from('<abc>', 'utf8'), 'text')).toEqual({ ok: true });
	});

	it('refuses empty files of every type', () => {
		for (const type of defaults)
			expect(checkContent(Buffer.alloc(0), type.content)).toMatchObject({ ok: false, reason: 'empty' });
	});

	it('admin types without a known signature still refuse executables and HTML', () => {
		expect(checkContent(Buffer.from('ftypheic....'), 'unchecked')).toEqual({ ok: true });
		expect(checkContent(files.makePe(), 'unchecked')).toMatchObject({
			ok: false,
			detail: 'the file is a Windows executable',
		});
		expect(checkContent(files.makeHtml(), 'unchecked')).toMatchObject({
			ok: false,
			detail: 'the file is an HTML document',
		});
		expect(checkContent(Buffer.concat([Buffer.from('data'), files.makePe()]), 'unchecked')).toMatchObject({
			ok: false,
		});
	});
});

describe('content check: markup that makes a file renderable as HTML or SVG', () => {
	const html = (text: string) => Buffer.from(text, 'utf8');

	it.each([
		[
			'an SVG with an XML declaration',
			'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
			'<svg>',
		],
		[
			'an XML declaration, a comment, then a script',
			'<?xml version="1.0"?><!-- x --><h:script xmlns:h="http://www.w3.org/1999/xhtml">x</h:script>',
			'<h:script>',
		],
		['an <img> with onerror after a first line', 'Ticket notes\n<img src=x onerror=alert(1)>', '<img>'],
		[
			'a <meta> refresh after a first line',
			'hello\n<meta http-equiv="refresh" content="0;url=https://evil.example">',
			'<meta>',
		],
		['a <script> after some text', 'Dear support,\n\n<script>fetch("//evil.example")</script>', '<script>'],
		['any tag with an event handler', 'see <details open ontoggle=alert(1)>', 'ontoggle='],
		['an event handler with spaces around =', 'x <x onclick = "y">', 'onclick='],
	])('text: %s is refused', (_label, text, found) => {
		const verdict = checkContent(html(text), 'text');
		expect(verdict).toMatchObject({ ok: false, reason: 'contentMismatch' });
		expect(verdict.ok ? '' : verdict.detail).toContain(found);
	});

	it('text: logs that quote tags after the sniff window stay allowed, as do harmless tags and words like "one="', () => {
		const log = Buffer.concat([
			Buffer.from('2024-05-01 10:00:00 INFO request ok\n'.repeat(Math.ceil(TEXT_SNIFF_WINDOW / 36) + 1)),
			Buffer.from('2024-05-01 10:00:01 WARN blocked GET /?q=<script>alert(1)</script> and <img src=x onerror=y>\n'),
		]);
		expect(checkContent(log, 'text')).toEqual({ ok: true });
		expect(checkContent(html('expected <b> or <div> here; phone=123; one = 1; <b onefield>'), 'text')).toEqual({
			ok: true,
		});
		expect(checkContent(html('if a<b and c>d then <scripted> <imgs>'), 'text')).toEqual({ ok: true });
		expect(checkContent(html('<?xml version="1.0"?><invoice><total>3</total></invoice>'), 'text')).toEqual({
			ok: true,
		});
		// The same markup within the window is refused.
		expect(checkContent(html('WARN blocked GET /?q=<script>alert(1)</script>'), 'text')).toMatchObject({ ok: false });
	});

	it.each([
		['a GIF carrying <svg onload>', Buffer.concat([files.makeGif(), html('<svg/onload=alert(1)>')]), 'gif', '<svg>'],
		[
			'a PNG carrying <img onerror>',
			Buffer.concat([files.makePng(), html('<img src=x onerror=alert(1)>')]),
			'png',
			'<img>',
		],
		[
			'a JPEG carrying <meta refresh>',
			Buffer.concat([files.makeJpeg(), html('<meta http-equiv=refresh content=0;url=//e>')]),
			'jpg',
			'<meta>',
		],
		[
			'a PDF carrying an SVG deep inside',
			files.makePdf('x', '/Note (<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">) '),
			'pdf',
			'<svg>',
		],
		[
			'a PNG carrying a tag with an event handler',
			Buffer.concat([files.makePng(), html('<x onmouseover=alert(1)>')]),
			'png',
			'onmouseover=',
		],
	])('images and PDFs: %s anywhere is refused', (_label, bytes, extension, found) => {
		const verdict = checkContent(bytes, typeFor(extension).content);
		expect(verdict).toMatchObject({ ok: false, reason: 'contentMismatch' });
		expect(verdict.ok ? '' : verdict.detail).toContain(found);
	});
});

describe('content check: PDF names are decoded, and e-invoices pass', () => {
	it.each([
		['/J#61vaScript', '/OpenAction << /S /J#61vaScript /JS (app.alert\\(1\\)) >> ', 'the PDF contains JavaScript'],
		['/#4A#61#76#61Script', '/OpenAction << /S /#4A#61#76#61Script /JS (x) >> ', 'the PDF contains JavaScript'],
		['/L#61unch', '/OpenAction << /S /L#61unch /F (cmd.exe) >> ', 'the PDF contains a launch action'],
		['/Rich#4dedia', '/X << /Type /Rich#4Dedia >> ', 'the PDF contains rich media'],
		['/Embedded#46ile', '/X << /Type /Embedded#46ile >> ', 'the PDF contains an embedded file'],
	])('%s is recognised', (_label, catalog, detail) => {
		const verdict = checkContent(files.makePdf('x', catalog), 'pdf');
		expect(verdict).toMatchObject({ ok: false, reason: 'contentMismatch' });
		expect(verdict.ok ? '' : verdict.detail).toContain(detail);
	});

	const eInvoice = (fileName: string, extra = '') =>
		files.makePdf('Rechnung', `/Names << /EmbeddedFiles << /Names [(${fileName}) 6 0 R] >> >> /AF [6 0 R] ${extra}`);
	const withEmbeddedStream = (pdf: Buffer, fileName: string) =>
		Buffer.concat([
			pdf,
			Buffer.from(
				`6 0 obj\n<< /Type /Filespec /F (${fileName}) /UF (${fileName}) /EF << /F 7 0 R >> /AFRelationship /Alternative >>\nendobj\n` +
					'7 0 obj\n<< /Type /EmbeddedFile /Subtype /text#2Fxml /Length 3 >>\nstream\nabc\nendstream\nendobj\n',
				'latin1',
			),
		]);

	it.each(['factur-x.xml', 'ZUGFeRD-invoice.xml', 'xrechnung.xml'])(
		'a PDF/A-3 e-invoice embedding %s passes',
		(name) => {
			expect(checkContent(withEmbeddedStream(eInvoice(name), name), 'pdf')).toEqual({ ok: true });
		},
	);

	it('refuses other embedded files, and an invoice with a second file, naming what it found', () => {
		const other = checkContent(withEmbeddedStream(eInvoice('payload.exe'), 'payload.exe'), 'pdf');
		expect(other).toMatchObject({ ok: false, detail: 'the PDF contains an embedded file (payload.exe)' });
		const two = Buffer.concat([
			withEmbeddedStream(eInvoice('factur-x.xml'), 'factur-x.xml'),
			Buffer.from('8 0 obj\n<< /Type /EmbeddedFile /Length 1 >>\nstream\nx\nendstream\nendobj\n', 'latin1'),
		]);
		expect(checkContent(two, 'pdf')).toMatchObject({ ok: false, detail: 'the PDF contains an embedded file' });
		const javascriptInvoice = withEmbeddedStream(
			eInvoice('factur-x.xml', '/OpenAction << /S /JavaScript /JS (x) >> '),
			'factur-x.xml',
		);
		expect(checkContent(javascriptInvoice, 'pdf')).toMatchObject({ ok: false, detail: 'the PDF contains JavaScript' });
	});

	it('reads hex-escaped and UTF-16 file names', () => {
		expect(readPdfName(Buffer.from('Embedded#46ile '), 0)).toEqual({ name: 'EmbeddedFile', end: 14 });
		expect(readPdfString(Buffer.from('<66616374>'), 0)).toBe('fact');
		const utf16 = Buffer.concat([
			Buffer.from('('),
			Buffer.from([0xfe, 0xff]),
			Buffer.from('xr', 'utf16le').swap16(),
			Buffer.from(')'),
		]);
		expect(readPdfString(utf16, 0)).toBe('xr');
		expect(readPdfString(Buffer.from('(a\\(b\\)c)'), 0)).toBe('a(b)c');
		expect(embeddedFileProblem(scanPdf(Buffer.from('/EmbeddedFiles /F (../x/factur-x.xml)')))).toBeUndefined();
	});
});

describe('content check: polyglots are refused', () => {
	it.each([
		['a GIF with a ZIP archive appended (GIFAR)', files.makeGifWithZip(), 'gif', 'a ZIP archive'],
		['a GIF carrying a script', files.makeGifWithScript(), 'gif', 'HTML or SVG markup (<script>)'],
		['a PNG with a Windows executable appended', files.makePngWithPe(), 'png', 'a Windows executable'],
		['a PNG with an ELF appended', Buffer.concat([files.makePng(), files.makeElf()]), 'png', 'a Linux executable'],
		['a PDF with JavaScript', files.makePdfWithJavaScript(), 'pdf', 'the PDF contains JavaScript'],
		[
			'a JPEG with an HTML page appended',
			Buffer.concat([files.makeJpeg(), files.makeHtml()]),
			'jpg',
			'HTML or SVG markup',
		],
		[
			'a JPEG with a javascript: URL',
			Buffer.concat([files.makeJpeg(), Buffer.from('JavaScript:alert(1)')]),
			'jpg',
			'javascript:',
		],
	])('%s', (_label, bytes, extension, detail) => {
		const verdict = checkContent(bytes, typeFor(extension).content);
		expect(verdict).toMatchObject({ ok: false, reason: 'contentMismatch' });
		expect(verdict.ok ? '' : verdict.detail).toContain(detail);
	});

	it('refuses a PNG without its IHDR header', () => {
		const png = files.makePng();
		png.write('XXXX', 12, 'latin1');
		expect(checkContent(png, 'png')).toMatchObject({
			ok: false,
			detail: 'the PNG image is malformed (no IHDR header)',
		});
	});

	it('does not mistake a ZIP signature far from the end for an appended archive', () => {
		const pdf = files.makePdf();
		const withEarlyMarker = Buffer.concat([
			pdf.subarray(0, 20),
			Buffer.from('PK\x05\x06', 'latin1'),
			pdf.subarray(20),
			Buffer.alloc(70_000, 0x20),
		]);
		expect(checkContent(withEarlyMarker, 'pdf')).toEqual({ ok: true });
	});
});

describe('leading signatures and UTF-8', () => {
	it('recognises formats by their magic bytes', () => {
		expect(leadingKind(files.makePdf())).toBe('pdf');
		expect(leadingKind(files.makePng())).toBe('png');
		expect(leadingKind(files.makeJpeg())).toBe('jpeg');
		expect(leadingKind(files.makeGif())).toBe('gif');
		expect(leadingKind(files.makeZip())).toBe('zip');
		expect(leadingKind(files.makeElf())).toBe('elf');
		expect(leadingKind(files.makePe())).toBe('pe');
		expect(leadingKind(Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]))).toBe('macho');
		expect(leadingKind(Buffer.from('plain words'))).toBeUndefined();
	});

	it('validates UTF-8 strictly', () => {
		expect(invalidUtf8Offset(Buffer.from('ok ✓ 😀', 'utf8'))).toBeUndefined();
		expect(invalidUtf8Offset(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong "/"
		expect(invalidUtf8Offset(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
		expect(invalidUtf8Offset(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
		expect(invalidUtf8Offset(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1); // truncated
	});
});
