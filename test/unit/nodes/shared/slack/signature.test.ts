import { signSlackRequest } from '../../../../../emulators/slack/signing';
import {
	computeSlackSignature,
	failureMayBeAnOldSecret,
	verifySlackSignature,
} from '../../../../../nodes/shared/slack/signature';
import type { SignatureFailure } from '../../../../../nodes/shared/slack/signature';

// Slack's published example (api.slack.com/authentication/verifying-requests-from-slack).
const VECTOR = {
	secret: '8f742231b10e8888abcd99yyyzzz85a5',
	timestamp: '1531420618',
	body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
	signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

function check(overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) {
	return verifySlackSignature({
		signingSecret: VECTOR.secret,
		timestamp: VECTOR.timestamp,
		signature: VECTOR.signature,
		rawBody: VECTOR.body,
		nowSeconds: Number(VECTOR.timestamp) + 10,
		...overrides,
	});
}

describe('Slack request signature (v0)', () => {
	it("reproduces Slack's published test vector", () => {
		expect(computeSlackSignature(VECTOR.secret, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
		expect(check()).toEqual({ valid: true });
	});

	it('accepts a Buffer body and array-valued headers', () => {
		expect(
			check({
				rawBody: Buffer.from(VECTOR.body, 'utf8'),
				signature: [VECTOR.signature],
				timestamp: [VECTOR.timestamp],
			}),
		).toEqual({ valid: true });
	});

	it("agrees with the emulator's signer", () => {
		const body = JSON.stringify({
			type: 'event_callback',
			event_id: 'Ev1',
			event: { type: 'message', text: 'Grüße ✓' },
		});
		const signature = signSlackRequest('emulator-secret', 1700000000, body);
		expect(
			verifySlackSignature({
				signingSecret: 'emulator-secret',
				timestamp: '1700000000',
				signature,
				rawBody: body,
				nowSeconds: 1700000001,
			}),
		).toEqual({ valid: true });
	});

	it('refuses a forged signature, a changed body and a wrong secret', () => {
		const forged = `v0=${'0'.repeat(64)}`;
		expect(check({ signature: forged })).toEqual({ valid: false, reason: 'signatureMismatch' });
		expect(check({ rawBody: `${VECTOR.body}&x=1` })).toEqual({ valid: false, reason: 'signatureMismatch' });
		expect(check({ signingSecret: 'another-secret' })).toEqual({ valid: false, reason: 'signatureMismatch' });
		// A re-serialised body with one byte of whitespace differs from what Slack signed.
		expect(check({ rawBody: ` ${VECTOR.body}` })).toEqual({ valid: false, reason: 'signatureMismatch' });
	});

	it('refuses requests outside the five-minute window, in both directions', () => {
		const ts = Number(VECTOR.timestamp);
		expect(check({ nowSeconds: ts + 300 })).toEqual({ valid: true });
		expect(check({ nowSeconds: ts + 301 })).toEqual({ valid: false, reason: 'staleTimestamp' });
		expect(check({ nowSeconds: ts - 301 })).toEqual({ valid: false, reason: 'staleTimestamp' });
	});

	it('refuses missing headers, a missing secret or body, and malformed values', () => {
		expect(check({ signature: undefined })).toEqual({ valid: false, reason: 'missingHeaders' });
		expect(check({ timestamp: '' })).toEqual({ valid: false, reason: 'missingHeaders' });
		expect(check({ signingSecret: '' })).toEqual({ valid: false, reason: 'missingSigningSecret' });
		expect(check({ signingSecret: undefined })).toEqual({ valid: false, reason: 'missingSigningSecret' });
		expect(check({ rawBody: undefined })).toEqual({ valid: false, reason: 'missingBody' });
		expect(check({ timestamp: '1531420618.5' })).toEqual({ valid: false, reason: 'malformedTimestamp' });
		expect(check({ timestamp: 'yesterday' })).toEqual({ valid: false, reason: 'malformedTimestamp' });
		expect(check({ signature: 'v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' })).toEqual({
			valid: false,
			reason: 'malformedSignature',
		});
		expect(check({ signature: VECTOR.signature.slice(0, -2) })).toEqual({ valid: false, reason: 'malformedSignature' });
	});
});

describe('failureMayBeAnOldSecret (re-read the credential before refusing?)', () => {
	it('only failures that depend on the secret', () => {
		const all: SignatureFailure[] = [
			'missingSigningSecret',
			'missingHeaders',
			'malformedTimestamp',
			'staleTimestamp',
			'malformedSignature',
			'signatureMismatch',
			'missingBody',
		];
		expect(all.filter(failureMayBeAnOldSecret)).toEqual(['missingSigningSecret', 'signatureMismatch']);
	});
});
