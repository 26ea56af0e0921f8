/**
 * One rule for the notices promised once per conversation (queued, out of hours) in queue mode:
 * each worker keeps its own memory of who was told, so for an item whose trigger ran in another
 * process Slack's history, which all processes see, decides (docs/scaling.md). One
 * conversations.history call, made only for a notice about to be sent.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { announcedElsewhere } from '../../shared/state/processToken';
import { readConversationSince } from '../../shared/transport/slackHistory';
import { callSlack } from '../../shared/transport/slackTransport';
import { PostedInConversation } from '../helpers/replyOutage';
import type { ItemRun } from './slackPosting';

/** The fields of an item this rule reads: where its trigger ran, and who wrote it. */
type NoticeItem = { announcedIn?: unknown; user?: { id?: string } };

/**
 * The ts of the earliest copy of notice `text` in the DM since `sinceMs` (the user's own messages
 * left out), or undefined; undefined without a look for an item announced in this process (it
 * knows what it told). Slack's errors are the caller's.
 */
async function earliestCopy(
	ctx: IExecuteFunctions,
	notice: { json: IDataObject; channel: string; text: string; sinceMs: number },
): Promise<string | undefined> {
	const json = notice.json as NoticeItem;
	if (!announcedElsewhere(json.announcedIn)) return undefined;
	const oldest = (Math.max(0, notice.sinceMs) / 1000).toFixed(6);
	const history = await readConversationSince(ctx, notice.channel, oldest);
	return new PostedInConversation(history, json.user?.id).takeText(notice.text);
}

/** Whether the same notice is in the DM since `sinceMs`, posted by another process (earliestCopy). */
export async function noticePostedElsewhere(
	ctx: IExecuteFunctions,
	notice: { json: IDataObject; channel: string; text: string; sinceMs: number },
): Promise<boolean> {
	return (await earliestCopy(ctx, notice)) !== undefined;
}

/**
 * After posting a notice for an item from another process: another worker may have looked at the
 * DM in the same instant, found nothing either, and posted too. Slack's order decides: the
 * earliest such notice stays, a later one (this one, `sinceMs` as for the look) is deleted with
 * chat.delete. Both workers look after posting, so of two notices one is left. True when this
 * one was withdrawn; a failed look or delete leaves it (logged: two notices beat a failed
 * execution for a message already in Zendesk).
 */
export async function withdrawnForEarlierNotice(run: ItemRun, text: string, sinceMs: number): Promise<boolean> {
	const ours = run.delivery.messageTs;
	if (ours.length !== 1) return false;
	try {
		const earliest = await earliestCopy(run.ctx, { json: run.json, channel: run.channel, text, sinceMs });
		if (earliest === undefined || Number(earliest) >= Number(ours[0])) return false;
		await callSlack(run.ctx, 'chat.delete', { channel: run.channel, ts: ours[0] });
		ours.length = 0;
		return true;
	} catch (error) {
		run.ctx.logger.warn('Slack DM Reply could not check for an earlier copy of its notice; both stay', {
			error: (error as Error).message,
			itemIndex: run.itemIndex,
		});
		return false;
	}
}
