/**
 * The Slack DM Trigger's request-level decisions that are not about the event itself: reading
 * its options, the body, and which ledger keys a delivery claims. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { TriggerFilterOptions } from './classify';
import { DEFAULT_FILTER_OPTIONS } from './classify';

/** The node's Options collection as filter options: unset or non-boolean values take the default. */
export function triggerFilterOptions(raw: IDataObject): TriggerFilterOptions {
	const flag = (name: keyof TriggerFilterOptions) => (typeof raw[name] === 'boolean' ? (raw[name] as boolean) : DEFAULT_FILTER_OPTIONS[name]);
	return {
		includeGroupDms: flag('includeGroupDms'),
		includeThreadReplies: flag('includeThreadReplies'),
		ignoreAllBots: flag('ignoreAllBots'),
		channelMentions: flag('channelMentions'),
		includeEdits: flag('includeEdits'),
		includeRawEvent: flag('includeRawEvent'),
	};
}

/** The verified body as JSON, or undefined when it is not JSON (the envelope check refuses it). */
export function parseEventBody(rawBody: Buffer): unknown {
	try {
		return JSON.parse(rawBody.toString('utf8'));
	} catch {
		return undefined;
	}
}

/** The process-wide delivery ledger is shared by every trigger: its keys are scoped to one node. */
export function scopedDeliveryKeys(workflowId: string | undefined, nodeId: string, dedupeKeys: string[]): string[] {
	const scope = `${workflowId ?? ''}/${nodeId}`;
	return dedupeKeys.map((key) => `${scope}|${key}`);
}

/** The user ids of a conversations.members answer (anything else in the list is ignored). */
export function memberIds(members: unknown): string[] {
	return Array.isArray(members) ? members.filter((member): member is string => typeof member === 'string') : [];
}
