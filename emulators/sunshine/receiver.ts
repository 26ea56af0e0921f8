/**
 * A webhook target for tests and scripts: records every POST (headers and parsed JSON body) and
 * answers with the next scripted status (then 200), optionally after a delay.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
	headers: http.IncomingHttpHeaders;
	body: Record<string, unknown>;
	at: number;
}

export interface WebhookReceiver {
	url: string;
	received: ReceivedWebhook[];
	/** Statuses for the next requests, in order; afterwards 200. */
	script(...statuses: number[]): void;
	/** Delay every answer by this many milliseconds (a slow or hanging target). */
	delay(ms: number): void;
	/** Resolves once `count` webhooks have arrived. */
	waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
	clear(): void;
	close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
	const received: ReceivedWebhook[] = [];
	let statuses: number[] = [];
	let delayMs = 0;
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			let body: Record<string, unknown> = {};
			try {
				body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
			} catch {
				body = { unparsable: true };
			}
			received.push({ headers: req.headers, body, at: Date.now() });
			const status = statuses.shift() ?? 200;
			const answer = () => {
				if (!res.destroyed) res.writeHead(status).end();
			};
			if (delayMs > 0) setTimeout(answer, delayMs);
			else answer();
		});
	});
	const sockets = new Set<import('node:net').Socket>();
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
	return {
		url,
		received,
		script: (...next) => {
			statuses = [...next];
		},
		delay: (ms) => {
			delayMs = ms;
		},
		async waitFor(count, timeoutMs = 5_000) {
			const deadline = Date.now() + timeoutMs;
			while (received.length < count) {
				if (Date.now() > deadline) throw new Error(`expected ${count} webhook(s), got ${received.length}`);
				await new Promise((r) => setTimeout(r, 10));
			}
			return received.slice(0, count);
		},
		clear: () => {
			received.length = 0;
			statuses = [];
			delayMs = 0;
		},
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
