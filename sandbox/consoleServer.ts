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
import type { ZendeskEmulator } from '../emulators/zendesk';

export interface ConsoleOptions {
	slack: SlackEmulatorInstance;
	zendesk: ZendeskEmulator;
	port?: number;
	/** Which Slack handle a persona writes to (the DM partner); default the app's bot user. */
	handles?: Array<{ userId: string; name: string }>;
	/** Shown as a link in the page header. */
	editorUrl?: string;
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

function send(res: http.ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8') {
	res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
	res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

export async function startSandboxConsole(options: ConsoleOptions): Promise<SandboxConsole> {
	const { slack, zendesk } = options;
	const handles = options.handles ?? [{ userId: slack.fixtures.botUserId, name: 'IT Support (bot)' }];
	const page = readFileSync(path.join(__dirname, 'console.html'), 'utf8');

	const conversation = (userId: string, handleId: string) => {
		const channel = slack.openDm(userId, handleId);
		const names = new Map<string, string>(personasOf(slack).map((p) => [p.id, p.name]));
		for (const handle of handles) names.set(handle.userId, handle.name);
		return {
			channel,
			messages: slack.messagesIn(channel).map((m) => ({
				ts: m.ts,
				threadTs: m.thread_ts,
				from: m.user ? (names.get(m.user) ?? m.user) : (m.username ?? 'bot'),
				fromHandle: m.user === handleId || Boolean(m.bot_id),
				text: m.text,
				files: (m.files ?? []).length,
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
						files: file ? [{ name: file.name, mimetype: file.mimetype, content: Buffer.from(file.base64, 'base64') }] : undefined,
						wait: false,
					});
					return send(res, 200, { channel: result.channel, ts: result.ts });
				}
				if (req.method === 'GET' && url.pathname === '/api/zendesk/tickets') {
					const tickets = zendesk.tickets().map((t) => ({
						ticket: t.ticket,
						comments: t.comments.map((c) => ({ ...c, author_name: zendesk.store.getUser(Number(c.author_id))?.name })),
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
					const comment = await zendesk.agentReply(ticketId, {
						body: String(body.body ?? ''),
						public: body.public !== false,
						attachments: file
							? [{ filename: file.name, contentType: file.mimetype ?? 'application/octet-stream', content: Buffer.from(file.base64, 'base64') }]
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
