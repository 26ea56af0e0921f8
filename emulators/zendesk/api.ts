/**
 * The Zendesk Support REST API routes. Route names (for calls and faults) are
 * `METHOD /api/v2/<pattern>` exactly as registered, e.g. `PUT /api/v2/tickets/:id.json`; each
 * route also answers without the `.json` suffix under the same name, as Zendesk does.
 */
import { randomBytes } from 'node:crypto';

import type { EmulatorRequest, EmulatorResponse, EmulatorServer } from '../common/server';
import type { EmulatorClock } from './clock';
import { badRequest, FORBIDDEN, notFound, recordInvalid, UNAUTHENTICATED, ZendeskError } from './errors';
import type { Role, Trigger, TriggerAction, TriggerCondition, User, Webhook } from './model';
import { ZendeskRateLimits } from './rateLimits';
import type { WindowDecision } from './rateLimits';
import { ZendeskOAuth } from './oauth';
import { matchesQuery, parseSearchQuery } from './search';
import type { SearchFields } from './search';
import { ZendeskStore } from './store';
import type { AuthUser } from './store';
import type { Views } from './views';
import type { TriggerEngine } from './webhooks';

export interface ApiContext {
	req: EmulatorRequest;
	caller: User;
	auth: AuthUser;
}

type Level = Role;

type ApiHandler = (ctx: ApiContext) => EmulatorResponse | Promise<EmulatorResponse>;

interface ApiRoute {
	method: string;
	pattern: string;
	level: Level;
	handler: ApiHandler;
}

export interface ApiDeps {
	server: EmulatorServer;
	store: ZendeskStore;
	views: Views;
	engine: TriggerEngine;
	clock: EmulatorClock;
	limits: ZendeskRateLimits;
	rateLimits: () => boolean;
	privateAttachments: boolean;
	baseUrl: () => string;
}

const IDEMPOTENCY_TTL_MS = 2 * 60 * 60_000;

function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
	return { status, body, headers };
}

function intParam(value: string | undefined): number {
	const n = Number(value);
	if (!value || !Number.isInteger(n) || n <= 0) throw notFound();
	return n;
}

function objectBody(req: EmulatorRequest, key: string): Record<string, unknown> {
	if (req.body.__invalidJson) throw badRequest('The request body is not valid JSON', 'InvalidJSON');
	const value = req.body[key];
	if (!value || typeof value !== 'object' || Array.isArray(value))
		throw badRequest(`Parameter ${key} is required`, 'ParameterMissing');
	return value as Record<string, unknown>;
}

function rank(role: Role): number {
	return role === 'admin' ? 2 : role === 'agent' ? 1 : 0;
}

function rateHeaders(decision: WindowDecision): Record<string, string> {
	return {
		'X-Rate-Limit': String(decision.limit),
		'X-Rate-Limit-Remaining': String(decision.remaining),
		'ratelimit-limit': String(decision.limit),
		'ratelimit-remaining': String(decision.remaining),
		'ratelimit-reset': String(decision.resetSeconds),
	};
}

function paginate<T>(
	req: EmulatorRequest,
	items: T[],
	baseUrl: string,
): { page: T[]; next_page: string | null; previous_page: string | null; count: number } {
	const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? 100) || 100));
	const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
	const start = (page - 1) * perPage;
	const link = (p: number) => {
		const qs = new URLSearchParams(req.query);
		qs.set('page', String(p));
		qs.set('per_page', String(perPage));
		return `${baseUrl}${req.path}?${qs.toString()}`;
	};
	return {
		page: items.slice(start, start + perPage),
		next_page: start + perPage < items.length ? link(page + 1) : null,
		previous_page: page > 1 ? link(page - 1) : null,
		count: items.length,
	};
}

export class ZendeskApi {
	private readonly routes: ApiRoute[] = [];

	/** OAuth clients' expiring tokens (emulators/zendesk/oauth.ts); the fixed `bridge.oauthToken` never expires. */
	readonly oauth: ZendeskOAuth;

	constructor(private readonly d: ApiDeps) {
		this.oauth = new ZendeskOAuth(d.clock, () => d.store.fixtures.bridge.id);
	}

