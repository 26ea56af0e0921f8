/**
 * Where a Slack DM Trigger item stands in its conversation, for the nodes that wait out outages
 * (docs/outages.md): a later message of a channel waits behind an earlier parked one. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ItemPlace } from '../n8n/outageRunner';
import { isSlackDmMessageItem } from '../n8n/itemJson';
import type { SlackDmItem } from '../types';
import { eventOrderOf } from './messageOrder';

/** The item's conversation (workspace and channel, threads included), key and Slack order; undefined for other items. */
export function slackMessagePlace(json: IDataObject): ItemPlace | undefined {
	if (!isSlackDmMessageItem(json)) return undefined;
	const item = json as unknown as SlackDmItem;
	const order = eventOrderOf(item);
	if (order === undefined || !item.idempotencyKey) return undefined;
	return { conversation: `${item.teamId}:${item.channel.id}`, key: item.idempotencyKey, order };
}
