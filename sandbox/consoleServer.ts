/**
 * The sandbox console: one web page with a Slack side (write as an employee or a Slack
 * Connect partner, attach a file, reply in a thread) and a Zendesk agent side (tickets,
 * transcripts, public or internal replies, solve, close). It drives the emulators' own
 * objects, so what you click is exactly what the emulated services do.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

import type { SlackEmulatorInstance } from '../emulators/slack';
import type { SunshineEmulator } from '../emulators/sunshine';
import type { ZendeskEmulator } from '../emulators/zendesk';
import { agentHtmlFromMarkdown, htmlFromSlackMrkdwn, safeCommentHtml } from './markup';

export interface ConsoleOptions {
	slack: SlackEmulatorInstance;
	zendesk: ZendeskEmulator;
	/** Zendesk messaging: its messaging tickets are shown as the live conversation, as the agent workspace does. */
	sunshine?: SunshineEmulator;
	port?: number;
	/** Which Slack handle a persona writes to (the DM partner); default the app's bot user. */
	handles?: Array<{ userId: string; name: string }>;
	/** Shown as a link in the page header. */
	editorUrl?: string;
	/** What the page header reports about the wiring (workflows, events URL, return path). */
	status?: () => SandboxStatus;
}

export interface SandboxStatus {
	workflows: Array<{ id: string; name: string; published: boolean }>;
	slackEventsUrl: string | null;
	/** Every Zendesk Reply Trigger has its Zendesk webhook and trigger. */
	returnPath: boolean;
}

export interface SandboxConsole {
	url: string;
	close(): Promise<void>;
}

interface Persona {
	id: string;
	name: string;
	kind: 'employee' | 'partner';
	team: string;
}

function personasOf(slack: SlackEmulatorInstance): Persona[] {
	const f = slack.fixtures;
	return [
		{ id: f.employeeId, name: 'Erin (employee)', kind: 'employee', team: f.teamName },
		{ id: f.employee2Id, name: 'Sam (employee)', kind: 'employee', team: f.teamName },
		{ id: f.partnerUserId, name: 'Pat (Slack Connect partner)', kind: 'partner', team: f.partnerTeamName },
	];
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const raw = Buffer.concat(chunks).toString('utf8');
	return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
}

/** The conversation behind a messaging ticket (agent workspace), as chat lines; undefined for other tickets. */
export function messagingConversationOf(
	sunshine: SunshineEmulator | undefined,
	ticketId: number,
):
	| {
			conversationId: string;
			messages: Array<{ id: string; from: string; side: 'user' | 'agent' | 'business'; text: string; at: string }>;
	  }
	| undefined {
	const entry = sunshine?.agentWorkspace?.tickets.find((t) => t.ticketId === ticketId);
	if (!sunshine || !entry) return undefined;
	const conversation = sunshine.store.conversations.get(entry.conversationId);
	const user = conversation ? sunshine.store.users.get(conversation.userId) : undefined;
	const messages = sunshine.store.messagesOf(entry.conversationId).map((m) => {
		const agent = Array.isArray(m.author.subtypes) && m.author.subtypes.includes('agent');
		const side: 'user' | 'agent' | 'business' = m.author.type === 'user' ? 'user' : agent ? 'agent' : 'business';
		const from =
			side === 'user' && user ? sunshine.messaging.displayNameOf(user) : String(m.author.displayName ?? 'Business');
		const c = m.content;
		const text = [c.text, c.type === 'file' || c.type === 'image' ? c.mediaUrl : undefined]
			.filter((t) => typeof t === 'string' && t)
			.join('\n');
		return { id: m.id, from, side, text, at: m.received };
	});
	return { conversationId: entry.conversationId, messages };
}

function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8') {
	res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
	res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

