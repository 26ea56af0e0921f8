/**
 * Where the refused-files notice goes. Pure: the node opens a DM only when `dmChannelOf` has none.
 */
import type { SlackDmItem } from '../../shared/types';

/** The sender's DM with the handle when the message came from it; group DMs and channels have none. */
export function dmChannelOf(item: SlackDmItem): string | undefined {
	return item.channel.type === 'im' ? item.channel.id : undefined;
}

/** The notice joins the message's thread only in the conversation the message is in. */
export function noticeThreadTs(item: SlackDmItem, channel: string): string | undefined {
	const threadTs = item.message?.threadTs;
	return threadTs && channel === item.channel.id ? threadTs : undefined;
}
