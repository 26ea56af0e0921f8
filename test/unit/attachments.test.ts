import {
	buildAllowlist,
	describeAllowlist,
	extensionOf,
	matchAllowedType,
} from '../../nodes/AttachmentAllowlist/helpers/allowlist';
import {
	TEXT_SNIFF_WINDOW,
	checkContent,
	invalidUtf8Offset,
	leadingKind,
} from '../../nodes/AttachmentAllowlist/helpers/contentCheck';
import {
	embeddedFileProblem,
	readPdfName,
	readPdfString,
	scanPdf,
} from '../../nodes/AttachmentAllowlist/helpers/pdfObjects';
import { MAX_FILE_NAME_LENGTH, sanitiseFileName } from '../../nodes/AttachmentAllowlist/helpers/fileNames';
import {
	DEFAULT_NOTICE_TEMPLATE,
	NOTICE_LEDGER_TTL_MS,
	noticeEligibility,
	processNoticeLedger,
	renderNotice,
} from '../../nodes/shared/attachments/notice';
import type { AttachmentPolicy } from '../../nodes/AttachmentAllowlist/helpers/plan';
import {
	binaryKeyFor,
	formatBytes,
	oversizeRejection,
	planDownload,
	verifyDownloaded,
} from '../../nodes/AttachmentAllowlist/helpers/plan';
import { resolvedFileRef } from '../../nodes/AttachmentAllowlist/helpers/slackConnect';
import { checkFileUrl, fileUrlTrust } from '../../nodes/AttachmentAllowlist/transport/fileUrlTrust';
import type { SlackDmItem, SlackFileRef } from '../../nodes/shared/types';
import * as files from '../fixtures/files/generate';

const defaults = buildAllowlist().types;

function typeFor(extension: string) {
	const type = defaults.find((candidate) => candidate.extensions.includes(extension));
	if (!type) throw new Error(`no default type for ${extension}`);
	return type;
}

describe('allowlist', () => {
	it('allows exactly the five default types, by extension and declared MIME type', () => {
		expect(describeAllowlist(defaults)).toBe('.pdf, .png, .jpeg, .jpg, .gif, .txt');
		expect(matchAllowedType(defaults, 'report.PDF', 'application/pdf')).toMatchObject({
			allowed: true,
			mimeType: 'application/pdf',
		});
		expect(matchAllowedType(defaults, 'photo.jpg', 'image/jpeg')).toMatchObject({ allowed: true });
		expect(matchAllowedType(defaults, 'notes.txt', 'text/plain; charset=utf-8')).toMatchObject({ allowed: true });
		expect(matchAllowedType(defaults, 'setup.exe', 'application/x-msdownload')).toEqual({
			allowed: false,
			detail: '.exe files are not allowed',
		});
		expect(matchAllowedType(defaults, 'README', 'text/plain')).toMatchObject({
			allowed: false,
			detail: 'the file name has no extension',
		});
	});

	it('refuses an allowed extension declared with another MIME type', () => {
		const decision = matchAllowedType(defaults, 'invoice.pdf', 'application/x-msdownload');
		expect(decision).toEqual({
			allowed: false,
			detail: 'a .pdf file declared as application/x-msdownload is not allowed',
		});
	});

	it('adds admin types, merges MIME types into known extensions and reports bad entries', () => {
		const { types, problems } = buildAllowlist([
			{ extension: '.CSV', mimeType: 'text/csv' },
			{ extension: 'jpg', mimeType: 'image/jpg' },
			{ extension: 'heic', mimeType: 'image/heic' },
			{ extension: '../x', mimeType: 'text/plain' },
			{ extension: 'md', mimeType: 'not a mime' },
		]);
		expect(problems).toHaveLength(2);
		expect(matchAllowedType(types, 'data.csv', 'text/csv')).toMatchObject({ allowed: true, type: { content: 'text' } });
		expect(matchAllowedType(types, 'a.jpg', 'image/jpg')).toMatchObject({
			allowed: true,
			mimeType: 'image/jpeg',
			type: { content: 'jpeg' },
		});
		expect(matchAllowedType(types, 'a.heic', 'image/heic')).toMatchObject({
			allowed: true,
			type: { content: 'unchecked' },
		});
		// The defaults are not changed by an earlier build.
		expect(buildAllowlist().types.find((t) => t.extensions.includes('jpg'))?.mimeTypes).toEqual([
			'image/jpeg',
			'image/pjpeg',
		]);
	});

	it('takes the extension after the last dot only', () => {
		expect(extensionOf('invoice.pdf.exe')).toBe('exe');
		expect(extensionOf('archive.tar.gz')).toBe('gz');
		expect(extensionOf('.bashrc')).toBe('');
		expect(extensionOf('trailing.')).toBe('');
	});
});

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

