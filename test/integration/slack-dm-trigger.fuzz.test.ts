/**
 * Property-based tests of the Slack DM Trigger's webhook method through real n8n-core webhook
 * contexts (in-process runner) and the Slack emulator, seeded (FUZZ_SEED, FUZZ_RUNS; see
 * test/harness/slackFuzz.ts):
 * - any request (random and mutated real-shaped bodies, signed or not, every content type, a body
 *   n8n already consumed or found too large): the method never throws and never answers 5xx;
 * - without a valid signature: refused (401; 413/415 when the body cannot even be read), no
 *   execution, no Slack call;
 * - signed, but not a person's DM under the current options: 200, ignored with a reason;
 * - signed person's DM, whatever its text: 200 and exactly one item.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import fc from 'fast-check';

import {
	FIXTURE_IDS as F,
	botMessage,
	messageIm,
	messageMpim,
	signSlackRequest,
	startSlackEmulator,
	threadReply,
} from '../../emulators/slack';
import type { SlackEmulatorInstance } from '../../emulators/slack';
import { SlackDmTrigger } from '../../nodes/SlackDmTrigger/SlackDmTrigger.node';
import type { SlackDmItem } from '../../nodes/shared/types';
import { invokeWebhook } from '../harness/inProcess';
import {
	FUZZ_RUNS,
	FUZZ_SEED,
	type WebhookFuzzTarget,
	assertNeverFails,
	assertRefusesForgeries,
	dmText,
	mutatedEnvelope,
	oddString,
} from '../harness/slackFuzz';

const DM = 'D0EMPDM';
const trigger = new SlackDmTrigger();
let slack: SlackEmulatorInstance;
let tsCounter = 1_700_000_000;
const params = { seed: FUZZ_SEED, numRuns: FUZZ_RUNS };
const CONTENT_TYPES = [
	'application/json',
	'application/json; charset=utf-8',
	'application/x-www-form-urlencoded',
	'text/plain',
	'multipart/form-data; boundary=XX',
	'application/octet-stream',
	'application/xml',
	'',
];

/** n8n's logger, quiet during thousands of requests; each test reads what was logged. */
let warnings: jest.SpyInstance;

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
	warnings = jest.spyOn(Container.get(Logger), 'warn').mockImplementation(() => undefined);
});

afterAll(async () => {
	warnings.mockRestore();
	await slack.close();
});

const nextTs = () => `${tsCounter++}.000100`;

function signed(rawBody: string | Buffer, secret = slack.signingSecret, timestamp = Math.floor(Date.now() / 1000)) {
	return {
		'x-slack-request-timestamp': String(timestamp),
		'x-slack-signature': signSlackRequest(
			secret,
			timestamp,
			Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : rawBody,
		),
	};
}

async function send(
	rawBody: string | Buffer,
	headers: Record<string, string>,
	rawBodyState: 'read' | 'consumed' | 'tooLarge' = 'read',
	parameters = {},
) {
	return await invokeWebhook(trigger, {
		parameters,
		credentials: { slackDmApi: { accessToken: F.botToken, signingSecret: slack.signingSecret, baseUrl: slack.apiUrl } },
		headers: { 'content-type': 'application/json', ...headers },
		rawBody,
		rawBodyState,
	});
}

const anyBody = fc.oneof(
	mutatedEnvelope().map(({ body }) => JSON.stringify(body)),
	fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
	oddString(),
	fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

describe(`Slack DM Trigger webhook fuzz (seed ${FUZZ_SEED}, ${FUZZ_RUNS} runs a property)`, () => {
	const target = (): WebhookFuzzTarget => ({
		send: (rawBody, headers, state) => send(rawBody, headers, state),
		sign: (rawBody, forgery) =>
			forgery === 'wrong-secret'
				? signed(rawBody, 'not-the-secret')
				: forgery === 'stale'
					? signed(rawBody, slack.signingSecret, Math.floor(Date.now() / 1000) - 3600)
					: signed(rawBody),
		signatureHeaders: ['x-slack-signature', 'x-slack-request-timestamp'],
		bodies: anyBody,
		contentTypes: CONTENT_TYPES,
	});

	it('never throws and never answers 5xx, whatever the request', async () => {
		await assertNeverFails(target(), FUZZ_RUNS);
	});

	it('refuses every request without a valid signature before any work: no execution, no Slack call', async () => {
		const before = slack.server.countCalls();
		await assertRefusesForgeries(target(), FUZZ_RUNS);
		expect(slack.server.countCalls()).toBe(before);
	});

	it("answers 200 and ignores with a reason a signed event that is not a person's DM", async () => {
		const notADm = fc.oneof(
			fc.constant(() => botMessage({ channel: DM, text: 'Build failed', channelType: 'im', ts: nextTs() })),
			fc.constant(() => messageMpim({ user: F.employeeId, channel: 'G0GROUP', text: 'hi all', ts: nextTs() })),
			fc.constant(() =>
				threadReply({
					user: F.employeeId,
					channel: DM,
					text: 'in a thread',
					threadTs: '1600000000.000100',
					parentUserId: F.employeeId,
					channelType: 'im',
					ts: nextTs(),
				}),
			),
			fc.constant(() => messageIm({ user: F.botUserId, channel: DM, text: 'the handle itself', ts: nextTs() })),
			mutatedEnvelope()
				.filter(
					({ path }) =>
						path !== '' &&
						path
							.split(',')
							.every(
								(p) =>
									p.startsWith('event.files') ||
									p.startsWith('authorizations') ||
									p === 'event.text' ||
									p === 'event.blocks',
							),
				)
				.map(
					({ body }) =>
						() =>
							body,
				),
		);
		await fc.assert(
			fc.asyncProperty(notADm, async (make) => {
				const rawBody = JSON.stringify(make());
				const result = await send(rawBody, signed(rawBody));
				if (result.workflowData) {
					// A mutation that left a readable DM (a valid file list, say) is a DM: one item,
					// and when fast-check replays it while shrinking, a duplicate.
					expect(result.workflowData[0]).toHaveLength(1);
					return;
				}
				if ((result.body as { duplicate?: unknown }).duplicate === true) return;
				expect(result.status).toBe(200);
				expect(result.body).toMatchObject({ ok: true });
				const ignored = (result.body as { ignored?: unknown }).ignored;
				if (typeof ignored !== 'string')
					throw new Error(`not ignored: ${JSON.stringify(result.body)} ${rawBody.slice(0, 300)}`);
				// An unreadable event is logged with the field that made it so (and nothing of its content).
				if (ignored === 'malformedEvent' && (result.body as { field?: string }).field) {
					expect(warnings).toHaveBeenLastCalledWith(
						'Slack DM Trigger ignored an event it cannot read',
						expect.objectContaining({ field: (result.body as { field: string }).field }),
					);
				}
			}),
			{ ...params, numRuns: Math.min(FUZZ_RUNS, 2000) },
		);
	});

	it("emits exactly one item for a signed person's DM, whatever its text", async () => {
		await fc.assert(
			fc.asyncProperty(dmText(), async (text) => {
				const rawBody = JSON.stringify(messageIm({ user: F.employeeId, channel: DM, text, ts: nextTs() }));
				const result = await send(rawBody, signed(rawBody));
				expect(result.status).toBe(200);
				const items = (result.workflowData?.[0] ?? []).map((i) => i.json as unknown as SlackDmItem);
				expect(items).toHaveLength(1);
				expect(items[0].message.text).toBe(text);
			}),
			params,
		);
	});
});
