/**
 * The emulators' outgoing HTTP (Slack event deliveries, Zendesk webhook deliveries), with axios,
 * the tooling HTTP client (PRODUCT.md).
 */
import axios from 'axios';

export interface ExactRequest {
	url: string;
	method: string;
	/** Sent byte for byte (signatures are computed over these bytes); ignored for GET and DELETE. */
	body: Buffer;
	headers: Record<string, string>;
	/** Aborts the whole exchange (a deadline for the complete answer, not socket inactivity). */
	signal: AbortSignal;
}

export interface PlainResponse {
	status: number;
	body: string;
	/** Header names in lower case. */
	headers: Record<string, string>;
}

/**
 * One request that sends exactly `body`: no request transform (axios would re-serialise or trim a
 * JSON string, breaking a signature), no redirect followed, no proxy from the environment, and
 * every status returned rather than thrown. Network failures and aborts throw (AxiosError).
 */
export async function sendExactBytes(request: ExactRequest): Promise<PlainResponse> {
	const method = request.method.toUpperCase();
	const response = await axios.request<ArrayBuffer>({
		url: request.url,
		method,
		data: method === 'GET' || method === 'DELETE' ? undefined : request.body,
		headers: request.headers,
		signal: request.signal,
		maxRedirects: 0,
		validateStatus: () => true,
		responseType: 'arraybuffer',
		transformRequest: [(data: unknown) => data],
		transformResponse: [(data: unknown) => data],
		proxy: false,
	});
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(response.headers ?? {})) {
		if (value !== undefined && value !== null)
			headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return { status: response.status, body: Buffer.from(response.data ?? new ArrayBuffer(0)).toString('utf8'), headers };
}
