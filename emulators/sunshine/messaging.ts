/**
 * The conversation side of the emulator: users, personal conversations, messages, switchboard
 * control, and the webhook events each of them fires. The HTTP routes and the agent workspace both
 * act through this class, so an agent reply fires the same `conversation:message` as an API post.
 */
import { badRequest, notFound, SunshineError } from './errors';
import type {
	Conversation,
	Metadata,
	MessagingUser,
	StoredMessage,
	SunshineStore,
	SwitchboardIntegration,
	Webhook,
} from './store';
import { contentOf, metadataOf, profileOf, stringOrNull } from './validate';
import { conversationTruncatedView, messageWebhookView, userView } from './views';
import type { SunshineWebhooks } from './webhooks';

/** "Conversations are limited to 30,000 messages" (spec introduction, "Conversation Size Limits"). */
export const MAX_MESSAGES_PER_CONVERSATION = 30_000;

export interface MessageInput {
	author: Record<string, unknown>;
	content: Record<string, unknown>;
	metadata?: Metadata | null;
	source: Record<string, unknown>;
}

export type MessageListener = (conversation: Conversation, message: StoredMessage) => void;
export type ControlListener = (
	conversation: Conversation,
	active: SwitchboardIntegration | null,
	metadata: Metadata | null,
) => void;

export class Messaging {
	readonly messageListeners: MessageListener[] = [];

	readonly controlListeners: ControlListener[] = [];

	constructor(
		private readonly store: SunshineStore,
		private readonly webhooks: SunshineWebhooks,
		readonly limits: { maxMessagesPerConversation: number },
	) {}

	createUser(body: Record<string, unknown>): MessagingUser {
		const externalId = stringOrNull(body.externalId, 'externalId');
		if (externalId && [...this.store.users.values()].some((u) => u.externalId === externalId)) {
			throw new SunshineError(409, 'conflict', 'User already exists'); // the spec's 409 example
		}
		const user: MessagingUser = {
			id: this.store.newId(),
			externalId,
			zendeskId: null,
			signedUpAt: typeof body.signedUpAt === 'string' ? body.signedUpAt : this.store.iso(),
			toBeRetained: body.toBeRetained === true,
			profile: profileOf(body.profile),
			metadata: metadataOf(body.metadata) ?? {},
		};
		this.store.users.set(user.id, user);
		return user;
	}

	getUser(ref: string): MessagingUser {
		const user = this.store.userByIdOrExternalId(ref);
		if (!user) throw notFound('user');
		return user;
	}

	/** Personal conversations only: exactly one participant, referenced by userId or userExternalId. */
	createConversation(body: Record<string, unknown>): Conversation {
		if (body.type !== 'personal')
			throw badRequest(
				body.type === 'sdkGroup' ? 'sdkGroup conversations are not emulated' : 'type must be personal or sdkGroup',
			);
		const participants = Array.isArray(body.participants) ? body.participants : [];
		if (participants.length !== 1) throw badRequest('A personal conversation must have exactly one participant');
		const participant = (participants[0] ?? {}) as Record<string, unknown>;
		const ref =
			typeof participant.userId === 'string'
				? participant.userId
				: typeof participant.userExternalId === 'string'
					? participant.userExternalId
					: undefined;
		const user =
			ref === undefined
				? undefined
				: typeof participant.userId === 'string'
					? this.store.users.get(ref)
					: this.store.userByIdOrExternalId(ref);
		if (!user) throw notFound('user');
		const now = this.store.iso();
		const conversation: Conversation = {
			id: this.store.newId(),
			type: 'personal',
			userId: user.id,
			displayName: stringOrNull(body.displayName, 'displayName', 100),
			metadata: metadataOf(body.metadata),
			activeSwitchboardIntegrationId: this.defaultController(),
			createdAt: now,
			lastUpdatedAt: now,
		};
		this.store.conversations.set(conversation.id, conversation);
		return conversation;
	}

	getConversation(id: string): Conversation {
		const conversation = this.store.conversations.get(id);
		if (!conversation) throw notFound('conversation');
		return conversation;
	}

	private defaultController(): string | null {
		return this.store.switchboard.enabled ? this.store.switchboard.defaultSwitchboardIntegrationId : null;
	}

	/** Validates and stores a message, fires `conversation:message`, then tells the listeners (the agent workspace). */
	postMessage(conversation: Conversation, input: MessageInput): StoredMessage {
		const list = this.store.messagesOf(conversation.id);
		if (list.length >= this.limits.maxMessagesPerConversation) {
			throw new SunshineError(
				423,
				'locked',
				`Message limit of ${this.limits.maxMessagesPerConversation} per conversation reached.`,
			);
		}
		const message: StoredMessage = {
			id: this.store.newId(),
			conversationId: conversation.id,
			received: this.store.iso(),
			author: input.author,
			content: input.content,
			source: input.source,
			metadata: input.metadata ?? null,
		};
		list.push(message);
		conversation.lastUpdatedAt = message.received;
		// ASSUMPTION: after releaseControl (no active integration) the switchboard's default integration takes
		// the conversation again with the user's next message (Switchboard guide, "Release control").
		if (input.author.type === 'user' && !conversation.activeSwitchboardIntegrationId)
			conversation.activeSwitchboardIntegrationId = this.defaultController();
		const user = this.store.users.get(conversation.userId);
		this.webhooks.emit(
			'conversation:message',
			(webhook) => ({
				conversation: conversationTruncatedView(conversation, this.store),
				message: messageWebhookView(message, user, webhook),
			}),
			(webhook) => this.inControlOrListening(conversation, webhook),
		);
		for (const listener of this.messageListeners) listener(conversation, message);
		return message;
	}

