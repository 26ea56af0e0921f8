/**
 * Downloads a Slack file (url_private_download) with the Slack credential's token. Only URLs
 * the trust allows are fetched; redirects are never followed by the HTTP client but checked
 * hop by hop against the same trust; the body is streamed into one buffer that never grows
 * past `maxBytes` (a larger Content-Length is refused before reading, a longer body is cut off).
 */
import type { FileUrlTrust } from './fileUrlTrust';
import { checkFileUrl } from './fileUrlTrust';
import type { HttpContext } from '../../shared/transport/http';
import { sendWithRetry } from '../../shared/transport/http';
import type { RetryPolicy } from '../../shared/transport/retryPolicy';
import { statusUnavailableReason, unavailableReason } from '../../shared/transport/serviceAvailability';
import { SLACK_CREDENTIAL_TYPE } from '../../shared/transport/slackTransport';

export type SlackFileDownload =
	| { ok: true; data: Buffer; contentType: string }
	| {
			ok: false;
			failure: 'tooLarge' | 'refused' | 'failed';
			detail: string;
			/** Slack could not answer now (serviceAvailability.ts): the download may work later. */
			unavailable?: string;
	  };

export interface SlackFileDownloadOptions {
	url: string;
	trust: FileUrlTrust;
	/** The download stops with `tooLarge` once the body would exceed this. */
	maxBytes: number;
	/** Slack's declared size: sizes the buffer up front so it is allocated once. */
	expectedBytes?: number;
	/** The MIME type the file should have; an HTML answer for another type is Slack's sign-in page. */
	expectedMimeType?: string;
	maxRedirects?: number;
	timeoutMs?: number;
	policy?: RetryPolicy;
}

interface ResponseStream extends AsyncIterable<Uint8Array> {
	destroy?: (error?: Error) => void;
	resume?: () => void;
}

const INITIAL_CHUNK_CAPACITY = 64 * 1024;

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === name)
			return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
	}
	return undefined;
}

function discard(body: unknown): void {
	const stream = body as ResponseStream | undefined;
	if (stream && typeof stream.destroy === 'function') stream.destroy();
}

function isStream(body: unknown): body is ResponseStream {
	return !!body && typeof (body as ResponseStream)[Symbol.asyncIterator] === 'function';
}

/** Reads at most `maxBytes`; undefined when the body is longer. Allocates once when the size is known. */
async function readBounded(
	stream: ResponseStream,
	maxBytes: number,
	sizeHint: number | undefined,
): Promise<Buffer | undefined> {
	let capacity = Math.min(maxBytes, sizeHint && sizeHint > 0 ? sizeHint : INITIAL_CHUNK_CAPACITY);
	let buffer = Buffer.allocUnsafe(Math.max(capacity, 0));
	let length = 0;
	for await (const chunk of stream) {
		if (length + chunk.length > maxBytes) {
			discard(stream);
			return undefined;
		}
		if (length + chunk.length > capacity) {
			capacity = Math.min(maxBytes, Math.max(capacity * 2, length + chunk.length));
			const grown = Buffer.allocUnsafe(capacity);
			buffer.copy(grown, 0, 0, length);
			buffer = grown;
		}
		buffer.set(chunk, length);
		length += chunk.length;
	}
	return length === buffer.length ? buffer : buffer.subarray(0, length);
}

export async function downloadSlackFile(
	ctx: HttpContext,
	options: SlackFileDownloadOptions,
): Promise<SlackFileDownload> {
	const maxRedirects = options.maxRedirects ?? 3;
	let target = options.url;
	let previous: string | undefined;
	for (let hop = 0; hop <= maxRedirects; hop++) {
		const verdict = checkFileUrl(target, options.trust, previous);
		if (!verdict.trusted) {
			return {
				ok: false,
				failure: 'refused',
				detail: hop === 0 ? verdict.detail : `refused a redirect: ${verdict.detail}`,
			};
		}
		let response;
		try {
			response = await requestFile(ctx, options, verdict.url);
		} catch (error) {
			return { ok: false, failure: 'failed', detail: (error as Error).message, unavailable: unavailableReason(error) };
		}
		const { statusCode, headers, body } = response;
		if (statusCode >= 300 && statusCode < 400) {
			discard(body);
			const location = headerValue(headers, 'location');
			if (!location)
				return { ok: false, failure: 'failed', detail: `Slack answered HTTP ${statusCode} without a location` };
			previous = verdict.url;
			target = location;
			continue;
		}
		return await readFileAnswer(response, options);
	}
	return { ok: false, failure: 'refused', detail: `more than ${maxRedirects} redirects` };
}

/** One GET of a trusted file URL, redirects not followed (each hop is checked first). */
async function requestFile(ctx: HttpContext, options: SlackFileDownloadOptions, url: string) {
	return await sendWithRetry<unknown>(ctx, {
		service: 'slack',
		route: 'files.download',
		credentialType: SLACK_CREDENTIAL_TYPE,
		policy: options.policy,
		request: {
			method: 'GET',
			url,
			encoding: 'stream',
			json: false,
			disableFollowRedirect: true,
			timeout: options.timeoutMs ?? 60_000,
		},
	});
}

/** A non-redirect answer: the file's bytes within the size bound, or why there are none. */
async function readFileAnswer(
	response: { statusCode: number; headers: Record<string, unknown>; body: unknown },
	options: SlackFileDownloadOptions,
): Promise<SlackFileDownload> {
	const { statusCode, headers, body } = response;
	if (statusCode < 200 || statusCode >= 300) {
		discard(body);
		return {
			ok: false,
			failure: 'failed',
			detail: `Slack answered HTTP ${statusCode}`,
			unavailable: statusUnavailableReason(statusCode),
		};
	}
	const contentType = (headerValue(headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
	if (contentType === 'text/html' && options.expectedMimeType !== 'text/html') {
		discard(body);
		return {
			ok: false,
			failure: 'failed',
			detail: 'Slack answered with a web page instead of the file (is the files:read scope granted?)',
		};
	}
	const declaredLength = Number(headerValue(headers, 'content-length'));
	if (Number.isFinite(declaredLength) && declaredLength > options.maxBytes) {
		discard(body);
		return { ok: false, failure: 'tooLarge', detail: `the file is ${declaredLength} bytes` };
	}
	if (Buffer.isBuffer(body)) {
		if (body.length > options.maxBytes)
			return { ok: false, failure: 'tooLarge', detail: `the file is ${body.length} bytes` };
		return { ok: true, data: body, contentType };
	}
	if (!isStream(body)) return { ok: false, failure: 'failed', detail: 'Slack answered without a file body' };
	const sizeHint = Number.isFinite(declaredLength) && declaredLength > 0 ? declaredLength : options.expectedBytes;
	try {
		const data = await readBounded(body, options.maxBytes, sizeHint);
		if (!data) return { ok: false, failure: 'tooLarge', detail: `the file is over ${options.maxBytes} bytes` };
		return { ok: true, data, contentType };
	} catch (error) {
		discard(body);
		return { ok: false, failure: 'failed', detail: `the download broke off: ${(error as Error).message}` };
	}
}
