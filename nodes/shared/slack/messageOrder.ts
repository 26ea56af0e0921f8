/**
 * The order of a conversation's messages, as Slack sees it, for the nodes that must keep it
 * across executions (the Slack DM Trigger announces, the Zendesk Messaging Upsert waits). Pure.
 */
import type { SlackDmItem } from '../types';

/**
 * Slack `ts` ("1714557601.000100") in epoch microseconds: exact as a number (below 2^53), so two
 * messages in the same millisecond still compare. Undefined when it is not a Slack ts.
 */
export function slackTsMicros(ts: string | undefined): number | undefined {
	const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(ts ?? '');
	if (!match) return undefined;
	return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

/** When the event happened: the message's ts, or for an edit or deletion the change's own ts. */
export function eventOrderOf(item: Pick<SlackDmItem, 'message'>): number | undefined {
	return slackTsMicros(item.message.eventTs ?? item.message.ts);
}

/**
 * The conversation whose order is kept: one Slack channel (a DM or group DM, threads included),
 * within one workflow. Trigger and Upsert of the same workflow meet on it; another workflow
 * listening to the same app neither waits for nor holds up this one.
 */
export function orderScopeOf(workflowId: string | undefined, item: Pick<SlackDmItem, 'teamId' | 'channel'>): string {
	return `${workflowId ?? ''}|${item.teamId}:${item.channel.id}`;
}
