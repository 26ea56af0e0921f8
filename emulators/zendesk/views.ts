/** JSON views of the emulator's records, in Zendesk's response formats. */
import type {
	Attachment,
	Brand,
	Comment,
	Group,
	Organization,
	Ticket,
	TicketField,
	Trigger,
	User,
	UserIdentity,
	Webhook,
} from './model';
import { VIA_IDS } from './model';
import type { ZendeskStore } from './store';

function previousIsNull(value: unknown): boolean {
	return value === null || value === undefined;
}

export class Views {
	constructor(
		private readonly store: ZendeskStore,
		private readonly baseUrl: () => string,
	) {}

	private api(path: string): string {
		return `${this.baseUrl()}/api/v2${path}`;
	}

	user(u: User): Record<string, unknown> {
		return {
			id: u.id,
			url: this.api(`/users/${u.id}.json`),
			name: u.name,
			email: u.email,
			created_at: u.created_at,
			updated_at: u.updated_at,
			time_zone: 'Berlin',
			iana_time_zone: u.time_zone,
			phone: null,
			shared_phone_number: null,
			photo: null,
			locale_id: 1,
			locale: u.locale,
			organization_id: u.organization_id,
			role: u.role,
			verified: u.verified,
			external_id: u.external_id,
			tags: u.tags,
			alias: '',
			active: u.active,
			shared: false,
			shared_agent: false,
			last_login_at: null,
			two_factor_auth_enabled: null,
			signature: '',
			details: '',
			notes: '',
			role_type: u.role === 'end-user' ? null : 0,
			custom_role_id: null,
			moderator: u.role !== 'end-user',
			ticket_restriction: u.role === 'end-user' ? 'requested' : null,
			only_private_comments: false,
			restricted_agent: false,
			suspended: false,
			default_group_id: u.default_group_id,
			report_csv: false,
			user_fields: u.user_fields,
		};
	}

	identity(i: UserIdentity): Record<string, unknown> {
		return {
			url: this.api(`/users/${i.user_id}/identities/${i.id}.json`),
			id: i.id,
			user_id: i.user_id,
			type: i.type,
			value: i.value,
			verified: i.verified,
			primary: i.primary,
			created_at: i.created_at,
			updated_at: i.updated_at,
			undeliverable_count: 0,
			deliverable_state: 'deliverable',
		};
	}

	organization(o: Organization): Record<string, unknown> {
		return {
			url: this.api(`/organizations/${o.id}.json`),
			id: o.id,
			name: o.name,
			shared_tickets: o.shared_tickets,
			shared_comments: o.shared_comments,
			external_id: o.external_id,
			created_at: o.created_at,
			updated_at: o.updated_at,
			domain_names: o.domain_names,
			details: o.details,
			notes: o.notes,
			group_id: o.group_id,
			tags: o.tags,
			organization_fields: o.organization_fields,
		};
	}

	brand(b: Brand): Record<string, unknown> {
		return {
			url: this.api(`/brands/${b.id}.json`),
			id: b.id,
			name: b.name,
			brand_url: `https://${b.subdomain}.zendesk.com`,
			subdomain: b.subdomain,
			host_mapping: null,
			has_help_center: false,
			help_center_state: 'disabled',
			active: b.active,
			default: b.default,
			is_deleted: false,
			logo: null,
			ticket_form_ids: [],
			signature_template: '{{agent.signature}}',
			created_at: b.created_at,
			updated_at: b.updated_at,
		};
	}

	group(g: Group): Record<string, unknown> {
		return {
			url: this.api(`/groups/${g.id}.json`),
			id: g.id,
			is_public: g.is_public,
			name: g.name,
			description: g.description,
			default: g.default,
			deleted: false,
			created_at: g.created_at,
			updated_at: g.updated_at,
		};
	}

	ticketField(f: TicketField): Record<string, unknown> {
		return {
			url: this.api(`/ticket_fields/${f.id}.json`),
			id: f.id,
			type: f.type,
			title: f.title,
			raw_title: f.title,
			description: '',
			raw_description: '',
			position: 0,
			active: f.active,
			required: false,
			collapsed_for_agents: false,
			regexp_for_validation: null,
			title_in_portal: f.title,
			raw_title_in_portal: f.title,
			visible_in_portal: false,
			editable_in_portal: false,
			required_in_portal: false,
			tag: null,
			removable: true,
			...(f.custom_field_options
				? { custom_field_options: f.custom_field_options.map((o) => ({ ...o, raw_name: o.name, default: false })) }
				: {}),
		};
	}

	attachment(a: Attachment): Record<string, unknown> {
		const contentUrl = `${this.baseUrl()}/attachments/token/${a.urlToken}/?name=${encodeURIComponent(a.file_name)}`;
		return {
			url: this.api(`/attachments/${a.id}.json`),
			id: a.id,
			file_name: a.file_name,
			content_url: contentUrl,
			mapped_content_url: contentUrl,
			content_type: a.content_type,
			size: a.size,
			width: null,
			height: null,
			inline: a.inline,
			deleted: false,
			malware_access_override: false,
			malware_scan_result: 'malware_not_found',
			thumbnails: [],
		};
	}