describe('file names', () => {
	it.each([
		['../../etc/passwd', 'passwd'],
		['..\\..\\Windows\\system32\\evil.pdf', 'evil.pdf'],
		['C:\\Users\\me\\report.pdf', 'report.pdf'],
		['/absolute/path/scan.png', 'scan.png'],
		['.htaccess', 'htaccess'],
		['...hidden.txt', 'hidden.txt'],
		['name\u0000with\u0007controls\r\n.txt', 'namewithcontrols.txt'],
		['invoice\u202Efdp.exe', 'invoicefdp.exe'],
		['Grüße Übersicht 日本語 😀.pdf', 'Grüße Übersicht 日本語 😀.pdf'],
		['what?<>|:*"now.txt', 'what_______now.txt'],
		['CON.txt', '_CON.txt'],
		['trailing dots...', 'trailing dots'],
		['   spaced    out   .png', 'spaced out .png'],
	])('%j → %j', (raw, expected) => {
		expect(sanitiseFileName(raw, 'fallback')).toBe(expected);
	});

	it('falls back when nothing readable is left', () => {
		for (const raw of ['', '..', '../..', '/', '\u202e', undefined])
			expect(sanitiseFileName(raw, 'attachment-F1')).toBe('attachment-F1');
	});

	it('limits the length without cutting a character or the extension', () => {
		const long = `${'😀'.repeat(400)}.pdf`;
		const safe = sanitiseFileName(long, 'x');
		expect(Array.from(safe)).toHaveLength(MAX_FILE_NAME_LENGTH);
		expect(safe.endsWith('😀.pdf')).toBe(true);
		expect(safe).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
	});
});

describe('download URL trust', () => {
	const slack = fileUrlTrust('https://slack.com/api');
	const emulator = fileUrlTrust('http://127.0.0.1:4100/api');

	it('trusts only Slack file hosts over https for the real Slack API', () => {
		if (!slack) throw new Error('no trust');
		expect(checkFileUrl('https://files.slack.com/files-pri/T1-F1/download/a.pdf', slack)).toMatchObject({
			trusted: true,
		});
		expect(checkFileUrl('https://files-origin.slack.com/files-pri/T1-F1/a.pdf', slack)).toMatchObject({
			trusted: true,
		});
		for (const url of [
			'http://files.slack.com/files-pri/T1-F1/a.pdf',
			'https://files.slack.com.evil.example/a.pdf',
			'https://evil.example/files.slack.com/a.pdf',
			'https://slack.com/files-pri/a.pdf',
			'https://files.slack.com:8443/a.pdf',
			'https://user:pw@files.slack.com/a.pdf',
			'https://127.0.0.1/a.pdf',
			'http://169.254.169.254/latest/meta-data/',
			'file:///etc/passwd',
			'not a url',
			'',
		]) {
			expect(checkFileUrl(url, slack)).toMatchObject({ trusted: false });
		}
	});

	it('trusts exactly the origin of an overridden base URL (emulator)', () => {
		if (!emulator) throw new Error('no trust');
		expect(checkFileUrl('http://127.0.0.1:4100/files-pri/T1-F1/a.pdf', emulator)).toMatchObject({ trusted: true });
		expect(checkFileUrl('http://127.0.0.1:4101/a.pdf', emulator)).toMatchObject({ trusted: false });
		expect(checkFileUrl('https://127.0.0.1:4100/a.pdf', emulator)).toMatchObject({ trusted: false });
		expect(checkFileUrl('http://localhost:4100/a.pdf', emulator)).toMatchObject({ trusted: false });
		expect(checkFileUrl('https://files.slack.com/a.pdf', emulator)).toMatchObject({ trusted: false });
	});

	it('resolves relative redirects against the current URL and checks them the same way', () => {
		if (!emulator || !slack) throw new Error('no trust');
		expect(checkFileUrl('/other/a.pdf', emulator, 'http://127.0.0.1:4100/files-pri/x')).toMatchObject({
			trusted: true,
			url: 'http://127.0.0.1:4100/other/a.pdf',
		});
		expect(checkFileUrl('//169.254.169.254/x', slack, 'https://files.slack.com/a')).toMatchObject({ trusted: false });
	});

	it('has the GovSlack hosts for slack-gov.com and nothing for plain http Slack or bad URLs', () => {
		expect(fileUrlTrust('https://slack-gov.com/api')?.hosts).toContain('files.slack-gov.com');
		expect(fileUrlTrust('http://slack.com/api')).toBeUndefined();
		expect(fileUrlTrust('ftp://x/api')).toBeUndefined();
		expect(fileUrlTrust('::')).toBeUndefined();
	});
});

