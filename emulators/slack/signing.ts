import { createHmac } from 'node:crypto';

/**
 * Slack's v0 request signature: `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`).
 * The emulator signs with it; the package verifies with its own implementation (tests compare both).
 */
export function signSlackRequest(signingSecret: string, timestamp: number | string, rawBody: string | Buffer): string {
	const hmac = createHmac('sha256', signingSecret);
	hmac.update(`v0:${timestamp}:`);
	hmac.update(rawBody);
	return `v0=${hmac.digest('hex')}`;
}
