/**
 * What the Zendesk Messaging planner (messagingPlanner.ts) reads and returns: the conversation as
 * this process knows it, the message at the head of its lane, and the commands the performer
 * (messagingPerformer.ts) carries out. Types only.
 */
import type { IDataObject } from 'n8n-workflow';

import type { MessageKind } from '../../shared/types';
import type { UpsertResult } from '../helpers/upsertRequest';
import type { EditMode } from './messagingSettings';

/** One Sunshine message of a Slack message: its text first, then each file in order. */
export interface MessagePart {
	/** `text`, or a file uploaded to Sunshine (`file` / `image` with its mediaUrl). */
	content: IDataObject;
}

/** A Sunshine conversation as the API answers it (the fields the planner reads). */
export interface SunshineConversation {
	id: string;
	metadata?: Record<string, unknown> | null;
	activeSwitchboardIntegration?: { integrationType?: string; name?: string } | null;
	createdAt?: string;
	lastUpdatedAt?: string | null;
}

/** A Sunshine message as ListMessages answers it (the fields the marker read needs). */
export interface SunshineMessage {
	id: string;
	received?: string;
	author?: { type?: string };
	metadata?: Record<string, unknown> | null;
}

/** What this process knows of a Slack conversation on the Sunshine side. */
export interface ConversationState {
	/** The Sunshine conversation; undefined: none yet (the lookup found none). */
	conversationId?: string;
	/** The messaging user exists (the lookup by userExternalId answered 200). */
	userExists: boolean;
	/** The agent workspace controls the conversation (as of `confirmedAtMs`). */
	agentWorkspaceActive: boolean;
	/** When an answer last showed who controls the conversation (local ms). */
	confirmedAtMs: number;
	/** Markers (messagePartMarker) known to be in the conversation → their message id. */
	seen: Map<string, string>;
	/**
	 * The conversation was loaded, not written by this process, and its messages were not read:
	 * a Slack message sent before this time (its last message, ms) may already be in it.
	 */
	unknownBeforeMs?: number;
	/** First message this process posted since control was last confirmed: where a new ticket's transcript starts. */
	postedSinceConfirmation?: string;
}

/** What the planner knows of the message at the head of the lane. */
export interface PlannedMessage {
	key: string;
	kind: MessageKind;
	/** Slack's `ts` in ms (0 when unreadable). */
	tsMs: number;
	/** The Sunshine messages it becomes, in order (an edit or deletion: one marked text). */
	parts: MessagePart[];
	/** Ids of the parts posted or found (index → message id). */
	messageIds: Array<string | undefined>;
	/** This delivery wrote (or may have written) a part: found markers are its own writes. */
	wrote: boolean;
	/** This delivery handed the conversation to the agent workspace. */
	handedOver: boolean;
	/** This delivery created the conversation (a new one, or the successor of a full one). */
	createdConversation: boolean;
	/** Posts of it that got no clear answer. */
	ambiguousWrites: number;
	/** Times the conversation was replaced under it (gone: 404; full: 423). */
	replacements: number;
}

/** The planner's view at the head's turn. */
export interface MessagingView {
	/** undefined: to be looked up. */
	state?: ConversationState;
	head: PlannedMessage;
	now: number;
	/** How long a confirmed controller is trusted before it is read again (0: before every message). */
	controlCheckMs: number;
	/** What edits and deletions become. */
	editsAndDeletions: EditMode;
	/**
	 * Whether the app's switchboard hands conversations to the agent workspace by default (read once
	 * an hour, messagingState.ts); undefined: not read yet.
	 */
	agentWorkspaceIsDefault?: boolean;
}

export type Command =
	| { do: 'lookUp' }
	| { do: 'createConversation' }
	| { do: 'readMarkers' }
	| { do: 'checkControl' }
	| { do: 'readSwitchboard' }
	| { do: 'post'; part: number }
	| { do: 'passControl'; firstMessageId?: string }
	| { do: 'finish'; result: UpsertResult };

/** Sunshine's answer to a write, as the planner reads it. */
export interface WriteAnswer {
	statusCode: number;
	body: unknown;
}

/** Why an item fails; the performer words the error. */
export type FailReason = 'tooManyAmbiguousWrites' | 'refused' | 'tooManyReplacements';

export type AfterPost =
	| { do: 'posted'; messageId?: string }
	/** The conversation is gone: look the Slack conversation up again (a new one is created). */
	| { do: 'forget' }
	/** The conversation is full (423): a successor conversation takes the Slack conversation. */
	| { do: 'succeed' }
	| { do: 'fail'; reason: FailReason };

export type AfterNoAnswer = { do: 'readBack'; ms: number } | { do: 'fail'; reason: FailReason };
