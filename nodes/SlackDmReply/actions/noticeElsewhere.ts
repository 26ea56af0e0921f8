/**
 * One rule for the notices promised once per conversation (queued, out of hours) in queue mode:
 * each worker keeps its own memory of who was told, so for an item whose trigger ran in another
 * process Slack's history, which all processes see, decides (docs/scaling.md). One
 * conversations.history call, made only for a notice about to be sent.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { announcedElsewhere } from '../../shared/state/processToken';
import { readConversationSince } from '../../shared/transport/slackHistory';
import { PostedInConversation } from '../helpers/replyOutage';

/**
 * Whether the same notice `text` is in the DM since `sinceMs`, posted by another process; false
 * for an item announced in this process (it knows what it told). Slack's errors are the caller's.
 */
export async function noticePostedElsewhere(
	ctx: IExecuteFunctions,
	notice: { json: IDataObject; channel: string; text: string; sinceMs: number },
): Promise<boolean> {
	const json = notice.json as { announcedIn?: unknown; user?: { id?: string } };
	if (!announcedElsewhere(json.announcedIn)) return false;
	const oldest = (Math.max(0, notice.sinceMs) / 1000).toFixed(6);
	const history = await readConversationSince(ctx, notice.channel, oldest);
	return new PostedInConversation(history, json.user?.id).takeText(notice.text) !== undefined;
}
