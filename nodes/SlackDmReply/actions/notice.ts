/** Send Status Notice: the ticket created / solved notice, or the out-of-hours one, into the DM. */
import { escapeSlackText } from '../../shared/slack/mrkdwn';
import { noticeKindOf, renderNotice, ticketIdOf, type NoticeKind } from '../helpers/reply';
import { DEFAULT_QUEUED_NOTICE, queuedNoticeDecision } from '../helpers/queuedNotice';
import { queuedNoticesTold } from '../replyState';
import { sendOutsideHoursNotice } from './outsideHours';
import type { ItemRun } from './slackPosting';

export const DEFAULT_CREATED_NOTICE =
	'Thanks, we received your message. Your request #{ticketId} is open and our team will answer here.';
export const DEFAULT_SOLVED_NOTICE =
	'Your request #{ticketId} has been marked as solved. Reply here if you need anything else.';

/** Posts the created or solved notice (the option's text, or the default); an empty text posts nothing. */
export async function postStatusNotice(run: ItemRun, noticeKind: NoticeKind): Promise<void> {
	const { options } = run;
	const template =
		noticeKind === 'ticketCreated'
			? (options.createdNoticeText ?? DEFAULT_CREATED_NOTICE)
			: (options.solvedNoticeText ?? DEFAULT_SOLVED_NOTICE);
	const text = renderNotice(template, { ticketId: ticketIdOf(run.json) }, escapeSlackText);
	if (!text) return;
	await run.post(text);
	run.delivery.notice = noticeKind;
}

/** The one-time queued notice of an item on an Upsert's Service Unavailable output (helpers/queuedNotice.ts). */
async function sendQueuedNotice(run: ItemRun): Promise<void> {
	const key = `${run.handleKey}:${run.channel}`;
	const now = Date.now();
	const decision = queuedNoticeDecision(run.json, queuedNoticesTold.get(key), now);
	if (!decision.send) {
		run.delivery.skipped = decision.reason;
		return;
	}
	queuedNoticesTold.set(key, now);
	const text = renderNotice(run.options.queuedNoticeText ?? DEFAULT_QUEUED_NOTICE, {}, escapeSlackText);
	if (!text) return;
	await run.post(text);
	run.delivery.notice = 'queued';
}

/**
 * The Notice parameter: From the Item (out-of-hours first when Business Hours are set, else what
 * the item calls for), Outside Business Hours, or a fixed kind. Nothing to send is `skipped`.
 */
export async function sendNotice(run: ItemRun): Promise<void> {
	const { ctx, itemIndex, json, delivery } = run;
	const chosen = ctx.getNodeParameter('noticeKind', itemIndex) as NoticeKind | 'auto' | 'outsideHours' | 'queued';
	if (chosen === 'queued') return await sendQueuedNotice(run);
	const outsideHours =
		chosen === 'auto' || chosen === 'outsideHours'
			? await sendOutsideHoursNotice(ctx, itemIndex, {
					json,
					explicit: chosen === 'outsideHours',
					conversationKey: `${run.handleKey}:${run.channel}`,
					post: run.post,
				})
			: undefined;
	const noticeKind = chosen === 'auto' ? noticeKindOf(json) : chosen === 'outsideHours' ? undefined : chosen;
	if (outsideHours?.sent) delivery.notice = 'outsideHours';
	else if (chosen === 'outsideHours') delivery.skipped = outsideHours?.reason ?? 'noNotice';
	else if (noticeKind) await postStatusNotice(run, noticeKind);
	else delivery.skipped = 'noNotice';
}