	authenticate(headers: EmulatorRequest['headers']): AuthUser | null {
		const header = String(headers.authorization ?? '');
		const { store } = this.d;
		const f = store.fixtures;
		if (/^bearer\s+/i.test(header)) {
			const token = header.replace(/^bearer\s+/i, '').trim();
			const issued = token === f.bridge.oauthToken ? { userId: f.bridge.id } : this.oauth.check(token);
			if (typeof issued === 'string') return null;
			const user = store.users.get(issued.userId);
			return user?.active ? { user, method: 'oauth' } : null;
		}
		if (/^basic\s+/i.test(header)) {
			const decoded = Buffer.from(header.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			const username = decoded.slice(0, colon);
			const secret = decoded.slice(colon + 1);
			// Zendesk API tokens belong to the account: `{any user's email}/token:{token}`.
			if (!username.endsWith('/token') || secret !== f.bridge.apiToken) return null;
			const user = store.userByEmail(username.slice(0, -'/token'.length));
			return user ? { user, method: 'token' } : null;
		}
		return null;
	}

	private add(method: string, pattern: string, level: Level, handler: ApiHandler): void {
		this.routes.push({ method, pattern, level, handler });
	}

	register(): void {
		this.defineUsers();
		this.defineOrganizations();
		this.defineTickets();
		this.defineUploadsAndSearch();
		this.defineBusinessRules();
		this.oauth.register(this.d.server);
		// Literal routes were declared before parameter routes, so `/users/me` wins over `/users/:id`.
		for (const pass of ['json', 'bare'] as const) {
			for (const route of this.routes) {
				const name = `${route.method} ${route.pattern}`;
				const pattern = pass === 'json' ? route.pattern : route.pattern.replace(/\.json$/, '');
				if (pass === 'bare' && pattern === route.pattern) continue;
				this.d.server.route(route.method, pattern, (req) => this.dispatch(route, req), name);
			}
		}
		this.d.server.route(
			'GET',
			'/attachments/token/:token/',
			(req) => this.downloadAttachment(req),
			'GET /attachments/token/:token/',
		);
		this.d.server.route(
			'GET',
			'/attachments/token/:token',
			(req) => this.downloadAttachment(req),
			'GET /attachments/token/:token/',
		);
		this.d.server.route(
			'GET',
			'/__zdusercontent/:signed/:name',
			(req) => this.signedAttachment(req),
			'GET /__zdusercontent/:signed/:name',
		);
	}

	private async dispatch(route: ApiRoute, req: EmulatorRequest): Promise<EmulatorResponse> {
		const auth = this.authenticate(req.headers);
		if (!auth) {
			// An unknown or expired Bearer token: 401 with a Bearer challenge (RFC 6750 §3.1); ASSUMPTION: Zendesk's usual 401 body.
			if (/^bearer\s+/i.test(String(req.headers.authorization ?? '')))
				return json(401, UNAUTHENTICATED, { 'WWW-Authenticate': 'Bearer realm="Zendesk", error="invalid_token"' });
			return json(401, UNAUTHENTICATED, { 'WWW-Authenticate': 'Basic realm="Web Password"' });
		}
		let headers: Record<string, string> = {};
		if (this.d.rateLimits()) {
			const decision = this.d.limits.account.take('account', this.d.clock.now());
			headers = rateHeaders(decision);
			if (!decision.allowed) {
				return json(
					429,
					{ error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' },
					{ ...headers, 'Retry-After': String(decision.resetSeconds) },
				);
			}
		}
		if (rank(auth.user.role) < rank(route.level)) return json(403, FORBIDDEN, headers);
		try {
			const response = await route.handler({ req, caller: auth.user, auth });
			return { ...response, headers: { ...headers, ...(response.headers ?? {}) } };
		} catch (error) {
			if (error instanceof ZendeskError)
				return { status: error.status, body: error.body, headers: { ...headers, ...error.headers } };
			throw error;
		}
	}

	private get base(): string {
		return this.d.baseUrl();
	}

	// ---------------- users ----------------

	private defineUsers(): void {
		const { store, views } = this.d;
		this.add('GET', '/api/v2/users/me.json', 'end-user', ({ caller }) => json(200, { user: views.user(caller) }));
		this.add('GET', '/api/v2/users/show_many.json', 'agent', ({ req }) => {
			const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean).map(Number);
			const externalIds = (req.query.get('external_ids') ?? '').split(',').filter(Boolean);
			const users = [
				...ids.map((id) => store.users.get(id)).filter((u): u is User => !!u && u.active),
				...externalIds.map((e) => store.userByExternalId(e)).filter((u): u is User => !!u),
			];
			return json(200, {
				users: users.map((u) => views.user(u)),
				next_page: null,
				previous_page: null,
				count: users.length,
			});
		});
		this.add('GET', '/api/v2/users/search.json', 'agent', ({ req }) => {
			const externalId = req.query.get('external_id');
			let users: User[];
			if (externalId !== null) {
				// Exact and immediate (the users table, not the search index).
				const user = store.userByExternalId(externalId);
				users = user ? [user] : [];
			} else {
				const query = req.query.get('query') ?? '';
				const parsed = parseSearchQuery(query);
				parsed.type = 'user';
				users = this.search(parsed, 'user')
					.map((id) => store.users.get(id))
					.filter((u): u is User => !!u && u.active);
			}
			const page = paginate(req, users, this.base);
			return json(200, {
				users: page.page.map((u) => views.user(u)),
				next_page: page.next_page,
				previous_page: page.previous_page,
				count: page.count,
			});
		});
		this.add('POST', '/api/v2/users/create_or_update.json', 'agent', ({ req }) => {
			const input = objectBody(req, 'user');
			const externalId =
				typeof input.external_id === 'string' || typeof input.external_id === 'number'
					? String(input.external_id)
					: undefined;
			const email = typeof input.email === 'string' ? input.email : undefined;
			if (this.d.rateLimits()) {
				const now = this.d.clock.now();
				const perAccount = this.d.limits.createOrUpdateUserPerAccount.take('account', now);
				if (!perAccount.allowed) {
					throw new ZendeskError(
						429,
						{
							error: 'APIRateLimitExceeded',
							description: 'Create or update user is limited to 1 request per second per account',
						},
						{ 'Retry-After': String(perAccount.resetSeconds) },
					);
				}
				const perUser = this.d.limits.createOrUpdateUserPerUser.take(
					`${externalId ?? ''}|${(email ?? '').toLowerCase()}`,
					now,
				);
				if (!perUser.allowed) {
					throw new ZendeskError(
						429,
						`You have exceeded the rate limit for updating a single unique user. user email: ${email ?? ''}  id:  external_id: ${externalId ?? ''}`,
						{
							'Retry-After': String(perUser.resetSeconds),
							'Content-Type': 'text/plain; charset=utf-8',
						},
					);
				}
			}
			// Zendesk matches an existing user by external_id first (ignoring case; the stored id then
			// takes the case sent), then by email.
			const existing =
				(externalId ? store.userByExternalIdIgnoringCase(externalId) : undefined) ??
				(email ? store.userByEmail(email) : undefined);
			if (existing) return json(200, { user: views.user(store.updateUser(existing, input)) });
			const user = store.insertUser(input as Parameters<ZendeskStore['insertUser']>[0]);
			return json(201, { user: views.user(user) }, { Location: `${this.base}/api/v2/users/${user.id}.json` });
		});
		this.add('GET', '/api/v2/users.json', 'agent', ({ req }) => {
			const externalId = req.query.get('external_id');
			const role = req.query.get('role');
			let users = [...store.users.values()].filter((u) => u.active);
			if (externalId !== null) users = users.filter((u) => u.external_id === externalId);
			if (role) users = users.filter((u) => u.role === role);
			const page = paginate(req, users, this.base);
			return json(200, {
				users: page.page.map((u) => views.user(u)),
				next_page: page.next_page,
				previous_page: page.previous_page,
				count: page.count,
			});
		});
		this.add('POST', '/api/v2/users.json', 'agent', ({ req, caller }) => {
			const input = objectBody(req, 'user');
			if ((input.role === 'agent' || input.role === 'admin') && caller.role !== 'admin')
				throw new ZendeskError(403, FORBIDDEN);
			const user = store.insertUser(input as Parameters<ZendeskStore['insertUser']>[0]);
			return json(201, { user: views.user(user) }, { Location: `${this.base}/api/v2/users/${user.id}.json` });
		});
		this.add('GET', '/api/v2/users/:id/identities.json', 'agent', ({ req }) => {
			const user = store.getUser(intParam(req.params.id));
			const identities = store.identitiesOf(user.id);
			return json(200, {
				identities: identities.map((i) => views.identity(i)),
				next_page: null,
				previous_page: null,
				count: identities.length,
			});
		});
		this.add('POST', '/api/v2/users/:id/identities.json', 'agent', ({ req }) => {
			const user = store.getUser(intParam(req.params.id));
			const input = objectBody(req, 'identity');
			const type = String(input.type ?? '');
			if (!['email', 'phone_number', 'external_id', 'foreign'].includes(type))
				throw recordInvalid('type', `Type: ${type} is not valid`, 'InvalidValue');
			if (typeof input.value !== 'string' || !input.value)
				throw recordInvalid('value', 'Value: cannot be blank', 'BlankValue');
			const identity = store.addIdentity(user.id, type as 'email', input.value, input.verified === true);
			return json(
				201,
				{ identity: views.identity(identity) },
				{ Location: `${this.base}/api/v2/users/${user.id}/identities/${identity.id}.json` },
			);
		});
		this.add('PUT', '/api/v2/users/:id/merge.json', 'agent', ({ req }) => {
			const source = intParam(req.params.id);
			const input = objectBody(req, 'user');
			const target = Number(input.id);
			if (!Number.isInteger(target) || target <= 0)
				throw recordInvalid('user', 'Only merging into an existing user by id is emulated', 'InvalidValue');
			return json(200, { user: views.user(store.mergeUsers(source, target)) });
		});
		this.add('GET', '/api/v2/users/:id/tickets/requested.json', 'agent', ({ req }) => {
			const user = store.getUser(intParam(req.params.id));
			const tickets = [...store.tickets.values()].filter((t) => t.requester_id === user.id);
			const page = paginate(req, tickets, this.base);
			return json(200, {
				tickets: page.page.map((t) => views.ticket(t)),
				next_page: page.next_page,
				previous_page: page.previous_page,
				count: page.count,
			});
		});
		this.add('GET', '/api/v2/users/:id.json', 'agent', ({ req }) =>
			json(200, { user: views.user(store.getUser(intParam(req.params.id))) }),
		);
		this.add('PUT', '/api/v2/users/:id.json', 'agent', ({ req }) => {
			const user = store.getUser(intParam(req.params.id));
			return json(200, { user: views.user(store.updateUser(user, objectBody(req, 'user'))) });
		});
	}

	// ---------------- organizations, brands, groups, fields ----------------

	private defineOrganizations(): void {
		const { store, views } = this.d;
		this.add('POST', '/api/v2/organizations/create_or_update.json', 'agent', ({ req }) => {
			const input = objectBody(req, 'organization');
			const existing =
				(input.id !== undefined ? store.organizations.get(Number(input.id)) : undefined) ??
				(input.external_id !== undefined && input.external_id !== null
					? store.orgByExternalId(String(input.external_id))
					: undefined);
			if (existing) return json(200, { organization: views.organization(store.updateOrganization(existing, input)) });
			const org = store.insertOrganization(input);
			return json(
				201,
				{ organization: views.organization(org) },
				{ Location: `${this.base}/api/v2/organizations/${org.id}.json` },
			);
		});
		this.add('GET', '/api/v2/organizations/search.json', 'agent', ({ req }) => {
			const externalId = req.query.get('external_id');
			const name = req.query.get('name');
			let orgs = [...store.organizations.values()];
			// "its external_id must exactly match the value provided (case insensitive)"
			if (externalId !== null)
				orgs = orgs.filter((o) => o.external_id !== null && o.external_id.toLowerCase() === externalId.toLowerCase());
			else if (name !== null) orgs = orgs.filter((o) => o.name.toLowerCase() === name.toLowerCase());
			else throw badRequest('Either external_id or name is required', 'ParameterMissing');
			return json(200, {
				organizations: orgs.map((o) => views.organization(o)),
				next_page: null,
				previous_page: null,
				count: orgs.length,
			});
		});
		this.add('GET', '/api/v2/organizations.json', 'agent', ({ req }) => {
			const page = paginate(req, [...store.organizations.values()], this.base);
			return json(200, {
				organizations: page.page.map((o) => views.organization(o)),
				next_page: page.next_page,
				previous_page: page.previous_page,
				count: page.count,
			});
		});
		this.add('POST', '/api/v2/organizations.json', 'agent', ({ req }) => {
			const org = store.insertOrganization(objectBody(req, 'organization'));
			return json(
				201,
				{ organization: views.organization(org) },
				{ Location: `${this.base}/api/v2/organizations/${org.id}.json` },
			);
		});
		this.add('GET', '/api/v2/organizations/:id.json', 'agent', ({ req }) => {
			const org = store.organizations.get(intParam(req.params.id));
			if (!org) throw notFound();
			return json(200, { organization: views.organization(org) });
		});
		// Offset pagination, 100 per page at most (the pickers page through them).
		this.add('GET', '/api/v2/brands.json', 'agent', ({ req }) => {
			const { page, ...links } = paginate(req, [...store.brands.values()], this.base);
			return json(200, { brands: page.map((b) => views.brand(b)), ...links });
		});
		this.add('GET', '/api/v2/groups.json', 'agent', ({ req }) => {
			const { page, ...links } = paginate(req, [...store.groups.values()], this.base);
			return json(200, { groups: page.map((g) => views.group(g)), ...links });
		});
		this.add('GET', '/api/v2/ticket_fields.json', 'agent', () => {
			const fields = [...store.ticketFields.values()];
			return json(200, {
				ticket_fields: fields.map((f) => views.ticketField(f)),
				next_page: null,
				previous_page: null,
				count: fields.length,
			});
		});
	}

	// ---------------- tickets ----------------

	private defineTickets(): void {
		const { store, views, engine } = this.d;
		this.add('GET', '/api/v2/tickets/show_many.json', 'agent', ({ req }) => {
			const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean).map(Number);
			const tickets = ids.map((id) => store.tickets.get(id)).filter((t) => !!t);
			return json(200, {
				tickets: tickets.map((t) => views.ticket(t!)),
				next_page: null,
				previous_page: null,
				count: tickets.length,
			});
		});
		this.add('GET', '/api/v2/tickets.json', 'agent', ({ req }) => {
			const externalId = req.query.get('external_id');
			let tickets = [...store.tickets.values()];
			if (externalId !== null) tickets = tickets.filter((t) => t.external_id === externalId);
			const page = paginate(req, tickets, this.base);
			return json(200, {
				tickets: page.page.map((t) => views.ticket(t)),
				next_page: page.next_page,
				previous_page: page.previous_page,
				count: page.count,
			});
		});
		this.add('POST', '/api/v2/tickets.json', 'agent', ({ req, caller }) => {
			const key = req.headers['idempotency-key'];
			const idempotencyKey = typeof key === 'string' && key ? key : undefined;
			const bodyHash = ZendeskStore.bodyHash(req.rawBody);
			if (idempotencyKey) {
				const seen = store.idempotency.get(idempotencyKey);
				if (seen && seen.expiresAt > this.d.clock.now()) {
					if (seen.bodyHash !== bodyHash) {
						throw new ZendeskError(400, {
							error: 'IdempotentRequestError',
							description: 'Idempotency key has already been used with a different request payload',
						});
					}
					return { status: seen.status, body: seen.body, headers: { ...seen.headers, 'x-idempotency-lookup': 'hit' } };
				}
			}
			const input = objectBody(req, 'ticket');
			if (!input.comment || typeof input.comment !== 'object')
				throw recordInvalid('description', 'Description: cannot be blank', 'BlankValue');
			const result = store.createTicket(input, caller, 'api');
			engine.run(result, caller, 'api');
			const body = { ticket: views.ticket(result.ticket), audit: views.audit(result.ticket, result.auditId) };
			const headers: Record<string, string> = { Location: `${this.base}/api/v2/tickets/${result.ticket.id}.json` };
			if (idempotencyKey) {
				store.idempotency.set(idempotencyKey, {
					bodyHash,
					expiresAt: this.d.clock.now() + IDEMPOTENCY_TTL_MS,
					status: 201,
					body,
					headers,
				});
				headers['x-idempotency-lookup'] = 'miss';
			}
			return json(201, body, headers);
		});
		this.add('GET', '/api/v2/tickets/:id/comments.json', 'agent', ({ req }) => {
			const ticket = store.getTicket(intParam(req.params.id));
			const order = req.query.get('sort_order') === 'desc' ? 'desc' : 'asc';
			const comments = order === 'desc' ? [...ticket.comments].reverse() : ticket.comments;
			const cursorSize = req.query.get('page[size]');
			if (cursorSize !== null) {
				const size = Math.min(100, Math.max(1, Number(cursorSize) || 100));
				const after = req.query.get('page[after]');
				const start = after ? Number(Buffer.from(after, 'base64url').toString('utf8')) || 0 : 0;
				const slice = comments.slice(start, start + size);
				const hasMore = start + size < comments.length;
				const afterCursor = hasMore ? Buffer.from(String(start + size)).toString('base64url') : null;
				const beforeCursor = start > 0 ? Buffer.from(String(Math.max(0, start - size))).toString('base64url') : null;
				const link = (cursor: string | null, dir: 'after' | 'before') => {
					if (!cursor) return null;
					const qs = new URLSearchParams(req.query);
					qs.delete('page[after]');
					qs.delete('page[before]');
					qs.set(`page[${dir}]`, cursor);
					return `${this.base}${req.path}?${qs.toString()}`;
				};
				return json(200, {
					comments: slice.map((c) => views.comment(c)),
					meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
					links: { next: link(afterCursor, 'after'), prev: link(beforeCursor, 'before') },
				});
			}
			const page = paginate(req, comments, this.base);
			return json(200, {
				comments: page.page.map((c) => views.comment(c)),
				next_page: page.next_page,
				previous_page: page.previous_page,
				count: page.count,
			});
		});
		// List Audits documents pagination only (no sort_order): oldest first, as Zendesk answers.
		this.add('GET', '/api/v2/tickets/:id/audits/count.json', 'agent', ({ req }) => {
			const ticket = store.getTicket(intParam(req.params.id));
			return json(200, { count: { value: ticket.audits.length, refreshed_at: this.d.clock.iso() } });
		});
		this.add('GET', '/api/v2/tickets/:id/audits.json', 'agent', ({ req }) => {
			const ticket = store.getTicket(intParam(req.params.id));
			const page = paginate(req, ticket.audits, this.base);
			return json(200, {
				audits: page.page.map((a) => views.audit(ticket, a.id)),
				next_page: page.next_page,
				previous_page: page.previous_page,
				count: page.count,
			});
		});
		this.add('GET', '/api/v2/tickets/:id.json', 'agent', ({ req }) =>
			json(200, { ticket: views.ticket(store.getTicket(intParam(req.params.id))) }),
		);
		this.add('PUT', '/api/v2/tickets/:id.json', 'agent', ({ req, caller }) => {
			const ticket = store.getTicket(intParam(req.params.id));
			const input = objectBody(req, 'ticket');
			if (this.d.rateLimits()) {
				const now = this.d.clock.now();
				const perTicket = this.d.limits.ticketUpdatesPerUserPerTicket.take(`${caller.id}:${ticket.id}`, now);
				if (!perTicket.allowed) {
					throw new ZendeskError(
						429,
						'Rate limit for ticket updates exceeded, please wait before updating this ticket again',
						{
							'Retry-After': String(perTicket.resetSeconds),
							'Content-Type': 'text/plain; charset=utf-8',
						},
					);
				}
				const perAccount = this.d.limits.ticketUpdatesPerAccount.take('account', now);
				if (!perAccount.allowed) {
					throw new ZendeskError(
						429,
						{ error: 'APIRateLimitExceeded', description: 'Ticket updates are limited to 100 per minute per account' },
						{ 'Retry-After': String(perAccount.resetSeconds) },
					);
				}
			}
			const result = store.updateTicket(ticket, input, caller, 'api');
			engine.run(result, caller, 'api');
			return json(200, { ticket: views.ticket(result.ticket), audit: views.audit(result.ticket, result.auditId) });
		});
	}

