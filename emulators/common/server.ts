/**
 * A small HTTP server shared by the Slack and Zendesk emulators: routing with path
 * parameters, raw-body capture (signatures need the exact bytes), a call log for the
 * inspection API, and per-route fault injection. Loopback only, ephemeral port by default.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatorRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: http.IncomingHttpHeaders;
	rawBody: Buffer;
	/** JSON or form body parsed; query parameters are not merged in. */
	body: Record<string, unknown>;
	params: Record<string, string>;
}

export interface EmulatorResponse {
	status: number;
	headers?: Record<string, string>;
	/** Objects are sent as JSON; Buffers and strings as they are. */
	body?: unknown;
}

export type Handler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

export interface CallRecord {
	/** The route's name, e.g. `chat.postMessage` or `POST /api/v2/tickets.json`. */
	route: string;
	method: string;
	path: string;
	/** HTTP status; 0 when an injected `reset` or `timeout` fault left the request unanswered. */
	status: number;
	at: number;
	/** Set when an injected fault dropped the connection (`reset`) or never answered (`timeout`). */
	fault?: 'reset' | 'timeout';
	request: { headers: http.IncomingHttpHeaders; body: Record<string, unknown>; query: Record<string, string> };
	response: { headers: Record<string, string>; body: unknown };
}

export type Fault =
	| { kind: 'latency'; ms: number }
	| { kind: 'status'; status: number; body?: unknown }
	| { kind: 'rateLimit'; retryAfterSeconds: number; body?: unknown }
	| { kind: 'reset' }
	| { kind: 'timeout' };

interface FaultRule {
	route: string;
	fault: Fault;
	remaining: number;
}

interface RouteEntry {
	method: string;
	name: string;
	regex: RegExp;
	keys: string[];
	handler: Handler;
}

function compile(pattern: string): { regex: RegExp; keys: string[] } {
	const keys: string[] = [];
	const source = pattern
		.split('/')
		.map((segment) =>
			segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, key: string) => {
				keys.push(key);
				return '([^/]+?)';
			}),
		)
		.join('/');
	return { regex: new RegExp(`^${source}$`), keys };
}