	/** The API's author rules: `user` messages name the conversation's participant; `business` may carry a display name. */
	authorOf(conversation: Conversation, value: unknown): Record<string, unknown> {
		if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('author is required');
		const author = value as Record<string, unknown>;
		if (author.type === 'user') {
			const ref =
				typeof author.userId === 'string'
					? author.userId
					: typeof author.userExternalId === 'string'
						? author.userExternalId
						: undefined;
			const user = ref === undefined ? undefined : this.store.userByIdOrExternalId(ref);
			if (!user || user.id !== conversation.userId)
				throw badRequest('author must be a participant of the conversation');
			return { type: 'user', userId: user.id, displayName: this.displayNameOf(user) };
		}
		if (author.type !== 'business') throw badRequest('author.type must be business or user');
		const out: Record<string, unknown> = { type: 'business' };
		if (Array.isArray(author.subtypes)) out.subtypes = author.subtypes.filter((s) => s === 'AI' || s === 'activity');
		if (typeof author.displayName === 'string') out.displayName = author.displayName;
		if (typeof author.avatarUrl === 'string') out.avatarUrl = author.avatarUrl;
		return out;
	}

	displayNameOf(user: MessagingUser): string {
		const name = [user.profile.givenName, user.profile.surname].filter(Boolean).join(' ');
		return name || `User ${user.id.slice(-6)}`;
	}

	messageInputOf(conversation: Conversation, body: Record<string, unknown>): MessageInput {
		return {
			author: this.authorOf(conversation, body.author),
			content: contentOf(body.content),
			metadata: metadataOf(body.metadata),
			source: { type: 'api:conversations' },
		};
	}

	/**
	 * Switchboard standby: an integration whose switchboard integration is not in control gets
	 * conversation events only with deliverStandbyEvents (components.schemas.deliverStandbyEvents).
	 */
	private inControlOrListening(conversation: Conversation, webhook: Webhook): boolean {
		if (!this.store.switchboard.enabled) return true;
		const si = this.store.switchboardIntegrationOf(webhook.integrationId);
		if (!si) return true;
		return si.id === conversation.activeSwitchboardIntegrationId || si.deliverStandbyEvents;
	}

	passControl(conversation: Conversation, ref: unknown, metadata: Metadata | null): SwitchboardIntegration {
		if (typeof ref !== 'string' || ref === '') throw badRequest('switchboardIntegration is required');
		let targets: SwitchboardIntegration[];
		if (ref === 'next') {
			const current = conversation.activeSwitchboardIntegrationId
				? this.store.switchboardIntegrations.get(conversation.activeSwitchboardIntegrationId)
				: undefined;
			const nextId = current?.nextSwitchboardIntegrationId;
			targets =
				nextId && this.store.switchboardIntegrations.has(nextId)
					? [this.store.switchboardIntegrations.get(nextId)!]
					: [];
		} else {
			targets = this.store.resolveSwitchboardIntegration(ref);
		}
		if (targets.length > 1) throw badRequest(`switchboardIntegration "${ref}" is ambiguous`);
		if (targets.length === 0) throw notFound('switchboardIntegration');
		const target = targets[0];
		conversation.activeSwitchboardIntegrationId = target.id;
		this.webhooks.emit('switchboard:passControl', () => ({
			conversation: conversationTruncatedView(conversation, this.store),
			...(metadata ? { metadata } : {}),
		}));
		for (const listener of this.controlListeners) listener(conversation, target, metadata);
		return target;
	}

	/** Nullifies the switchboard state (releaseControl's description) and fires `switchboard:releaseControl`. */
	releaseControl(conversation: Conversation, metadata: Metadata | null, reason?: 'ticketClosed'): void {
		conversation.activeSwitchboardIntegrationId = null;
		this.webhooks.emit('switchboard:releaseControl', () => ({
			conversation: conversationTruncatedView(conversation, this.store),
			...(metadata ? { metadata } : {}),
			...(reason ? { reason } : {}),
		}));
		for (const listener of this.controlListeners) listener(conversation, null, metadata);
	}

	/** `conversation:message:delivery:failure` for a business message a channel could not deliver. */
	reportDeliveryFailure(
		conversation: Conversation,
		messageId: string,
		error: { code: string; message: string },
		destination: { type: string; integrationId?: string },
	): void {
		const user = this.store.users.get(conversation.userId);
		this.webhooks.emit('conversation:message:delivery:failure', () => ({
			...(user ? { user: userView(user) } : {}),
			conversation: conversationTruncatedView(conversation, this.store),
			message: { id: messageId },
			destination,
			error,
			isFinalEvent: true,
		}));
	}
}
