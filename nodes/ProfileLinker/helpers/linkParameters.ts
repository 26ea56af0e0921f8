/**
 * The Profile Linker's parameters read into its decisions' inputs, and its output summary.
 * Pure: the node reads the raw parameter values and hands them here.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SlackDmItem } from '../../shared/types';
import type { EmployeeOrganizationPolicy, PartnerOrganizationPolicy } from './organizations';
import type { MergeDecision } from './users';
import { parseTagList } from '../../shared/zendesk/tags';
import type { LinkOptions } from './profileLinking';

const MINUTE_MS = 60_000;
const DEFAULT_CACHE_MINUTES = 60;

/** The "User Fields" collection as Zendesk user_fields: rows without a key are skipped, keys trimmed. */
export function userFieldsFrom(raw: unknown): IDataObject {
	const entries = ((raw as { field?: Array<{ key?: string; value?: unknown }> } | undefined)?.field ?? []).filter(
		(entry) => typeof entry.key === 'string' && entry.key.trim() !== '',
	);
	return Object.fromEntries(entries.map((entry) => [String(entry.key).trim(), entry.value ?? null])) as IDataObject;
}

/** The "Link Slack User" Options collection as link options (defaults: 60 minutes, per-team partners). */
export function linkOptionsFrom(options: IDataObject): LinkOptions {
	const cacheMinutes = typeof options.cachePeriod === 'number' ? options.cachePeriod : DEFAULT_CACHE_MINUTES;
	return {
		cacheTtlMs: Math.max(0, cacheMinutes) * MINUTE_MS,
		tags: parseTagList(options.tags as string | undefined),
		userFields: userFieldsFrom(options.userFields),
		organizationPolicy: {
			partners: (options.partnerOrganization as PartnerOrganizationPolicy | undefined) ?? 'perTeam',
			employees: (options.employeeOrganization as EmployeeOrganizationPolicy | undefined) ?? 'none',
			employeeOrganizationId:
				typeof options.employeeOrganizationId === 'number' ? options.employeeOrganizationId : undefined,
		},
	};
}

/** Group DM participants linked besides the sender: never the sender or the handle, none when switched off. */
export function participantsToLink(item: SlackDmItem, linkParticipants: unknown): string[] {
	if (linkParticipants === false) return [];
	return (item.channel?.participants ?? []).filter((id) => id !== item.user.id && id !== item.handle?.userId);
}

/** The workspace of the handle: the team whose users are employees, not partners. */
export function handleTeamIdOf(item: SlackDmItem): string {
	return item.handle?.teamId || item.teamId || item.user.teamId;
}

export interface ExistingProfileTarget {
	slackUserId: string;
	slackTeamId: string;
	targetUserId: number;
}

/** "Link to Existing Profile" parameters, trimmed; undefined unless all three are given. */
export function existingProfileTarget(
	slackUserId: unknown,
	slackTeamId: unknown,
	targetUserId: unknown,
): ExistingProfileTarget | undefined {
	const target = {
		slackUserId: String(slackUserId).trim(),
		slackTeamId: String(slackTeamId).trim(),
		targetUserId: Number(targetUserId),
	};
	return target.slackUserId && target.slackTeamId && target.targetUserId > 0 ? target : undefined;
}

/** The `profileLink` output of "Link to Existing Profile" for a decision that was carried out. */
export function profileLinkSummary(decision: Exclude<MergeDecision, { action: 'refuse' }>): IDataObject {
	return {
		action: decision.action,
		mergedUserId: decision.action === 'merge' ? decision.sourceId : null,
		targetUserId: decision.targetId,
	};
}
