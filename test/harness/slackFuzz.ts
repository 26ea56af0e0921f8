/**
 * Generators for the fuzz suites (fast-check): odd values, DM texts that real people and
 * attackers send, and real-shaped Events API envelopes with fields mutated to other types.
 * Seeded: FUZZ_SEED replays a failing run, FUZZ_RUNS sets the number of cases a property.
 */
import fc from 'fast-check';

import { FIXTURE_IDS as F, messageIm } from '../../emulators/slack';
import type { WebhookResult } from './inProcess';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261206);
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 5000);

/** 200 KB of text: more than Zendesk keeps in one comment. */
export const HUGE_TEXT = 'ä'.repeat(100_000) + 'x'.repeat(100_000);

/** Strings that break naive code: lone surrogates, NUL and other controls, markup, huge. */
export function oddString(): fc.Arbitrary<string> {
	return fc.oneof(
		fc.string({ unit: 'binary', maxLength: 40 }),
		fc.constantFrom(
			'\ud800',
			'a\udc00b',
			'\u0000',
			'x\u0000y',
			'\u202e',
			'<!channel>',
			'<@U0EMPLOYEE>',
			'${{ $env }}',
			'{{ $json }}',
			'\r\n',
			'',
		),
	);
}

/** Any value a mistyped field may hold. */
export function oddValue(): fc.Arbitrary<unknown> {
	return fc.oneof(
		fc.anything({ maxDepth: 2, maxKeys: 3 }),
		oddString(),
		fc.constantFrom(null, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, true, false, [], {}, [null], ['F1'], [{}], 'F1'),
	);
}

/** A DM's text: never blank, sometimes odd (lone surrogates, NUL), rarely 200 KB. */
export function dmText(): fc.Arbitrary<string> {
	return fc
		.oneof(
			{ weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }) },
			{ weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }) },
			{ weight: 2, arbitrary: oddString() },
			{ weight: 1, arbitrary: fc.constant(HUGE_TEXT) },
		)
		.filter((text) => text.trim() !== '');
}

/** Where a mutation may land: every field the classifier reads, and the containers themselves. */
export const MUTATION_PATHS = [
	'event',
	'event_id',
	'team_id',
	'api_app_id',
	'enterprise_id',
	'authorizations',
	'authorizations.0',
	'authorizations.0.user_id',
	'authorizations.0.team_id',
	'authed_users',
	'is_ext_shared_channel',
	'event.type',
	'event.subtype',
	'event.user',
	'event.text',
	'event.ts',
	'event.thread_ts',
	'event.parent_user_id',
	'event.channel',
	'event.channel_type',
	'event.event_ts',
	'event.bot_id',
	'event.app_id',
	'event.bot_profile',
	'event.blocks',
	'event.blocks.0',
	'event.files',
	'event.files.0',
	'event.files.0.id',
	'event.files.0.size',
	'event.files.0.mode',
	'event.user_team',
	'event.team',
	'event.user_profile',
	'event.edited',
	'event.message',
	'event.previous_message',
	'event.hidden',
] as const;

function setPath(target: Record<string, unknown>, path: string, value: unknown, remove: boolean): void {
	const keys = path.split('.');
	let node: unknown = target;
	for (const key of keys.slice(0, -1)) {
		if (typeof node !== 'object' || node === null) return;
		const container = node as Record<string, unknown>;
		if (typeof container[key] !== 'object' || container[key] === null)
			container[key] = /^\d+$/.test(keys[keys.indexOf(key) + 1] ?? '') ? [] : {};
		node = container[key];
	}
	if (typeof node !== 'object' || node === null) return;
	const last = keys[keys.length - 1];
	if (remove) delete (node as Record<string, unknown>)[last];
	else (node as Record<string, unknown>)[last] = value;
}

