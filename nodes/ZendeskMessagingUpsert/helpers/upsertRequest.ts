/**
 * What the Zendesk Messaging Upsert hands to a mode's strategy (Support tickets today, see
 * ../supportTickets/): the item, its requester, files and settings; and what a mode answers.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { SlackNameLookup } from '../../shared/slack/slackTextToZendesk';
import type { RejectedFile, SlackDmItem, UpsertOutcome } from '../../shared/types';
import type { MessagingSettings } from '../messaging/messagingSettings';
import type { UpdateLimitConfig } from '../supportTickets/coalesce';
import type { ParticipantCopyMode, RoutingResult } from './tickets';
import type { ThreadReplyMode } from './ticketsThreads';
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
	/** The files the Attachment Allowlist refused (the Zendesk Messaging mode names them for agents). */
	rejectedFiles?: RejectedFile[];
	/** The Zendesk Messaging mode's own settings. */
	messaging?: MessagingSettings;
	/** Earlier messages still missing after the order gate's wait: park once more (earlierGate.ts). */
	parkWhenEarlierMissing?: boolean;
}

export interface UpsertResult {
	ticketId: number | null;
	outcome: UpsertOutcome;
	commentId?: number;
	followUpSourceId?: number;
	/** A thread's new ticket (Thread Replies: one ticket per thread): the DM's ticket its first comment mentions. */
	dmTicketId?: number;
	/** Messages in the same comment when the update limit made this process coalesce them. */
	coalescedCount?: number;
	/** Why nothing was written (outcome `skipped`). */
	reason?: string;
	/** Zendesk Messaging mode: the Sunshine conversation of the Slack conversation. */
	conversationId?: string;
	/** Zendesk Messaging mode: the Sunshine messages of this Slack message (text first, then files). */
	messageIds?: string[];
}

/**
 * What one execution of the node learned, shared by its items and dropped with the execution:
 * never reused by another execution, let alone another process.
 */
export interface UpsertRunMemo {
	/** `${account}|${DM conversation key}` → the DM's ticket id (null: none) that per-thread tickets mention. */
	dmTicketIds: Map<string, number | null>;
}

export function newUpsertRun(): UpsertRunMemo {
	return { dmTicketIds: new Map() };
}
