/**
 * Zendesk Messaging Upsert against the Zendesk emulator through real n8n-core contexts.
 * Update pacing runs on the emulator's clock (virtual time), so the chatty-user test covers
 * Zendesk's real 30-per-10-minutes window in well under a second of real time.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { slackDisplayNames } from '../../nodes/shared/identity/slackNames';
import type { SlackDmItem } from '../../nodes/shared/types';
import { resetUpsertState } from '../../nodes/ZendeskMessagingUpsert/upsertState';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { useEmulators, zendeskCredentials } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { LINKED_TEAM as TEAM, linkedDmItems } from '../harness/items';

const PUT_TICKET = 'PUT /api/v2/tickets/:id.json';
const POST_TICKETS = 'POST /api/v2/tickets.json';
const GET_TICKETS = 'GET /api/v2/tickets.json';

const { zendesk: emu } = useEmulators({
	zendesk: { rateLimits: false },
	lifetime: 'file',
	resetEachTest: true,
	upsertClock: true,
});

// A test switches rate limits on; reset() keeps that setting.
beforeEach(() => emu.setRateLimits(false));

const credentials = () => ({ zendeskDmApi: zendeskCredentials(emu) });

const { newChannel, item: slackItem } = linkedDmItems(emu);

async function run(
	items: INodeExecutionData[],
	parameters: INodeParameters = {},
	continueOnFail = false,
	nodeType = new ZendeskMessagingUpsert(),
) {
	const { outputs } = await executeNode(nodeType, { parameters, credentials: credentials(), items, continueOnFail });
	return outputs[0];
}

async function send(item: SlackDmItem, parameters: INodeParameters = {}) {
	const [out] = await run([{ json: item as never }], parameters);
	return out.json.zendesk as {
		ticketId: number;
		ticketUrl: string;
		outcome: string;
		commentId: number | null;
		followUpSourceId?: number;
		coalescedCount?: number;
		reason?: string;
	};
}

function ticketOf(id: number) {
	return emu.tickets().find((t) => t.ticket.id === id)!;
}

function commentBodies(id: number): string[] {
	return ticketOf(id).comments.map((c) => String(c.body));
}

describe('Zendesk Messaging Upsert (Support tickets mode)', () => {
	it('creates the conversation ticket with requester, subject, tags, brand, group, priority, type and custom fields', async () => {
		const channel = newChannel();
		const item = slackItem(channel, 'My laptop does not boot\nIt shows a blue screen');
		const result = await send(item, {
			tags: 'vip, laptop',
			brandId: String(emu.fixtures.brands.hr.id),
			groupId: `={{ ${emu.fixtures.groups.hr.id} }}`,
			priority: 'high',
			ticketType: 'incident',
			customFields: {
				field: [{ id: String(emu.fixtures.ticketFields.slackChannelId), value: '={{ $json.channel.id }}' }],
			},
		});
		expect(result.outcome).toBe('created');
		expect(result.ticketUrl).toBe(`${emu.url}/agent/tickets/${result.ticketId}`);
		const { ticket, comments } = ticketOf(result.ticketId);
		expect(ticket).toMatchObject({
			external_id: `slack-dm:${TEAM}:${channel}`,
			requester_id: emu.fixtures.erin.id,
			subject: 'My laptop does not boot',
			brand_id: emu.fixtures.brands.hr.id,
			group_id: emu.fixtures.groups.hr.id,
			priority: 'high',
			type: 'incident',
		});
		expect(ticket.tags).toEqual(expect.arrayContaining(['slack_dm', 'slack_handle_it', 'vip', 'laptop']));
		expect(ticket.tags).not.toContain('slack_connect');
		expect(ticket.custom_fields).toEqual(
			expect.arrayContaining([{ id: emu.fixtures.ticketFields.slackChannelId, value: channel }]),
		);
		expect(comments).toHaveLength(1);
		expect(comments[0]).toMatchObject({ author_id: emu.fixtures.erin.id, public: true });
		expect(result.commentId).toBe(comments[0].id);
		const create = emu.server.callsTo(POST_TICKETS)[0];
		// one creation key per conversation: two first messages in two processes make one ticket
		expect(create.request.headers['idempotency-key']).toBe(`create:slack-dm:${TEAM}:${channel}:new`);
		expect(emu.server.countCalls()).toBe(2); // lookup + create
	});

	it('tags Slack Connect partners and routes by brand/group expressions', async () => {
		const item = slackItem(newChannel(), 'Partner question', {
			user: { id: 'UPART', teamId: 'TPARTNER', isExternal: true },
		});
		const result = await send(item, {
			brandId: `={{ $json.user.isExternal ? ${emu.fixtures.brands.it.id} : 0 }}`,
			groupId: String(emu.fixtures.groups.itSupport.id),
		});
		const { ticket } = ticketOf(result.ticketId);
		expect(ticket.tags).toContain('slack_connect');
		expect(ticket.brand_id).toBe(emu.fixtures.brands.it.id);
		expect(ticket.group_id).toBe(emu.fixtures.groups.itSupport.id);
	});

	it('appends to the cached ticket with exactly one Zendesk request (steady state)', async () => {
		const channel = newChannel();
		const first = await send(slackItem(channel, 'first'));
		emu.server.resetCalls();
		const second = await send(slackItem(channel, 'second'));
		expect(second).toMatchObject({ ticketId: first.ticketId, outcome: 'appended' });
		expect(emu.server.countCalls()).toBe(1);
		expect(emu.server.countCalls(PUT_TICKET)).toBe(1);
		const comments = ticketOf(first.ticketId).comments;
		expect(comments.map((c) => c.body)).toEqual(['first', 'second']);
		expect(comments[1]).toMatchObject({ author_id: emu.fixtures.erin.id, public: true });
		expect(second.commentId).toBe(comments[1].id);
	});

	it('reads the routing parameters only for a new ticket: a routing mistake fails that item alone, with its data', async () => {
		// A Group ID no ticket can have: only an item that creates a ticket reads it.
		const routing = { groupId: '={{ "group of " + $json.message.text }}' };
		const open = newChannel();
		const first = await send(slackItem(open, 'first'));
		const fresh = slackItem(newChannel(), 'a new conversation');
		const [appended, failed] = await run(
			[{ json: slackItem(open, 'second') as never }, { json: fresh as never }],
			routing,
			true,
		);
		expect(appended.json.zendesk).toMatchObject({ ticketId: first.ticketId, outcome: 'appended' });
		expect(commentBodies(first.ticketId)).toEqual(['first', 'second']);
		expect(failed.json.error).toBe('Brand ID and Group ID must be Zendesk IDs (positive integers)');
		expect(failed.json.idempotencyKey).toBe(fresh.idempotencyKey);
		expect(emu.server.countCalls(POST_TICKETS)).toBe(1);
	});

	it('uploads every file first with one token and attaches them to the comment', async () => {
		const channel = newChannel();
		await send(slackItem(channel, 'hello'));
		emu.server.resetCalls();
		const item = slackItem(channel, '');
		const [out] = await run([
			{
				json: item as never,
				binary: {
					attachment_0: {
						data: Buffer.from('%PDF-1.4 test').toString('base64'),
						mimeType: 'application/pdf',
						fileName: 'report.pdf',
					},
					attachment_1: {
						data: Buffer.from('plain text').toString('base64'),
						mimeType: 'text/plain',
						fileName: 'notes.txt',
					},
				},
			},
		]);
		const zendesk = out.json.zendesk as { ticketId: number; outcome: string };
		expect(zendesk.outcome).toBe('appended');
		const uploads = emu.server.callsTo('POST /api/v2/uploads.json');
		expect(uploads.map((c) => c.request.query.filename)).toEqual(['report.pdf', 'notes.txt']);
		expect(uploads[0].request.query.token).toBeUndefined();
		expect(uploads[1].request.query.token).toBe(
			(uploads[0].response.body as { upload: { token: string } }).upload.token,
		);
		const put = emu.server.callsTo(PUT_TICKET)[0];
		expect((put.request.body as { ticket: { comment: { uploads: string[] } } }).ticket.comment.uploads).toEqual([
			uploads[1].request.query.token,
		]);
		const last = ticketOf(zendesk.ticketId).comments.at(-1)!;
		expect((last.attachments as Array<{ file_name: string }>).map((a) => a.file_name)).toEqual([
			'report.pdf',
			'notes.txt',
		]);
		expect(last.body).toBe('Sent 2 files: report.pdf, notes.txt');
	});

	it('reopens a solved ticket with the requester comment', async () => {
		const channel = newChannel();
		const first = await send(slackItem(channel, 'help'));
		await emu.solve(first.ticketId);
		resetUpsertState(); // the cache does not know the ticket was solved
		const again = await send(slackItem(channel, 'still broken'));
		expect(again).toMatchObject({ ticketId: first.ticketId, outcome: 'reopened' });
		expect(ticketOf(first.ticketId).ticket.status).toBe('open');
	});

	it('creates a follow-up for a closed ticket, also when the cache still thinks it is open', async () => {
		const channel = newChannel();
		const first = await send(slackItem(channel, 'original problem'));
		await emu.closeTicket(first.ticketId);
		emu.server.resetCalls();
		const followUp = await send(slackItem(channel, 'it is back'));
		expect(followUp.outcome).toBe('followUp');
		expect(followUp.followUpSourceId).toBe(first.ticketId);
		expect(followUp.ticketId).not.toBe(first.ticketId);
		// the cached open ticket answered 422 "closed prevents ticket update"
		expect(emu.server.callsTo(PUT_TICKET).map((c) => c.status)).toEqual([422]);
		const { ticket } = ticketOf(followUp.ticketId);
		expect(ticket).toMatchObject({ external_id: `slack-dm:${TEAM}:${channel}`, requester_id: emu.fixtures.erin.id });
		expect((ticket.via as { source: { rel: string } }).source.rel).toBe('follow_up');
		// the next message goes to the follow-up (newest not-closed), even for a fresh process
		resetUpsertState();
		const next = await send(slackItem(channel, 'more details'));
		expect(next).toMatchObject({ ticketId: followUp.ticketId, outcome: 'appended' });
	});

	it('turns edits and deletions into internal notes quoting the text', async () => {
		const channel = newChannel();
		const original = slackItem(channel, 'my pasword is wrong');
		const created = await send(original);
		const edit = slackItem(channel, 'my password is wrong', {
			kind: 'edit',
			ts: original.message.ts,
			previousText: 'my pasword is wrong',
		});
		const noted = await send(edit);
		expect(noted).toMatchObject({ ticketId: created.ticketId, outcome: 'noted' });
		const del = slackItem(channel, '', {
			kind: 'delete',
			ts: original.message.ts,
			previousText: 'my password is wrong',
		});
		expect((await send(del)).outcome).toBe('noted');
		const comments = ticketOf(created.ticketId).comments;
		expect(comments).toHaveLength(3);
		expect(comments[1]).toMatchObject({ public: false, author_id: emu.fixtures.bridge.id });
		expect(String(comments[1].html_body)).toContain(
			'<p>Before:</p><blockquote><p>my pasword is wrong</p></blockquote>',
		);
		expect(String(comments[1].html_body)).toContain(
			'<p>After:</p><blockquote><p>my password is wrong</p></blockquote>',
		);
		expect(String(comments[1].plain_body)).toMatch(/Before:\s+my pasword is wrong\s+After:\s+my password is wrong/);
		expect(comments[2]).toMatchObject({ public: false });
		expect(String(comments[2].plain_body)).toContain('deleted');
		expect(String(comments[2].html_body)).toContain('<blockquote><p>my password is wrong</p></blockquote>');
	});

	it('sends Slack text as escaped html_body: names for mentions, links, marks, entities; subject as plain text', async () => {
		slackDisplayNames.set('U0BOB', 'Bob Builder', 60_000);
		const channel = newChannel();
		const item = {
			...slackItem(
				channel,
				'<@UERIN> &amp; <@U0BOB> ask <!here>: is *<https://status.example/x?a=1&amp;b=2|status>* down?\n&gt; error _500_\n`<@U0NOBODY>` <script>alert(1)</script>',
			),
			zendeskUser: {
				id: emu.fixtures.erin.id,
				name: 'Erin Example',
				externalId: `slack:${TEAM}:UERIN`,
				linkedBy: 'externalId',
			},
		};
		const result = await send(item as never);
		expect(result.outcome).toBe('created');
		const post = emu.server.callsTo(POST_TICKETS).at(-1)!;
		const sent = (post.request.body as { ticket: { comment: Record<string, unknown> } }).ticket.comment;
		expect(sent.body).toBeUndefined();
		expect(sent.html_body).toBe(
			'<p>@Erin Example &amp; @Bob Builder ask @here: is <strong><a href="https://status.example/x?a=1&amp;b=2" rel="noopener noreferrer">status</a></strong> down?</p>' +
				'<blockquote>error <em>500</em></blockquote><p><code>@U0NOBODY</code> &lt;script&gt;alert(1)&lt;/script&gt;</p>',
		);
		const { ticket, comments } = ticketOf(result.ticketId);
		expect(ticket.subject).toBe('@Erin Example & @Bob Builder ask @here: is status down?');
		expect(comments[0].html_body).toContain(String(sent.html_body));
		expect(String(comments[0].plain_body)).toContain('<script>alert(1)</script>');
		expect(String(comments[0].html_body)).not.toContain('<script>');
	});

	it('copies group DM participants as CCs on creation and adds only new ones later', async () => {
		const bob = emu.store.insertUser({
			name: 'Bob Builder',
			email: 'bob@acme.test',
			external_id: `slack:${TEAM}:U0BOB`,
		});
		const cara = emu.store.insertUser({
			name: 'Cara Client',
			email: 'cara@acme.test',
			external_id: `slack:${TEAM}:U0CARA`,
		});
		const linked = (user: { id: number; name: string }, slackId: string) => ({
			id: user.id,
			name: user.name,
			externalId: `slack:${TEAM}:${slackId}`,
			linkedBy: 'externalId',
		});
		const channel = `G${newChannel().slice(1)}`;
		const groupItem = (text: string, participants: Array<ReturnType<typeof linked>>) => {
			const base = slackItem(channel, text);
			return {
				...base,
				channel: { ...base.channel, type: 'mpim', participants: participants.map((p) => p.externalId.split(':')[2]) },
				zendeskParticipants: participants,
			};
		};
		const created = await send(groupItem('hello all', [linked(bob, 'U0BOB')]) as never);
		expect(created.outcome).toBe('created');
		const post = emu.server.callsTo(POST_TICKETS).at(-1)!;
		expect((post.request.body as { ticket: Record<string, unknown> }).ticket.email_ccs).toEqual([
			{ user_id: bob.id, action: 'put' },
		]);
		expect(ticketOf(created.ticketId).ticket).toMatchObject({
			requester_id: emu.fixtures.erin.id,
			email_cc_ids: [bob.id],
			collaborator_ids: [bob.id],
		});

		await send(groupItem('same people', [linked(bob, 'U0BOB')]) as never);
		const samePeople = emu.server.callsTo(PUT_TICKET).at(-1)!;
		expect((samePeople.request.body as { ticket: Record<string, unknown> }).ticket.email_ccs).toBeUndefined();

		await send(groupItem('cara joined', [linked(bob, 'U0BOB'), linked(cara, 'U0CARA')]) as never);
		const joined = emu.server.callsTo(PUT_TICKET).at(-1)!;
		expect((joined.request.body as { ticket: Record<string, unknown> }).ticket.email_ccs).toEqual([
			{ user_id: cara.id, action: 'put' },
		]);
		expect(ticketOf(created.ticketId).ticket.email_cc_ids).toEqual([bob.id, cara.id]);
		expect(ticketOf(created.ticketId).comments).toHaveLength(3);
	});

	it('copies participants as collaborators for legacy-CC accounts, and not at all when off', async () => {
		const dan = emu.store.insertUser({ name: 'Dan Dev', email: 'dan@acme.test', external_id: `slack:${TEAM}:U0DAN` });
		const participant = { id: dan.id, name: dan.name, externalId: `slack:${TEAM}:U0DAN`, linkedBy: 'externalId' };
		const legacy = await send({ ...slackItem(newChannel(), 'legacy'), zendeskParticipants: [participant] } as never, {
			options: { participantCopies: 'collaborators' },
		});
		expect(
			(emu.server.callsTo(POST_TICKETS).at(-1)!.request.body as { ticket: Record<string, unknown> }).ticket
				.additional_collaborators,
		).toEqual([dan.id]);
		expect(ticketOf(legacy.ticketId).ticket.collaborator_ids).toEqual([dan.id]);
		const off = await send({ ...slackItem(newChannel(), 'off'), zendeskParticipants: [participant] } as never, {
			options: { participantCopies: 'off' },
		});
		const body = (emu.server.callsTo(POST_TICKETS).at(-1)!.request.body as { ticket: Record<string, unknown> }).ticket;
		expect(body.email_ccs).toBeUndefined();
		expect(body.additional_collaborators).toBeUndefined();
		expect(ticketOf(off.ticketId).ticket.email_cc_ids).toEqual([]);
	});

	it('skips an edit when the conversation has no ticket', async () => {
		const result = await send(slackItem(newChannel(), 'x', { kind: 'edit', previousText: 'y' }));
		expect(result).toMatchObject({ ticketId: null, outcome: 'skipped' });
		expect(emu.server.countCalls(POST_TICKETS)).toBe(0);
	});

	it('keeps a long conversation complete and in order', async () => {
		const channel = newChannel();
		const texts = Array.from({ length: 40 }, (_, i) => `message ${i + 1}`);
		let ticketId = 0;
		for (const text of texts) ticketId = (await send(slackItem(channel, text))).ticketId;
		expect(commentBodies(ticketId)).toEqual(texts);
		expect(emu.server.countCalls(GET_TICKETS)).toBe(1);
		expect(emu.server.countCalls(PUT_TICKET)).toBe(39);
	});

	it('handles sequential and concurrent duplicate deliveries exactly once in one process', async () => {
		const channel = newChannel();
		const first = slackItem(channel, 'only once');
		const results = await Promise.all([send(first), send(first), send(first)]);
		expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'duplicate', 'duplicate']);
		expect(new Set(results.map((r) => r.ticketId)).size).toBe(1);
		const second = slackItem(channel, 'appended once');
		await Promise.all([send(second), send(second)]);
		emu.server.resetCalls();
		expect((await send(second)).outcome).toBe('duplicate');
		expect(emu.server.countCalls()).toBe(0);
		expect(commentBodies(results[0].ticketId)).toEqual(['only once', 'appended once']);
		expect(emu.server.countCalls(POST_TICKETS)).toBe(0);
	});

	it('creates one ticket when two processes get the first message at once (Idempotency-Key)', async () => {
		const channel = newChannel();
		const item = slackItem(channel, 'first message');
		const [a, b] = await Promise.all([
			run([{ json: item as never }]),
			run([{ json: item as never }], {}, false, await otherProcessNode()),
		]);
		const outcomes = [a[0].json.zendesk, b[0].json.zendesk].map((z) => (z as { outcome: string }).outcome).sort();
		expect(outcomes).toEqual(['created', 'duplicate']);
		expect(emu.tickets().filter((t) => t.ticket.external_id === `slack-dm:${TEAM}:${channel}`)).toHaveLength(1);
	});

	/** A second n8n process: the same node with its own module state (caches, lanes, windows). */
	async function otherProcessNode(): Promise<ZendeskMessagingUpsert> {
		let node!: ZendeskMessagingUpsert;
		await jest.isolateModulesAsync(async () => {
			const nodeModule = await import('../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node');
			const state = await import('../../nodes/ZendeskMessagingUpsert/upsertState');
			state.setUpsertEnvironment({ now: () => emu.clock.now() });
			node = new nodeModule.ZendeskMessagingUpsert();
		});
		return node;
	}

	it('recognises a redelivery minutes later in another process (fresh cache) from the marker Zendesk stores', async () => {
		const channel = newChannel();
		const first = await send(slackItem(channel, 'hello'));
		const message = slackItem(channel, 'delivered twice');
		expect((await send(message)).outcome).toBe('appended');
		emu.clock.advance(5 * 60_000);
		const [again] = await run([{ json: message as never }], {}, false, await otherProcessNode());
		expect((again.json.zendesk as { outcome: string }).outcome).toBe('duplicate');
		expect(commentBodies(first.ticketId)).toEqual(['hello', 'delivered twice']);
	});

	it('recognises a redelivery in another process whose cache is stale (safe update conflict)', async () => {
		const channel = newChannel();
		const processB = await otherProcessNode();
		const first = await send(slackItem(channel, 'one'));
		emu.clock.advance(3000);
		await run([{ json: slackItem(channel, 'two') as never }], {}, false, processB); // B caches the ticket
		emu.clock.advance(3000);
		const message = slackItem(channel, 'three');
		expect((await send(message)).outcome).toBe('appended'); // A (this process) posts it
		emu.clock.advance(3000);
		const [again] = await run([{ json: message as never }], {}, false, processB);
		expect((again.json.zendesk as { outcome: string }).outcome).toBe('duplicate');
		expect(commentBodies(first.ticketId)).toEqual(['one', 'two', 'three']);
	});

	it('honours injected 429 and 5xx answers without losing or doubling a message', async () => {
		const channel = newChannel();
		const first = await send(slackItem(channel, 'one'));
		emu.server.injectFault(PUT_TICKET, { kind: 'rateLimit', retryAfterSeconds: 1 });
		expect((await send(slackItem(channel, 'two'))).outcome).toBe('appended');
		emu.server.injectFault(PUT_TICKET, { kind: 'status', status: 503 }, 2);
		expect((await send(slackItem(channel, 'three'))).outcome).toBe('appended');
		emu.server.injectFault(POST_TICKETS, { kind: 'status', status: 500 });
		const other = await send(slackItem(newChannel(), 'new conversation'));
		expect(other.outcome).toBe('created');
		expect(commentBodies(first.ticketId)).toEqual(['one', 'two', 'three']);
		expect(commentBodies(other.ticketId)).toEqual(['new conversation']);
	});

	it('never loses a message of a user sending 60 messages in 60 seconds (30 updates per 10 minutes)', async () => {
		emu.setRateLimits(true);
		const channel = newChannel();
		const texts = Array.from({ length: 60 }, (_, i) => `chatty ${i + 1}`);
		const pending: Array<Promise<unknown>> = [];
		for (const text of texts) {
			pending.push(send(slackItem(channel, text)));
			await new Promise((resolve) => setImmediate(resolve));
			emu.clock.advance(1000);
		}
		const results = (await Promise.all(pending)) as Array<{
			ticketId: number;
			outcome: string;
			coalescedCount?: number;
		}>;
		expect(results.every((r) => ['created', 'appended'].includes(r.outcome))).toBe(true);
		const ticketId = results[0].ticketId;
		const transcript = commentBodies(ticketId).join('\n');
		// every message is there, once, in order
		let cursor = -1;
		for (const text of texts) {
			const at = transcript.indexOf(`${text}\n`) >= 0 ? transcript.indexOf(`${text}\n`) : transcript.lastIndexOf(text);
			expect(transcript.split(new RegExp(`${text}(?!\\d)`)).length - 1).toBe(1);
			expect(at).toBeGreaterThan(cursor);
			cursor = at;
		}
		expect(results.some((r) => (r.coalescedCount ?? 0) > 1)).toBe(true);
		const puts = emu.server.callsTo(PUT_TICKET);
		expect(puts.filter((c) => c.status === 429)).toHaveLength(0);
		expect(puts.length).toBeLessThanOrEqual(30);
	});

	it('reports Zendesk errors as NodeApiError without secrets, and keeps the input with Continue On Fail', async () => {
		const item = slackItem(newChannel(), 'hi');
		await expect(run([{ json: item as never }], { brandId: '999999' })).rejects.toThrow(/Zendesk POST \/tickets/);
		try {
			await run([{ json: item as never }], { brandId: '999999' });
		} catch (error) {
			expect(JSON.stringify(error)).not.toContain(emu.fixtures.bridge.apiToken);
		}
		const noRequester = { ...slackItem(newChannel(), 'who am I'), zendeskUser: undefined };
		const [out] = await run([{ json: noRequester as never }], {}, true);
		expect(out.json.error).toMatch(/requester/i);
		expect(out.json.idempotencyKey).toBe(noRequester.idempotencyKey);
	});

	it('fails an item whose linked Zendesk user was merged away with a message naming the Slack user (create and append)', async () => {
		const kept = emu.store.insertUser({ name: 'Gus Kept', email: 'gus@acme.test' });
		const merged = emu.store.insertUser({ name: 'Gus Slack', email: null, external_id: `slack:${TEAM}:U0GUS` });
		const gus = { id: 'U0GUS', teamId: TEAM, isExternal: false };
		const dm = newChannel();
		const first = { ...slackItem(dm, 'first', { user: gus }), zendeskUser: { id: merged.id } };
		expect((await send(first)).outcome).toBe('created');
		emu.store.mergeUsers(merged.id, kept.id);

		// The Profile Linker's cached link still names the merged-away user: the append is refused.
		const second = { ...slackItem(dm, 'second', { user: gus }), zendeskUser: { id: merged.id } };
		const [appendFailure] = await run([{ json: second as never }], {}, true);
		expect(appendFailure.json.error).toMatch(
			new RegExp(`Zendesk user ${merged.id} as comment author for Slack user U0GUS \\(team ${TEAM}\\)`),
		);
		expect(appendFailure.json.error).toMatch(
			/merged.*Re-run this item once the Profile Linker links the Slack user again/,
		);
		expect(appendFailure.json.idempotencyKey).toBe(second.idempotencyKey);

		// A new conversation with the stale link: the creation is refused the same way.
		const other = { ...slackItem(newChannel(), 'new topic', { user: gus }), zendeskUser: { id: merged.id } };
		await expect(run([{ json: other as never }])).rejects.toThrow(
			new RegExp(`Zendesk user ${merged.id} as requester for Slack user U0GUS`),
		);

		// Re-run with the fresh link: the message lands once.
		const rerun = await send({ ...second, zendeskUser: { id: kept.id } } as SlackDmItem);
		expect(rerun.outcome).toBe('appended');
		expect(commentBodies(rerun.ticketId)).toEqual(['first', 'second']);
	});
});
