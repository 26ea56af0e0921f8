import { createHmac, timingSafeEqual } from 'crypto';

/**
 * Slack request signing (v0): `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`).
 * The signature covers the exact bytes Slack sent, so callers must pass the raw body, never a
 * re-serialised JSON object.
 */

/** Slack's documented replay window: requests older or newer than five minutes are refused. */
export const SLACK_SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type SignatureFailure =
	| 'missingSigningSecret'
	| 'missingHeaders'
	| 'malformedTimestamp'
	| 'staleTimestamp'
	| 'malformedSignature'
	| 'signatureMismatch'
	| 'missingBody';

export type SignatureCheck = { valid: true } | { valid: false; reason: SignatureFailure };

export interface SignatureInput {
	signingSecret: string | undefined;
	/** `X-Slack-Request-Timestamp` header (seconds since the epoch). */
	timestamp: string | string[] | undefined;
	/** `X-Slack-Signature` header. */
	signature: string | string[] | undefined;
	rawBody: Buffer | string | undefined;
	/** Current time in seconds; injected so the window is testable. */
	nowSeconds: number;
	toleranceSeconds?: number;
}

export function computeSlackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
	const hmac = createHmac('sha256', signingSecret);
	hmac.update(`v0:${timestamp}:`);
	hmac.update(rawBody);
	return `v0=${hmac.digest('hex')}`;
}

function single(value: string | string[] | undefined): string | undefined {
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

const SIGNATURE_FORMAT = /^v0=[0-9a-f]{64}$/;

export function verifySlackSignature(input: SignatureInput): SignatureCheck {
	if (!input.signingSecret) return { valid: false, reason: 'missingSigningSecret' };
	const timestamp = single(input.timestamp);
	const signature = single(input.signature);
	if (!timestamp || !signature) return { valid: false, reason: 'missingHeaders' };
	if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: 'malformedTimestamp' };
	const tolerance = input.toleranceSeconds ?? SLACK_SIGNATURE_TOLERANCE_SECONDS;
	if (Math.abs(input.nowSeconds - Number(timestamp)) > tolerance) return { valid: false, reason: 'staleTimestamp' };
	if (input.rawBody === undefined) return { valid: false, reason: 'missingBody' };
	const provided = signature.toLowerCase();
	if (!SIGNATURE_FORMAT.test(provided)) return { valid: false, reason: 'malformedSignature' };
	const expected = computeSlackSignature(input.signingSecret, timestamp, input.rawBody);
	// Same length guaranteed by the format check, so timingSafeEqual cannot throw.
	const matches = timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(provided, 'utf8'));
	return matches ? { valid: true } : { valid: false, reason: 'signatureMismatch' };
}

/**
 * Whether a failed check could pass with the credential's current signing secret, when it was
 * checked against a remembered one: only failures that depend on the secret. A stale or
 * malformed request fails whatever the secret, so it never costs a credential read.
 */
export function failureMayBeAnOldSecret(reason: SignatureFailure): boolean {
	return reason === 'signatureMismatch' || reason === 'missingSigningSecret';
}
