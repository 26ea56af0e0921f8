import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { startZendeskEmulator } from '../../emulators/zendesk';
import type { ZendeskEmulator } from '../../emulators/zendesk';
import { attachZendeskSpecValidator, expectNoSpecViolations, formatViolations } from '../harness/zendeskSpec';
import type { ZendeskSpecValidator } from '../harness/zendeskSpec';

/** Parsed JSON bodies (JSON.parse's own type). */
type Body = ReturnType<typeof JSON.parse>;

interface CallOptions {
	body?: unknown;
	raw?: Buffer;
	auth?: string | null;
	headers?: Record<string, string>;
	redirect?: 'follow' | 'manual';
}

const TOKEN_AUTH = (email: string, token = 'zd-emulator-token') =>
	`Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
const BRIDGE = TOKEN_AUTH('bridge@acme.test');

function client(emu: ZendeskEmulator) {
	return async (method: string, path: string, options: CallOptions = {}) => {
		const headers: Record<string, string> = { ...(options.headers ?? {}) };
		if (options.auth !== null) headers.Authorization = options.auth ?? BRIDGE;
		let body: string | Buffer | undefined;
		if (options.raw) body = options.raw;
		else if (options.body !== undefined) {
			body = JSON.stringify(options.body);
			headers['Content-Type'] = 'application/json';
		}
		const response = await fetch(`${emu.url}${path}`, {
			method,
			headers,
			body,
			redirect: options.redirect ?? 'follow',
		});
		const text = await response.text();
		let json: Body = {};
		try {
			json = text ? JSON.parse(text) : {};
		} catch {
			json = { text };
		}
		return { status: response.status, headers: response.headers, json, text };
	};
}

describe('Zendesk emulator', () => {
	let emu: ZendeskEmulator;
	let validator: ZendeskSpecValidator;
	let api: ReturnType<typeof client>;

	beforeAll(async () => {
		emu = await startZendeskEmulator({ searchDelayMs: 5_000, webhookRetryDelayMs: 20, webhookRetryAfterScale: 0.01 });
		validator = attachZendeskSpecValidator(emu);
		api = client(emu);
	});

	afterAll(async () => {
		await emu.close();
	});

	describe('auth', () => {
		it("answers 401 with Zendesk's shape for missing or wrong credentials", async () => {
			const none = await api('GET', '/api/v2/users/me.json', { auth: null });
			expect(none.status).toBe(401);
			expect(none.json).toEqual({ error: "Couldn't authenticate you" });
			const wrong = await api('GET', '/api/v2/users/me.json', { auth: TOKEN_AUTH('bridge@acme.test', 'nope') });
			expect(wrong.status).toBe(401);
			const password = await api('GET', '/api/v2/users/me.json', {
				auth: `Basic ${Buffer.from('bridge@acme.test:zd-emulator-token').toString('base64')}`,
			});
			expect(password.status).toBe(401);
		});

		it('accepts the API token for any user (account-wide) and the OAuth bearer', async () => {
			const token = await api('GET', '/api/v2/users/me.json');
			expect(token.json.user).toMatchObject({ id: emu.fixtures.bridge.id, role: 'admin', email: 'bridge@acme.test' });
			const oauth = await api('GET', '/api/v2/users/me', { auth: 'Bearer zd-emulator-oauth' });
			expect(oauth.json.user.id).toBe(emu.fixtures.bridge.id);
			const anna = await api('GET', '/api/v2/users/me.json', { auth: TOKEN_AUTH('anna@acme.test') });
			expect(anna.json.user).toMatchObject({ id: emu.fixtures.anna.id, role: 'agent' });
		});

		it('forbids end users agent endpoints and agents admin endpoints', async () => {
			const erin = TOKEN_AUTH('erin@acme.test');
			expect((await api('GET', '/api/v2/users/me.json', { auth: erin })).status).toBe(200);
			const forbidden = await api('GET', '/api/v2/tickets.json', { auth: erin });
			expect(forbidden.status).toBe(403);
			expect(forbidden.json.error).toBe('Forbidden');
			expect((await api('GET', '/api/v2/triggers.json', { auth: TOKEN_AUTH('anna@acme.test') })).status).toBe(403);
		});
	});

	describe('users and organizations', () => {
		it('creates users, refuses duplicates, and finds them by external id exactly and at once', async () => {
			const created = await api('POST', '/api/v2/users.json', {
				body: {
					user: { name: 'Sam Slack', email: 'sam@partner.test', external_id: 'slack:T1:U1', skip_verify_email: true },
				},
			});
			expect(created.status).toBe(201);
			expect(created.json.user).toMatchObject({
				name: 'Sam Slack',
				email: 'sam@partner.test',
				external_id: 'slack:T1:U1',
				role: 'end-user',
				verified: true,
			});
			const dup = await api('POST', '/api/v2/users.json', {
				body: { user: { name: 'Other', email: 'SAM@partner.test' } },
			});
			expect(dup.status).toBe(422);
			expect(dup.json.details.email[0].error).toBe('DuplicateValue');

			const exact = await api('GET', '/api/v2/users/search.json?external_id=slack%3AT1%3AU1');
			expect(exact.json.users.map((u: Body) => u.id)).toEqual([created.json.user.id]);
			const prefix = await api('GET', '/api/v2/users/search.json?external_id=slack%3AT1');
			expect(prefix.json.users).toEqual([]);
			const listed = await api('GET', '/api/v2/users.json?external_id=slack%3AT1%3AU1');
			expect(listed.json.users).toHaveLength(1);
			const many = await api('GET', `/api/v2/users/show_many.json?ids=${created.json.user.id},${emu.fixtures.erin.id}`);
			expect(many.json.users.map((u: Body) => u.email).sort()).toEqual(['erin@acme.test', 'sam@partner.test']);
			const show = await api('GET', `/api/v2/users/${created.json.user.id}.json`);
			expect(show.json.user.external_id).toBe('slack:T1:U1');
			expect((await api('GET', '/api/v2/users/999999.json')).status).toBe(404);
		});

		it('query search sees new users only after the indexing delay', async () => {
			await api('POST', '/api/v2/users.json', { body: { user: { name: 'Late Indexed', email: 'late@acme.test' } } });
			const before = await api('GET', `/api/v2/users/search.json?query=${encodeURIComponent('email:late@acme.test')}`);
			expect(before.json.users).toEqual([]);
			emu.clock.advance(5_000);
			const after = await api('GET', `/api/v2/users/search.json?query=${encodeURIComponent('email:late@acme.test')}`);
			expect(after.json.users.map((u: Body) => u.name)).toEqual(['Late Indexed']);
		});

		it('create_or_update matches by external id, then by email (linking existing end users)', async () => {
			emu.clock.advance(2_000);
			const created = await api('POST', '/api/v2/users/create_or_update.json', {
				body: { user: { name: 'Connect Carla', email: 'carla@partner.test', external_id: 'slack:T2:U9' } },
			});
			expect(created.status).toBe(201);
			emu.clock.advance(2_000);
			const byExternal = await api('POST', '/api/v2/users/create_or_update.json', {
				body: { user: { name: 'Carla C.', external_id: 'slack:T2:U9' } },
			});
			expect(byExternal.status).toBe(200);
			expect(byExternal.json.user).toMatchObject({ id: created.json.user.id, name: 'Carla C.' });
			emu.clock.advance(2_000);
			const byEmail = await api('POST', '/api/v2/users/create_or_update.json', {
				body: { user: { name: 'Erin', email: 'erin@acme.test', external_id: 'slack:T1:UERIN' } },
			});
			expect(byEmail.status).toBe(200);
			expect(byEmail.json.user).toMatchObject({ id: emu.fixtures.erin.id, external_id: 'slack:T1:UERIN' });
			// "the search for the user record is not case sensitive" … "the system will update the
			// user's external id to match the case of the external id used to find the user"
			emu.clock.advance(2_000);
			const otherCase = await api('POST', '/api/v2/users/create_or_update.json', {
				body: { user: { name: 'Carla', external_id: 'SLACK:t2:u9' } },
			});
			expect(otherCase.status).toBe(200);
			expect(otherCase.json.user).toMatchObject({ id: created.json.user.id, external_id: 'SLACK:t2:u9' });
		});

		it('lists and adds identities, merges end users, refuses to merge agents', async () => {
			const a = (
				await api('POST', '/api/v2/users.json', { body: { user: { name: 'Dup One', email: 'dup1@acme.test' } } })
			).json.user;
			const b = (
				await api('POST', '/api/v2/users.json', { body: { user: { name: 'Dup Two', email: 'dup2@acme.test' } } })
			).json.user;
			const added = await api('POST', `/api/v2/users/${a.id}/identities.json`, {
				body: { identity: { type: 'email', value: 'dup1-alt@acme.test' } },
			});
			expect(added.status).toBe(201);
			expect(added.json.identity).toMatchObject({
				user_id: a.id,
				type: 'email',
				value: 'dup1-alt@acme.test',
				primary: false,
			});
			const list = await api('GET', `/api/v2/users/${a.id}/identities.json`);
			expect(list.json.identities.map((i: Body) => i.value)).toEqual(['dup1@acme.test', 'dup1-alt@acme.test']);

			const merged = await api('PUT', `/api/v2/users/${a.id}/merge.json`, { body: { user: { id: b.id } } });
			expect(merged.status).toBe(200);
			expect(merged.json.user.id).toBe(b.id);
			const targetIdentities = await api('GET', `/api/v2/users/${b.id}/identities.json`);
			expect(targetIdentities.json.identities.map((i: Body) => i.value)).toEqual(
				expect.arrayContaining(['dup1@acme.test', 'dup2@acme.test']),
			);
			expect((await api('GET', `/api/v2/users/${a.id}.json`)).status).toBe(404);

			const agentMerge = await api('PUT', `/api/v2/users/${emu.fixtures.erin.id}/merge.json`, {
				body: { user: { id: emu.fixtures.anna.id } },
			});
			expect(agentMerge.status).toBe(422);
			expect(agentMerge.json.error).toBe('RecordInvalid');
		});

		it('creates or updates organizations and finds them by external id', async () => {
			const created = await api('POST', '/api/v2/organizations/create_or_update.json', {
				body: { organization: { name: 'Partner Co', external_id: 'slack-team:T2' } },
			});
			expect(created.status).toBe(201);
			const updated = await api('POST', '/api/v2/organizations/create_or_update.json', {
				body: { organization: { name: 'Partner Company', external_id: 'slack-team:T2' } },
			});
			expect(updated.status).toBe(200);
			expect(updated.json.organization).toMatchObject({ id: created.json.organization.id, name: 'Partner Company' });
			const found = await api('GET', '/api/v2/organizations/search.json?external_id=slack-team%3AT2');
			expect(found.json.organizations.map((o: Body) => o.id)).toEqual([created.json.organization.id]);
			// "its external_id must exactly match the value provided (case insensitive)"
			const otherCase = await api('GET', '/api/v2/organizations/search.json?external_id=SLACK-TEAM%3At2');
			expect(otherCase.json.organizations.map((o: Body) => o.id)).toEqual([created.json.organization.id]);
			expect(
				(await api('GET', '/api/v2/organizations/search.json?external_id=slack-team%3AT')).json.organizations,
			).toEqual([]);
			const show = await api('GET', `/api/v2/organizations/${created.json.organization.id}.json`);
			expect(show.json.organization.external_id).toBe('slack-team:T2');
			const dup = await api('POST', '/api/v2/organizations.json', {
				body: { organization: { name: 'partner company' } },
			});
			expect(dup.status).toBe(422);
			const plain = await api('POST', '/api/v2/organizations.json', { body: { organization: { name: 'Plain Org' } } });
			expect(plain.status).toBe(201);
		});

		it('lists brands, groups and ticket fields from the fixtures', async () => {
			const brands = await api('GET', '/api/v2/brands.json');
			expect(brands.json.brands.map((b: Body) => [b.id, b.name, b.default])).toEqual([
				[emu.fixtures.brands.it.id, 'IT', true],
				[emu.fixtures.brands.hr.id, 'HR', false],
			]);
			const groups = await api('GET', '/api/v2/groups.json');
			expect(groups.json.groups.map((g: Body) => g.name)).toEqual(['IT Support', 'HR']);
			const fields = await api('GET', '/api/v2/ticket_fields.json');
			expect(fields.json.ticket_fields.map((f: Body) => f.id)).toContain(emu.fixtures.ticketFields.slackChannelId);
		});
	});

	describe('tickets, comments and uploads', () => {
		it('creates a ticket with a new requester, uploads on the first comment, fields, brand and group', async () => {
			const first = await api('POST', '/api/v2/uploads.json?filename=screen.png', {
				raw: Buffer.from('PNGDATA'),
				headers: { 'Content-Type': 'image/png' },
			});
			expect(first.status).toBe(201);
			const token = first.json.upload.token;
			const second = await api('POST', `/api/v2/uploads.json?filename=log.txt&token=${token}`, {
				raw: Buffer.from('log line'),
				headers: { 'Content-Type': 'text/plain' },
			});
			expect(second.json.upload.token).toBe(token);
			expect(second.json.upload.attachments.map((a: Body) => a.file_name)).toEqual(['screen.png', 'log.txt']);

			const res = await api('POST', '/api/v2/tickets.json', {
				body: {
					ticket: {
						subject: 'Laptop broken',
						requester: { name: 'New Person', email: 'new.person@acme.test' },
						comment: { body: 'My laptop\n\ndoes not boot', public: true, uploads: [token] },
						external_id: 'slack:T1:D1',
						tags: ['Slack DM', 'it'],
						brand_id: emu.fixtures.brands.hr.id,
						group_id: emu.fixtures.groups.hr.id,
						priority: 'high',
						type: 'incident',
						custom_fields: [{ id: emu.fixtures.ticketFields.slackChannelId, value: 'D1' }],
					},
				},
			});
			expect(res.status).toBe(201);
			const ticket = res.json.ticket;
			expect(res.headers.get('location')).toBe(`${emu.url}/api/v2/tickets/${ticket.id}.json`);
			expect(ticket).toMatchObject({
				subject: 'Laptop broken',
				status: 'new',
				external_id: 'slack:T1:D1',
				tags: ['slack_dm', 'it'],
				brand_id: emu.fixtures.brands.hr.id,
				group_id: emu.fixtures.groups.hr.id,
				priority: 'high',
				type: 'incident',
				submitter_id: emu.fixtures.bridge.id,
				via: { channel: 'api' },
			});
			expect(ticket.custom_fields).toContainEqual({ id: emu.fixtures.ticketFields.slackChannelId, value: 'D1' });
			const requester = await api('GET', `/api/v2/users/${ticket.requester_id}.json`);
			expect(requester.json.user.email).toBe('new.person@acme.test');

			const comments = await api('GET', `/api/v2/tickets/${ticket.id}/comments.json`);
			const [comment] = comments.json.comments;
			expect(comment).toMatchObject({
				author_id: emu.fixtures.bridge.id,
				public: true,
				plain_body: 'My laptop\n\ndoes not boot',
			});
			expect(comment.html_body).toContain('<p>My laptop</p>');
			expect(comment.attachments.map((a: Body) => a.file_name)).toEqual(['screen.png', 'log.txt']);

			// content_url needs authentication and redirects to a signed file URL, as Zendesk does.
			const url = new URL(comment.attachments[0].content_url);
			expect((await api('GET', `${url.pathname}${url.search}`, { auth: null })).status).toBe(401);
			const redirect = await api('GET', `${url.pathname}${url.search}`, { redirect: 'manual' });
			expect(redirect.status).toBe(302);
			const download = await api('GET', `${url.pathname}${url.search}`);
			expect(download.status).toBe(200);
			expect(download.text).toBe('PNGDATA');

			// A consumed token cannot be reused.
			const reuse = await api('POST', '/api/v2/tickets.json', {
				body: { ticket: { subject: 'x', comment: { body: 'again', uploads: [token] } } },
			});
			expect(reuse.json.ticket.id).not.toBe(ticket.id);
			const reuseComments = await api('GET', `/api/v2/tickets/${reuse.json.ticket.id}/comments.json`);
			expect(reuseComments.json.comments[0].attachments).toEqual([]);
		});

		it('expires upload tokens after their lifetime', async () => {
			const up = await api('POST', '/api/v2/uploads.json?filename=a.pdf', {
				raw: Buffer.from('%PDF'),
				headers: { 'Content-Type': 'application/pdf' },
			});
			expect(Date.parse(up.json.upload.expires_at) - emu.clock.now()).toBeGreaterThan(59 * 60_000);
			emu.clock.advance(61 * 60_000);
			const add = await api('POST', `/api/v2/uploads.json?filename=b.pdf&token=${up.json.upload.token}`, {
				raw: Buffer.from('%PDF'),
				headers: { 'Content-Type': 'application/pdf' },
			});
			expect(add.status).toBe(404);
			const ticket = await api('POST', '/api/v2/tickets.json', {
				body: { ticket: { comment: { body: 'late', uploads: [up.json.upload.token] } } },
			});
			const comments = await api('GET', `/api/v2/tickets/${ticket.json.ticket.id}/comments.json`);
			expect(comments.json.comments[0].attachments).toEqual([]);
		});

		it('updates with comments, tags and status; a requester comment reopens solved and pending tickets', async () => {
			const erin = emu.fixtures.erin.id;
			const created = await api('POST', '/api/v2/tickets.json', {
				body: {
					ticket: {
						requester_id: erin,
						comment: { body: 'Hi', author_id: erin },
						external_id: 'slack:T1:D2',
						tags: ['a'],
					},
				},
			});
			const id = created.json.ticket.id;
			const update = await api('PUT', `/api/v2/tickets/${id}.json`, {
				body: {
					ticket: {
						comment: { body: 'More', author_id: erin, public: true },
						additional_tags: ['b'],
						status: 'solved',
					},
				},
			});
			expect(update.status).toBe(200);
			expect(update.json.ticket).toMatchObject({ status: 'solved', tags: ['a', 'b'] });
			expect(update.json.audit.ticket_id).toBe(id);
			const reopen = await api('PUT', `/api/v2/tickets/${id}.json`, {
				body: { ticket: { comment: { body: 'Still broken', author_id: erin, public: true } } },
			});
			expect(reopen.json.ticket.status).toBe('open');
			await api('PUT', `/api/v2/tickets/${id}.json`, { body: { ticket: { status: 'pending' } } });
			const privateNote = await api('PUT', `/api/v2/tickets/${id}.json`, {
				body: { ticket: { comment: { body: 'note', author_id: erin, public: false } } },
			});
			expect(privateNote.json.ticket.status).toBe('pending');
			const answer = await api('PUT', `/api/v2/tickets/${id}.json`, {
				body: { ticket: { comment: { body: 'answer', author_id: erin } } },
			});
			expect(answer.json.ticket.status).toBe('open');

			const byExternal = await api('GET', '/api/v2/tickets.json?external_id=slack%3AT1%3AD2');
			expect(byExternal.json.tickets.map((t: Body) => t.id)).toEqual([id]);
			const many = await api('GET', `/api/v2/tickets/show_many.json?ids=${id}`);
			expect(many.json.tickets).toHaveLength(1);
			const requested = await api('GET', `/api/v2/users/${erin}/tickets/requested.json`);
			expect(requested.json.tickets.map((t: Body) => t.id)).toContain(id);
			const shown = await api('GET', `/api/v2/tickets/${id}.json`);
			expect(shown.json.ticket.status).toBe('open');
		});

		it('keeps audits with custom metadata and comment events, and refuses stale safe updates with 409', async () => {
			const created = await api('POST', '/api/v2/tickets.json', {
				body: { ticket: { comment: { body: 'first' }, metadata: { slack_keys: 'k1' } } },
			});
			const id = created.json.ticket.id;
			const commentEvent = created.json.audit.events.find((e: Body) => e.type === 'Comment');
			const [firstComment] = (await api('GET', `/api/v2/tickets/${id}/comments.json`)).json.comments;
			expect(commentEvent.id).toBe(firstComment.id);
			const stamp = created.json.ticket.updated_at;
			emu.clock.advance(1_000);
			const ok = await api('PUT', `/api/v2/tickets/${id}.json`, {
				body: {
					ticket: {
						comment: { body: 'second' },
						metadata: { slack_keys: 'k2' },
						safe_update: true,
						updated_stamp: stamp,
					},
				},
			});
			expect(ok.status).toBe(200);
			const stale = await api('PUT', `/api/v2/tickets/${id}.json`, {
				body: { ticket: { comment: { body: 'third' }, safe_update: true, updated_stamp: stamp } },
			});
			expect(stale.status).toBe(409);
			expect(stale.json.error).toBe('UpdateConflict');
			// List Audits documents no sort_order: oldest first, whatever is asked; the count endpoint finds the last page
			const audits = await api('GET', `/api/v2/tickets/${id}/audits.json?sort_order=desc`);
			expect(audits.json.audits.map((a: Body) => a.metadata.custom.slack_keys)).toEqual(['k1', 'k2']);
			expect(audits.json.audits[1].events.find((e: Body) => e.type === 'Comment').body).toBe('second');
			const count = await api('GET', `/api/v2/tickets/${id}/audits/count.json`);
			expect(count.json.count.value).toBe(2);
			const last = await api('GET', `/api/v2/tickets/${id}/audits.json?page=2&per_page=1`);
			expect(last.json.audits.map((a: Body) => a.metadata.custom.slack_keys)).toEqual(['k2']);
		});

		it('refuses updates to closed tickets and allows follow-ups only from closed tickets', async () => {
			const created = await api('POST', '/api/v2/tickets.json', {
				body: { ticket: { requester_id: emu.fixtures.erin.id, comment: { body: 'old' } } },
			});
			const id = created.json.ticket.id;
			const early = await api('POST', '/api/v2/tickets.json', {
				body: { ticket: { via_followup_source_id: id, comment: { body: 'follow' } } },
			});
			expect(early.status).toBe(422);
			expect(early.json.details).toHaveProperty('via_followup_source_id');
			await emu.close(id);
			const refused = await api('PUT', `/api/v2/tickets/${id}.json`, {
				body: { ticket: { comment: { body: 'too late' } } },
			});
			expect(refused.status).toBe(422);
			expect(refused.json).toEqual({
				error: 'RecordInvalid',
				description: 'Record validation errors',
				details: { status: [{ description: 'Status: closed prevents ticket update' }] },
			});
			const followup = await api('POST', '/api/v2/tickets.json', {
				body: {
					ticket: { via_followup_source_id: id, requester_id: emu.fixtures.erin.id, comment: { body: 'follow' } },
				},
			});
			expect(followup.status).toBe(201);
			expect(followup.json.ticket.via.source).toMatchObject({ rel: 'follow_up', from: { ticket_id: id } });
			const source = await api('GET', `/api/v2/tickets/${id}.json`);
			expect(source.json.ticket.followup_ids).toEqual([followup.json.ticket.id]);
		});

		it('paginates comments with offsets and cursors and caps tickets at 5,000 comments', async () => {
			const created = await api('POST', '/api/v2/tickets.json', { body: { ticket: { comment: { body: 'c0' } } } });
			const id = created.json.ticket.id;
			for (let i = 1; i <= 4; i++)
				await api('PUT', `/api/v2/tickets/${id}.json`, { body: { ticket: { comment: { body: `c${i}` } } } });
			const offset = await api('GET', `/api/v2/tickets/${id}/comments.json?per_page=2&page=2`);
			expect(offset.json.comments.map((c: Body) => c.plain_body)).toEqual(['c2', 'c3']);
			expect(offset.json.count).toBe(5);
			expect(offset.json.next_page).toContain('page=3');
			const ids = (await api('GET', `/api/v2/tickets/${id}/comments.json`)).json.comments.map((c: Body) => c.id);
			expect([...ids].sort((a, b) => a - b)).toEqual(ids);
			const cursor1 = await api('GET', `/api/v2/tickets/${id}/comments.json?page[size]=3`);
			expect(cursor1.json.meta.has_more).toBe(true);
			const next = new URL(cursor1.json.links.next);
			const cursor2 = await api('GET', `${next.pathname}${next.search}`);
			expect(cursor2.json.comments.map((c: Body) => c.plain_body)).toEqual(['c3', 'c4']);
			expect(cursor2.json.meta.has_more).toBe(false);

			const ticket = emu.store.tickets.get(id)!;
			const template = ticket.comments[0];
			while (ticket.comments.length < 5000)
				ticket.comments.push({ ...template, id: template.id + 1_000_000 + ticket.comments.length });
			emu.clock.advance(11 * 60_000);
			const over = await api('PUT', `/api/v2/tickets/${id}.json`, {
				body: { ticket: { comment: { body: 'one too many' } } },
			});
			expect(over.status).toBe(422);
			expect(over.json.error).toBe('RecordInvalid');
			emu.store.tickets.delete(id);
		});
	});

	describe('search', () => {
		it('hides new and changed tickets until the index catches up, then filters by status, requester, tags, external id', async () => {
			const created = await api('POST', '/api/v2/tickets.json', {
				body: {
					ticket: {
						requester_id: emu.fixtures.erin.id,
						comment: { body: 'searchable printer' },
						external_id: 'slack:T1:S1',
						tags: ['findme'],
					},
				},
			});
			const id = created.json.ticket.id;
			const q = (query: string) => api('GET', `/api/v2/search.json?query=${encodeURIComponent(query)}`);
			expect((await q('type:ticket tags:findme')).json.results).toEqual([]);
			emu.clock.advance(5_000);
			const found = await q('type:ticket status<solved requester:erin@acme.test tags:findme external_id:slack:T1:S1');
			expect(found.json.results.map((r: Body) => [r.id, r.result_type])).toEqual([[id, 'ticket']]);
			expect((await q('type:ticket printer findme')).json.count).toBe(1);
			expect((await q('type:ticket -tags:findme external_id:slack:T1:S1')).json.results).toEqual([]);

			await api('PUT', `/api/v2/tickets/${id}.json`, { body: { ticket: { status: 'solved' } } });
			const stale = await q('type:ticket status<solved tags:findme');
			// Search still returns the indexed (stale) version of the ticket.
			expect(stale.json.results.map((r: Body) => [r.id, r.status])).toEqual([[id, 'new']]);
			emu.clock.advance(5_000);
			expect((await q('type:ticket status<solved tags:findme')).json.results).toEqual([]);
			expect((await q('type:ticket status:solved tags:findme')).json.results.map((r: Body) => r.id)).toEqual([id]);
			expect((await q('type:user email:erin@acme.test')).json.results.map((r: Body) => [r.id, r.result_type])).toEqual([
				[emu.fixtures.erin.id, 'user'],
			]);
		});
	});

	describe('idempotency', () => {
		it('replays the original response for the same key and body, and refuses a different body', async () => {
			const body = { ticket: { subject: 'Once', comment: { body: 'only once' } } };
			const first = await api('POST', '/api/v2/tickets.json', { body, headers: { 'Idempotency-Key': 'key-1' } });
			expect(first.status).toBe(201);
			expect(first.headers.get('x-idempotency-lookup')).toBe('miss');
			const again = await api('POST', '/api/v2/tickets.json', { body, headers: { 'Idempotency-Key': 'key-1' } });
			expect(again.status).toBe(201);
			expect(again.headers.get('x-idempotency-lookup')).toBe('hit');
			expect(again.json.ticket.id).toBe(first.json.ticket.id);
			expect([...emu.store.tickets.values()].filter((t) => t.subject === 'Once')).toHaveLength(1);
			const different = await api('POST', '/api/v2/tickets.json', {
				body: { ticket: { subject: 'Twice', comment: { body: 'other' } } },
				headers: { 'Idempotency-Key': 'key-1' },
			});
			expect(different.status).toBe(400);
			expect(different.json.error).toBe('IdempotentRequestError');
			emu.clock.advance(2 * 60 * 60_000 + 1);
			const expired = await api('POST', '/api/v2/tickets.json', { body, headers: { 'Idempotency-Key': 'key-1' } });
			expect(expired.json.ticket.id).not.toBe(first.json.ticket.id);
		});
	});

	describe('triggers and webhooks', () => {
		let receiver: http.Server;
		let receiverUrl: string;
		const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
		let answers: number[] = [];

		beforeAll(async () => {
			receiver = http.createServer((req, res) => {
				const chunks: Buffer[] = [];
				req.on('data', (c) => chunks.push(c));
				req.on('end', () => {
					received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
					res.writeHead(answers.shift() ?? 200);
					res.end();
				});
			});
			await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
			receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/zendesk`;
		});

		afterAll(async () => {
			await new Promise<void>((resolve) => receiver.close(() => resolve()));
		});

		it('fires a public agent reply trigger with a signed, rendered JSON body, skips API comments and private notes', async () => {
			const webhook = await api('POST', '/api/v2/webhooks', {
				body: {
					webhook: {
						name: 'Bridge return path',
						endpoint: receiverUrl,
						http_method: 'POST',
						request_format: 'json',
						status: 'active',
						subscriptions: ['conditional_ticket_events'],
					},
				},
			});
			expect(webhook.status).toBe(201);
			const webhookId = webhook.json.webhook.id;
			const secret = (await api('GET', `/api/v2/webhooks/${webhookId}/signing_secret`)).json.signing_secret;
			expect(secret.algorithm).toBe('SHA256');
			expect((await api('GET', '/api/v2/webhooks')).json.webhooks.map((w: Body) => w.id)).toContain(webhookId);
			expect((await api('GET', `/api/v2/webhooks/${webhookId}`)).json.webhook.endpoint).toBe(receiverUrl);

			const payload =
				'{"ticket_id":"{{ticket.id}}","external_id":"{{ticket.external_id}}","comment_id":"{{ticket.latest_comment.id}}","html":"{{ticket.latest_public_comment_html}}","author":"{{current_user.email}}","files":[{% for a in ticket.latest_comment.attachments %}{"name":"{{a.filename}}","url":"{{a.url}}"}{% unless forloop.last %},{% endunless %}{% endfor %}]}';
			const trigger = await api('POST', '/api/v2/triggers.json', {
				body: {
					trigger: {
						title: 'Slack DM: public agent reply',
						conditions: {
							all: [
								{ field: 'update_type', operator: 'is', value: 'Change' },
								{ field: 'comment_is_public', operator: 'is', value: 'true' },
								{ field: 'current_via_id', operator: 'is_not', value: '5' },
								{ field: 'role', operator: 'is', value: 'agent' },
								{ field: 'current_tags', operator: 'includes', value: 'slack_dm' },
							],
							any: [],
						},
						actions: [{ field: 'notification_webhook', value: [webhookId, payload] }],
					},
				},
			});
			expect(trigger.status).toBe(201);
			const triggerId = trigger.json.trigger.id;
			expect((await api('GET', '/api/v2/triggers/active.json')).json.triggers.map((t: Body) => t.id)).toContain(
				triggerId,
			);
			expect((await api('GET', `/api/v2/triggers/${triggerId}.json`)).json.trigger.title).toBe(
				'Slack DM: public agent reply',
			);

			const ticket = (
				await api('POST', '/api/v2/tickets.json', {
					body: {
						ticket: {
							requester_id: emu.fixtures.erin.id,
							comment: { body: 'Help', author_id: emu.fixtures.erin.id },
							tags: ['slack_dm'],
							external_id: 'slack:T1:DW',
						},
					},
				})
			).json.ticket;
			// The bridge posting via the API is an update by an agent through the web service: no fire.
			await api('PUT', `/api/v2/tickets/${ticket.id}.json`, {
				body: { ticket: { comment: { body: 'more "quoted"', author_id: emu.fixtures.erin.id } } },
			});
			await emu.agentReply(ticket.id, { body: 'Internal only', public: false });
			await emu.flushWebhooks();
			expect(received).toHaveLength(0);

			await emu.agentReply(ticket.id, {
				body: 'Try "this"\nthen reboot',
				public: true,
				attachments: [{ filename: 'fix.txt', contentType: 'text/plain', content: Buffer.from('steps') }],
			});
			await emu.flushWebhooks();
			expect(received).toHaveLength(1);
			const [hit] = received;
			const timestamp = String(hit.headers['x-zendesk-webhook-signature-timestamp']);
			const expected = createHmac('sha256', secret.secret)
				.update(timestamp + hit.body)
				.digest('base64');
			expect(hit.headers['x-zendesk-webhook-signature']).toBe(expected);
			expect(hit.headers['x-zendesk-webhook-id']).toBe(webhookId);
			expect(hit.headers['x-zendesk-webhook-invocation-id']).toBeTruthy();
			const parsed = JSON.parse(hit.body);
			const lastComment = emu.store.tickets.get(ticket.id)!.comments.at(-1)!;
			expect(parsed).toMatchObject({
				ticket_id: String(ticket.id),
				external_id: 'slack:T1:DW',
				comment_id: String(lastComment.id),
				author: 'anna@acme.test',
			});
			expect(parsed.html).toContain('Try &quot;this&quot;<br>then reboot');
			expect(parsed.files).toHaveLength(1);
			expect(parsed.files[0].name).toBe('fix.txt');

			// A forced duplicate keeps the invocation id, as a Zendesk redelivery does.
			const delivery = emu.deliveries.at(-1)!;
			await emu.redeliver(delivery.invocationId);
			expect(received).toHaveLength(2);
			expect(received[1].headers['x-zendesk-webhook-invocation-id']).toBe(
				hit.headers['x-zendesk-webhook-invocation-id'],
			);
			expect(received[1].body).toBe(hit.body);

			// 409 is retried; a 400 is not.
			answers = [409, 200];
			await emu.agentReply(ticket.id, { body: 'retry me', public: true });
			await emu.flushWebhooks();
			expect(emu.deliveries.at(-1)!.attempts.map((a) => a.status)).toEqual([409, 200]);
			answers = [400];
			await emu.agentReply(ticket.id, { body: 'no retry', public: true });
			await emu.flushWebhooks();
			expect(emu.deliveries.at(-1)!.attempts.map((a) => a.status)).toEqual([400]);
			expect(emu.deliveries.at(-1)!.delivered).toBe(false);

			expect((await api('DELETE', `/api/v2/triggers/${triggerId}.json`)).status).toBe(204);
			expect((await api('DELETE', `/api/v2/webhooks/${webhookId}`)).status).toBe(204);
			expect((await api('GET', `/api/v2/webhooks/${webhookId}`)).status).toBe(404);
			expect(emu.warnings).toEqual([]);
		});
	});

	describe('agent actions over HTTP', () => {
		it('replies, solves, closes and lists transcripts under /__emulator', async () => {
			const ticket = (
				await api('POST', '/api/v2/tickets.json', {
					body: { ticket: { requester_id: emu.fixtures.erin.id, comment: { body: 'via http' } } },
				})
			).json.ticket;
			const reply = await api('POST', `/__emulator/tickets/${ticket.id}/reply`, {
				auth: null,
				body: {
					htmlBody: '<p>Hello <b>Erin</b></p>',
					public: true,
					attachments: [
						{ filename: 'a.txt', contentType: 'text/plain', contentBase64: Buffer.from('x').toString('base64') },
					],
				},
			});
			expect(reply.status).toBe(200);
			expect(reply.json.ticket.status).toBe('open');
			const solved = await api('POST', `/__emulator/tickets/${ticket.id}/solve`, { auth: null });
			expect(solved.json.ticket.status).toBe('solved');
			const closed = await api('POST', `/__emulator/tickets/${ticket.id}/close`, { auth: null });
			expect(closed.json.ticket.status).toBe('closed');
			const list = await api('GET', '/__emulator/tickets', { auth: null });
			const transcript = list.json.tickets.find((t: Body) => t.ticket.id === ticket.id);
			expect(transcript.comments.map((c: Body) => [c.author_id, c.plain_body, c.via.channel])).toEqual([
				[emu.fixtures.bridge.id, 'via http', 'api'],
				[emu.fixtures.anna.id, 'Hello Erin', 'web'],
			]);
			expect(transcript.comments[1].attachments[0].file_name).toBe('a.txt');
			const refused = await api('POST', `/__emulator/tickets/${ticket.id}/reply`, {
				auth: null,
				body: { body: 'late', public: true },
			});
			expect(refused.status).toBe(422);
		});
	});

	describe('fault injection', () => {
		it('injects 5xx, 429 with Retry-After, latency, connection resets and timeouts per route', async () => {
			const route = 'GET /api/v2/users/me.json';
			emu.server.injectFault(route, { kind: 'status', status: 503 });
			expect((await api('GET', '/api/v2/users/me.json')).status).toBe(503);
			emu.server.injectFault(route, { kind: 'rateLimit', retryAfterSeconds: 7 });
			const limited = await api('GET', '/api/v2/users/me.json');
			expect(limited.status).toBe(429);
			expect(limited.headers.get('retry-after')).toBe('7');
			emu.server.injectFault(route, { kind: 'latency', ms: 150 });
			const started = Date.now();
			expect((await api('GET', '/api/v2/users/me.json')).status).toBe(200);
			expect(Date.now() - started).toBeGreaterThanOrEqual(140);
			emu.server.injectFault(route, { kind: 'reset' });
			await expect(api('GET', '/api/v2/users/me.json')).rejects.toThrow();
			emu.server.injectFault(route, { kind: 'timeout' });
			await expect(
				fetch(`${emu.url}/api/v2/users/me.json`, {
					headers: { Authorization: BRIDGE },
					signal: AbortSignal.timeout(200),
				}),
			).rejects.toThrow();
			expect((await api('GET', '/api/v2/users/me.json')).status).toBe(200);
		});

		it('counts a request as in flight from its arrival until its answer (a held write is at the service)', async () => {
			const route = 'GET /api/v2/users/me.json';
			emu.server.injectFault(route, { kind: 'latency', ms: 300 });
			expect(emu.server.inFlight(route)).toBe(0);
			const answer = api('GET', '/api/v2/users/me.json');
			for (const deadline = Date.now() + 250; emu.server.inFlight(route) === 0 && Date.now() < deadline; )
				await new Promise((resolve) => setTimeout(resolve, 10));
			expect(emu.server.inFlight(route)).toBe(1);
			expect((await answer).status).toBe(200);
			expect(emu.server.inFlight(route)).toBe(0);
		});

		it('logs calls a reset or timeout fault left unanswered (status 0), so the call log and the spec guard see them', async () => {
			const route = 'PUT /api/v2/tickets/:id.json';
			emu.server.resetCalls();
			const seen: string[] = [];
			const observer = (call: { fault?: string; status: number }) => seen.push(`${call.fault ?? '-'}:${call.status}`);
			emu.server.observers.push(observer);
			emu.server.injectFault(route, { kind: 'reset' });
			emu.server.injectFault(route, { kind: 'timeout' });
			const body = JSON.stringify({ ticket: { comment: { body: 'x' } } });
			const put = (signal?: AbortSignal) =>
				fetch(`${emu.url}/api/v2/tickets/999999.json`, {
					method: 'PUT',
					headers: { Authorization: BRIDGE, 'Content-Type': 'application/json' },
					body,
					signal,
				});
			await expect(put()).rejects.toThrow();
			await expect(put(AbortSignal.timeout(200))).rejects.toThrow();
			emu.server.observers.splice(emu.server.observers.indexOf(observer), 1);
			const calls = emu.server.callsTo(route);
			expect(calls.map((c) => [c.fault, c.status, c.path])).toEqual([
				['reset', 0, '/api/v2/tickets/999999.json'],
				['timeout', 0, '/api/v2/tickets/999999.json'],
			]);
			expect(calls[0].request.body).toEqual({ ticket: { comment: { body: 'x' } } });
			expect(seen).toEqual(['reset:0', 'timeout:0']);
		});
	});

	it("sent and answered only what Zendesk's spec allows (all traffic above)", () => {
		expect(validator.checked).toBeGreaterThan(50);
		if (validator.violations.length > 0) throw new Error(formatViolations(validator.violations));
		expectNoSpecViolations(validator);
	});
});