	// ---------------- uploads, attachments, search ----------------

	private defineUploadsAndSearch(): void {
		const { store, views } = this.d;
		this.add('POST', '/api/v2/uploads.json', 'end-user', ({ req }) => {
			const filename = req.query.get('filename');
			if (!filename) throw badRequest('filename is required', 'ParameterMissing');
			if (req.rawBody.length === 0)
				throw recordInvalid('uploaded_data', 'Uploaded data: cannot be blank', 'BlankValue');
			const token = req.query.get('token') ?? undefined;
			const contentType = String(req.headers['content-type'] ?? 'application/octet-stream').split(';')[0];
			const upload = store.addUpload(filename, contentType, req.rawBody, token);
			const attachments = upload.attachment_ids.map((id) => views.attachment(store.attachments.get(id)!));
			return json(201, {
				upload: {
					token: upload.token,
					expires_at: this.d.clock.iso(upload.expiresAt),
					attachment: attachments[attachments.length - 1],
					attachments,
				},
			});
		});
		this.add('DELETE', '/api/v2/uploads/:token.json', 'end-user', ({ req }) => {
			const upload = store.uploads.get(req.params.token);
			if (!upload || upload.consumed) throw notFound();
			store.uploads.delete(upload.token);
			return { status: 204 };
		});
		this.add('GET', '/api/v2/attachments/:id.json', 'agent', ({ req }) => {
			const attachment = store.attachments.get(intParam(req.params.id));
			if (!attachment) throw notFound();
			return json(200, { attachment: views.attachment(attachment) });
		});
		this.add('GET', '/api/v2/search.json', 'agent', ({ req }) => {
			const query = req.query.get('query');
			if (!query) throw badRequest('Query parameter "query" is required', 'InvalidValue');
			const parsed = parseSearchQuery(query);
			const results: Array<Record<string, unknown>> = [];
			const kinds = parsed.type ? [parsed.type] : ['ticket', 'user', 'organization'];
			for (const kind of kinds) {
				if (kind !== 'ticket' && kind !== 'user' && kind !== 'organization') continue;
				for (const id of this.search(parsed, kind)) {
					const view = this.indexedView(kind, id);
					if (view) results.push({ ...view, result_type: kind });
				}
			}
			const page = paginate(req, results, this.base);
			return json(200, {
				results: page.page,
				facets: null,
				next_page: page.next_page,
				previous_page: page.previous_page,
				count: page.count,
			});
		});
	}