	comment(c: Comment): Record<string, unknown> {
		return {
			id: c.id,
			type: c.type,
			author_id: c.author_id,
			body: c.body,
			html_body: c.html_body,
			plain_body: c.plain_body,
			public: c.public,
			attachments: c.attachment_ids.map((id) => this.attachment(this.store.attachments.get(id)!)),
			audit_id: c.audit_id,
			via: c.via,
			created_at: c.created_at,
			metadata: {
				system: { client: 'emulator', ip_address: '127.0.0.1', location: 'Localhost', latitude: 0, longitude: 0 },
				custom: {},
			},
		};
	}

	ticket(t: Ticket): Record<string, unknown> {
		return {
			url: this.api(`/tickets/${t.id}.json`),
			id: t.id,
			external_id: t.external_id,
			via: t.via,
			created_at: t.created_at,
			updated_at: t.updated_at,
			generated_timestamp: Math.floor(Date.parse(t.updated_at) / 1000),
			type: t.type,
			subject: t.subject,
			raw_subject: t.subject,
			description: t.description,
			priority: t.priority,
			status: t.status,
			recipient: null,
			requester_id: t.requester_id,
			submitter_id: t.submitter_id,
			assignee_id: t.assignee_id,
			organization_id: t.organization_id,
			group_id: t.group_id,
			collaborator_ids: [...new Set([...(t.email_cc_ids ?? []), ...(t.follower_ids ?? [])])],
			follower_ids: [...(t.follower_ids ?? [])],
			email_cc_ids: [...(t.email_cc_ids ?? [])],
			forum_topic_id: null,
			problem_id: null,
			has_incidents: false,
			is_public: t.comments.some((c) => c.public),
			due_at: null,
			tags: t.tags,
			custom_fields: t.custom_fields,
			satisfaction_rating: null,
			sharing_agreement_ids: [],
			custom_status_id: { new: 1, open: 2, pending: 3, hold: 4, solved: 5, closed: 5 }[t.status],
			fields: t.custom_fields,
			followup_ids: t.followup_ids,
			ticket_form_id: null,
			brand_id: t.brand_id,
			allow_channelback: false,
			allow_attachments: true,
			from_messaging_channel: false,
		};
	}

	audit(t: Ticket, auditId: number): Record<string, unknown> {
		const audit = t.audits.find((a) => a.id === auditId);
		if (!audit) return { id: auditId, ticket_id: t.id, created_at: t.updated_at, events: [] };
		const comment = audit.comment_id ? t.comments.find((c) => c.id === audit.comment_id) : undefined;
		const events: Array<Record<string, unknown>> = [];
		// Zendesk's Comment audit event carries the comment's own id.
		if (comment)
			events.push({
				id: comment.id,
				type: 'Comment',
				author_id: comment.author_id,
				body: comment.body,
				html_body: comment.html_body,
				plain_body: comment.plain_body,
				public: comment.public,
				attachments: comment.attachment_ids.map((id) => this.attachment(this.store.attachments.get(id)!)),
				audit_id: audit.id,
			});
		audit.changes.forEach((change, i) =>
			events.push({
				id: audit.id * 100 + i + 1,
				type: previousIsNull(change.previous_value) ? 'Create' : 'Change',
				field_name: change.field_name,
				value: change.value,
				...(previousIsNull(change.previous_value) ? {} : { previous_value: change.previous_value }),
			}),
		);
		return {
			id: audit.id,
			ticket_id: t.id,
			created_at: audit.created_at,
			author_id: audit.author_id,
			via: audit.via,
			metadata: {
				system: { client: 'emulator', ip_address: '127.0.0.1', location: 'Localhost' },
				custom: audit.custom,
			},
			events,
		};
	}

	trigger(t: Trigger): Record<string, unknown> {
		return {
			url: this.api(`/triggers/${t.id}.json`),
			id: t.id,
			title: t.title,
			raw_title: t.title,
			active: t.active,
			position: t.position,
			default: false,
			description: t.description,
			conditions: t.conditions,
			actions: t.actions,
			category_id: t.category_id,
			created_at: t.created_at,
			updated_at: t.updated_at,
		};
	}

	webhook(w: Webhook): Record<string, unknown> {
		return {
			id: w.id,
			name: w.name,
			status: w.status,
			subscriptions: w.subscriptions,
			created_at: w.created_at,
			created_by: w.created_by,
			endpoint: w.endpoint,
			http_method: w.http_method,
			request_format: w.request_format,
			updated_at: w.updated_at,
			updated_by: w.updated_by,
			...(w.authentication
				? { authentication: { type: w.authentication.type, add_position: w.authentication.add_position ?? 'header' } }
				: {}),
			...(w.custom_headers ? { custom_headers: w.custom_headers } : {}),
		};
	}

	viaId(t: Ticket): number {
		return VIA_IDS[t.via.channel];
	}
}