describe('Zendesk emulator rate limits', () => {
	let emu: ZendeskEmulator;
	let api: ReturnType<typeof client>;
	let validator: ZendeskSpecValidator;

	beforeAll(async () => {
		emu = await startZendeskEmulator({ plan: 'team' });
		validator = attachZendeskSpecValidator(emu);
		api = client(emu);
	});

	afterAll(async () => {
		await emu.close();
	});

	it("limits requests per minute by plan with Zendesk's headers and Retry-After", async () => {
		const first = await api('GET', '/api/v2/users/me.json');
		expect(first.headers.get('x-rate-limit')).toBe('200');
		expect(first.headers.get('x-rate-limit-remaining')).toBe('199');
		expect(first.headers.get('ratelimit-limit')).toBe('200');
		expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
		for (let i = 1; i < 200; i++) await api('GET', '/api/v2/users/me.json');
		const limited = await api('GET', '/api/v2/users/me.json');
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		emu.clock.advance(60_000);
		expect((await api('GET', '/api/v2/users/me.json')).status).toBe(200);
		emu.setRateLimits(false);
		for (let i = 0; i < 205; i++) await api('GET', '/api/v2/groups.json');
		expect((await api('GET', '/api/v2/users/me.json')).status).toBe(200);
		emu.setRateLimits(true);
		emu.clock.advance(60_000);
	});

	it('allows 30 updates per 10 minutes per user per ticket', async () => {
		const ticket = (await api('POST', '/api/v2/tickets.json', { body: { ticket: { comment: { body: 'busy' } } } })).json
			.ticket;
		for (let i = 0; i < 30; i++)
			expect(
				(await api('PUT', `/api/v2/tickets/${ticket.id}.json`, { body: { ticket: { comment: { body: `m${i}` } } } }))
					.status,
			).toBe(200);
		const limited = await api('PUT', `/api/v2/tickets/${ticket.id}.json`, {
			body: { ticket: { comment: { body: 'one more' } } },
		});
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(500);
		// Another user (Anna) still may update the same ticket.
		expect(
			(
				await api('PUT', `/api/v2/tickets/${ticket.id}.json`, {
					auth: TOKEN_AUTH('anna@acme.test'),
					body: { ticket: { comment: { body: 'anna' } } },
				})
			).status,
		).toBe(200);
		emu.clock.advance(10 * 60_000);
		expect(
			(await api('PUT', `/api/v2/tickets/${ticket.id}.json`, { body: { ticket: { comment: { body: 'later' } } } }))
				.status,
		).toBe(200);
	});

	it('limits create_or_update user to 1 per second per account and 5 per minute per user', async () => {
		const body = (n: number) => ({ user: { name: `U${n}`, email: 'same@acme.test' } });
		expect((await api('POST', '/api/v2/users/create_or_update.json', { body: body(0) })).status).toBe(201);
		const fast = await api('POST', '/api/v2/users/create_or_update.json', { body: body(1) });
		expect(fast.status).toBe(429);
		expect(fast.headers.get('retry-after')).toBe('1');
		for (let i = 1; i < 5; i++) {
			emu.clock.advance(1_000);
			expect((await api('POST', '/api/v2/users/create_or_update.json', { body: body(i) })).status).toBe(200);
		}
		emu.clock.advance(1_000);
		const perUser = await api('POST', '/api/v2/users/create_or_update.json', { body: body(6) });
		expect(perUser.status).toBe(429);
		expect(perUser.text).toContain('rate limit for updating a single unique user');
		emu.clock.advance(1_000);
		expect(
			(
				await api('POST', '/api/v2/users/create_or_update.json', {
					body: { user: { name: 'Other', email: 'other@acme.test' } },
				})
			).status,
		).toBe(201);
	});

	it('stays within the spec for limited traffic too', () => {
		expect(validator.checked).toBeGreaterThan(200);
		expectNoSpecViolations(validator);
	});
});