function parseBody(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
	if (raw.length === 0) return {};
	const type = (contentType ?? '').toLowerCase();
	if (type.includes('application/json')) {
		try {
			const parsed = JSON.parse(raw.toString('utf8'));
			return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
		} catch {
			return { __invalidJson: true };
		}
	}
	if (type.includes('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
	}
	return {};
}

/** Which vendor a server emulates; tells observers (the spec checks) which spec applies. */
export type EmulatorKind = 'slack' | 'zendesk' | 'sunshine';

export type StartHook = (server: EmulatorServer) => void;

/**
 * A process with no start hook (a child process of a test, e.g. the benchmark) appends every call
 * of its emulators to the file this variable names, one JSON line each, for the test's spec guard.
 */
export const CALL_LOG_ENV = 'EMULATOR_CALL_LOG';

export interface CallLogLine {
	kind?: EmulatorKind;
	label: string;
	call: CallRecord;
}

/** Kept on globalThis so that every copy of this module (tsx, jest registries) shares one list. */
const START_HOOKS_KEY = Symbol.for('n8n-nodes-slack-dm-zendesk.emulatorStartHooks');

export class EmulatorServer {
	/**
	 * Called with every server once it listens, in this process. The test suite's spec guard
	 * (test/harness/specGuard.ts) hooks in here so that no test can start an unchecked emulator.
	 */
	static get startHooks(): StartHook[] {
		const holder = globalThis as unknown as Record<symbol, StartHook[] | undefined>;
		holder[START_HOOKS_KEY] ??= [];
		return holder[START_HOOKS_KEY];
	}

	readonly calls: CallRecord[] = [];

	/** Requests received and not answered yet, by route (a test waits until a write is at the service). */
	private readonly unanswered = new Map<string, number>();

	private readonly routes: RouteEntry[] = [];

	private faults: FaultRule[] = [];

	private server?: http.Server;

	private readonly sockets = new Set<import('node:net').Socket>();

	private port = 0;

	/**
	 * The emulated service's clock: answers carry it as their `Date` header, as real servers do
	 * (clients compare it with second-precision timestamps). Unset: Node's own Date (real time).
	 */
	dateClock?: () => number;

	/** Body of an injected 429 when the fault names none (Slack answers `{ok:false,error:'ratelimited'}`). */
	rateLimitBody: unknown = { error: 'ratelimited' };

	/** Called for every answered request; the spec validators hook in here. */
	readonly observers: Array<(call: CallRecord, route: { method: string; name: string }) => void> = [];

	constructor(
		readonly label: string,
		readonly kind?: EmulatorKind,
	) {}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** Register a route. `name` groups calls and faults (defaults to `METHOD pattern`). */
	route(method: string, pattern: string, handler: Handler, name?: string): void {
		const { regex, keys } = compile(pattern);
		this.routes.push({
			method: method.toUpperCase(),
			name: name ?? `${method.toUpperCase()} ${pattern}`,
			regex,
			keys,
			handler,
		});
	}

	/** Inject a fault into the next `times` calls of a route (by its name; `'*'`: every route, e.g. an outage). */
	injectFault(route: string, fault: Fault, times = 1): void {
		this.faults.push({ route, fault, remaining: times });
	}

	clearFaults(): void {
		this.faults = [];
	}

	callsTo(route?: string): CallRecord[] {
		return route ? this.calls.filter((c) => c.route === route) : [...this.calls];
	}

	countCalls(route?: string): number {
		return this.callsTo(route).length;
	}

	resetCalls(): void {
		this.calls.length = 0;
	}

	private takeFault(route: string): Fault | undefined {
		// Route '*': every route of the service (an outage), not the emulators' own /__emulator control routes.
		const everyRoute = !route.includes('/__emulator');
		const rule = this.faults.find((f) => (f.route === route || (f.route === '*' && everyRoute)) && f.remaining > 0);
		if (!rule) return undefined;
		rule.remaining -= 1;
		if (rule.remaining <= 0) this.faults = this.faults.filter((f) => f !== rule);
		return rule.fault;
	}

	async start(port = 0): Promise<void> {
		this.server = http.createServer((req, res) => void this.handle(req, res));
		this.server.keepAliveTimeout = 5_000;
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', reject);
			this.server!.listen(port, '127.0.0.1', () => resolve());
		});
		this.port = (this.server.address() as AddressInfo).port;
		for (const hook of EmulatorServer.startHooks) hook(this);
		const callLog = process.env[CALL_LOG_ENV];
		if (EmulatorServer.startHooks.length === 0 && callLog) {
			this.observers.push((call) => {
				const line: CallLogLine = { kind: this.kind, label: this.label, call };
				fs.appendFileSync(callLog, `${JSON.stringify(line)}\n`);
			});
		}
	}

	async close(): Promise<void> {
		if (!this.server) return;
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}

	private log(record: CallRecord): void {
		this.calls.push(record);
		for (const observer of this.observers) observer(record, { method: record.method, name: record.route });
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const method = (req.method ?? 'GET').toUpperCase();

		let entry: RouteEntry | undefined;
		let params: Record<string, string> = {};
		for (const candidate of this.routes) {
			if (candidate.method !== method && candidate.method !== '*') continue;
			const match = candidate.regex.exec(url.pathname);
			if (!match) continue;
			entry = candidate;
			params = Object.fromEntries(candidate.keys.map((key, i) => [key, decodeURIComponent(match[i + 1])]));
			break;
		}

		const request: EmulatorRequest = {
			method,
			path: url.pathname,
			query: url.searchParams,
			headers: req.headers,
			rawBody,
			body: parseBody(rawBody, req.headers['content-type']),
			params,
		};

		const routeName = entry?.name ?? `${method} ${url.pathname}`;
		const fault = entry ? this.takeFault(routeName) : undefined;
		if (fault?.kind === 'reset' || fault?.kind === 'timeout') {
			// Logged like any call (inspection API, spec guard see the request), with no answer.
			this.log({
				route: routeName,
				method,
				path: url.pathname,
				status: 0,
				at: Date.now(),
				fault: fault.kind,
				request: { headers: req.headers, body: request.body, query: Object.fromEntries(url.searchParams) },
				response: { headers: {}, body: undefined },
			});
			if (fault.kind === 'reset') req.socket.destroy();
			return; // timeout: never answers; the client's timeout fires
		}
		this.unanswered.set(routeName, (this.unanswered.get(routeName) ?? 0) + 1);
		try {
			await this.answer(req, res, { entry, request, routeName, fault, method, url });
		} finally {
			this.unanswered.set(routeName, (this.unanswered.get(routeName) ?? 1) - 1);
		}
	}

	/** How many requests of `route` the emulator has received and not answered yet. */
	inFlight(route: string): number {
		return this.unanswered.get(route) ?? 0;
	}

	private async answer(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		call: {
			entry: RouteEntry | undefined;
			request: EmulatorRequest;
			routeName: string;
			fault: Fault | undefined;
			method: string;
			url: URL;
		},
	): Promise<void> {
		const { entry, request, routeName, fault, method, url } = call;
		let response: EmulatorResponse;
		if (fault?.kind === 'latency') await new Promise((r) => setTimeout(r, fault.ms));

		if (fault?.kind === 'status') {
			response = {
				status: fault.status,
				body: fault.body ?? { error: 'InjectedFault', description: `${this.label} injected ${fault.status}` },
			};
		} else if (fault?.kind === 'rateLimit') {
			response = {
				status: 429,
				headers: { 'Retry-After': String(fault.retryAfterSeconds) },
				body: fault.body ?? this.rateLimitBody,
			};
		} else if (!entry) {
			response = {
				status: 404,
				body: { error: 'InvalidEndpoint', description: `${this.label}: no route ${method} ${url.pathname}` },
			};
		} else {
			try {
				response = await entry.handler(request);
			} catch (error) {
				response = { status: 500, body: { error: 'EmulatorError', description: (error as Error).message } };
			}
		}

		const headers: Record<string, string> = { ...(response.headers ?? {}) };
		if (this.dateClock && !Object.keys(headers).some((name) => name.toLowerCase() === 'date'))
			headers.Date = new Date(this.dateClock()).toUTCString();
		let payload: Buffer | string | undefined;
		if (Buffer.isBuffer(response.body) || typeof response.body === 'string') {
			payload = response.body as Buffer | string;
		} else if (response.body !== undefined) {
			payload = JSON.stringify(response.body);
			headers['Content-Type'] ??= 'application/json; charset=utf-8';
		}
		const record: CallRecord = {
			route: routeName,
			method,
			path: url.pathname,
			status: response.status,
			at: Date.now(),
			request: { headers: req.headers, body: request.body, query: Object.fromEntries(url.searchParams) },
			response: { headers, body: Buffer.isBuffer(response.body) ? `<${response.body.length} bytes>` : response.body },
		};
		this.log(record);
		res.writeHead(response.status, headers);
		res.end(payload);
	}
}
