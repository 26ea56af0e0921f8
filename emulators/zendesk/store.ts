/**
 * The Zendesk emulator's account: fixtures, records, and the operations shared by the REST API
 * and the agent actions (ticket create/update, comments, uploads, search index).
 */
import { createHash, randomBytes } from 'node:crypto';

import type { EmulatorClock } from './clock';
import { badRequest, notFound, recordInvalid, ZendeskError } from './errors';
import type {
	Attachment,
	Brand,
	Comment,
	Group,
	Organization,
	Role,
	Ticket,
	TicketField,
	TicketStatus,
	Trigger,
	Upload,
	User,
	UserIdentity,
	Via,
	ViaChannel,
	Webhook,
} from './model';
import { VIA_IDS } from './model';
import type { TicketSnapshot } from './triggers';

/** See buildComment: the comment body limit (ASSUMPTION, with its source). */
export const MAX_COMMENT_BODY_BYTES = 65_536;

export const MAX_COMMENTS_PER_TICKET = 5000;
/** Zendesk: "A ticket can have up to 48 email CCs." */
export const MAX_EMAIL_CCS = 48;

export interface ZendeskFixtures {
	subdomain: string;
	/** The bridge's own API user (admin): Basic `bridge@acme.test/token:zd-emulator-token` or Bearer `zd-emulator-oauth`. */
	bridge: { id: number; name: string; email: string; apiToken: string; oauthToken: string };
	/** A second agent, for agent replies. */
	anna: { id: number; name: string; email: string };
	/** An existing end user, to prove linking by email. */
	erin: { id: number; name: string; email: string };
	organization: { id: number; name: string };
	brands: { it: { id: number; name: string }; hr: { id: number; name: string } };
	groups: { itSupport: { id: number; name: string }; hr: { id: number; name: string } };
	ticketFields: { slackChannelId: number; slackTeamId: number; requestType: number };
}

export function buildFixtures(subdomain: string): ZendeskFixtures {
	return {
		subdomain,
		bridge: {
			id: 1001,
			name: 'Slack DM Bridge',
			email: 'bridge@acme.test',
			apiToken: 'zd-emulator-token',
			oauthToken: 'zd-emulator-oauth',
		},
		anna: { id: 1002, name: 'Anna Agent', email: 'anna@acme.test' },
		erin: { id: 1003, name: 'Erin Example', email: 'erin@acme.test' },
		organization: { id: 5001, name: 'Acme' },
		brands: { it: { id: 360001, name: 'IT' }, hr: { id: 360002, name: 'HR' } },
		groups: { itSupport: { id: 360101, name: 'IT Support' }, hr: { id: 360102, name: 'HR' } },
		ticketFields: { slackChannelId: 360201, slackTeamId: 360202, requestType: 360203 },
	};
}

export interface AuthUser {
	user: User;
	/** 'token' (email/token Basic) or 'oauth' (Bearer). */
	method: 'token' | 'oauth';
}

interface IndexEntry {
	visibleAt: number;
	snapshot: Record<string, unknown>;
}

export interface CommentInput {
	body?: string;
	html_body?: string;
	public?: boolean;
	author_id?: number;
	uploads?: string[];
}

export interface UpdateResult {
	ticket: Ticket;
	previous: TicketSnapshot | null;
	comment: Comment | null;
	auditId: number;
}

function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Zendesk stores plain comments as HTML paragraphs and derives plain_body from html_body. */
export function htmlFromPlain(body: string): string {
	const paragraphs = body.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
	return `<div class="zd-comment" dir="auto">${paragraphs.join('')}</div>`;
}

export function plainFromHtml(html: string): string {
	return html
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<\/(p|div|li|h\d)>/gi, '\n')
		.replace(/<[^>]+>/g, '')
		.replace(/&nbsp;/g, ' ')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&amp;/g, '&')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/** Zendesk tags: lower case, spaces become underscores. */
export function normalizeTags(tags: unknown): string[] {
	const list = Array.isArray(tags) ? tags : typeof tags === 'string' ? tags.split(/[\s,]+/) : [];
	const out: string[] = [];
	for (const tag of list) {
		const t = String(tag).trim().toLowerCase().replace(/\s+/g, '_');
		if (t && !out.includes(t)) out.push(t);
	}
	return out;
}

