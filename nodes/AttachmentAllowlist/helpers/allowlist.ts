/**
 * The attachment allowlist: which file types may reach Zendesk. A type is an extension plus the
 * MIME types Slack may declare for it plus the content rule its bytes must pass. The five
 * defaults mirror Zendesk's Slack DM channel; admins add types as extension + MIME type.
 */

/** How a type's bytes are checked (see contentCheck.ts). */
export type ContentRule = 'pdf' | 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'tiff' | 'zip' | 'text' | 'unchecked';

export interface AllowedType {
	/** Lower-case, without the dot. The first one is the canonical extension. */
	extensions: string[];
	/** Lower-case MIME types without parameters. The first one is what the output declares. */
	mimeTypes: string[];
	content: ContentRule;
}

export const DEFAULT_ALLOWED_TYPES: readonly AllowedType[] = Object.freeze([
	{ extensions: ['pdf'], mimeTypes: ['application/pdf'], content: 'pdf' },
	{ extensions: ['png'], mimeTypes: ['image/png'], content: 'png' },
	{ extensions: ['jpeg', 'jpg'], mimeTypes: ['image/jpeg', 'image/pjpeg'], content: 'jpeg' },
	{ extensions: ['gif'], mimeTypes: ['image/gif'], content: 'gif' },
	{ extensions: ['txt'], mimeTypes: ['text/plain'], content: 'text' },
]);

/**
 * Content rules for extensions admins commonly add. An added extension not listed here is
 * `unchecked`: any bytes pass except executables and HTML (see contentCheck.ts).
 */
const KNOWN_CONTENT_RULES: Record<string, ContentRule> = {
	webp: 'webp',
	bmp: 'bmp',
	tif: 'tiff',
	tiff: 'tiff',
	zip: 'zip',
	docx: 'zip',
	xlsx: 'zip',
	pptx: 'zip',
	odt: 'zip',
	ods: 'zip',
	odp: 'zip',
	csv: 'text',
	tsv: 'text',
	log: 'text',
	md: 'text',
	json: 'text',
	yaml: 'text',
	yml: 'text',
};

export interface AllowlistAddition {
	extension: string;
	mimeType: string;
}

export interface AllowlistBuildResult {
	types: AllowedType[];
	/** Additions that were ignored, with why (shown to the admin as a node error). */
	problems: string[];
}

const EXTENSION_PATTERN = /^[a-z0-9][a-z0-9+_-]{0,15}$/;
const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** `Image/JPEG; charset=x` → `image/jpeg`. */
export function normaliseMimeType(mimeType: string | undefined): string {
	return (mimeType ?? '').split(';')[0].trim().toLowerCase();
}

export function normaliseExtension(extension: string | undefined): string {
	return (extension ?? '').trim().replace(/^\.+/, '').toLowerCase();
}

/**
 * The defaults plus the admin's additions. An addition for an extension that is already listed
 * adds its MIME type to that entry (so `.jpg` + `image/jpg` widens the JPEG entry and keeps its
 * content rule); a new extension gets the content rule known for it, else `unchecked`.
 */
export function buildAllowlist(additions: AllowlistAddition[] = []): AllowlistBuildResult {
	const types: AllowedType[] = DEFAULT_ALLOWED_TYPES.map((type) => ({
		extensions: [...type.extensions],
		mimeTypes: [...type.mimeTypes],
		content: type.content,
	}));
	const problems: string[] = [];
	for (const addition of additions) {
		const extension = normaliseExtension(addition.extension);
		const mimeType = normaliseMimeType(addition.mimeType);
		if (!EXTENSION_PATTERN.test(extension)) {
			problems.push(`"${addition.extension}" is not a file extension (letters and digits, e.g. "csv")`);
			continue;
		}
		if (!MIME_PATTERN.test(mimeType)) {
			problems.push(`"${addition.mimeType}" is not a MIME type (e.g. "text/csv")`);
			continue;
		}
		const existing = types.find((type) => type.extensions.includes(extension));
		if (existing) {
			if (!existing.mimeTypes.includes(mimeType)) existing.mimeTypes.push(mimeType);
			continue;
		}
		types.push({
			extensions: [extension],
			mimeTypes: [mimeType],
			content: KNOWN_CONTENT_RULES[extension] ?? 'unchecked',
		});
	}
	return { types, problems };
}

/** The part after the last dot of a (sanitised) file name, lower-case; '' when there is none. */
export function extensionOf(fileName: string): string {
	const dot = fileName.lastIndexOf('.');
	if (dot <= 0 || dot === fileName.length - 1) return '';
	return fileName.slice(dot + 1).toLowerCase();
}

export type TypeDecision = { allowed: true; type: AllowedType; mimeType: string } | { allowed: false; detail: string };

/** Extension and declared MIME type must both belong to one allowed type. */
export function matchAllowedType(
	types: readonly AllowedType[],
	fileName: string,
	declaredMimeType: string,
): TypeDecision {
	const extension = extensionOf(fileName);
	if (!extension) return { allowed: false, detail: 'the file name has no extension' };
	const type = types.find((candidate) => candidate.extensions.includes(extension));
	if (!type) return { allowed: false, detail: `.${extension} files are not allowed` };
	const mimeType = normaliseMimeType(declaredMimeType);
	if (!type.mimeTypes.includes(mimeType)) {
		return { allowed: false, detail: `a .${extension} file declared as ${mimeType || 'no type'} is not allowed` };
	}
	return { allowed: true, type, mimeType: type.mimeTypes[0] };
}

/** ".pdf, .png, .jpeg, .jpg, .gif, .txt" for notices and descriptions. */
export function describeAllowlist(types: readonly AllowedType[]): string {
	return types.flatMap((type) => type.extensions.map((extension) => `.${extension}`)).join(', ');
}