	/** Ids of indexed records of a kind that match the query (what the index saw, maybe stale). */
	private search(parsed: ReturnType<typeof parseSearchQuery>, kind: 'ticket' | 'user' | 'organization'): number[] {
		return this.d.store
			.searchable(kind)
			.filter((doc) => matchesQuery(parsed, doc.fields as SearchFields, String(doc.text ?? '')))
			.map((doc) => Number(doc.id));
	}

	private indexedView(kind: 'ticket' | 'user' | 'organization', id: number): Record<string, unknown> | null {
		const doc = this.d.store.searchable(kind).find((d) => Number(d.id) === id);
		return doc ? (doc.view as Record<string, unknown>) : null;
	}

	/** The search document of a record: the view as it is now, plus the fields search matches on. */
	describe(kind: 'ticket' | 'user' | 'organization', id: number): Record<string, unknown> | null {
		const { store, views } = this.d;
		if (kind === 'ticket') {
			const t = store.tickets.get(id);
			if (!t) return null;
			const requester = store.users.get(t.requester_id);
			const fields: SearchFields = {
				status: [t.status],
				requester: [t.requester_id, requester?.email, requester?.name],
				requester_id: [t.requester_id],
				external_id: [t.external_id],
				tags: t.tags,
				tag: t.tags,
				brand: [t.brand_id, store.brands.get(t.brand_id)?.name],
				brand_id: [t.brand_id],
				group: [t.group_id, t.group_id ? store.groups.get(t.group_id)?.name : null],
				group_id: [t.group_id],
				assignee: [t.assignee_id],
				organization: [t.organization_id],
				priority: [t.priority],
				ticket_type: [t.type],
				subject: [t.subject],
				via: [t.via.channel],
			};
			for (const f of t.custom_fields) fields[`custom_field_${f.id}`] = [f.value === null ? null : String(f.value)];
			return {
				id,
				view: views.ticket(t),
				fields,
				text: `${t.subject ?? ''} ${t.tags.join(' ')} ${t.comments.map((c) => c.plain_body).join(' ')}`,
			};
		}
		if (kind === 'user') {
			const u = store.users.get(id);
			if (!u || !u.active) return null;
			const emails = store
				.identitiesOf(u.id)
				.filter((i) => i.type === 'email')
				.map((i) => i.value);
			return {
				id,
				view: views.user(u),
				fields: {
					email: emails,
					external_id: [u.external_id],
					name: [u.name],
					role: [u.role],
					organization: [u.organization_id],
					organization_id: [u.organization_id],
					tags: u.tags,
				},
				text: `${u.name} ${emails.join(' ')}`,
			};
		}
		const o = store.organizations.get(id);
		if (!o) return null;
		return {
			id,
			view: views.organization(o),
			fields: { name: [o.name], external_id: [o.external_id], tags: o.tags },
			text: o.name,
		};
	}

