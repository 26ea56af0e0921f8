/**
 * Property-based tests of the Slack DM Trigger's pure decisions (classifyEnvelope → classifyEvent),
 * seeded so a failure replays (`FUZZ_SEED=… npx jest test/unit/slack-classifier.fuzz.test.ts`):
 * - any body and any mutation of a real-shaped event: no throw, and an event callback is either
 *   classified or reported unreadable with the field;
 * - a person's 1:1 DM to the handle becomes exactly one item;
 * - what is not a person's DM under the current options is dropped with a reason.
 * The webhook-level properties (signatures, content types, answers) are in
 * test/integration/slack-dm-trigger.fuzz.test.ts.
 */
import fc from 'fast-check';

import { FIXTURE_IDS as F, botMessage, messageIm, messageMpim, threadReply } from '../../../../../emulators/slack';
import type {
	ClassifyContext,
	EventDecision,
	TriggerFilterOptions,
} from '../../../../../nodes/SlackDmTrigger/helpers/classify';
import {
	DEFAULT_FILTER_OPTIONS,
	classifyEvent,
	learnedConversationHandle,
} from '../../../../../nodes/SlackDmTrigger/helpers/classify';
import { classifyEnvelope } from '../../../../../nodes/shared/slack/events';
import { FUZZ_RUNS, FUZZ_SEED, dmText, mutatedEnvelope, oddValue } from '../../../../harness/slackFuzz';

const DM = 'D0EMPDM';
const self: ClassifyContext['self'] = { userId: F.botUserId, userName: 'bridge', teamId: F.teamId, botId: F.botId };
const handles = [{ userId: F.botUserId, name: 'IT' }];
const params = { seed: FUZZ_SEED, numRuns: FUZZ_RUNS };

function decide(
	body: unknown,
	options: Partial<TriggerFilterOptions> = {},
): EventDecision | { action: 'envelope'; kind: string } {
	const envelope = classifyEnvelope(body);
	if (envelope.kind !== 'eventCallback') return { action: 'envelope', kind: envelope.kind };
	learnedConversationHandle(envelope.envelope, handles);
	const ctx: ClassifyContext = {
		self,
		handles,
		options: { ...DEFAULT_FILTER_OPTIONS, ...options },
		receivedAt: '2026-12-06T00:00:00.000Z',
	};
	const decision = classifyEvent(envelope.envelope, ctx);
	return decision.action === 'lookupMembers'
		? classifyEvent(envelope.envelope, { ...ctx, conversationMembers: 'unavailable' })
		: decision;
}

describe(`Slack classifier fuzz (seed ${FUZZ_SEED}, ${FUZZ_RUNS} runs a property)`, () => {
	it('never throws on any JSON value as a body', () => {
		fc.assert(
			fc.property(fc.jsonValue({ maxDepth: 4 }), (body) => {
				decide(body);
				decide({ type: 'event_callback', event_id: 'Ev1', event: body });
			}),
			params,
		);
	});

	it('never throws on a mutated real-shaped event; an emitted item is well-typed and an unmutated DM is emitted', () => {
		fc.assert(
			fc.property(mutatedEnvelope(), fc.boolean(), ({ body, path }, edits) => {
				const decision = decide(body, {
					includeEdits: edits,
					includeThreadReplies: edits,
					includeGroupDms: edits,
					channelMentions: edits,
				});
				expect(['emit', 'drop', 'envelope']).toContain(decision.action);
				if (decision.action === 'emit') {
					expect(typeof decision.item.message.text).toBe('string');
					expect(Array.isArray(decision.item.message.files)).toBe(true);
					expect(decision.item.user.id).not.toBe('');
				}
				return path !== '' || decision.action === 'emit';
			}),
			params,
		);
	});

	it("turns a person's 1:1 DM to the handle into exactly one item with its text, whatever the text holds", () => {
		fc.assert(
			fc.property(dmText(), fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), (text, seconds) => {
				const ts = `${seconds}.000100`;
				const decision = decide(messageIm({ user: F.employeeId, channel: DM, text, ts }));
				if (decision.action !== 'emit') throw new Error(`expected one item, got ${JSON.stringify(decision)}`);
				expect(decision.item.message.text).toBe(text);
				expect(decision.item.message.ts).toBe(ts);
				expect(decision.item.user.id).toBe(F.employeeId);
			}),
			params,
		);
	});

	it("drops with a reason what is not a person's DM under the default options", () => {
		const notADm = fc.oneof(
			fc.constant(botMessage({ channel: DM, text: 'Build failed', channelType: 'im' })),
			fc.constant(messageMpim({ user: F.employeeId, channel: 'G0GROUP', text: 'hi all' })),
			fc.constant(
				threadReply({
					user: F.employeeId,
					channel: DM,
					text: 'in a thread',
					threadTs: '1700000000.000100',
					parentUserId: F.employeeId,
					channelType: 'im',
				}),
			),
			fc.constant(messageIm({ user: F.botUserId, channel: DM, text: 'the handle itself' })),
			fc.constant(messageIm({ user: 'USLACKBOT', channel: DM, text: 'Reminder' })),
			fc.constant({
				...messageIm({ user: F.employeeId, channel: DM, text: '   ' }),
				event: {
					type: 'message',
					user: F.employeeId,
					channel: DM,
					channel_type: 'im',
					text: ' \n ',
					ts: '1700000000.000100',
				},
			}),
			fc.constant({
				...messageIm({ user: F.employeeId, channel: DM, text: 'no author' }),
				event: { type: 'message', channel: DM, channel_type: 'im', text: 'who?', ts: '1700000000.000100' },
			}),
		);
		fc.assert(
			fc.property(notADm, oddValue(), (body, _odd) => {
				const decision = decide(body);
				expect(decision.action).toBe('drop');
				expect(typeof (decision as { reason?: unknown }).reason).toBe('string');
			}),
			{ ...params, numRuns: Math.min(FUZZ_RUNS, 500) },
		);
	});

	it('decides each thread shape explicitly with thread replies off', () => {
		const reply = (event: Record<string, unknown>) => {
			const body = messageIm({ user: F.employeeId, channel: DM, text: 'x', ts: '1700000001.000200' }) as unknown as {
				event: Record<string, unknown>;
			};
			Object.assign(body.event, event);
			return decide(body);
		};
		expect(reply({ thread_ts: '1700000000.000100' })).toEqual({ action: 'drop', reason: 'threadReply' });
		expect(reply({ thread_ts: '1700000000.000100', subtype: 'thread_broadcast' })).toEqual({
			action: 'drop',
			reason: 'threadReply',
		});
		expect(reply({ parent_user_id: F.employeeId })).toEqual({ action: 'drop', reason: 'malformedEvent' });
		expect(reply({ thread_ts: 1700000000.0001 })).toEqual({ action: 'envelope', kind: 'unreadable' });
		expect(reply({ thread_ts: '1700000001.000200' }).action).toBe('emit');
	});
});
