import { DEFAULT_FILTER_OPTIONS } from '../../../../../nodes/SlackDmTrigger/helpers/classify';
import {
	WEBHOOK_CALL_BUDGET_MS,
	answerOutcome,
	memberIds,
	missingScopeReason,
	pendingWaitMs,
	parseEventBody,
	scopedDeliveryKeys,
	triggerFilterOptions,
	webhookCallPlan,
} from '../../../../../nodes/SlackDmTrigger/helpers/triggerRequest';
import { decideRetry } from '../../../../../nodes/shared/transport/retryPolicy';

describe('triggerFilterOptions', () => {
	it('takes the defaults for an empty Options collection', () => {
		expect(triggerFilterOptions({})).toEqual(DEFAULT_FILTER_OPTIONS);
	});

	it('keeps booleans that are set, true and false alike', () => {
		const options = triggerFilterOptions({ includeGroupDms: true, includeEdits: true, ignoreAllBots: false });
		expect(options.includeGroupDms).toBe(true);
		expect(options.includeEdits).toBe(true);
		expect(options.ignoreAllBots).toBe(false);
		expect(options.channelMentions).toBe(DEFAULT_FILTER_OPTIONS.channelMentions);
	});

	it('ignores values that are not booleans (e.g. an unresolved expression string)', () => {
		expect(triggerFilterOptions({ includeThreadReplies: 'true', includeRawEvent: 1 }).includeThreadReplies).toBe(
			DEFAULT_FILTER_OPTIONS.includeThreadReplies,
		);
		expect(triggerFilterOptions({ includeRawEvent: 1 }).includeRawEvent).toBe(DEFAULT_FILTER_OPTIONS.includeRawEvent);
	});

	it('drops options it does not know', () => {
		expect(Object.keys(triggerFilterOptions({ somethingElse: true })).sort()).toEqual(
			Object.keys(DEFAULT_FILTER_OPTIONS).sort(),
		);
	});
});

describe('parseEventBody', () => {
	it('parses a UTF-8 JSON body', () => {
		expect(parseEventBody(Buffer.from('{"type":"url_verification","challenge":"é"}', 'utf8'))).toEqual({
			type: 'url_verification',
			challenge: 'é',
		});
	});

	it('answers undefined for a body that is not JSON', () => {
		expect(parseEventBody(Buffer.from('token=abc&type=event_callback'))).toBeUndefined();
		expect(parseEventBody(Buffer.alloc(0))).toBeUndefined();
	});
});

describe('scopedDeliveryKeys', () => {
	it('prefixes every key with the workflow and node, so two triggers never share a claim', () => {
		expect(scopedDeliveryKeys('wf1', 'node-a', ['e:Ev1', 'm:C1:1.0'])).toEqual([
			'wf1/node-a|e:Ev1',
			'wf1/node-a|m:C1:1.0',
		]);
		expect(scopedDeliveryKeys('wf1', 'node-b', ['e:Ev1'])).not.toEqual(scopedDeliveryKeys('wf1', 'node-a', ['e:Ev1']));
	});

	it('scopes by node alone when the workflow has no id yet (manual test run)', () => {
		expect(scopedDeliveryKeys(undefined, 'node-a', ['e:Ev1'])).toEqual(['/node-a|e:Ev1']);
	});
});

describe('memberIds', () => {
	it('keeps the string ids of a conversations.members answer', () => {
		expect(memberIds(['U1', 42, null, 'U2'])).toEqual(['U1', 'U2']);
	});

	it('answers no members when the list is missing', () => {
		expect(memberIds(undefined)).toEqual([]);
		expect(memberIds({ U1: true })).toEqual([]);
	});
});

describe('webhookCallPlan (calls made before answering Slack)', () => {
	it('at the start: a short timeout and one quick retry that never waits out a long Retry-After', () => {
		const plan = webhookCallPlan(0);
		expect(plan).toBeDefined();
		expect(plan!.policy.maxAttempts).toBe(2);
		expect(plan!.timeoutMs).toBeLessThanOrEqual(1_500);
		expect(plan!.policy.maxDelayMs).toBeLessThan(1_000);
	});

	it("the worst case of all attempts stays within the budget, and the budget within Slack's 3 seconds", () => {
		expect(WEBHOOK_CALL_BUDGET_MS).toBeLessThan(3_000);
		for (const elapsed of [0, 500, 1_000, 1_800, 2_100]) {
			const plan = webhookCallPlan(elapsed)!;
			const worst =
				elapsed + plan.policy.maxAttempts * plan.timeoutMs + (plan.policy.maxAttempts - 1) * plan.policy.maxDelayMs;
			expect(worst).toBeLessThanOrEqual(WEBHOOK_CALL_BUDGET_MS);
		}
	});

	it('late in the budget: a single attempt, then nothing (the caller falls back)', () => {
		expect(webhookCallPlan(WEBHOOK_CALL_BUDGET_MS - 400)!.policy.maxAttempts).toBe(1);
		expect(webhookCallPlan(WEBHOOK_CALL_BUDGET_MS - 100)).toBeUndefined();
		expect(webhookCallPlan(WEBHOOK_CALL_BUDGET_MS + 1_000)).toBeUndefined();
	});

	it('a 429 with Retry-After beyond the plan is not retried (decideRetry honours maxDelayMs)', () => {
		const plan = webhookCallPlan(0)!;
		expect(decideRetry({ statusCode: 429, headers: { 'retry-after': '1' } }, 1, plan.policy)).toEqual({ retry: false });
		expect(decideRetry({ statusCode: 503 }, 1, plan.policy)).toMatchObject({ retry: true });
		expect(decideRetry({ statusCode: 503 }, 2, plan.policy)).toEqual({ retry: false });
	});
});

describe('answerOutcome (did n8n take the hand-over?)', () => {
	it('a 2xx answer means the execution exists', () => {
		expect(answerOutcome(200)).toEqual({ ok: true });
		expect(answerOutcome(204)).toEqual({ ok: true });
	});

	it('anything else means nothing was started, with the status as the reason', () => {
		expect(answerOutcome(500)).toEqual({ ok: false, reason: 'n8n answered 500' });
		expect(answerOutcome(404)).toEqual({ ok: false, reason: 'n8n answered 404' });
		expect(answerOutcome(0)).toEqual({ ok: false, reason: 'n8n answered 0' });
	});
});

describe('pendingWaitMs (waiting for an earlier request of the same message)', () => {
	it('is what is left of the pre-answer budget', () => {
		expect(pendingWaitMs(0)).toBe(WEBHOOK_CALL_BUDGET_MS);
		expect(pendingWaitMs(400)).toBe(WEBHOOK_CALL_BUDGET_MS - 400);
	});

	it('is zero once the budget is spent, never negative', () => {
		expect(pendingWaitMs(WEBHOOK_CALL_BUDGET_MS + 1)).toBe(0);
		expect(pendingWaitMs(-5, 1_000)).toBe(1_000);
	});
});

describe('missingScopeReason (conversations.members refused)', () => {
	it('names the scope Slack says is needed', () => {
		expect(missingScopeReason({ needed: 'im:read' })).toBe('the token lacks the im:read scope');
		expect(missingScopeReason({ needed: 'mpim:read' })).toBe('the token lacks the mpim:read scope');
	});

	it('without a usable needed field, names both DM scopes instead of guessing one', () => {
		for (const needed of [undefined, '', '  ', 42]) {
			expect(missingScopeReason({ needed })).toContain('im:read for DMs, mpim:read for group DMs');
		}
	});
});
