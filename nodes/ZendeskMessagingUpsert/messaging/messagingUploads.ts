/**
 * Files for the Zendesk Messaging mode: each accepted file is uploaded to Sunshine
 * (`POST /v2/apps/{appId}/attachments?access=public`, multipart field `source`), whose `mediaUrl`
 * the `file` / `image` message then names. An upload is not a message: one repeated after an
 * unanswered attempt leaves an unused attachment, never a second message.
 */
import { randomBytes } from 'node:crypto';

import type { IExecuteFunctions } from 'n8n-workflow';

import { callSunshine, sunshineApiError, sunshineErrorMessage } from '../../shared/transport/sunshineTransport';
import type { FileToUpload } from '../helpers/uploads';
import type { UploadedFile } from './messagingBodies';

/** A multipart/form-data body with the one field `source` (RFC 7578). */
export function multipartSource(file: FileToUpload, boundary: string): Buffer {
	const name = file.name.replace(/["\r\n\\]/g, '_');
	const head =
		`--${boundary}\r\nContent-Disposition: form-data; name="source"; filename="${name}"\r\n` +
		`Content-Type: ${file.mimetype || 'application/octet-stream'}\r\n\r\n`;
	return Buffer.concat([Buffer.from(head, 'utf8'), file.data, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]);
}

/** Uploads the files in order; their mediaUrls in the same order. */
export async function uploadToSunshine(ctx: IExecuteFunctions, files: FileToUpload[]): Promise<UploadedFile[]> {
	const uploaded: UploadedFile[] = [];
	for (const file of files) {
		const boundary = `n8nSlackDm${randomBytes(12).toString('hex')}`;
		const answer = await callSunshine<{ attachment?: { mediaUrl?: string; mediaType?: string } }>(ctx, {
			method: 'POST',
			path: '/attachments',
			qs: { access: 'public' },
			body: multipartSource(file, boundary),
			headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			json: false,
			acceptStatuses: [400, 413],
		});
		const mediaUrl = answer.body?.attachment?.mediaUrl;
		if (answer.statusCode >= 300 || !mediaUrl) {
			const message = sunshineErrorMessage(answer.body);
			throw sunshineApiError(ctx.getNode(), 'POST /attachments', answer.statusCode, answer.body, {
				message: `Zendesk messaging refused the upload of "${file.name}" (HTTP ${answer.statusCode}): ${message}`,
			});
		}
		uploaded.push({ name: file.name, mediaUrl, mediaType: answer.body?.attachment?.mediaType ?? file.mimetype });
	}
	return uploaded;
}
