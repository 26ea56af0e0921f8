/**
 * Builders of the items the Slack DM Trigger emits (nodes/shared/types.ts), for tests that feed
 * the downstream nodes directly.
 */
import type { SlackFixtureIds } from '../../emulators/slack';
import type { ZendeskEmulator } from '../../emulators/zendesk';
import { messageIdempotencyKey } from '../../nodes/shared/externalIds';
import type { MessageKind, SlackChannelType, SlackDmItem, SlackHandle } from '../../nodes/shared/types';

export interface DmItemFields {
	teamId: string;
	handle: SlackHandle;
	userId: string;
	/** The sender's workspace; defaults to teamId. */
	userTeamId?: string;
	/** Defaults to "the sender's workspace is another one". */
	isExternal?: boolean;
	channelId: string;
	channelType?: SlackChannelType;
	participants?: string[];
	isExtShared?: boolean;
	ts: string;
	text: string;
	kind?: MessageKind;
	threadTs?: string;
	previousText?: string;
	/** Defaults to `Ev${ts}`. */
	eventId?: string;
	/** Epoch milliseconds. */
	receivedAt: number;
}

/** A SlackDmItem with the idempotency key the trigger derives (edits and deletes carry an event ts of `${ts}9`). */
export function slackDmItem(fields: DmItemFields): SlackDmItem {
	const { teamId, channelId, ts } = fields;
	const kind = fields.kind ?? 'message';
	const userTeamId = fields.userTeamId ?? teamId;
	return {
		eventId: fields.eventId ?? `Ev${ts}`,
		idempotencyKey: messageIdempotencyKey({
			teamId,
			channelId,
			ts,
			kind,
			eventTs: kind === 'message' ? undefined : `${ts}9`,
		}),
		teamId,
		handle: fields.handle,
		user: { id: fields.userId, teamId: userTeamId, isExternal: fields.isExternal ?? userTeamId !== teamId },
		channel: {
			id: channelId,
			type: fields.channelType ?? 'im',
			isExtShared: fields.isExtShared ?? false,
			...(fields.participants ? { participants: fields.participants } : {}),
		},
		message: {
			ts,
			text: fields.text,
			files: [],
			...(fields.threadTs ? { threadTs: fields.threadTs, threadKey: `${channelId}:${fields.threadTs}` } : {}),
			...(fields.previousText !== undefined ? { previousText: fields.previousText } : {}),
		},
		kind,
		receivedAt: new Date(fields.receivedAt).toISOString(),
	};
}

/** The workspace and the "IT" handle (the emulator's bot) of the Slack emulator's fixtures. */
export function fixtureHandle(f: SlackFixtureIds): Pick<DmItemFields, 'teamId' | 'handle'> {
	return {
		teamId: f.teamId,
		handle: { name: 'IT', userId: f.botUserId, botId: f.botId, appId: f.appId, teamId: f.teamId },
	};
}

export const LINKED_TEAM = 'T0ACME';

export type LinkedDmItem = SlackDmItem & { zendeskUser: { id: number } };

/**
 * Items as they reach the Zendesk Messaging Upsert: DMs of the Zendesk emulator's end user Erin,
 * already linked by the Profile Linker, in workspace LINKED_TEAM. Channels and message ts are
 * unique within the file; ts follow the emulator's clock.
 */
export function linkedDmItems(zendesk: ZendeskEmulator, channelPrefix = 'D') {
	let channelSeq = 0;
	let tsSeq = 0;
	const nextTs = (): string => {
		tsSeq += 1;
		return `${Math.floor(zendesk.clock.now() / 1000)}.${String(tsSeq).padStart(6, '0')}`;
	};
	const newChannel = (prefix = channelPrefix): string => {
		channelSeq += 1;
		return `${prefix}${String(channelSeq).padStart(6, '0')}`;
	};
	const item = (
		channelId: string,
		text: string,
		extra: Partial<Pick<DmItemFields, 'ts' | 'kind' | 'threadTs' | 'previousText' | 'channelType'>> & {
			user?: SlackDmItem['user'];
		} = {},
	): LinkedDmItem => {
		const built = slackDmItem({
			teamId: LINKED_TEAM,
			handle: { name: 'IT', userId: 'UHANDLE', teamId: LINKED_TEAM },
			userId: 'UERIN',
			channelId,
			ts: extra.ts ?? nextTs(),
			text,
			kind: extra.kind,
			threadTs: extra.threadTs,
			previousText: extra.previousText,
			channelType: extra.channelType,
			receivedAt: zendesk.clock.now(),
		});
		return { ...built, ...(extra.user ? { user: extra.user } : {}), zendeskUser: { id: zendesk.fixtures.erin.id } };
	};
	return { nextTs, newChannel, item };
}