export async function startSandboxConsole(options: ConsoleOptions): Promise<SandboxConsole> {
	const { slack, zendesk } = options;
	const handles = options.handles ?? [{ userId: slack.fixtures.botUserId, name: 'IT Support (bot)' }];
	const page = readFileSync(path.join(__dirname, 'console.html'), 'utf8');

	// How the events of one message fared: n8n accepted them, refused them, or nothing was sent.
	const deliveryOf = (channel: string, ts: string) => {
		const results = slack.deliveries.filter((d) => {
			const event = d.envelope.event as { channel?: string; ts?: string; event_ts?: string };
			return event.channel === channel && (event.ts === ts || event.event_ts === ts);
		});
		if (!results.length) return undefined;
		const last = results[results.length - 1].result;
		const attempt = last.attempts[last.attempts.length - 1];
		return { delivered: last.delivered, status: attempt?.status ?? 0, attempts: last.attempts.length };
	};

	const conversation = (userId: string, handleId: string) => {
		const channel = slack.openDm(userId, handleId);
		const names = new Map<string, string>(personasOf(slack).map((p) => [p.id, p.name]));
		for (const handle of handles) names.set(handle.userId, handle.name);
		return {
			channel,
			messages: slack.messagesIn(channel).map((m) => ({
				ts: m.ts,
				delivery: deliveryOf(channel, m.ts),
				threadTs: m.thread_ts,
				from: m.user ? (names.get(m.user) ?? m.user) : (m.username ?? 'bot'),
				fromHandle: m.user === handleId || Boolean(m.bot_id),
				text: m.text,
				html: htmlFromSlackMrkdwn(m.text ?? '', (id) => names.get(id)),
				files: (m.files ?? []).map((id) => slack.ws.files.get(id)?.name ?? id),
				subtype: m.subtype,
			})),
		};
	};

	const server = http.createServer((req, res) => {
		void (async () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			try {
				if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
					return send(res, 200, page, 'text/html; charset=utf-8');
				}
				if (req.method === 'GET' && url.pathname === '/api/setup') {
					return send(res, 200, { personas: personasOf(slack), handles, editorUrl: options.editorUrl ?? null });
				}
				if (req.method === 'GET' && url.pathname === '/api/status') {
					return send(res, 200, options.status?.() ?? null);
				}
				if (req.method === 'GET' && url.pathname === '/api/slack/conversation') {
					const userId = url.searchParams.get('userId') ?? slack.fixtures.employeeId;
					const handleId = url.searchParams.get('handleId') ?? handles[0].userId;
					return send(res, 200, conversation(userId, handleId));
				}
				if (req.method === 'POST' && url.pathname === '/api/slack/send') {
					const body = await readJson(req);
					const file = body.file as { name: string; mimetype?: string; base64: string } | undefined;
					const result = await slack.userSends({
						userId: String(body.userId),
						toUserId: String(body.handleId ?? handles[0].userId),
						text: String(body.text ?? ''),
						threadTs: body.threadTs ? String(body.threadTs) : undefined,
						files: file
							? [{ name: file.name, mimetype: file.mimetype, content: Buffer.from(file.base64, 'base64') }]
							: undefined,
						wait: false,
					});
					return send(res, 200, { channel: result.channel, ts: result.ts });
				}
				if (req.method === 'GET' && url.pathname === '/api/zendesk/tickets') {
					const { store } = zendesk;
					const userName = (id: unknown) => store.users.get(Number(id))?.name;
					const tickets = zendesk.tickets().map((t) => ({
						ticket: t.ticket,
						requester: userName(t.ticket.requester_id),
						organization: store.organizations.get(Number(t.ticket.organization_id))?.name,
						group: store.groups.get(Number(t.ticket.group_id))?.name,
						brand: store.brands.get(Number(t.ticket.brand_id))?.name,
						comments: t.comments.map((c) => ({
							id: c.id,
							public: c.public,
							author_name: userName(c.author_id) ?? String(c.author_id),
							text: c.plain_body ?? c.body,
							html: typeof c.html_body === 'string' ? safeCommentHtml(c.html_body) : undefined,
							attachments: ((c.attachments as Array<{ file_name?: string }> | undefined) ?? []).map((a) => a.file_name),
						})),
						messaging: messagingConversationOf(options.sunshine, Number(t.ticket.id)),
					}));
					return send(res, 200, { tickets });
				}
				const action = /^\/api\/zendesk\/tickets\/(\d+)\/(reply|solve|close)$/.exec(url.pathname);
				if (req.method === 'POST' && action) {
					const ticketId = Number(action[1]);
					if (action[2] === 'solve') return send(res, 200, await zendesk.solve(ticketId));
					if (action[2] === 'close') return send(res, 200, await zendesk.closeTicket(ticketId));
					const body = await readJson(req);
					const file = body.file as { name: string; mimetype?: string; base64: string } | undefined;
					// As the agent workspace's editor does: the reply is stored as HTML.
					const comment = await zendesk.agentReply(ticketId, {
						htmlBody: agentHtmlFromMarkdown(String(body.body ?? '')),
						public: body.public !== false,
						attachments: file
							? [
									{
										filename: file.name,
										contentType: file.mimetype ?? 'application/octet-stream',
										content: Buffer.from(file.base64, 'base64'),
									},
								]
							: undefined,
					});
					return send(res, 200, comment);
				}
				return send(res, 404, { error: 'not found' });
			} catch (error) {
				return send(res, 400, { error: (error as Error).message });
			}
		})();
	});
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
