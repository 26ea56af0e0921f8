/** Input rules the spec states in prose (metadata, profiles, message content), as 400s. */
import { badRequest } from './errors';
import type { Metadata, Profile } from './store';

export const METADATA_MAX_BYTES = 4096;

/**
 * "Flat object containing custom properties. Strings, numbers and booleans are the only supported
 * format … limited to 4KB in size" (components.schemas.metadata and every body that carries it).
 */
export function metadataOf(value: unknown, field = 'metadata'): Metadata | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${field} must be an object`);
	const out: Metadata = {};
	for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
		if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean')
			throw badRequest(`${field}.${key} must be a string, number or boolean (metadata is flat)`);
		out[key] = item;
	}
	if (Buffer.byteLength(JSON.stringify(out), 'utf8') > METADATA_MAX_BYTES)
		throw badRequest(`${field} exceeds the 4KB limit`);
	return out;
}

const PROFILE_FIELDS = ['givenName', 'surname', 'email', 'avatarUrl', 'locale'] as const;

/** components.schemas.profile: each field a string of 1…128 characters (avatarUrl 2048), email an address. */
export function profileOf(value: unknown): Profile {
	if (value === undefined || value === null) return {};
	if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('profile must be an object');
	const source = value as Record<string, unknown>;
	const out: Profile = {};
	for (const field of PROFILE_FIELDS) {
		const item = source[field];
		if (item === undefined || item === null) continue;
		const max = field === 'avatarUrl' ? 2048 : field === 'locale' ? 64 : 128;
		if (typeof item !== 'string' || item.length < 1 || item.length > max)
			throw badRequest(`profile.${field} must be a string of 1 to ${max} characters`);
		if (field === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(item))
			throw badRequest('profile.email must be an email address');
		out[field] = item;
	}
	return out;
}

const CONTENT_TYPES = ['text', 'carousel', 'file', 'form', 'formResponse', 'image', 'list', 'location', 'template'];

/** components.schemas.content: text needs text (≤ 4096) or htmlText/markdownText; file and image need a mediaUrl. */
export function contentOf(value: unknown): Record<string, unknown> {
	if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('content is required');
	const content = { ...(value as Record<string, unknown>) };
	const type = content.type;
	if (typeof type !== 'string' || !CONTENT_TYPES.includes(type)) throw badRequest('content.type is invalid');
	if (type === 'text') {
		if (typeof content.text === 'string' && content.text.length > 4096)
			throw badRequest('content.text exceeds 4096 characters');
		if (
			typeof content.text !== 'string' &&
			typeof content.htmlText !== 'string' &&
			typeof content.markdownText !== 'string'
		)
			throw badRequest('content.text is required');
	}
	if (
		(type === 'file' || type === 'image') &&
		(typeof content.mediaUrl !== 'string' || !/^https?:\/\//.test(content.mediaUrl))
	)
		throw badRequest('content.mediaUrl must be a URL');
	return content;
}

export function stringOrNull(value: unknown, field: string, max = 1024): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'string' || value.length < 1 || value.length > max)
		throw badRequest(`${field} must be a string of 1 to ${max} characters`);
	return value;
}
