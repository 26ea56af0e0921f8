/** Send Status Notice: the ticket created / solved notice, or the out-of-hours one, into the DM. */
import { escapeSlackText } from '../../shared/slack/mrkdwn';
import { noticeKindOf, renderNotice, ticketIdOf, type NoticeKind } from '../helpers/reply';
import { DEFAULT_QUEUED_NOTICE, QUEUED_NOTICE_QUIET_MS, queuedNoticeDecision } from '../helpers/queuedNotice';
import { queuedNoticesTold } from '../replyState';
import { noticePostedElsewhere, withdrawnForEarlierNotice } from './noticeElsewhere';
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
	// Also in the node's static data (saved when the execution goes to wait): a restart does not tell twice.
	const saved = run.ctx.getWorkflowStaticData('node');
	const told = toldByChannel(saved.queuedNoticesTold, now);
	const decision = queuedNoticeDecision(
		run.json,
		Math.max(queuedNoticesTold.get(key) ?? 0, told[run.channel] ?? 0) || undefined,
		now,
	);
	if (!decision.send) {
		run.delivery.skipped = decision.reason;
		return;
	}
	const text = renderNotice(run.options.queuedNoticeText ?? DEFAULT_QUEUED_NOTICE, {}, escapeSlackText);
	const sinceMs = now - QUEUED_NOTICE_QUIET_MS;
	if (text && (await noticePostedElsewhere(run.ctx, { json: run.json, channel: run.channel, text, sinceMs }))) {
		run.delivery.skipped = 'alreadyTold';
		return;
	}
	queuedNoticesTold.set(key, now);
	saved.queuedNoticesTold = { ...told, [run.channel]: now };
	if (!text) return;
	await run.post(text);
	if (await withdrawnForEarlierNotice(run, text, sinceMs)) run.delivery.skipped = 'alreadyTold';
	else run.delivery.notice = 'queued';
}

/** The static data's channel → last notice time, without entries past the quiet time. */
function toldByChannel(value: unknown, now: number): Record<string, number> {
	const out: Record<string, number> = {};
	for (const [channel, at] of Object.entries((value ?? {}) as Record<string, unknown>))
		if (typeof at === 'number' && now - at < QUEUED_NOTICE_QUIET_MS) out[channel] = at;
	return out;
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
					channel: run.channel,
					post: run.post,
				})
			: undefined;
	const noticeKind = chosen === 'auto' ? noticeKindOf(json) : chosen === 'outsideHours' ? undefined : chosen;
	if (outsideHours?.sent) {
		const withdrawn = await withdrawnForEarlierNotice(run, outsideHours.text, outsideHours.closedSinceMs);
		if (withdrawn) delivery.skipped = 'alreadyNotified';
		else delivery.notice = 'outsideHours';
	} else if (chosen === 'outsideHours') delivery.skipped = outsideHours?.reason ?? 'noNotice';
	else if (noticeKind) await postStatusNotice(run, noticeKind);
	else delivery.skipped = 'noNotice';
}
