/**
 * The Slack DM Trigger's request-level decisions that are not about the event itself: reading
 * its options, the body, and which ledger keys a delivery claims. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { HandOverOutcome } from '../../shared/state/groupCommit';
import type { RetryPolicy } from '../../shared/transport/retryPolicy';
import type { TriggerFilterOptions } from './classify';
import { DEFAULT_FILTER_OPTIONS } from './classify';

/** The node's Options collection as filter options: unset or non-boolean values take the default. */
export function triggerFilterOptions(raw: IDataObject): TriggerFilterOptions {
	const flag = (name: Exclude<keyof TriggerFilterOptions, 'acceptedBotApps'>) =>
		typeof raw[name] === 'boolean' ? (raw[name] as boolean) : DEFAULT_FILTER_OPTIONS[name];
	return {
		includeGroupDms: flag('includeGroupDms'),
		includeThreadReplies: flag('includeThreadReplies'),
		ignoreAllBots: flag('ignoreAllBots'),
		acceptedBotApps: idList(raw.acceptedBotApps),
		channelMentions: flag('channelMentions'),
		includeEdits: flag('includeEdits'),
		includeRawEvent: flag('includeRawEvent'),
	};
}

/** A comma- or space-separated list of Slack ids, as typed into a text option. */
export function idList(value: unknown): string[] {
	return typeof value === 'string' ? value.split(/[\s,]+/).filter((id) => id !== '') : [];
}

/** Option "Remember Deliveries Across Restarts" (off by default: it costs a database write per event). */
export function rememberAcrossRestarts(raw: IDataObject): boolean {
	return raw.rememberAcrossRestarts === true;
}

/**
 * Option "Group Messages Under Load". Only when n8n answers at once, in production: there the
 * answer to a request means "its execution exists", which is what grouped requests wait for.
 */
export function groupsUnderLoad(raw: IDataObject, responseMode: unknown, executionMode: string): boolean {
	return raw.groupUnderLoad === true && responseMode !== 'lastNode' && executionMode !== 'manual';
}

/** One execution takes at most this many grouped messages; the rest form the next group. */
export const MAX_GROUP_SIZE = 50;

/** How handing a request's items to n8n went, from the status n8n answered it with. */
export function answerOutcome(statusCode: number): HandOverOutcome {
	return statusCode >= 200 && statusCode < 300 ? { ok: true } : { ok: false, reason: `n8n answered ${statusCode}` };
}

/** The verified body as JSON, or undefined when it is not JSON (the envelope check refuses it). */
export function parseEventBody(rawBody: Buffer): unknown {
	try {
		return JSON.parse(rawBody.toString('utf8'));
	} catch {
		return undefined;
	}
}

/** One trigger node in this process: process-wide ledgers and groups are keyed by it. */
export function triggerScope(workflowId: string | undefined, nodeId: string): string {
	return `${workflowId ?? ''}/${nodeId}`;
}

/** The process-wide delivery ledger is shared by every trigger: its keys are scoped to one node. */
export function scopedDeliveryKeys(workflowId: string | undefined, nodeId: string, dedupeKeys: string[]): string[] {
	const scope = triggerScope(workflowId, nodeId);
	return dedupeKeys.map((key) => `${scope}|${key}`);
}

/**
 * Why a conversations.members answer was refused, for the log: Slack names the missing scope in
 * `needed` (im:read for a DM, mpim:read for a group DM, groups:read / channels:read otherwise).
 */
export function missingScopeReason(answer: object): string {
	const field = (answer as { needed?: unknown }).needed;
	const needed = typeof field === 'string' && field.trim() ? field.trim() : undefined;
	return needed
		? `the token lacks the ${needed} scope`
		: 'the token lacks the scope to read this conversation (im:read for DMs, mpim:read for group DMs)';
}

/** The user ids of a conversations.members answer (anything else in the list is ignored). */
export function memberIds(members: unknown): string[] {
	return Array.isArray(members) ? members.filter((member): member is string => typeof member === 'string') : [];
}

/**
 * Slack counts a delivery as failed when the answer takes more than 3 seconds, and retries it.
 * Calls the trigger makes before answering (auth.test on a cache miss, conversations.members)
 * share this budget, measured from the request's arrival, so n8n still answers in time.
 */
export const WEBHOOK_CALL_BUDGET_MS = 2_400;
/** Below this there is no point in a call: fall back at once. */
const MIN_CALL_MS = 250;
const MAX_ATTEMPT_MS = 1_500;

export interface WebhookCallPlan {
	timeoutMs: number;
	/** One quick retry at most; a Retry-After longer than `maxDelayMs` is not waited for. */
	policy: RetryPolicy;
}

/**
 * How long a request may wait for another request of the same message to learn whether n8n took
 * it: what is left of the budget. Zero: answer at once (Slack retries later).
 */
export function pendingWaitMs(elapsedMs: number, budgetMs = WEBHOOK_CALL_BUDGET_MS): number {
	return Math.max(0, budgetMs - Math.max(0, elapsedMs));
}

/** How the next pre-answer Slack call may run, or undefined when the budget is spent (fall back). */
export function webhookCallPlan(elapsedMs: number, budgetMs = WEBHOOK_CALL_BUDGET_MS): WebhookCallPlan | undefined {
	const remaining = budgetMs - Math.max(0, elapsedMs);
	if (remaining < MIN_CALL_MS) return undefined;
	const retryDelayMs = 150;
	const attempts = remaining >= 2 * MIN_CALL_MS + retryDelayMs ? 2 : 1;
	const timeoutMs = Math.min(MAX_ATTEMPT_MS, Math.floor((remaining - (attempts - 1) * retryDelayMs) / attempts));
	return { timeoutMs, policy: { maxAttempts: attempts, baseDelayMs: 100, maxDelayMs: retryDelayMs } };
}
