/**
 * Sunshine Conversations webhooks carry the webhook's secret in `X-API-Key` (the spec's Webhooks
 * section, "Securing Sunshine Conversations Webhooks"). Checked in constant time. Pure.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const API_KEY_HEADER = 'x-api-key';

/** The header's value (the first one when repeated), or undefined. Header names compare case-insensitively. */
export function apiKeyOf(headers: Record<string, unknown>): string | undefined {
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== API_KEY_HEADER) continue;
		const first = Array.isArray(value) ? value[0] : value;
		return typeof first === 'string' ? first : undefined;
	}
	return undefined;
}

/**
 * Whether `given` is the stored secret. Both are hashed to 32 bytes first, so timingSafeEqual always
 * compares buffers of one length and the time taken tells nothing about the secret, not even its length.
 */
export function apiKeyMatches(given: string | undefined, secret: string | undefined): boolean {
	if (!secret || given === undefined) return false;
	const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
	return timingSafeEqual(digest(given), digest(secret));
}
