/**
 * Property-based tests of the Zendesk Reply Trigger's webhook method through real n8n-core
 * webhook contexts and the Zendesk emulator, seeded (FUZZ_SEED, FUZZ_RUNS; test/harness/slackFuzz.ts):
 * - any request (random bodies and headers, every content type, a body n8n already consumed or
 *   found too large): never throws, never answers 5xx (the one 5xx the trigger gives on purpose,
 *   503 asking Zendesk to redeliver when Zendesk itself fails, cannot happen with the emulator up);
 * - without a valid signature: refused (401; 413/415 when the body cannot be read), no execution,
 *   no Zendesk call;
 * - signed, any body: answered 200, skipped with a reason, no execution for a ticket that is not
 *   the package's.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import fc from 'fast-check';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { signWebhook, startZendeskEmulator, type ZendeskEmulator } from '../../emulators/zendesk';
import { ZendeskReplyTrigger } from '../../nodes/ZendeskReplyTrigger/ZendeskReplyTrigger.node';
import { invokeWebhook } from '../harness/inProcess';
import {
	FUZZ_RUNS,
	FUZZ_SEED,
	type WebhookFuzzTarget,
	assertNeverFails,
	assertRefusesForgeries,
	oddString,
	oddValue,
} from '../harness/slackFuzz';

const trigger = new ZendeskReplyTrigger();
const SECRET = 'fuzz-webhook-signing-secret';
const params = { seed: FUZZ_SEED, numRuns: FUZZ_RUNS };
const CONTENT_TYPES = [
	'application/json',
	'application/json; charset=utf-8',
	'text/plain',
	'multipart/form-data; boundary=XX',
	'application/x-www-form-urlencoded',
	'',
];
let zendesk: ZendeskEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;
let warnings: jest.SpyInstance;

beforeAll(async () => {
	zendesk = await startZendeskEmulator({ rateLimits: false });
	credentials = {
		zendeskDmApi: {
			subdomain: 'acme',
			email: zendesk.fixtures.bridge.email,
			apiToken: zendesk.fixtures.bridge.apiToken,
			baseUrl: zendesk.url,
		},
	};
	warnings = jest.spyOn(Container.get(Logger), 'warn').mockImplementation(() => undefined);
});

afterAll(async () => {
	warnings.mockRestore();
	await zendesk.close();
});

const staticData = (): IDataObject => ({
	'node:Zendesk Reply Trigger': { signingSecret: SECRET, webhookId: '01FUZZWEBHOOK' },
});

function signedHeaders(rawBody: string, secret = SECRET, at = new Date()) {
	const timestamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
	return {
		'x-zendesk-webhook-signature': signWebhook(secret, timestamp, rawBody),
		'x-zendesk-webhook-signature-timestamp': timestamp,
	};
}

async function send(
	rawBody: string,
	headers: Record<string, string>,
	rawBodyState: 'read' | 'consumed' | 'tooLarge' = 'read',
) {
	return await invokeWebhook(trigger, {
		credentials,
		staticData: staticData(),
		rawBody,
		headers: { 'content-type': 'application/json', ...headers },
		rawBodyState,
	});
}

/** Bodies Zendesk could send, and bodies nobody would: ticket and comment ids of every type. */
const anyBody = fc.oneof(
	fc.record({ ticket_id: oddValue(), comment_id: oddValue() }).map((b) => JSON.stringify(b)),
	fc
		.record({
			ticket_id: fc.integer({ min: 1, max: 10_000_000 }).map(String),
			comment_id: fc.integer({ min: 1, max: 10_000_000 }).map(String),
		})
		.map((b) => JSON.stringify(b)),
	fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
	oddString(),
);

describe(`Zendesk Reply Trigger webhook fuzz (seed ${FUZZ_SEED}, ${FUZZ_RUNS} runs a property)`, () => {
	const target = (): WebhookFuzzTarget => ({
		send: (rawBody, headers, state) => send(rawBody, headers, state),
		sign: (rawBody, forgery) =>
			forgery === 'wrong-secret'
				? signedHeaders(rawBody, 'not-the-secret')
				: forgery === 'stale'
					? signedHeaders(rawBody, SECRET, new Date(Date.now() - 3_600_000))
					: signedHeaders(rawBody),
		signatureHeaders: ['x-zendesk-webhook-signature', 'x-zendesk-webhook-signature-timestamp'],
		bodies: anyBody,
		contentTypes: CONTENT_TYPES,
	});

	it('never throws and never answers 5xx, whatever the request', async () => {
		await assertNeverFails(target(), Math.min(FUZZ_RUNS, 2000));
	});

	it('refuses every request without a valid signature before any work: no execution, no Zendesk call', async () => {
		zendesk.server.resetCalls();
		await assertRefusesForgeries(target(), FUZZ_RUNS);
		expect(zendesk.server.countCalls()).toBe(0);
	});

	it('answers a signed delivery naming no ticket of the package 200 and skips it with a reason', async () => {
		await fc.assert(
			fc.asyncProperty(anyBody, async (rawBody) => {
				const result = await send(rawBody, signedHeaders(rawBody));
				expect(result.status).toBe(200);
				expect(result.workflowData).toBeUndefined();
				expect(typeof (result.body as { skipped?: unknown }).skipped).toBe('string');
			}),
			{ ...params, numRuns: Math.min(FUZZ_RUNS, 1000) },
		);
	});
});
