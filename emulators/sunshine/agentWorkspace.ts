/**
 * The agent workspace: the `zd:agentWorkspace` switchboard integration, joined to the Zendesk
 * emulator. When it gets control of a conversation it opens a messaging ticket (via
 * `native_messaging`); the user's later messages join that ticket while it is open; an agent's
 * public comment becomes a `business` message (source `zd:agentWorkspace`, subtype `agent`) and
 * fires `conversation:message`; internal notes stay in Zendesk; solving or closing the ticket
 * releases control with reason `ticketClosed`. Sources and assumptions: README.md beside this file.
 */
import type { ZendeskEmulator } from '../zendesk';
import type { User as ZendeskUser } from '../zendesk/model';
import type { UpdateResult } from '../zendesk/store';
import { storeAttachment } from './attachments';
import type { Messaging } from './messaging';
import type {
	Conversation,
	Metadata,
	MessagingUser,
	StoredMessage,
	SunshineStore,
	SwitchboardIntegration,
} from './store';

/** "By default … only the last 10 messages of the conversation" reach the ticket (support article 4419179022874). */
export const DEFAULT_TRANSCRIPT_MESSAGES = 10;

const SYSTEM = 'dataCapture.systemField.';
const TICKET_FIELD = 'dataCapture.ticketField.';

export interface AgentWorkspaceTicket {
	ticketId: number;
	conversationId: string;
}

export interface AgentWorkspaceOptions {
	/** The emulator's address, for the `mediaUrl` of agents' files. */
	baseUrl: () => string;
	/** Agents' files need the app's credentials ("private attachments" on). Default false. */
	privateAttachments?: boolean;
}

export class AgentWorkspace {
	/** Open messaging tickets by conversation (removed when control is released). */
	readonly openTickets = new Map<string, number>();

	/** Every messaging ticket ever opened, oldest first (the sandbox shows them as conversations). */
	readonly tickets: AgentWorkspaceTicket[] = [];

	/** Errors the join met (e.g. a reply refused with 423); tests assert this stays empty. */
	readonly problems: string[] = [];

	private readonly unsubscribe: () => void;

	constructor(
		private readonly store: SunshineStore,
		private readonly messaging: Messaging,
		private readonly zendesk: ZendeskEmulator,
		private readonly options: AgentWorkspaceOptions = { baseUrl: () => '' },
	) {
		messaging.controlListeners.push((conversation, active, metadata) => this.onControl(conversation, active, metadata));
		messaging.messageListeners.push((conversation, message) => this.onMessage(conversation, message));
		this.unsubscribe = zendesk.messaging.onTicketChange((result, actor) => this.onTicketChange(result, actor));
	}

	detach(): void {
		this.unsubscribe();
	}

	reset(): void {
		this.openTickets.clear();
		this.tickets.length = 0;
		this.problems.length = 0;
	}

	private isAgentWorkspace(si: SwitchboardIntegration | null | undefined): boolean {
		return si?.integrationType === 'zd:agentWorkspace';
	}

	private activeIsAgentWorkspace(conversation: Conversation): boolean {
		const id = conversation.activeSwitchboardIntegrationId;
		return this.isAgentWorkspace(id ? this.store.switchboardIntegrations.get(id) : undefined);
	}

	private onControl(
		conversation: Conversation,
		active: SwitchboardIntegration | null,
		metadata: Metadata | null,
	): void {
		if (!this.isAgentWorkspace(active) || this.openTickets.has(conversation.id)) return;
		this.guard(() => this.openTicket(conversation, { ...(conversation.metadata ?? {}), ...(metadata ?? {}) }));
	}

