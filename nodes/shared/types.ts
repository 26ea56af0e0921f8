/**
 * The item contract between the nodes. The Slack DM Trigger emits `SlackDmItem`;
 * Profile Linker adds `zendeskUser`; Attachment Allowlist adds `rejectedFiles` and
 * binary data; Zendesk Messaging Upsert adds `zendesk`. Fields are only ever added
 * downstream, never renamed, so templates and user expressions stay valid.
 */

export type SlackChannelType = 'im' | 'mpim' | 'channel' | 'group';

export type MessageKind = 'message' | 'edit' | 'delete';

export interface SlackFileRef {
	id: string;
	name: string;
	mimetype: string;
	filetype: string;
	size: number;
	/** `url_private_download`; fetched only with the credential's token and only from Slack's file host. */
	downloadUrl: string;
	/** Slack Connect files arrive as stubs (`file_access: check_file_info`) to be resolved with files.info. */
	isSlackConnectStub: boolean;
}

export interface SlackHandle {
	/** Name used for routing (Switch on `handle.name`), e.g. "IT" or "HR". */
	name: string;
	userId: string;
	botId?: string;
	appId?: string;
	teamId: string;
}

export interface SlackDmItem {
	eventId: string;
	/** Stable across Slack retries and across n8n processes; the Zendesk side dedupes on it. */
	idempotencyKey: string;
	teamId: string;
	enterpriseId?: string;
	handle: SlackHandle;
	user: {
		id: string;
		teamId: string;
		/** True for Slack Connect users from another organisation. */
		isExternal: boolean;
	};
	channel: {
		id: string;
		type: SlackChannelType;
		/** All human participants (group DMs), without the handle. */
		participants?: string[];
		isExtShared: boolean;
	};
	message: {
		ts: string;
		/** Root ts of the thread when the message is a thread reply and threads are enabled. */
		threadTs?: string;
		/** Set when the conversation is a thread: `${channelId}:${threadTs}`. */
		threadKey?: string;
		text: string;
		blocks?: unknown[];
		files: SlackFileRef[];
		/** For edits: the text before the edit. */
		previousText?: string;
		/** For edits and deletions: when the change happened (Slack's event_ts; `ts` stays the message's). */
		eventTs?: string;
	};
	kind: MessageKind;
	receivedAt: string;
	/**
	 * The n8n process whose trigger announced the message (shared/state/processToken.ts): a writer
	 * in another process cannot wait on that announcement (docs/scaling.md).
	 */
	announcedIn?: string;
	/**
	 * Set by the Profile Linker when `announcedIn` is another process's: the idempotency keys of the
	 * people's messages of the last minute before this one (shared/slack/earlierMessages.ts).
	 */
	earlierMessages?: string[];
	/**
	 * Set by the Profile Linker with `earlierMessages`: the idempotency key of the people's last
	 * message before this one when it is older than the minute (shared/slack/earlierMessages.ts).
	 */
	previousMessage?: string;
	/**
	 * Slack's retry number, when the trigger had not emitted this event before: its first delivery
	 * may have reached another webhook process and be written by another worker (docs/scaling.md).
	 */
	slackRetry?: number;
	/**
	 * Set when the Slack DM Catch-up handed the message over again after a worker stopped (the
	 * failed execution's id, or ''): it may be in Zendesk already (shared/slack/catchUp.ts).
	 */
	caughtUpFor?: string;
	raw?: unknown;
}

export type LinkMethod = 'externalId' | 'email' | 'created';

export interface LinkedZendeskUser {
	id: number;
	name: string;
	email?: string;
	organizationId?: number | null;
	externalId: string;
	linkedBy: LinkMethod;
	/** A problem that did not stop the link, e.g. Zendesk refused the Slack email as an identity. */
	warning?: string;
}

/** What Profile Linker adds to the trigger's item. */
export interface ProfileLinkFields {
	zendeskUser: LinkedZendeskUser;
	/** Group DMs: the other human participants, linked the same way (the Upsert CCs them). */
	zendeskParticipants?: LinkedZendeskUser[];
}

export type RejectionReason =
	| 'typeNotAllowed'
	| 'contentMismatch'
	| 'tooLarge'
	| 'messageTooLarge'
	| 'empty'
	| 'downloadFailed'
	| 'fileSendingDisabled';

export interface RejectedFile {
	id: string;
	name: string;
	reason: RejectionReason;
	detail: string;
}

export type UpsertOutcome = 'created' | 'appended' | 'followUp' | 'reopened' | 'noted' | 'duplicate' | 'skipped';

/**
 * One file the Attachment Allowlist accepted. Its bytes are the item's binary property
 * `binaryKey` (`attachment_0`, `attachment_1`, … in this list's order); the Zendesk node
 * uploads each with `name` and `mimetype` (verified against the allowlist and the content).
 */
export interface AcceptedFile {
	/** Slack file id. */
	id: string;
	/** Sanitised file name: one readable path segment, safe to use as an upload file name. */
	name: string;
	mimetype: string;
	/** Bytes actually downloaded. */
	size: number;
	binaryKey: string;
}

/** What the Attachment Allowlist adds to a `SlackDmItem` (json), next to the binary data. */
export interface AttachmentCheckFields {
	acceptedFiles: AcceptedFile[];
	rejectedFiles: RejectedFile[];
	/** Whether the sender was told about refused files (absent when no notice was due). */
	attachmentNotice?: { sent: boolean; mode: 'dm' | 'ephemeral'; detail?: string };
}
