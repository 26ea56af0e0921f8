/**
 * What the Zendesk Messaging Upsert hands to a mode's strategy (Support tickets today, see
 * nodes/ZendeskMessagingUpsert/supportTickets/): the item, its requester, files and settings.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { SlackNameLookup } from '../slack/slackTextToZendesk';
import type { SlackDmItem } from '../types';
import type { UpdateLimitConfig } from './coalesce';
import type { ParticipantCopyMode, RoutingResult } from './tickets';
import type { ThreadReplyMode } from './ticketsThreads';
import type { UpsertRunMemo } from './ticketsState';
import type { FileToUpload } from './uploads';

export interface UpsertSettings {
	credentialType: string;
	/** A new ticket's routing (read from the node's parameters on first use; may name a mistake). */
	routing: () => RoutingResult;
	/** Explicit subject (expression); empty: derived from the first line. */
	subjectOverride?: string;
	subjectFallback: string;
	subjectMaxLength: number;
	limits: UpdateLimitConfig;
	/** Send comments as safe updates (409 on concurrent changes). */
	safeUpdates: boolean;
	/** How long this process trusts its conversation → ticket cache. */
	cacheTtlMs: number;
	/** How group-DM participants are copied on the ticket. */
	participantCopies: ParticipantCopyMode;
	/** Where thread replies of a DM go (ticketsThreads.ts). */
	threadReplies: ThreadReplyMode;
}

export interface UpsertRequest {
	ctx: IExecuteFunctions;
	/** zendeskAccountKey of the credential: every process-level cache is scoped by it. */
	account: string;
	itemIndex: number;
	item: SlackDmItem;
	requesterId?: number;
	files: FileToUpload[];
	settings: UpsertSettings;
	/** Display names for Slack mentions (item's linked users, Profile Linker's directory). */
	names?: SlackNameLookup;
	/** Zendesk user ids of the other group-DM participants (Profile Linker's zendeskParticipants). */
	participantIds?: number[];
	/** What this execution already looked up, shared by its items (newUpsertRun). */
	run: UpsertRunMemo;
}