	private downloadAttachment(req: EmulatorRequest): EmulatorResponse {
		const attachment = [...this.d.store.attachments.values()].find((a) => a.urlToken === req.params.token);
		if (!attachment) return json(404, { error: 'RecordNotFound', description: 'Not found' });
		if (this.d.privateAttachments && !this.authenticate(req.headers)) return json(401, UNAUTHENTICATED);
		// Zendesk answers content_url with a redirect to a short-lived signed URL on its file host.
		const signed = randomBytes(9).toString('hex');
		this.signed.set(signed, attachment.id);
		return {
			status: 302,
			headers: { Location: `${this.base}/__zdusercontent/${signed}/${encodeURIComponent(attachment.file_name)}` },
		};
	}

	private readonly signed = new Map<string, number>();

	private signedAttachment(req: EmulatorRequest): EmulatorResponse {
		const id = this.signed.get(req.params.signed);
		const attachment = id ? this.d.store.attachments.get(id) : undefined;
		if (!attachment) return { status: 404, body: 'Not found', headers: { 'Content-Type': 'text/plain' } };
		return {
			status: 200,
			body: attachment.content,
			headers: {
				'Content-Type': attachment.content_type,
				'Content-Length': String(attachment.size),
				'Content-Disposition': `attachment; filename="${attachment.file_name}"`,
			},
		};
	}

