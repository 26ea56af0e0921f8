/**
 * Zendesk uploads: each file of a message is sent with POST /uploads.json?filename=…, the
 * first answer's token passed with the next files, so one token carries all files of the
 * message; the comment then names that token in `uploads`.
 */
import type { JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { HttpContext } from '../../shared/transport/http';
import { sendWithRetry } from '../../shared/transport/http';
import { zendeskBaseUrl, zendeskErrorMessage } from '../../shared/transport/zendeskTransport';
import { credentialData } from '../../shared/n8n/credentialData';

export interface FileToUpload {
	name: string;
	mimetype: string;
	data: Buffer;
}

interface UploadAnswer {
	upload?: { token?: string };
}

function parseBody(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body === 'string') {
		try {
			return JSON.parse(body);
		} catch {
			return body;
		}
	}
	return body;
}

/** Uploads the files; returns the one token for all of them (undefined when there are none). */
export async function uploadFiles(
	ctx: HttpContext,
	credentialType: string,
	files: FileToUpload[],
): Promise<string | undefined> {
	if (files.length === 0) return undefined;
	const credentials = await credentialData(ctx, credentialType);
	const url = `${zendeskBaseUrl(credentials)}/api/v2/uploads.json`;
	let token: string | undefined;
	for (const file of files) {
		const qs: Record<string, string> = { filename: file.name };
		if (token) qs.token = token;
		const result = await sendWithRetry(ctx, {
			service: 'zendesk',
			route: 'POST /uploads.json',
			credentialType,
			request: {
				method: 'POST',
				url,
				qs,
				body: file.data,
				headers: { 'Content-Type': file.mimetype || 'application/binary' },
				json: false,
			},
		});
		const body = parseBody(result.body) as UploadAnswer;
		if (result.statusCode < 200 || result.statusCode >= 300 || !body?.upload?.token) {
			const message = zendeskErrorMessage(body);
			throw new NodeApiError(ctx.getNode(), { statusCode: result.statusCode, message } as JsonObject, {
				message: `Zendesk POST /uploads.json failed for "${file.name}" (HTTP ${result.statusCode}): ${message}`,
				httpCode: String(result.statusCode),
			});
		}
		token = body.upload.token;
	}
	return token;
}