/** `ticket.metadata` (write-only) becomes the audit's metadata.custom. */
function customMetadata(value: unknown): Record<string, unknown> {
	return value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

export function viaOf(channel: ViaChannel, source: Partial<Via['source']> = {}): Via {
	return { channel, source: { from: source.from ?? {}, to: source.to ?? {}, rel: source.rel ?? null } };
}

/** The first id of each kind, as the fixtures and tests expect them. */
function firstIds() {
	return {
		user: 2000,
		identity: 9000,
		org: 6000,
		ticket: 0,
		comment: 100000,
		audit: 300000,
		attachment: 200000,
		trigger: 400,
		webhook: 0,
	};
}

export class ZendeskStore {
	users = new Map<number, User>();
	identities = new Map<number, UserIdentity>();
	organizations = new Map<number, Organization>();
	brands = new Map<number, Brand>();
	groups = new Map<number, Group>();
	ticketFields = new Map<number, TicketField>();
	tickets = new Map<number, Ticket>();
	attachments = new Map<number, Attachment>();
	uploads = new Map<string, Upload>();
	webhooks = new Map<string, Webhook>();
	triggers = new Map<number, Trigger>();
	/** Search index history per record key (`ticket:1`): what search sees at a given time. */
	index = new Map<string, IndexEntry[]>();
	idempotency = new Map<
		string,
		{ bodyHash: string; expiresAt: number; status: number; body: unknown; headers: Record<string, string> }
	>();

	private seq = firstIds();

	constructor(
		readonly clock: EmulatorClock,
		readonly fixtures: ZendeskFixtures,
		readonly options: { searchDelayMs: number; uploadTokenTtlMs: number; baseUrl: () => string },
	) {}

	/** Builds what search stores for a record (set by the emulator; views live outside the store). */
	describe: (kind: 'ticket' | 'user' | 'organization', id: number) => Record<string, unknown> | null = () => null;

	reset(): void {
		for (const map of [
			this.users,
			this.identities,
			this.organizations,
			this.brands,
			this.groups,
			this.ticketFields,
			this.tickets,
			this.attachments,
			this.uploads,
			this.webhooks,
			this.triggers,
			this.index,
			this.idempotency,
		]) {
			map.clear();
		}
		this.seq = firstIds();
		this.seed();
	}

	private seed(): void {
		const f = this.fixtures;
		const now = this.clock.iso();
		this.brands.set(f.brands.it.id, {
			id: f.brands.it.id,
			name: f.brands.it.name,
			subdomain: f.subdomain,
			default: true,
			active: true,
			created_at: now,
			updated_at: now,
		});
		this.brands.set(f.brands.hr.id, {
			id: f.brands.hr.id,
			name: f.brands.hr.name,
			subdomain: `${f.subdomain}-hr`,
			default: false,
			active: true,
			created_at: now,
			updated_at: now,
		});
		this.groups.set(f.groups.itSupport.id, {
			id: f.groups.itSupport.id,
			name: f.groups.itSupport.name,
			description: 'First-line IT support',
			default: true,
			is_public: true,
			created_at: now,
			updated_at: now,
		});
		this.groups.set(f.groups.hr.id, {
			id: f.groups.hr.id,
			name: f.groups.hr.name,
			description: 'People team',
			default: false,
			is_public: true,
			created_at: now,
			updated_at: now,
		});
		this.ticketFields.set(f.ticketFields.slackChannelId, {
			id: f.ticketFields.slackChannelId,
			type: 'text',
			title: 'Slack conversation',
			active: true,
		});
		this.ticketFields.set(f.ticketFields.slackTeamId, {
			id: f.ticketFields.slackTeamId,
			type: 'text',
			title: 'Slack workspace',
			active: true,
		});
		this.ticketFields.set(f.ticketFields.requestType, {
			id: f.ticketFields.requestType,
			type: 'tagger',
			title: 'Request type',
			active: true,
			custom_field_options: [
				{ id: 1, name: 'Hardware', value: 'request_hardware' },
				{ id: 2, name: 'Access', value: 'request_access' },
			],
		});
		this.organizations.set(f.organization.id, {
			id: f.organization.id,
			name: f.organization.name,
			external_id: null,
			domain_names: ['acme.test'],
			tags: [],
			details: null,
			notes: null,
			group_id: null,
			shared_tickets: false,
			shared_comments: false,
			organization_fields: {},
			created_at: now,
			updated_at: now,
		});
		this.reindex('organization', f.organization.id, true);
		this.insertUser(
			{
				id: f.bridge.id,
				name: f.bridge.name,
				email: f.bridge.email,
				role: 'admin',
				organization_id: f.organization.id,
			},
			true,
		);
		this.insertUser(
			{
				id: f.anna.id,
				name: f.anna.name,
				email: f.anna.email,
				role: 'agent',
				organization_id: f.organization.id,
				default_group_id: f.groups.itSupport.id,
			},
			true,
		);
		this.insertUser(
			{ id: f.erin.id, name: f.erin.name, email: f.erin.email, role: 'end-user', organization_id: f.organization.id },
			true,
		);
	}

	// ---------- search index (eventually consistent) ----------

	/** Records a new version for search; visible after searchDelayMs (at once for seeded data). */
	reindex(kind: 'ticket' | 'user' | 'organization', id: number, immediate = false): void {
		const key = `${kind}:${id}`;
		const snapshot = this.describe(kind, id) ?? { id, __deleted: true };
		const list = this.index.get(key) ?? [];
		list.push({ visibleAt: immediate ? 0 : this.clock.now() + this.options.searchDelayMs, snapshot });
		this.index.set(key, list);
	}

	/** What search returns now: the newest indexed version of each record that is visible. */
	searchable(kind: 'ticket' | 'user' | 'organization'): Array<Record<string, unknown>> {
		const now = this.clock.now();
		const out: Array<Record<string, unknown>> = [];
		for (const [key, versions] of this.index) {
			if (!key.startsWith(`${kind}:`)) continue;
			const visible = versions.filter((v) => v.visibleAt <= now);
			if (visible.length > 0 && visible[visible.length - 1].snapshot.__deleted !== true)
				out.push(visible[visible.length - 1].snapshot);
		}
		return out;
	}

	// ---------- users ----------

	userByEmail(email: string): User | undefined {
		const wanted = email.trim().toLowerCase();
		for (const identity of this.identities.values()) {
			if (identity.type === 'email' && identity.value.toLowerCase() === wanted) {
				const user = this.users.get(identity.user_id);
				if (user?.active) return user;
			}
		}
		return undefined;
	}

	userByExternalId(externalId: string): User | undefined {
		for (const user of this.users.values()) if (user.active && user.external_id === externalId) return user;
		return undefined;
	}

	/** users/create_or_update: "the search for the user record is not case sensitive" (Zendesk's docs). */
	userByExternalIdIgnoringCase(externalId: string): User | undefined {
		const wanted = externalId.toLowerCase();
		return (
			this.userByExternalId(externalId) ??
			[...this.users.values()].find((user) => user.active && user.external_id?.toLowerCase() === wanted)
		);
	}

	getUser(id: number): User {
		const user = this.users.get(id);
		if (!user || !user.active) throw notFound();
		return user;
	}

	identitiesOf(userId: number): UserIdentity[] {
		return [...this.identities.values()].filter((i) => i.user_id === userId).sort((a, b) => a.id - b.id);
	}

	addIdentity(userId: number, type: UserIdentity['type'], value: string, verified: boolean): UserIdentity {
		if (type === 'email') {
			const owner = this.userByEmail(value);
			if (owner)
				throw recordInvalid('value', `Value: ${value} is already being used by another user`, 'DuplicateValue');
		}
		const now = this.clock.iso();
		const primary = !this.identitiesOf(userId).some((i) => i.type === type && i.primary);
		const identity: UserIdentity = {
			id: ++this.seq.identity,
			user_id: userId,
			type,
			value,
			verified,
			primary,
			created_at: now,
			updated_at: now,
		};
		this.identities.set(identity.id, identity);
		const user = this.users.get(userId);
		if (user && type === 'email' && primary) user.email = value;
		return identity;
	}

	/** Creates a user; `seed` skips validation for fixtures. */
	insertUser(
		input: Partial<User> & {
			name: string;
			email?: string | null;
			skip_verify_email?: boolean;
			verified?: boolean;
			identities?: Array<{ type: string; value: string }>;
		},
		seed = false,
	): User {
		const email = typeof input.email === 'string' && input.email.trim() ? input.email.trim() : null;
		if (!seed) {
			if (!input.name || typeof input.name !== 'string')
				throw recordInvalid('name', 'Name: cannot be blank', 'BlankValue');
			if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
				throw recordInvalid('email', `Email: ${email} is not properly formatted`, 'InvalidFormat');
			if (email && this.userByEmail(email))
				throw recordInvalid('email', `Email: ${email} is already being used by another user`, 'DuplicateValue');
			if (input.external_id && this.userByExternalId(String(input.external_id))) {
				throw recordInvalid('external_id', 'External: has already been taken', 'DuplicateValue');
			}
			if (input.organization_id && !this.organizations.has(Number(input.organization_id))) {
				throw recordInvalid('organization_id', 'Organization: is invalid', 'InvalidValue');
			}
		}
		const now = this.clock.iso();
		const id = input.id ?? ++this.seq.user;
		const role: Role = input.role === 'agent' || input.role === 'admin' ? input.role : 'end-user';
		const user: User = {
			id,
			name: input.name,
			email: null,
			external_id: input.external_id ? String(input.external_id) : null,
			role,
			organization_id: input.organization_id ? Number(input.organization_id) : null,
			verified: seed || input.verified === true || input.skip_verify_email === true,
			active: true,
			tags: normalizeTags(input.tags),
			user_fields: (input.user_fields as Record<string, unknown>) ?? {},
			default_group_id: input.default_group_id ?? null,
			locale: 'en-US',
			time_zone: 'Europe/Berlin',
			created_at: now,
			updated_at: now,
		};
		this.users.set(id, user);
		if (email) this.addIdentity(id, 'email', email, user.verified);
		for (const extra of input.identities ?? []) {
			if (extra.type === 'email' && extra.value.toLowerCase() === email?.toLowerCase()) continue;
			this.addIdentity(id, (extra.type as UserIdentity['type']) ?? 'email', String(extra.value), user.verified);
		}
		this.reindex('user', id, seed);
		return user;
	}

	updateUser(user: User, input: Record<string, unknown>): User {
		if (typeof input.name === 'string' && input.name) user.name = input.name;
		if (input.external_id !== undefined) {
			const ext = input.external_id === null ? null : String(input.external_id);
			if (ext && ext !== user.external_id && this.userByExternalId(ext))
				throw recordInvalid('external_id', 'External: has already been taken', 'DuplicateValue');
			user.external_id = ext;
		}
		if (
			typeof input.email === 'string' &&
			input.email &&
			!this.identitiesOf(user.id).some(
				(i) => i.type === 'email' && i.value.toLowerCase() === String(input.email).toLowerCase(),
			)
		) {
			this.addIdentity(
				user.id,
				'email',
				String(input.email),
				input.skip_verify_email === true || input.verified === true,
			);
		}
		if (input.organization_id !== undefined)
			user.organization_id = input.organization_id === null ? null : Number(input.organization_id);
		if (input.tags !== undefined) user.tags = normalizeTags(input.tags);
		if (input.user_fields && typeof input.user_fields === 'object')
			user.user_fields = { ...user.user_fields, ...(input.user_fields as Record<string, unknown>) };
		if (input.verified === true || input.skip_verify_email === true) user.verified = true;
		user.updated_at = this.clock.iso();
		this.reindex('user', user.id);
		return user;
	}

	/** Merges `sourceId` into `targetId` (Zendesk: end users only). */
	mergeUsers(sourceId: number, targetId: number): User {
		const source = this.getUser(sourceId);
		const target = this.users.get(targetId);
		if (!target || !target.active) throw recordInvalid('user', 'User to merge into was not found', 'InvalidValue');
		if (source.id === target.id) throw recordInvalid('user', 'A user cannot be merged into itself', 'InvalidValue');
		if (source.role !== 'end-user' || target.role !== 'end-user') {
			throw recordInvalid('base', 'Agents and admins cannot be merged; only end users can be merged', 'InvalidValue');
		}
		for (const identity of this.identitiesOf(source.id)) {
			identity.user_id = target.id;
			identity.primary = !this.identitiesOf(target.id).some(
				(i) => i.id !== identity.id && i.type === identity.type && i.primary,
			);
		}
		for (const ticket of this.tickets.values()) {
			if (ticket.requester_id === source.id) {
				ticket.requester_id = target.id;
				this.reindex('ticket', ticket.id);
			}
			for (const comment of ticket.comments) if (comment.author_id === source.id) comment.author_id = target.id;
		}
		if (!target.external_id && source.external_id) target.external_id = source.external_id;
		if (!target.organization_id && source.organization_id) target.organization_id = source.organization_id;
		if (!target.email)
			target.email = this.identitiesOf(target.id).find((i) => i.type === 'email' && i.primary)?.value ?? null;
		source.active = false;
		source.external_id = null;
		target.updated_at = this.clock.iso();
		this.reindex('user', source.id);
		this.reindex('user', target.id);
		return target;
	}

	// ---------- organizations ----------

	orgByExternalId(externalId: string): Organization | undefined {
		for (const org of this.organizations.values()) if (org.external_id === externalId) return org;
		return undefined;
	}

	orgByName(name: string): Organization | undefined {
		for (const org of this.organizations.values()) if (org.name.toLowerCase() === name.toLowerCase()) return org;
		return undefined;
	}

	insertOrganization(input: Record<string, unknown>): Organization {
		const name = typeof input.name === 'string' ? input.name.trim() : '';
		if (!name) throw recordInvalid('name', 'Name: cannot be blank', 'BlankValue');
		if (this.orgByName(name)) throw recordInvalid('name', 'Name: has already been taken', 'DuplicateValue');
		if (input.external_id && this.orgByExternalId(String(input.external_id)))
			throw recordInvalid('external_id', 'External: has already been taken', 'DuplicateValue');
		const now = this.clock.iso();
		const org: Organization = {
			id: ++this.seq.org,
			name,
			external_id: input.external_id ? String(input.external_id) : null,
			domain_names: Array.isArray(input.domain_names) ? input.domain_names.map(String) : [],
			tags: normalizeTags(input.tags),
			details: typeof input.details === 'string' ? input.details : null,
			notes: typeof input.notes === 'string' ? input.notes : null,
			group_id: input.group_id ? Number(input.group_id) : null,
			shared_tickets: input.shared_tickets === true,
			shared_comments: input.shared_comments === true,
			organization_fields: (input.organization_fields as Record<string, unknown>) ?? {},
			created_at: now,
			updated_at: now,
		};
		this.organizations.set(org.id, org);
		this.reindex('organization', org.id);
		return org;
	}

	updateOrganization(org: Organization, input: Record<string, unknown>): Organization {
		if (typeof input.name === 'string' && input.name.trim() && input.name.trim() !== org.name) {
			if (this.orgByName(input.name.trim()))
				throw recordInvalid('name', 'Name: has already been taken', 'DuplicateValue');
			org.name = input.name.trim();
		}
		if (Array.isArray(input.domain_names)) org.domain_names = input.domain_names.map(String);
		if (input.tags !== undefined) org.tags = normalizeTags(input.tags);
		if (typeof input.details === 'string') org.details = input.details;
		if (typeof input.notes === 'string') org.notes = input.notes;
		if (input.organization_fields && typeof input.organization_fields === 'object')
			org.organization_fields = {
				...org.organization_fields,
				...(input.organization_fields as Record<string, unknown>),
			};
		org.updated_at = this.clock.iso();
		this.reindex('organization', org.id);
		return org;
	}

	// ---------- uploads and attachments ----------

	newAttachment(fileName: string, contentType: string, content: Buffer): Attachment {
		const attachment: Attachment = {
			id: ++this.seq.attachment,
			file_name: fileName,
			content_type: contentType || 'application/octet-stream',
			size: content.length,
			urlToken: randomBytes(12).toString('hex'),
			content,
			inline: false,
			created_at: this.clock.iso(),
		};
		this.attachments.set(attachment.id, attachment);
		return attachment;
	}

	addUpload(fileName: string, contentType: string, content: Buffer, token?: string): Upload {
		let upload: Upload | undefined;
		if (token) {
			upload = this.uploads.get(token);
			if (!upload || upload.consumed || upload.expiresAt <= this.clock.now()) throw notFound();
		} else {
			upload = {
				token: randomBytes(12).toString('base64url'),
				attachment_ids: [],
				expiresAt: this.clock.now() + this.options.uploadTokenTtlMs,
				consumed: false,
			};
			this.uploads.set(upload.token, upload);
		}
		upload.attachment_ids.push(this.newAttachment(fileName, contentType, content).id);
		return upload;
	}

	/** Attachments of valid tokens; unknown or expired tokens are ignored, as Zendesk does. */
	consumeUploads(tokens: unknown): number[] {
		const ids: number[] = [];
		for (const token of Array.isArray(tokens) ? tokens : []) {
			const upload = this.uploads.get(String(token));
			if (!upload || upload.consumed || upload.expiresAt <= this.clock.now()) continue;
			upload.consumed = true;
			ids.push(...upload.attachment_ids);
		}
		return ids;
	}

	// ---------- tickets ----------

	getTicket(id: number): Ticket {
		const ticket = this.tickets.get(id);
		if (!ticket) throw notFound();
		return ticket;
	}

	snapshot(ticket: Ticket): TicketSnapshot {
		return {
			id: ticket.id,
			status: ticket.status,
			priority: ticket.priority,
			type: ticket.type,
			tags: [...ticket.tags],
			group_id: ticket.group_id,
			brand_id: ticket.brand_id,
			assignee_id: ticket.assignee_id,
			requester_id: ticket.requester_id,
			organization_id: ticket.organization_id,
			via_id: VIA_IDS[ticket.via.channel],
			custom_fields: ticket.custom_fields.map((f) => ({ ...f })),
		};
	}

	private resolveRequester(input: Record<string, unknown>, caller: User): User {
		if (input.requester && typeof input.requester === 'object') {
			const r = input.requester as Record<string, unknown>;
			const email = typeof r.email === 'string' ? r.email : undefined;
			const existing = email ? this.userByEmail(email) : undefined;
			if (existing) return existing;
			const name = typeof r.name === 'string' && r.name ? r.name : (email ?? '').split('@')[0];
			if (!email && !name) throw recordInvalid('requester', 'Requester: Email is required', 'InvalidValue');
			return this.insertUser({
				name,
				email: email ?? null,
				external_id: typeof r.external_id === 'string' ? r.external_id : null,
			});
		}
		if (input.requester_id !== undefined) {
			const user = this.users.get(Number(input.requester_id));
			if (!user || !user.active) throw recordInvalid('requester', 'Requester: is invalid', 'InvalidValue');
			return user;
		}
		return caller;
	}

	private customFields(
		existing: Array<{ id: number; value: unknown }>,
		input: unknown,
	): Array<{ id: number; value: unknown }> {
		const values = new Map(existing.map((f) => [f.id, f.value]));
		for (const entry of Array.isArray(input) ? input : []) {
			const id = Number((entry as { id?: unknown }).id);
			if (this.ticketFields.has(id)) values.set(id, (entry as { value?: unknown }).value ?? null);
		}
		return [...this.ticketFields.keys()].map((id) => ({ id, value: values.get(id) ?? null }));
	}

	private buildComment(
		ticket: Ticket | null,
		input: CommentInput,
		defaultAuthor: User,
		via: Via,
		auditId: number,
		attachments: number[],
	): Comment {
		const authorId = input.author_id !== undefined ? Number(input.author_id) : defaultAuthor.id;
		if (!this.users.get(authorId)?.active) throw recordInvalid('comment', 'Comment: author is invalid', 'InvalidValue');
		const hasHtml = typeof input.html_body === 'string' && input.html_body.length > 0;
		const hasBody = typeof input.body === 'string' && input.body.length > 0;
		if (!hasHtml && !hasBody && attachments.length === 0)
			throw recordInvalid('comment', 'Comment: cannot be blank', 'BlankValue');
		// ASSUMPTION: a comment body holds at most 64 KB. Zendesk documents no figure in its API
		// reference; a Zendesk employee answered "a size limit that roughly translates to ~65,000
		// characters, depending on your encoding/markup" (support.zendesk.com community post
		// 4719863289498, 2022). Counted here as UTF-8 bytes of what was sent, answered like every
		// other comment validation (422 RecordInvalid).
		const sent = hasHtml ? String(input.html_body) : hasBody ? String(input.body) : '';
		if (Buffer.byteLength(sent, 'utf8') > MAX_COMMENT_BODY_BYTES)
			throw recordInvalid('comment', 'Comment: body is too long (maximum is 65536 bytes)', 'TooLong');
		const html = hasHtml ? String(input.html_body) : htmlFromPlain(hasBody ? String(input.body) : '');
		const plain = hasHtml ? plainFromHtml(html) : String(input.body ?? '');
		if (ticket && ticket.comments.length >= MAX_COMMENTS_PER_TICKET) {
			throw recordInvalid(
				'base',
				`Ticket has reached the limit of ${MAX_COMMENTS_PER_TICKET} comments`,
				'TooManyComments',
			);
		}
		return {
			id: ++this.seq.comment,
			type: 'Comment',
			author_id: authorId,
			body: plain,
			html_body: html,
			plain_body: plain,
			public: input.public !== false,
			attachment_ids: attachments,
			audit_id: auditId,
			via,
			created_at: this.clock.iso(),
		};
	}

	createTicket(input: Record<string, unknown>, caller: User, channel: ViaChannel = 'api'): UpdateResult {
		const commentInput = (input.comment ?? {}) as CommentInput;
		const requester = this.resolveRequester(input, caller);
		let followupSource: Ticket | undefined;
		if (input.via_followup_source_id !== undefined && input.via_followup_source_id !== null) {
			followupSource = this.tickets.get(Number(input.via_followup_source_id));
			if (!followupSource || followupSource.status !== 'closed') {
				throw recordInvalid('via_followup_source_id', 'Via followup source: is not a closed ticket', 'InvalidValue');
			}
		}
		const brandId = input.brand_id !== undefined ? Number(input.brand_id) : this.fixtures.brands.it.id;
		if (!this.brands.has(brandId)) throw recordInvalid('brand_id', 'Brand: is invalid', 'InvalidValue');
		const groupId = input.group_id !== undefined && input.group_id !== null ? Number(input.group_id) : null;
		if (groupId !== null && !this.groups.has(groupId))
			throw recordInvalid('group_id', 'Group: is invalid', 'InvalidValue');
		const assigneeId = input.assignee_id !== undefined && input.assignee_id !== null ? Number(input.assignee_id) : null;
		if (assigneeId !== null && this.users.get(assigneeId)?.role === 'end-user')
			throw recordInvalid('assignee_id', 'Assignee: is not an agent', 'InvalidValue');
		const auditId = ++this.seq.audit;
		const via = followupSource
			? viaOf(channel, { rel: 'follow_up', from: { ticket_id: followupSource.id, subject: followupSource.subject } })
			: viaOf(channel);
		const attachments = this.consumeUploads(commentInput.uploads);
		const comment = this.buildComment(null, commentInput, caller, via, auditId, attachments);
		const now = this.clock.iso();
		const status = (typeof input.status === 'string' ? input.status : assigneeId ? 'open' : 'new') as TicketStatus;
		const ticket: Ticket = {
			id: ++this.seq.ticket,
			external_id: input.external_id !== undefined && input.external_id !== null ? String(input.external_id) : null,
			subject: typeof input.subject === 'string' ? input.subject : null,
			description: comment.plain_body,
			status,
			priority: (input.priority as Ticket['priority']) ?? null,
			type: (input.type as Ticket['type']) ?? null,
			requester_id: requester.id,
			submitter_id: caller.id,
			assignee_id: assigneeId,
			organization_id: requester.organization_id,
			group_id: groupId,
			brand_id: brandId,
			tags: normalizeTags(input.tags),
			custom_fields: this.customFields([], input.custom_fields),
			via,
			followup_ids: [],
			via_followup_source_id: followupSource?.id ?? null,
			email_cc_ids: [],
			follower_ids: [],
			comments: [comment],
			audits: [],
			created_at: now,
			updated_at: now,
		};
		this.applyCopies(ticket, input);
		ticket.audits.push({
			id: auditId,
			author_id: caller.id,
			via,
			created_at: now,
			custom: customMetadata(input.metadata),
			comment_id: comment.id,
			changes: [{ field_name: 'status', value: status, previous_value: null }],
		});
		this.tickets.set(ticket.id, ticket);
		if (followupSource) followupSource.followup_ids.push(ticket.id);
		this.reindex('ticket', ticket.id);
		return { ticket, previous: null, comment, auditId };
	}

	/**
	 * CCs and followers, as on an account with the feature enabled: `email_ccs` entries
	 * ({user_id | user_email [, user_name], action put|delete}) add or remove CCs; `collaborator_ids`
	 * (replace) and `additional_collaborators` (add) make end users CCs and agents followers.
	 * The requester is never a CC; unknown users are ignored; at most 48 CCs.
	 */
	private applyCopies(ticket: Ticket, input: Record<string, unknown>): void {
		const userOf = (ref: unknown): User | undefined => {
			if (typeof ref === 'number' || (typeof ref === 'string' && /^\d+$/.test(ref))) return this.users.get(Number(ref));
			if (typeof ref === 'string') return this.userByEmail(ref);
			if (ref && typeof ref === 'object') {
				const entry = ref as Record<string, unknown>;
				if (entry.user_id !== undefined) return this.users.get(Number(entry.user_id));
				const email =
					typeof entry.user_email === 'string'
						? entry.user_email
						: typeof entry.email === 'string'
							? entry.email
							: undefined;
				if (!email) return undefined;
				const name =
					typeof entry.user_name === 'string'
						? entry.user_name
						: typeof entry.name === 'string'
							? entry.name
							: email.split('@')[0];
				return this.userByEmail(email) ?? this.insertUser({ name, email, external_id: null });
			}
			return undefined;
		};
		const ccs = new Set(ticket.email_cc_ids);
		const followers = new Set(ticket.follower_ids);
		const addCollaborator = (user: User | undefined): void => {
			if (!user || !user.active) return;
			if (user.role === 'end-user') ccs.add(user.id);
			else followers.add(user.id);
		};
		if (Array.isArray(input.collaborator_ids)) {
			ccs.clear();
			followers.clear();
			for (const ref of input.collaborator_ids) addCollaborator(userOf(ref));
		}
		for (const ref of Array.isArray(input.collaborators) ? input.collaborators : []) addCollaborator(userOf(ref));
		for (const ref of Array.isArray(input.additional_collaborators) ? input.additional_collaborators : [])
			addCollaborator(userOf(ref));
		for (const entry of Array.isArray(input.email_ccs) ? input.email_ccs : []) {
			const user = userOf(entry);
			if (!user || !user.active) continue;
			if ((entry as { action?: unknown }).action === 'delete') ccs.delete(user.id);
			else ccs.add(user.id);
		}
		ccs.delete(ticket.requester_id);
		ticket.email_cc_ids = [...ccs].slice(0, MAX_EMAIL_CCS);
		ticket.follower_ids = [...followers];
	}

	/** Applies a ticket update (API or agent workspace). Throws 422 for closed tickets. */
	updateTicket(
		ticket: Ticket,
		input: Record<string, unknown>,
		caller: User,
		channel: ViaChannel = 'api',
	): UpdateResult {
		if (ticket.status === 'closed') {
			throw new ZendeskError(422, {
				error: 'RecordInvalid',
				description: 'Record validation errors',
				details: { status: [{ description: 'Status: closed prevents ticket update' }] },
			});
		}
		if (
			input.safe_update === true &&
			typeof input.updated_stamp === 'string' &&
			Date.parse(input.updated_stamp) !== Date.parse(ticket.updated_at)
		) {
			throw new ZendeskError(409, {
				error: 'UpdateConflict',
				description:
					'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.',
			});
		}
		const previous = this.snapshot(ticket);
		const auditId = ++this.seq.audit;
		let comment: Comment | null = null;
		if (input.comment && typeof input.comment === 'object') {
			const commentInput = input.comment as CommentInput;
			comment = this.buildComment(
				ticket,
				commentInput,
				caller,
				viaOf(channel),
				auditId,
				this.consumeUploads(commentInput.uploads),
			);
		}
		if (input.status !== undefined) {
			const status = String(input.status) as TicketStatus;
			if (!['new', 'open', 'pending', 'hold', 'solved', 'closed'].includes(status))
				throw recordInvalid('status', `Status: ${status} is not valid`, 'InvalidValue');
			if (status === 'new' && ticket.status !== 'new')
				throw recordInvalid('status', 'Status: cannot be set back to new', 'InvalidValue');
			ticket.status = status;
		} else if (comment) {
			const author = this.users.get(comment.author_id);
			if (comment.public && author?.role === 'end-user' && (ticket.status === 'solved' || ticket.status === 'pending'))
				ticket.status = 'open';
			else if (author && author.role !== 'end-user' && ticket.status === 'new') ticket.status = 'open';
		}
		if (input.tags !== undefined) ticket.tags = normalizeTags(input.tags);
		if (input.additional_tags !== undefined)
			ticket.tags = normalizeTags([...ticket.tags, ...normalizeTags(input.additional_tags)]);
		if (input.remove_tags !== undefined) {
			const remove = normalizeTags(input.remove_tags);
			ticket.tags = ticket.tags.filter((t) => !remove.includes(t));
		}
		if (input.subject !== undefined) ticket.subject = input.subject === null ? null : String(input.subject);
		if (input.priority !== undefined) ticket.priority = input.priority as Ticket['priority'];
		if (input.type !== undefined) ticket.type = input.type as Ticket['type'];
		if (input.external_id !== undefined)
			ticket.external_id = input.external_id === null ? null : String(input.external_id);
		if (input.group_id !== undefined) {
			if (input.group_id !== null && !this.groups.has(Number(input.group_id)))
				throw recordInvalid('group_id', 'Group: is invalid', 'InvalidValue');
			ticket.group_id = input.group_id === null ? null : Number(input.group_id);
		}
		if (input.brand_id !== undefined && this.brands.has(Number(input.brand_id)))
			ticket.brand_id = Number(input.brand_id);
		if (input.assignee_id !== undefined)
			ticket.assignee_id = input.assignee_id === null ? null : Number(input.assignee_id);
		if (input.custom_fields !== undefined)
			ticket.custom_fields = this.customFields(ticket.custom_fields, input.custom_fields);
		this.applyCopies(ticket, input);
		if (comment) ticket.comments.push(comment);
		ticket.updated_at = this.clock.iso();
		const changes: Array<{ field_name: string; value: unknown; previous_value: unknown }> = (
			['status', 'priority', 'group_id', 'assignee_id'] as const
		)
			.filter((field) => previous[field] !== ticket[field])
			.map((field) => ({ field_name: field, value: ticket[field], previous_value: previous[field] }));
		if (previous.tags.join(' ') !== ticket.tags.join(' '))
			changes.push({ field_name: 'tags', value: ticket.tags, previous_value: previous.tags });
		ticket.audits.push({
			id: auditId,
			author_id: caller.id,
			via: comment?.via ?? viaOf(channel),
			created_at: ticket.updated_at,
			custom: customMetadata(input.metadata),
			comment_id: comment?.id ?? null,
			changes,
		});
		this.reindex('ticket', ticket.id);
		return { ticket, previous, comment, auditId };
	}

	// ---------- idempotency ----------

	static bodyHash(raw: Buffer): string {
		return createHash('sha256').update(raw).digest('hex');
	}

	// ---------- misc ----------

	nextTriggerId(): number {
		return ++this.seq.trigger;
	}

	nextWebhookId(): string {
		// Zendesk webhook ids are ULIDs (26 chars, Crockford base32).
		const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
		const seq = ++this.seq.webhook;
		let time = this.clock.now();
		let head = '';
		for (let i = 0; i < 10; i++) {
			head = alphabet[time % 32] + head;
			time = Math.floor(time / 32);
		}
		const tail = [...randomBytes(16)].map((b) => alphabet[b % 32]).join('');
		return `${head}${tail.slice(0, 12)}${String(seq)
			.padStart(4, '0')
			.replace(/\d/g, (d) => alphabet[Number(d)])}`;
	}

	badInput(description: string): ZendeskError {
		return badRequest(description);
	}
}