	private onMessage(conversation: Conversation, message: StoredMessage): void {
		if (message.author.type !== 'user' || !this.activeIsAgentWorkspace(conversation)) return;
		const ticketId = this.openTickets.get(conversation.id);
		// ASSUMPTION: the agent workspace in control with no open ticket (it is the switchboard's default)
		// opens one on the user's message, with the conversation's metadata as data capture.
		if (ticketId === undefined) {
			this.guard(() =>
				this.openTicket(conversation, { ...(conversation.metadata ?? {}), first_message_id: message.id }),
			);
			return;
		}
		this.guard(() =>
			this.zendesk.messaging.updateTicket(
				ticketId,
				{ comment: { body: textOf(message), public: true } },
				this.requesterOf(conversation),
			),
		);
	}

	/** The core user a messaging user is linked to; links (or creates) one on first use. */
	requesterOf(conversation: Conversation, metadata: Metadata = {}): number {
		const user = this.store.users.get(conversation.userId)!;
		const zd = this.zendesk.store;
		const linked = user.zendeskId ? zd.users.get(Number(user.zendeskId)) : undefined;
		if (linked?.active) return linked.id;
		// ASSUMPTION (README "Linking a messaging user"): by external id, then by email, else a new end user.
		const email = stringField(metadata, `${SYSTEM}requester.email`) ?? user.profile.email;
		const core =
			(user.externalId ? zd.userByExternalIdIgnoringCase(user.externalId) : undefined) ??
			(email ? zd.userByEmail(email) : undefined) ??
			zd.insertUser({
				name: stringField(metadata, `${SYSTEM}requester.name`) ?? this.messaging.displayNameOf(user),
				email: email ?? null,
				external_id: user.externalId ?? null,
			});
		user.zendeskId = String(core.id);
		return core.id;
	}

	private openTicket(conversation: Conversation, metadata: Metadata): void {
		const requesterId = this.requesterOf(conversation, metadata);
		const user = this.store.users.get(conversation.userId)!;
		const input: Record<string, unknown> = {
			subject: `Conversation with ${this.zendesk.store.users.get(requesterId)?.name ?? this.messaging.displayNameOf(user)}`,
			comment: { body: this.transcript(conversation, user, metadata), public: true },
			...this.ticketFieldsOf(metadata),
		};
		const ticket = this.zendesk.messaging.createTicket(input, requesterId);
		this.openTickets.set(conversation.id, Number(ticket.id));
		this.tickets.push({ ticketId: Number(ticket.id), conversationId: conversation.id });
	}

	/**
	 * Messages from `first_message_id` on (when it is in the conversation), else the last 10.
	 * ASSUMPTION (README): the ticket carries them as one transcript comment, `<name>: <text>` per line.
	 */
	private transcript(conversation: Conversation, user: MessagingUser, metadata: Metadata): string {
		const all = this.store.messagesOf(conversation.id);
		const first =
			typeof metadata.first_message_id === 'string' ? all.findIndex((m) => m.id === metadata.first_message_id) : -1;
		const shown = first >= 0 ? all.slice(first) : all.slice(-DEFAULT_TRANSCRIPT_MESSAGES);
		if (shown.length === 0) return `Conversation with ${this.messaging.displayNameOf(user)}`;
		return shown
			.map(
				(m) =>
					`${m.author.type === 'user' ? this.messaging.displayNameOf(user) : String(m.author.displayName ?? 'Business')}: ${textOf(m)}`,
			)
			.join('\n');
	}

