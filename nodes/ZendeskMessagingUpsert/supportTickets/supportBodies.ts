/**
 * What the Support-ticket mode writes: the HTML of comments and notes, the body of a new ticket
 * (with the thread line and the DM's ticket it mentions), and the excerpts of written messages
 * that later thread replies quote. Which write to make is decided in supportPlanner.ts.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { SlackTextOptions } from '../../shared/slack/slackTextToZendesk';
import { upsertEnvironment } from '../state/upsertClock';
import { callZendesk } from '../../shared/transport/zendeskTransport';
import type { MessageForComment, ThreadReference } from '../../shared/zendesk/comments';
import {
	coalescedHtml,
	deleteNoteHtml,
	editNoteHtml,
	markerMetadata,
	messageHtml,
	threadTicketLineHtml,
	withSlackTime,
} from '../../shared/zendesk/comments';
import type { CommentPayload, TicketSummary } from '../helpers/tickets';
import {
	buildCreateTicketBody,
	copyFields,
	deriveSubject,
	participantsToCopy,
	pickConversationTicket,
} from '../helpers/tickets';
import { messageMemoryKey, rootTextInEvent, tagsForPlan, threadRootExcerpt } from '../helpers/ticketsThreads';
import { conversationCache, threadRootExcerpts } from './ticketsState';
import type { Entry } from './supportEntry';
import type { CommentWrite } from './supportCommands';

/** How long this process remembers an excerpt of each message it wrote (thread-root quotes). */
const ROOT_EXCERPT_TTL_MS = 24 * 60 * 60_000;

function textOptions(entry: Entry): SlackTextOptions {
	return { names: entry.request.names };
}

/** The thread root an entry refers to, with an excerpt when the event or this process's memory has its text. */
function threadReference(entry: Entry, rootTs: string): ThreadReference {
	const { item } = entry.request;
	const excerpt =
		threadRootExcerpt(rootTextInEvent(item, rootTs), textOptions(entry)) ??
		threadRootExcerpts.get(messageMemoryKey(entry.request.account, item, rootTs));
	return excerpt ? { rootTs, rootExcerpt: excerpt } : { rootTs };
}

function messageForComment(entry: Entry): MessageForComment {
	const { message } = entry.request.item;
	const thread = entry.plan.threadReply ? threadReference(entry, entry.plan.threadReply.rootTs) : undefined;
	const fileNames = entry.request.files.map((file) => file.name);
	return { ts: message.ts, text: message.text ?? '', fileNames, ...(thread ? { thread } : {}) };
}

function commentHtml(entry: Entry): string {
	const { message } = entry.request.item;
	const html = messageHtml(messageForComment(entry), textOptions(entry));
	return withSlackTime(html, message.ts, upsertEnvironment().now());
}

function noteHtml(entry: Entry): string {
	const { item } = entry.request;
	if (item.kind === 'delete')
		return deleteNoteHtml(
			{ ts: item.message.ts, deletedText: item.message.previousText ?? (item.message.text || undefined) },
			textOptions(entry),
		);
	return editNoteHtml(
		{ ts: item.message.ts, previousText: item.message.previousText, newText: item.message.text ?? '' },
		textOptions(entry),
	);
}

/** The comment of an update: a note for an edit or deletion, else the batch's public comment. */
export function commentOf(write: CommentWrite<Entry>): CommentPayload {
	const [head] = write.batch;
	if (write.note) return { html_body: noteHtml(head), public: false };
	const uploads = write.batch.map((entry) => entry.uploadToken).filter((token): token is string => Boolean(token));
	return {
		html_body:
			write.batch.length > 1
				? coalescedHtml(
						write.batch.map((entry) => messageForComment(entry)),
						textOptions(head),
					)
				: commentHtml(head),
		public: true,
		author_id: head.requesterId,
		...(uploads.length > 0 ? { uploads } : {}),
	};
}

