/**
 * Every Conversations API route goes through `operation()`: the configured rate limit (429 with
 * Retry-After), authentication (401), the app in the path (404), the request size limits of the
 * spec's introduction ("Request Size Limits": JSON 100kb, file upload 50mb; 413), malformed JSON
 * (400), then the handler; a thrown SunshineError becomes its documented error body.
 */
import type { EmulatorRequest, EmulatorResponse, EmulatorServer } from '../common/server';
import type { SlidingWindow } from '../zendesk/rateLimits';
import { authenticate } from './auth';
import type { Caller } from './auth';
import { notFound, SunshineError } from './errors';
import type { SunshineStore } from './store';

export const JSON_LIMIT_BYTES = 100 * 1024;
export const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

/** Everything the routes need. */
export interface SunshineHost {
	server: EmulatorServer;
	store: SunshineStore;
	/** The emulator's base URL (what stands for `https://{subdomain}.zendesk.com`). */
	baseUrl(): string;
	rateLimit(): SlidingWindow | undefined;
	now(): number;
}

export interface OperationContext {
	req: EmulatorRequest;
	caller: Caller;
	body: Record<string, unknown>;
}

export type Operation = (ctx: OperationContext) => EmulatorResponse | Promise<EmulatorResponse>;

function tooLarge(limit: string): SunshineError {
	// ASSUMPTION: the error code of an oversized request is not documented; 413 with this body is our choice.
	return new SunshineError(413, 'payload_too_large', `Request body exceeds the ${limit} limit`);
}

function checkRequest(host: SunshineHost, req: EmulatorRequest, upload: boolean): void {
	const window = host.rateLimit();
	if (window) {
		const decision = window.take('app', host.now());
		// The spec's "Rate Limits": 429 Too Many Requests; clients back off (Retry-After says how long).
		if (!decision.allowed)
			throw new SunshineError(429, 'too_many_requests', 'API rate limit exceeded', {
				'Retry-After': String(decision.resetSeconds),
			});
	}
	const contentType = String(req.headers['content-type'] ?? '');
	if (upload ? req.rawBody.length > UPLOAD_LIMIT_BYTES : req.rawBody.length > JSON_LIMIT_BYTES)
		throw tooLarge(upload ? '50mb' : '100kb');
	if (
		!upload &&
		req.rawBody.length > 0 &&
		/json/i.test(contentType) &&
		(req.body as { __invalidJson?: boolean }).__invalidJson
	) {
		throw new SunshineError(400, 'bad_request', 'Request body is not valid JSON');
	}
}

export function errorResponse(error: unknown): EmulatorResponse {
	if (error instanceof SunshineError) return { status: error.status, headers: error.headers, body: error.body };
	return { status: 500, body: { errors: [{ code: 'internal_error', title: (error as Error).message }] } };
}

/** Registers one route under `/sc` (the API's base path on a Zendesk subdomain). */
export function operation(
	host: SunshineHost,
	method: string,
	path: string,
	handler: Operation,
	options: { upload?: boolean } = {},
): void {
	host.server.route(method, `/sc${path}`, async (req) => {
		try {
			checkRequest(host, req, options.upload === true);
			const caller = authenticate(req.headers, host.store);
			if (req.params.appId !== undefined && req.params.appId !== host.store.app.id) throw notFound('app');
			return await handler({ req, caller, body: req.body });
		} catch (error) {
			return errorResponse(error);
		}
	});
}

/** `page[after]`, `page[before]`, `page[size]` and `filter[...]` (deepObject query parameters). */
export function deepQuery(req: EmulatorRequest, name: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of req.query.entries()) {
		const match = new RegExp(`^${name}\\[([^\\]]+)\\]$`).exec(key);
		if (match) out[match[1]] = value;
	}
	return out;
}