	/**
	 * Data capture (Switchboard guide, "passing metadata to Zendesk"): `dataCapture.systemField.<field>`
	 * for tags, brand_id, group_id, priority, assignee_id; `dataCapture.ticketField.<id>` for custom
	 * fields. ASSUMPTION: values Zendesk could not use (unknown brand or group) are left out.
	 */
	private ticketFieldsOf(metadata: Metadata): Record<string, unknown> {
		const zd = this.zendesk.store;
		const out: Record<string, unknown> = {};
		const tags = metadata[`${SYSTEM}tags`];
		if (typeof tags === 'string') out.tags = tags;
		const brand = Number(metadata[`${SYSTEM}brand_id`]);
		if (zd.brands.has(brand)) out.brand_id = brand;
		const group = Number(metadata[`${SYSTEM}group_id`]);
		if (zd.groups.has(group)) out.group_id = group;
		const priority = metadata[`${SYSTEM}priority`];
		if (typeof priority === 'string' && ['urgent', 'high', 'normal', 'low'].includes(priority)) out.priority = priority;
		const assignee = zd.users.get(Number(metadata[`${SYSTEM}assignee_id`]));
		if (assignee && assignee.role !== 'end-user') out.assignee_id = assignee.id;
		const custom = Object.entries(metadata)
			.filter(([key]) => key.startsWith(TICKET_FIELD))
			.map(([key, value]) => ({ id: Number(key.slice(TICKET_FIELD.length)), value }));
		if (custom.length > 0) out.custom_fields = custom;
		return out;
	}

	private onTicketChange(result: UpdateResult, actor: ZendeskUser): void {
		const entry = this.tickets.find((t) => t.ticketId === result.ticket.id);
		if (!entry || this.openTickets.get(entry.conversationId) !== entry.ticketId) return;
		const conversation = this.store.conversations.get(entry.conversationId);
		if (!conversation) return;
		const comment = result.comment;
		if (comment && comment.public && actor.role !== 'end-user') {
			const agent = this.zendesk.store.users.get(comment.author_id) ?? actor;
			const contents = [
				...(comment.plain_body.trim() ? [{ type: 'text', text: comment.plain_body }] : []),
				...comment.attachment_ids.flatMap((id) => this.fileContentOf(conversation, id)),
			];
			for (const content of contents)
				this.guard(() =>
					this.messaging.postMessage(conversation, {
						author: { type: 'business', subtypes: ['agent'], displayName: agent.name },
						content,
						source: { type: 'zd:agentWorkspace', integrationId: this.store.fixtures.agentWorkspaceIntegrationId },
						metadata: null,
					}),
				);
		}
		const status = result.ticket.status;
		if (status === 'solved' || status === 'closed') {
			// ASSUMPTION (README): a messaging ticket ends the agent workspace's control when it is solved.
			this.openTickets.delete(conversation.id);
			this.messaging.releaseControl(conversation, null, 'ticketClosed');
		}
	}

	/**
	 * An agent's file as a `file` or `image` message (ASSUMPTION, README: one message per file, after the
	 * text), its bytes kept as a Sunshine attachment; `altText` holds the file name as the spec's default.
	 */
	private fileContentOf(conversation: Conversation, attachmentId: number): Array<Record<string, unknown>> {
		const file = this.zendesk.store.attachments.get(attachmentId);
		if (!file) return [];
		const mediaUrl = storeAttachment(this.store, this.options.baseUrl(), {
			fileName: file.file_name,
			mediaType: file.content_type,
			access: this.options.privateAttachments ? 'private' : 'public',
			content: file.content,
			conversationId: conversation.id,
		});
		return [
			{
				type: file.content_type.startsWith('image/') ? 'image' : 'file',
				mediaUrl,
				mediaType: file.content_type,
				mediaSize: file.content.length,
				altText: file.file_name.slice(0, 128),
			},
		];
	}

	private guard<T>(action: () => T): T | undefined {
		try {
			return action();
		} catch (error) {
			this.problems.push((error as Error).message);
			return undefined;
		}
	}
}

function stringField(metadata: Metadata, key: string): string | undefined {
	const value = metadata[key];
	return typeof value === 'string' && value ? value : undefined;
}

/** What a message shows as comment text. */
export function textOf(message: StoredMessage): string {
	const c = message.content;
	const text = [c.text, c.markdownText, c.htmlText].find((t) => typeof t === 'string' && t) as string | undefined;
	if (c.type === 'file' || c.type === 'image') return [text, c.mediaUrl].filter(Boolean).join('\n');
	return text ?? `[${String(c.type)}]`;
}
