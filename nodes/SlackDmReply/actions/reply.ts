/**
 * Send Agent Reply: a Zendesk Reply Trigger item's comment (or a custom text) into the DM, with
 * the agent's name as the first line, its attachments downloaded from Zendesk and uploaded to the
 * DM, and the solved notice after it when asked for.
 */
import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { credentialData } from '../../shared/n8n/credentialData';
import { commentToMrkdwn, escapeSlackText, toMrkdwn, type CommentTextFormat } from '../../shared/slack/mrkdwn';
import { isSolvedEventItem, noticeKindOf, senderPrefixLine } from '../helpers/reply';
import { sendWithRetry } from '../../shared/transport/http';
import { uploadFilesToSlack, type SlackUploadFile } from '../transport/slackUpload';
import { MESSAGING_CREDENTIAL_TYPE, messagingBaseUrl } from '../../shared/transport/messagingAccount';
import { zendeskBaseUrl, zendeskCredentialType } from '../../shared/transport/zendeskTransport';
import { stringOf } from '../../shared/values';
import { isTrustedAttachmentUrl, type ReplyAttachment } from '../../shared/zendesk/replyEvents';
import { postStatusNotice } from './notice';
import { awaitPostTurn, type ItemRun } from './slackPosting';

type ReplyComment = { htmlBody?: string; body?: string; author?: { name?: string } };

function str(value: unknown): string {
	return stringOf(value) ?? '';
}

function attachmentsOf(json: IDataObject): ReplyAttachment[] {
	const list = Array.isArray(json.attachments) ? json.attachments : [];
	return list.filter(
		(entry): entry is ReplyAttachment =>
			Boolean(entry) &&
			typeof entry === 'object' &&
			typeof (entry as ReplyAttachment).contentUrl === 'string' &&
			typeof (entry as ReplyAttachment).fileName === 'string',
	);
}

/** The reply's text as mrkdwn: the comment's HTML (or plain body), or the Custom Text in its format. */
function replyMrkdwn(run: ItemRun, comment: ReplyComment): string {
	const { ctx, itemIndex } = run;
	const mrkdwnOptions = { allowMentions: run.options.allowMentions === true };
	const textSource = ctx.getNodeParameter('textSource', itemIndex) as 'comment' | 'custom';
	return textSource === 'custom'
		? toMrkdwn(
				ctx.getNodeParameter('customText', itemIndex) as string,
				ctx.getNodeParameter('customTextFormat', itemIndex) as CommentTextFormat,
				mrkdwnOptions,
			)
		: commentToMrkdwn({ htmlBody: str(comment.htmlBody), body: str(comment.body) }, mrkdwnOptions);
}

/** `*Anna:*` from the Prefix Template, or nothing (prefix off, or {name} with no agent name). */
function agentPrefixLine(run: ItemRun, comment: ReplyComment): string {
	const { ctx, itemIndex } = run;
	if (!(ctx.getNodeParameter('prefixAgentName', itemIndex) as boolean)) return '';
	const template = ctx.getNodeParameter('prefixTemplate', itemIndex, '{name}') as string;
	const agentName = str(comment.author?.name);
	return agentName || !template.includes('{name}')
		? senderPrefixLine(template.replace(/\{name\}/g, agentName), escapeSlackText)
		: '';
}

export async function sendReply(run: ItemRun): Promise<void> {
	const { ctx, itemIndex, json } = run;
	if (isSolvedEventItem(json)) {
		if (run.options.solvedNotice) await postStatusNotice(run, 'ticketSolved');
		else run.delivery.skipped = 'noNotice';
		return;
	}
	const comment = (json.comment ?? {}) as ReplyComment;
	const mrkdwn = replyMrkdwn(run, comment);
	const prefixLine = agentPrefixLine(run, comment);
	const attachments = (ctx.getNodeParameter('sendAttachments', itemIndex) as boolean) ? attachmentsOf(json) : [];
	if (!mrkdwn && attachments.length === 0)
		throw new NodeOperationError(ctx.getNode(), 'The reply has no text and no attachments', { itemIndex });
	if (mrkdwn || prefixLine) await run.post(mrkdwn, prefixLine);
	const filesPosted = attachments.length > 0 ? run.posted?.takeFiles(attachments.map((a) => a.fileName)) : undefined;
	if (filesPosted) run.delivery.fileIds.push(...filesPosted);
	else if (attachments.length > 0) {
		const files = await downloadAttachments(ctx, itemIndex, attachments);
		await awaitPostTurn(run.handleKey, run.channel);
		const result = await uploadFilesToSlack(ctx, files, { channelId: run.channel, threadTs: run.threadTs });
		run.delivery.fileIds.push(...result.fileIds);
	}
	if (run.options.solvedNotice && noticeKindOf(json) === 'ticketSolved') await postStatusNotice(run, 'ticketSolved');
}

/** The `authentication` value whose credential downloads Zendesk messaging files. */
export const MESSAGING_AUTHENTICATION = 'zendeskMessaging';

/** Downloads the attachments from the Zendesk account's own host (any other host is refused). */
async function downloadAttachments(
	ctx: IExecuteFunctions,
	itemIndex: number,
	attachments: ReplyAttachment[],
): Promise<SlackUploadFile[]> {
	const authentication = ctx.getNodeParameter('authentication', itemIndex, 'apiToken');
	// Zendesk messaging items' files (`mediaUrl`, private attachments) need the messaging credential.
	const messaging = authentication === MESSAGING_AUTHENTICATION;
	const credentialType = messaging ? MESSAGING_CREDENTIAL_TYPE : zendeskCredentialType(authentication);
	const credentials = await credentialData(ctx, credentialType);
	const base = messaging ? messagingBaseUrl(credentials) : zendeskBaseUrl(credentials);
	const files: SlackUploadFile[] = [];
	for (const attachment of attachments) {
		if (!isTrustedAttachmentUrl(attachment.contentUrl, base)) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Attachment "${attachment.fileName}" is not on the Zendesk account's host; it was not downloaded`,
				{ itemIndex },
			);
		}
		const response = await sendWithRetry<Buffer | ArrayBuffer | string>(ctx, {
			service: messaging ? 'sunshine' : 'zendesk',
			route: messaging ? 'GET /sc/attachments/{id}' : 'GET /attachments/token/{token}',
			credentialType,
			request: { method: 'GET', url: attachment.contentUrl, encoding: 'arraybuffer', json: false },
		});
		if (response.statusCode < 200 || response.statusCode >= 300) {
			throw new NodeApiError(ctx.getNode(), { statusCode: response.statusCode } as JsonObject, {
				message: `Downloading attachment "${attachment.fileName}" from Zendesk failed with HTTP ${response.statusCode}`,
				httpCode: String(response.statusCode),
				itemIndex,
			});
		}
		const body = response.body;
		const bytes = Buffer.isBuffer(body)
			? body
			: typeof body === 'string'
				? Buffer.from(body, 'binary')
				: Buffer.from(body);
		files.push({ fileName: attachment.fileName, bytes, mimeType: attachment.contentType, title: attachment.fileName });
	}
	return files;
}
