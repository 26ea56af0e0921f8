import { MAX_FILE_NAME_LENGTH, sanitiseFileName } from '../../../../../nodes/AttachmentAllowlist/helpers/fileNames';

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