/** A person's DM with files, then 0-3 fields set to odd values or removed; `path` names the mutations ('' for none). */
export function mutatedEnvelope(): fc.Arbitrary<{ body: Record<string, unknown>; path: string }> {
	const mutation = fc.record({ path: fc.constantFrom(...MUTATION_PATHS), value: oddValue(), remove: fc.boolean() });
	return fc
		.record({
			text: dmText(),
			mutations: fc.array(mutation, { maxLength: 3 }),
			seconds: fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
		})
		.map(({ text, mutations, seconds }) => {
			const body = messageIm({
				user: F.employeeId,
				channel: 'D0EMPDM',
				text,
				ts: `${seconds}.000100`,
			}) as unknown as Record<string, unknown>;
			const event = body.event as Record<string, unknown>;
			event.files = [
				{
					id: 'F0FILE0001',
					name: 'a.png',
					mimetype: 'image/png',
					filetype: 'png',
					size: 10,
					url_private_download: 'https://files.slack.com/x/a.png',
				},
			];
			event.subtype = 'file_share';
			for (const m of mutations) setPath(body, m.path, m.value, m.remove);
			return { body, path: mutations.map((m) => m.path).join(',') };
		});
}

// ---------------------------------------------------------------- properties both triggers share

/** How n8n left the body for the node (test/harness/inProcess.ts `rawBodyState`). */
export type BodyState = 'read' | 'consumed' | 'tooLarge';

export interface WebhookFuzzTarget {
	/** Sends one request to the trigger's webhook method (in-process). */
	send: (rawBody: string, headers: Record<string, string>, state: BodyState) => Promise<WebhookResult>;
	/** Headers that sign the body as the vendor does; `forgery` variants: another secret, an hour old. */
	sign: (rawBody: string, forgery?: 'wrong-secret' | 'stale') => Record<string, string>;
	/** The vendor's two signature header names, for garbage values. */
	signatureHeaders: [string, string];
	bodies: fc.Arbitrary<string>;
	contentTypes: string[];
}

/** The answer to a request without a valid signature: the body's problem first, else 401. */
export function expectedRefusal(contentType: string, state: BodyState): number {
	if (contentType.startsWith('multipart/')) return 415;
	if (state === 'tooLarge') return 413;
	return state === 'consumed' ? 400 : 401;
}

/** Property: whatever the request, the webhook method neither throws nor answers 5xx, and a 4xx starts nothing. */
export async function assertNeverFails(target: WebhookFuzzTarget, numRuns: number): Promise<void> {
	await fc.assert(
		fc.asyncProperty(
			target.bodies,
			fc.constantFrom(...target.contentTypes),
			fc.boolean(),
			fc.constantFrom<BodyState>('read', 'read', 'read', 'consumed', 'tooLarge'),
			async (rawBody, contentType, sign, state) => {
				const result = await target.send(
					rawBody,
					{ 'content-type': contentType, ...(sign ? target.sign(rawBody) : {}) },
					state,
				);
				expect(result.status).toBeLessThan(500);
				if (result.status >= 400) expect(result.workflowData).toBeUndefined();
			},
		),
		{ seed: FUZZ_SEED, numRuns },
	);
}

/** Property: without a valid signature, every request is refused (expectedRefusal) and starts nothing. */
export async function assertRefusesForgeries(target: WebhookFuzzTarget, numRuns: number): Promise<void> {
	const [signatureHeader, timestampHeader] = target.signatureHeaders;
	const forgery = fc.oneof(
		fc.constant<Record<string, string>>({}),
		fc.record({ [signatureHeader]: oddString(), [timestampHeader]: oddString() }),
		fc.constantFrom<'wrong-secret' | 'stale'>('wrong-secret', 'stale'),
	);
	await fc.assert(
		fc.asyncProperty(
			target.bodies,
			fc.constantFrom(...target.contentTypes),
			forgery,
			fc.constantFrom<BodyState>('read', 'consumed', 'tooLarge'),
			async (rawBody, contentType, forged, state) => {
				const headers = typeof forged === 'string' ? target.sign(rawBody, forged) : forged;
				const result = await target.send(rawBody, { 'content-type': contentType, ...headers }, state);
				expect(result.status).toBe(expectedRefusal(contentType, state));
				expect(result.workflowData).toBeUndefined();
			},
		),
		{ seed: FUZZ_SEED, numRuns },
	);
}
