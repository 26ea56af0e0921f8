/** Records the Zendesk emulator keeps, shaped after Zendesk's JSON formats (developer.zendesk.com). */

export type Role = 'end-user' | 'agent' | 'admin';
export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';

/** Zendesk via types (https://developer.zendesk.com/documentation/ticketing/reference-guides/via-types/). */
export const VIA_IDS = {
	web: 0,
	email: 4,
	api: 5,
	rule: 8,
	closed_ticket: 27,
	/**
	 * Messaging tickets (emulators/sunshine/agentWorkspace.ts): via type `native_messaging`. ASSUMPTION: its
	 * via id was not in the sources at hand (emulators/sunshine/README.md); NaN never equals a trigger's via_id.
	 */
	native_messaging: Number.NaN,
} as const;
export type ViaChannel = keyof typeof VIA_IDS;

export interface Via {
	channel: ViaChannel;
	source: { from: Record<string, unknown>; to: Record<string, unknown>; rel: string | null };
}

export interface UserIdentity {
	id: number;
	user_id: number;
	type: 'email' | 'phone_number' | 'external_id' | 'foreign';
	value: string;
	verified: boolean;
	primary: boolean;
	created_at: string;
	updated_at: string;
}

export interface User {
	id: number;
	name: string;
	email: string | null;
	external_id: string | null;
	role: Role;
	organization_id: number | null;
	verified: boolean;
	active: boolean;
	tags: string[];
	user_fields: Record<string, unknown>;
	default_group_id: number | null;
	locale: string;
	time_zone: string;
	created_at: string;
	updated_at: string;
}

export interface Organization {
	id: number;
	name: string;
	external_id: string | null;
	domain_names: string[];
	tags: string[];
	details: string | null;
	notes: string | null;
	group_id: number | null;
	shared_tickets: boolean;
	shared_comments: boolean;
	organization_fields: Record<string, unknown>;
	created_at: string;
	updated_at: string;
}

export interface Brand {
	id: number;
	name: string;
	subdomain: string;
	default: boolean;
	active: boolean;
	created_at: string;
	updated_at: string;
}

export interface Group {
	id: number;
	name: string;
	description: string;
	default: boolean;
	is_public: boolean;
	created_at: string;
	updated_at: string;
}

export interface TicketField {
	id: number;
	type: 'text' | 'tagger' | 'checkbox' | 'integer';
	title: string;
	active: boolean;
	custom_field_options?: Array<{ id: number; name: string; value: string }>;
}

export interface Attachment {
	id: number;
	file_name: string;
	content_type: string;
	size: number;
	/** The random part of content_url: /attachments/token/{token}/?name= */
	urlToken: string;
	content: Buffer;
	inline: boolean;
	created_at: string;
}

export interface Comment {
	id: number;
	type: 'Comment';
	author_id: number;
	body: string;
	html_body: string;
	plain_body: string;
	public: boolean;
	attachment_ids: number[];
	audit_id: number;
	via: Via;
	created_at: string;
}

export interface Audit {
	id: number;
	author_id: number;
	via: Via;
	created_at: string;
	/** `ticket.metadata` of the write (Zendesk stores it as audit.metadata.custom). */
	custom: Record<string, unknown>;
	comment_id: number | null;
	/** Field changes of the update, as Change events. */
	changes: Array<{ field_name: string; value: unknown; previous_value: unknown }>;
}

export interface Ticket {
	id: number;
	external_id: string | null;
	subject: string | null;
	description: string;
	status: TicketStatus;
	priority: 'urgent' | 'high' | 'normal' | 'low' | null;
	type: 'problem' | 'incident' | 'question' | 'task' | null;
	requester_id: number;
	submitter_id: number;
	assignee_id: number | null;
	organization_id: number | null;
	group_id: number | null;
	brand_id: number;
	tags: string[];
	custom_fields: Array<{ id: number; value: unknown }>;
	via: Via;
	followup_ids: number[];
	via_followup_source_id: number | null;
	/** CCs and followers (enabled, as on accounts since 2019): end users and agents copied on the ticket. */
	email_cc_ids: number[];
	/** Agents following the ticket. */
	follower_ids: number[];
	comments: Comment[];
	audits: Audit[];
	created_at: string;
	updated_at: string;
}

export interface Upload {
	token: string;
	attachment_ids: number[];
	expiresAt: number;
	consumed: boolean;
}

export interface Webhook {
	id: string;
	name: string;
	endpoint: string;
	http_method: string;
	request_format: string;
	status: 'active' | 'inactive';
	subscriptions: string[];
	authentication?: { type: string; add_position?: string; data?: Record<string, string> };
	custom_headers?: Record<string, string>;
	signingSecret: string;
	created_at: string;
	updated_at: string;
	created_by: string;
	updated_by: string;
}

export interface TriggerCondition {
	field: string;
	operator?: string;
	value?: unknown;
}

export interface TriggerAction {
	field: string;
	value?: unknown;
}

export interface Trigger {
	id: number;
	title: string;
	active: boolean;
	position: number;
	description: string | null;
	conditions: { all: TriggerCondition[]; any: TriggerCondition[] };
	actions: TriggerAction[];
	category_id: string | null;
	created_at: string;
	updated_at: string;
}