function fileRef(overrides: Partial<SlackFileRef> = {}): SlackFileRef {
	return {
		id: 'F1',
		name: 'report.pdf',
		mimetype: 'application/pdf',
		filetype: 'pdf',
		size: 1000,
		downloadUrl: 'https://files.slack.com/files-pri/T1-F1/download/report.pdf',
		isSlackConnectStub: false,
		...overrides,
	};
}

describe('download plan', () => {
	const policy: AttachmentPolicy = {
		fileSendingEnabled: true,
		types: defaults,
		maxFileBytes: 5000,
		maxMessageBytes: 8000,
	};
	const trust = fileUrlTrust('https://slack.com/api');

	it('downloads an allowed file with a limit of the smaller of file limit and message budget', () => {
		expect(planDownload(fileRef(), policy, trust, 0)).toMatchObject({
			action: 'download',
			name: 'report.pdf',
			maxBytes: 5000,
		});
		expect(planDownload(fileRef(), policy, trust, 4000)).toMatchObject({ action: 'download', maxBytes: 4000 });
	});

	it.each([
		['file sending off', fileRef(), { fileSendingEnabled: false }, 0, 'fileSendingDisabled'],
		['a type not allowed', fileRef({ name: 'run.exe', mimetype: 'application/x-msdownload' }), {}, 0, 'typeNotAllowed'],
		['an empty file', fileRef({ size: 0 }), {}, 0, 'empty'],
		['a file over the per-file limit', fileRef({ size: 5001 }), {}, 0, 'tooLarge'],
		['a file over the message budget', fileRef({ size: 3000 }), {}, 6000, 'messageTooLarge'],
		['a URL on another host', fileRef({ downloadUrl: 'https://evil.example/a.pdf' }), {}, 0, 'downloadFailed'],
		[
			'a URL pointing at the metadata service',
			fileRef({ downloadUrl: 'http://169.254.169.254/latest' }),
			{},
			0,
			'downloadFailed',
		],
	])('rejects %s', (_label, file, overrides, acceptedBytes, reason) => {
		const plan = planDownload(file, { ...policy, ...overrides }, trust, acceptedBytes);
		expect(plan).toMatchObject({ action: 'reject', rejected: { id: 'F1', reason } });
	});

	it.each([
		["the trigger's unknown size (-1)", -1],
		['a missing size', undefined],
		['a null size (JSON round trip)', null],
	])('downloads a file of %s with the limit as the cap, never refusing it as empty', (_label, size) => {
		const plan = planDownload(fileRef({ size: size as number }), policy, trust, 1000);
		expect(plan).toMatchObject({ action: 'download', maxBytes: 5000 });
	});

	it('sanitises the name before the type check and in the rejection', () => {
		const plan = planDownload(
			fileRef({ name: '../../secret.exe', mimetype: 'application/octet-stream' }),
			policy,
			trust,
			0,
		);
		expect(plan).toMatchObject({ action: 'reject', rejected: { name: 'secret.exe', reason: 'typeNotAllowed' } });
	});

	it('explains an oversize download by the limit that stopped it', () => {
		expect(oversizeRejection(fileRef(), 'a.pdf', policy, 5000).reason).toBe('tooLarge');
		expect(oversizeRejection(fileRef(), 'a.pdf', policy, 3000).reason).toBe('messageTooLarge');
	});

	it('verifies downloaded bytes against the type', () => {
		expect(verifyDownloaded(fileRef(), 'a.pdf', typeFor('pdf'), files.makePdf())).toBeUndefined();
		expect(verifyDownloaded(fileRef(), 'a.pdf', typeFor('pdf'), files.makeElf())).toMatchObject({
			reason: 'contentMismatch',
			id: 'F1',
		});
		expect(verifyDownloaded(fileRef(), 'a.pdf', typeFor('pdf'), Buffer.alloc(0))).toMatchObject({ reason: 'empty' });
	});

	it('names binary properties attachment_0, attachment_1, … and formats sizes', () => {
		expect([0, 1, 2].map(binaryKeyFor)).toEqual(['attachment_0', 'attachment_1', 'attachment_2']);
		expect(formatBytes(50_000_000)).toBe('50 MB');
		expect(formatBytes(1_500_000)).toBe('1.5 MB');
		expect(formatBytes(999)).toBe('999 bytes');
	});
});

function item(overrides: Partial<SlackDmItem> = {}): SlackDmItem {
	return {
		eventId: 'Ev1',
		idempotencyKey: 'T1:D1:1700000000.000100',
		teamId: 'T1',
		handle: { name: 'IT', userId: 'UHANDLE', teamId: 'T1' },
		user: { id: 'U1', teamId: 'T1', isExternal: false },
		channel: { id: 'D1', type: 'im', isExtShared: false },
		message: { ts: '1700000000.000100', text: 'see files', files: [] },
		kind: 'message',
		receivedAt: '2024-01-01T00:00:00Z',
		...overrides,
	};
}

