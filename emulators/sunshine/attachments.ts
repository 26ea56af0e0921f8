/**
 * Attachments: `POST /v2/apps/{appId}/attachments?access=public|private[&for=message&conversationId=…]`
 * with a multipart `source` file (UploadAttachment; 50mb limit) answers `{attachment:{mediaUrl,
 * mediaType}}`; the mediaUrl serves the bytes. ASSUMPTION: a private attachment's mediaUrl needs the
 * app's credentials (Basic or JWT) and a public one needs none, which is how the Sunshine
 * Conversations attachments guide describes access (see README.md).
 */
import { boundaryOf, parseMultipart } from '../slack/multipart';
import { authenticate } from './auth';
import { badRequest, notFound } from './errors';
import { errorResponse, operation } from './http';
import type { SunshineHost } from './http';
import type { SunshineStore } from './store';

/** Keeps an attachment and answers its `mediaUrl` (also used by the agent workspace for agents' files). */
export function storeAttachment(
	store: SunshineStore,
	baseUrl: string,
	input: {
		fileName: string;
		mediaType: string;
		access: 'public' | 'private';
		content: Buffer;
		conversationId: string | null;
	},
): string {
	const id = store.newId();
	const fileName = input.fileName.replace(/[^\w.-]+/g, '_') || 'file';
	store.attachments.set(id, { id, ...input, fileName });
	return `${baseUrl}/sc/attachments/${store.app.id}/${id}/${encodeURIComponent(fileName)}`;
}

export function registerAttachments(host: SunshineHost): void {
	const { store } = host;
	operation(
		host,
		'POST',
		'/v2/apps/:appId/attachments',
		({ req }) => {
			const access = req.query.get('access');
			if (access !== 'public' && access !== 'private') throw badRequest('access must be public or private');
			const forWhat = req.query.get('for');
			const conversationId = req.query.get('conversationId');
			if (forWhat !== null && forWhat !== 'message') throw badRequest('for must be message');
			if (forWhat === 'message' && !conversationId) throw badRequest('conversationId is required when for is message');
			if (conversationId && !store.conversations.has(conversationId)) throw notFound('conversation');
			const boundary = boundaryOf(String(req.headers['content-type'] ?? ''));
			const source = boundary ? parseMultipart(req.rawBody, boundary).find((p) => p.name === 'source') : undefined;
			if (!source || !source.filename) throw badRequest('source (a file) is required');
			const mediaType = source.contentType || 'application/octet-stream';
			const mediaUrl = storeAttachment(store, host.baseUrl(), {
				fileName: source.filename,
				mediaType,
				access,
				content: Buffer.from(source.data),
				conversationId,
			});
			return { status: 201, body: { attachment: { mediaUrl, mediaType } } };
		},
		{ upload: true },
	);
	host.server.route('GET', '/sc/attachments/:appId/:attachmentId/:fileName', (req) => {
		try {
			const attachment = req.params.appId === store.app.id ? store.attachments.get(req.params.attachmentId) : undefined;
			if (!attachment || attachment.fileName !== req.params.fileName) throw notFound('attachment');
			if (attachment.access === 'private') authenticate(req.headers, store);
			return {
				status: 200,
				headers: { 'Content-Type': attachment.mediaType, 'Content-Length': String(attachment.content.length) },
				body: attachment.content,
			};
		} catch (error) {
			return errorResponse(error);
		}
	});
}
