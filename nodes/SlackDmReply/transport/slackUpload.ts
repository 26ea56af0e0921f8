/**
 * Slack's external upload flow (files.upload is retired):
 * 1. files.getUploadURLExternal (filename, length) → upload_url, file_id
 * 2. POST the bytes to upload_url (not the Web API base; Slack's file host)
 * 3. files.completeUploadExternal (files=[{id,title}], channel_id, thread_ts) shares them.
 * The Web API calls are form-encoded, as Slack's own SDKs send them.
 */
import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ambiguousPostMessage, POST_MAY_HAVE_LANDED, postMayHaveLanded, SLACK_POST_RETRY_POLICY } from './slackPosts';
import type { HttpContext } from '../../shared/transport/http';
import { isCredentialUrlTrusted } from '../../shared/transport/credentialUrlTrust';
import { isUnansweredRequestError, sendWithRetry } from '../../shared/transport/http';
import type { RetryPolicy } from '../../shared/transport/retryPolicy';
import type { SlackResponse } from '../../shared/transport/slackTransport';
import { SLACK_CREDENTIAL_TYPE, slackBaseUrl } from '../../shared/transport/slackTransport';
import { credentialData } from '../../shared/n8n/credentialData';

export interface SlackUploadFile {
	fileName: string;
	bytes: Buffer;
	title?: string;
	mimeType?: string;
}

export interface SlackUploadTarget {
	channelId: string;
	threadTs?: string;
	initialComment?: string;
}

export interface SlackUploadResult {
	fileIds: string[];
}

/** The upload URL must be Slack's (https on slack.com) or on the configured API host (sandbox, tests). */
export function isTrustedUploadUrl(uploadUrl: string, apiBaseUrl: string): boolean {
	return isCredentialUrlTrusted(uploadUrl, apiBaseUrl, 'slack.com');
}

function slackError(ctx: HttpContext, method: string, statusCode: number, body: unknown): NodeApiError {
	const error = body && typeof body === 'object' ? (body as SlackResponse).error : undefined;
	return new NodeApiError(ctx.getNode(), { error: error ?? `HTTP ${statusCode}` } as JsonObject, {
		message: `Slack ${method} failed: ${error ?? `HTTP ${statusCode}`}`,
		httpCode: String(statusCode),
	});
}

/**
 * A post that failed ambiguously (no answer, or a 5xx) becomes an error saying it may have been
 * delivered (it was not resent: SLACK_POST_RETRY_POLICY); any other error is returned unchanged.
 */
export function ambiguousPostError(ctx: HttpContext, method: string, error: unknown): unknown {
	const httpCode = error instanceof NodeApiError && error.httpCode ? Number(error.httpCode) : undefined;
	const unanswered = isUnansweredRequestError(error);
	if (!postMayHaveLanded({ unanswered, httpStatus: Number.isFinite(httpCode) ? httpCode : undefined })) return error;
	const detail = unanswered ? 'no answer' : `HTTP ${httpCode}`;
	const ambiguous = new NodeApiError(
		ctx.getNode(),
		{ error: unanswered ? 'no_answer' : `HTTP ${httpCode}` } as JsonObject,
		{
			message: ambiguousPostMessage(method, detail),
			...(httpCode ? { httpCode: String(httpCode) } : {}),
		},
	);
	// Waiting out an outage, the reply looks for this post before posting again (helpers/replyOutage.ts).
	ambiguous.context[POST_MAY_HAVE_LANDED] = method;
	return ambiguous;
}

async function callSlackForm<T extends SlackResponse>(
	ctx: HttpContext,
	method: string,
	params: IDataObject,
	policy?: RetryPolicy,
): Promise<T> {
	const credentials = await credentialData(ctx, SLACK_CREDENTIAL_TYPE);
	const form = new URLSearchParams();
	for (const [key, value] of Object.entries(params)) {
		if (value === undefined || value === null) continue;
		form.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
	}
	const result = await sendWithRetry<T>(ctx, {
		service: 'slack',
		route: method,
		credentialType: SLACK_CREDENTIAL_TYPE,
		policy,
		request: {
			method: 'POST',
			url: `${slackBaseUrl(credentials)}/${method}`,
			body: form.toString(),
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			json: true,
		},
		slackErrorOf: (body) => {
			const response = body as SlackResponse | undefined;
			return response && response.ok === false ? response.error : undefined;
		},
	});
	const body = typeof result.body === 'string' ? (JSON.parse(result.body) as T) : result.body;
	if (result.statusCode >= 400 || !body || typeof body !== 'object' || !body.ok)
		throw slackError(ctx, method, result.statusCode, body);
	return body;
}

/** Uploads files and shares them in one message in the channel (and thread). */
export async function uploadFilesToSlack(
	ctx: HttpContext,
	files: SlackUploadFile[],
	target: SlackUploadTarget,
): Promise<SlackUploadResult> {
	if (files.length === 0) return { fileIds: [] };
	const credentials = await credentialData(ctx, SLACK_CREDENTIAL_TYPE);
	const apiBase = slackBaseUrl(credentials);
	const uploaded: Array<{ id: string; title: string }> = [];
	for (const file of files) {
		const ticket = await callSlackForm<SlackResponse & { upload_url?: string; file_id?: string }>(
			ctx,
			'files.getUploadURLExternal',
			{
				filename: file.fileName,
				length: file.bytes.length,
			},
		);
		if (!ticket.upload_url || !ticket.file_id)
			throw slackError(ctx, 'files.getUploadURLExternal', 200, { error: 'no_upload_url' });
		if (!isTrustedUploadUrl(ticket.upload_url, apiBase)) {
			throw new NodeApiError(ctx.getNode(), { error: 'untrusted_upload_url' } as JsonObject, {
				message: 'Slack returned an upload URL outside slack.com; the file was not sent there',
			});
		}
		const upload = await sendWithRetry(ctx, {
			service: 'slack',
			route: 'files.upload_url',
			credentialType: SLACK_CREDENTIAL_TYPE,
			request: {
				method: 'POST',
				url: ticket.upload_url,
				body: file.bytes,
				headers: { 'Content-Type': file.mimeType || 'application/octet-stream' },
				json: false,
			},
		});
		if (upload.statusCode < 200 || upload.statusCode >= 300) {
			throw new NodeApiError(ctx.getNode(), { statusCode: upload.statusCode } as JsonObject, {
				message: `Uploading "${file.fileName}" to Slack failed with HTTP ${upload.statusCode}`,
				httpCode: String(upload.statusCode),
			});
		}
		uploaded.push({ id: ticket.file_id, title: file.title ?? file.fileName });
	}
	const params: IDataObject = { files: uploaded, channel_id: target.channelId };
	if (target.threadTs) params.thread_ts = target.threadTs;
	if (target.initialComment) params.initial_comment = target.initialComment;
	// Completing shares the files into the conversation: like a post, it is not resent after an ambiguous failure.
	try {
		await callSlackForm(ctx, 'files.completeUploadExternal', params, SLACK_POST_RETRY_POLICY);
	} catch (error) {
		throw ambiguousPostError(ctx, 'files.completeUploadExternal', error);
	}
	return { fileIds: uploaded.map((file) => file.id) };
}