/** Remembers excerpts of written messages: a later thread reply to one of them can quote it. */
export function rememberWritten(entries: Entry[]): void {
	for (const entry of entries) {
		const { item } = entry.request;
		if (item.kind !== 'message') continue;
		const excerpt = threadRootExcerpt(item.message.text, textOptions(entry));
		if (excerpt)
			threadRootExcerpts.set(
				messageMemoryKey(entry.request.account, item, item.message.ts),
				excerpt,
				ROOT_EXCERPT_TTL_MS,
			);
	}
}

/** The body of `POST /tickets.json` for the head (a follow-up when `followUpSourceId` is set). */
export async function createTicketBody(head: Entry, followUpSourceId: number | undefined): Promise<IDataObject> {
	const { ctx, settings, item } = head.request;
	const routed = settings.routing();
	if (!routed.ok) throw new NodeOperationError(ctx.getNode(), routed.problem, { itemIndex: head.request.itemIndex });
	const subject =
		settings.subjectOverride?.trim() ||
		deriveSubject(item.message.text ?? '', settings.subjectFallback, settings.subjectMaxLength, textOptions(head));
	return buildCreateTicketBody({
		externalId: head.conversationKey,
		requesterId: head.request.requesterId!,
		subject,
		comment: {
			html_body: await firstCommentHtml(head, followUpSourceId),
			public: true,
			author_id: head.request.requesterId,
			...(head.uploadToken ? { uploads: [head.uploadToken] } : {}),
		},
		routing: { ...routed.routing, tags: tagsForPlan(routed.routing.tags, head.plan) },
		metadata: markerMetadata([head.key]),
		followUpSourceId,
		copies: copyFields(
			participantsToCopy(head.request.participantIds ?? [], head.request.requesterId),
			settings.participantCopies,
		),
	}) as IDataObject;
}

/** First comment of a new ticket: a thread's own ticket opens with the thread line. */
async function firstCommentHtml(head: Entry, followUpSourceId: number | undefined): Promise<string> {
	const thread = head.plan.thread;
	// A follow-up is linked to the thread's previous ticket by Zendesk itself.
	if (!thread || followUpSourceId !== undefined) return commentHtml(head);
	const dmTicketId = await dmTicketIdFor(head, thread.dmConversationKey);
	return `${threadTicketLineHtml({ ...threadReference(head, thread.rootTs), dmTicketId })}${commentHtml(head)}`;
}

/**
 * The DM's ticket a thread's new ticket mentions (per-thread mode): this process's cache, else
 * what this execution already looked up, else the exact external-id lookup (remembered for the
 * execution, so several threads of one DM cost one lookup). Fixed per message once known: a
 * resent creation must carry the same body under its key. The mention is a courtesy for agents:
 * when the lookup fails, the ticket is created without it rather than the message failing.
 */
async function dmTicketIdFor(head: Entry, dmConversationKey: string): Promise<number | undefined> {
	if (head.dmTicketId !== undefined) return head.dmTicketId ?? undefined;
	const { account, ctx, run, settings } = head.request;
	const memoKey = `${account}|${dmConversationKey}`;
	const cached = conversationCache.get(memoKey)?.ticket;
	if (cached) head.dmTicketId = cached.kind === 'none' ? null : cached.ticket.id;
	else if (run.dmTicketIds.has(memoKey)) head.dmTicketId = run.dmTicketIds.get(memoKey);
	else {
		try {
			const answer = await callZendesk<{ tickets?: TicketSummary[] }>(ctx, settings.credentialType, {
				method: 'GET',
				path: '/tickets.json',
				qs: { external_id: dmConversationKey },
			});
			const conversation = pickConversationTicket(answer.body?.tickets ?? []);
			head.dmTicketId = conversation.kind === 'none' ? null : conversation.ticket.id;
			// Only answers are remembered: a failed lookup is tried again by the next thread.
			run.dmTicketIds.set(memoKey, head.dmTicketId);
		} catch {
			head.dmTicketId = null;
		}
	}
	return head.dmTicketId ?? undefined;
}
