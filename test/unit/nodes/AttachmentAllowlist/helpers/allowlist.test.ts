import {
	buildAllowlist,
	describeAllowlist,
	extensionOf,
	matchAllowedType,
} from '../../../../../nodes/AttachmentAllowlist/helpers/allowlist';

const defaults = buildAllowlist().types;

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