	// ---------------- triggers and webhooks ----------------

	private defineBusinessRules(): void {
		const { store, views, engine, clock } = this.d;
		const webhookError = (status: number, code: string, title: string, detail: string) =>
			new ZendeskError(status, { errors: [{ code, title, detail }] });
		const getWebhook = (id: string): Webhook => {
			const webhook = store.webhooks.get(id);
			if (!webhook) throw webhookError(404, 'WebhookNotFound', 'Webhook not found', `Webhook ${id} was not found`);
			return webhook;
		};
		this.add('GET', '/api/v2/webhooks', 'admin', () => {
			const webhooks = [...store.webhooks.values()];
			return json(200, {
				webhooks: webhooks.map((w) => views.webhook(w)),
				meta: { has_more: false, after_cursor: null, before_cursor: null },
				links: { prev: null, next: null },
			});
		});
		this.add('POST', '/api/v2/webhooks', 'admin', ({ req, caller }) => {
			const input = objectBody(req, 'webhook');
			for (const field of ['name', 'endpoint', 'http_method', 'request_format', 'status']) {
				if (typeof input[field] !== 'string' || !input[field])
					throw webhookError(400, 'InvalidInput', 'Invalid input', `webhook.${field} is required`);
			}
			if (!/^https?:\/\//.test(String(input.endpoint)))
				throw webhookError(400, 'InvalidInput', 'Invalid endpoint', 'webhook.endpoint must be an http(s) URL');
			if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(String(input.http_method).toUpperCase()))
				throw webhookError(400, 'InvalidInput', 'Invalid http_method', 'webhook.http_method is not supported');
			if (!['json', 'xml', 'form_encoded'].includes(String(input.request_format)))
				throw webhookError(400, 'InvalidInput', 'Invalid request_format', 'webhook.request_format is not supported');
			if (!['active', 'inactive'].includes(String(input.status)))
				throw webhookError(400, 'InvalidInput', 'Invalid status', 'webhook.status must be active or inactive');
			const subscriptions = Array.isArray(input.subscriptions) ? input.subscriptions.map(String) : [];
			if (subscriptions.length === 0)
				throw webhookError(400, 'InvalidInput', 'Invalid subscriptions', 'webhook.subscriptions is required');
			const now = clock.iso();
			const auth = input.authentication as Webhook['authentication'] | undefined;
			const webhook: Webhook = {
				id: store.nextWebhookId(),
				name: String(input.name),
				endpoint: String(input.endpoint),
				http_method: String(input.http_method).toUpperCase(),
				request_format: String(input.request_format),
				status: input.status as Webhook['status'],
				subscriptions,
				authentication: auth && typeof auth === 'object' ? auth : undefined,
				custom_headers:
					input.custom_headers && typeof input.custom_headers === 'object'
						? (input.custom_headers as Record<string, string>)
						: undefined,
				signingSecret: randomBytes(32).toString('base64url'),
				created_at: now,
				updated_at: now,
				created_by: String(caller.id),
				updated_by: String(caller.id),
			};
			store.webhooks.set(webhook.id, webhook);
			return json(201, { webhook: views.webhook(webhook) }, { Location: `${this.base}/api/v2/webhooks/${webhook.id}` });
		});
		this.add('GET', '/api/v2/webhooks/:id/signing_secret', 'admin', ({ req }) =>
			json(200, { signing_secret: { algorithm: 'SHA256', secret: getWebhook(req.params.id).signingSecret } }),
		);
		this.add('GET', '/api/v2/webhooks/:id', 'admin', ({ req }) =>
			json(200, { webhook: views.webhook(getWebhook(req.params.id)) }),
		);
		this.add('DELETE', '/api/v2/webhooks/:id', 'admin', ({ req }) => {
			store.webhooks.delete(getWebhook(req.params.id).id);
			return { status: 204 };
		});

		const parseConditions = (value: unknown): Trigger['conditions'] => {
			const c = (value ?? {}) as { all?: unknown; any?: unknown };
			const list = (v: unknown): TriggerCondition[] =>
				(Array.isArray(v) ? v : []).map((x) => {
					const item = x as Record<string, unknown>;
					if (typeof item.field !== 'string')
						throw recordInvalid('conditions', 'Conditions: each condition needs a field', 'InvalidValue');
					return {
						field: item.field,
						operator: typeof item.operator === 'string' ? item.operator : undefined,
						value: item.value,
					};
				});
			return { all: list(c.all), any: list(c.any) };
		};
		const activeTriggers = (onlyActive: boolean) =>
			[...store.triggers.values()].filter((t) => !onlyActive || t.active).sort((a, b) => a.position - b.position);
		this.add('GET', '/api/v2/triggers/active.json', 'admin', () => {
			const triggers = activeTriggers(true);
			return json(200, {
				triggers: triggers.map((t) => views.trigger(t)),
				next_page: null,
				previous_page: null,
				count: triggers.length,
			});
		});
		this.add('GET', '/api/v2/triggers.json', 'admin', ({ req }) => {
			const activeParam = req.query.get('active');
			let triggers = activeTriggers(false);
			if (activeParam !== null) triggers = triggers.filter((t) => t.active === (activeParam === 'true'));
			return json(200, {
				triggers: triggers.map((t) => views.trigger(t)),
				next_page: null,
				previous_page: null,
				count: triggers.length,
			});
		});
		this.add('POST', '/api/v2/triggers.json', 'admin', ({ req }) => {
			const input = objectBody(req, 'trigger');
			if (typeof input.title !== 'string' || !input.title.trim())
				throw recordInvalid('title', 'Title: cannot be blank', 'BlankValue');
			const conditions = parseConditions(input.conditions);
			if (conditions.all.length + conditions.any.length === 0)
				throw recordInvalid('conditions', 'Conditions: must have at least one condition', 'BlankValue');
			const actions: TriggerAction[] = (Array.isArray(input.actions) ? input.actions : []).map((a) => ({
				field: String((a as TriggerAction).field),
				value: (a as TriggerAction).value,
			}));
			if (actions.length === 0) throw recordInvalid('actions', 'Actions: must have at least one action', 'BlankValue');
			for (const action of actions) {
				if (action.field !== 'notification_webhook') continue;
				const [webhookId, body] = Array.isArray(action.value) ? action.value : [];
				if (!store.webhooks.has(String(webhookId)))
					throw recordInvalid('actions', `Actions: webhook ${String(webhookId)} does not exist`, 'InvalidValue');
				if (typeof body !== 'string')
					throw recordInvalid(
						'actions',
						'Actions: notification_webhook value must be [webhook_id, body]',
						'InvalidValue',
					);
			}
			const now = clock.iso();
			const maxPosition = Math.max(0, ...[...store.triggers.values()].map((t) => t.position));
			const trigger: Trigger = {
				id: store.nextTriggerId(),
				title: input.title.trim(),
				active: input.active !== false,
				position: typeof input.position === 'number' ? input.position : maxPosition + 1,
				description: typeof input.description === 'string' ? input.description : null,
				conditions,
				actions,
				category_id: typeof input.category_id === 'string' ? input.category_id : null,
				created_at: now,
				updated_at: now,
			};
			store.triggers.set(trigger.id, trigger);
			engine.noteUnsupported(trigger);
			return json(
				201,
				{ trigger: views.trigger(trigger) },
				{ Location: `${this.base}/api/v2/triggers/${trigger.id}.json` },
			);
		});
		this.add('GET', '/api/v2/triggers/:id.json', 'admin', ({ req }) => {
			const trigger = store.triggers.get(intParam(req.params.id));
			if (!trigger) throw notFound();
			return json(200, { trigger: views.trigger(trigger) });
		});
		this.add('DELETE', '/api/v2/triggers/:id.json', 'admin', ({ req }) => {
			const id = intParam(req.params.id);
			if (!store.triggers.delete(id)) throw notFound();
			return { status: 204 };
		});
	}
}