describe('refusal notice', () => {
	const rejected = [
		{ id: 'F1', name: 'setup.exe', reason: 'typeNotAllowed' as const, detail: '.exe files are not allowed' },
		{
			id: 'F2',
			name: '<!channel> & co.pdf',
			reason: 'contentMismatch' as const,
			detail: 'the PDF contains JavaScript',
		},
	];

	it('renders the default text with file names, reasons, allowed types and size', () => {
		const text = renderNotice(DEFAULT_NOTICE_TEMPLATE, { rejected, allowedTypes: '.pdf, .png', maxFileSize: '50 MB' });
		expect(text).toBe(
			'Some of your files could not be passed on to the support team:\n' +
				'• setup.exe: this file type is not allowed\n' +
				'• &lt;!channel&gt; &amp; co.pdf: the PDF contains JavaScript\n' +
				'Allowed file types: .pdf, .png, up to 50 MB per file.',
		);
	});

	it('fills a custom template and leaves unknown placeholders alone', () => {
		const text = renderNotice('{count} refused ({unknown}):\n{files}', {
			rejected: rejected.slice(0, 1),
			allowedTypes: '',
			maxFileSize: '',
		});
		expect(text).toBe('1 refused ({unknown}):\n• setup.exe: this file type is not allowed');
		expect(renderNotice('  ', { rejected, allowedTypes: 'a', maxFileSize: 'b' })).toContain('Some of your files');
	});

	it('is only for refused files of a real user message, never for echoes', () => {
		expect(noticeEligibility(item(), rejected, 'dm')).toEqual({ send: true, key: 'T1:D1:1700000000.000100' });
		expect(noticeEligibility(item(), rejected, 'off')).toMatchObject({ send: false });
		expect(noticeEligibility(item(), [], 'dm')).toMatchObject({ send: false });
		expect(
			noticeEligibility(item({ user: { id: 'UHANDLE', teamId: 'T1', isExternal: false } }), rejected, 'dm'),
		).toMatchObject({
			send: false,
			why: 'the message is from the handle itself',
		});
		expect(noticeEligibility(item({ kind: 'edit' }), rejected, 'ephemeral')).toMatchObject({ send: false });
		expect(noticeEligibility(item({ idempotencyKey: '' }), rejected, 'dm')).toMatchObject({ send: false });
	});

	it('the process ledger lets one notice out per message for longer than Slack retries', () => {
		const key = `notice-test-${Math.random()}`;
		expect(NOTICE_LEDGER_TTL_MS).toBeGreaterThanOrEqual(10 * 60 * 1000);
		expect(processNoticeLedger.claim(key, 0)).toBe(true);
		expect(processNoticeLedger.claim(key, 6 * 60 * 1000)).toBe(false);
		processNoticeLedger.release(key);
		expect(processNoticeLedger.claim(key, 6 * 60 * 1000)).toBe(true);
		processNoticeLedger.release(key);
	});
});

describe('Slack Connect stubs', () => {
	const stub: SlackFileRef = {
		id: 'F9',
		name: 'F9',
		mimetype: '',
		filetype: '',
		size: 0,
		downloadUrl: '',
		isSlackConnectStub: true,
	};

	it('takes name, type, size and download URL from files.info', () => {
		expect(
			resolvedFileRef(stub, {
				id: 'F9',
				name: 'contract.pdf',
				mimetype: 'application/pdf',
				filetype: 'pdf',
				size: 1234,
				url_private: 'https://files.slack.com/files-pri/T-F9/contract.pdf',
				url_private_download: 'https://files.slack.com/files-pri/T-F9/download/contract.pdf',
			}),
		).toEqual({
			id: 'F9',
			name: 'contract.pdf',
			mimetype: 'application/pdf',
			filetype: 'pdf',
			size: 1234,
			downloadUrl: 'https://files.slack.com/files-pri/T-F9/download/contract.pdf',
			isSlackConnectStub: false,
		});
	});

	it('keeps the stub values Slack leaves out and stays unresolved for another stub', () => {
		expect(resolvedFileRef(stub, { title: 'Scan', url_private: 'https://files.slack.com/x' })).toMatchObject({
			name: 'Scan',
			size: 0,
			downloadUrl: 'https://files.slack.com/x',
		});
		expect(resolvedFileRef(stub, { file_access: 'check_file_info' })).toMatchObject({
			isSlackConnectStub: true,
			downloadUrl: '',
		});
	});
});
