import type { IDataObject } from 'n8n-workflow';

import type { SlackDmItem } from '../types';

/**
 * The one place item JSON is cast to and from our item contract (nodes/shared/types.ts): n8n
 * types item data as IDataObject, the contract types are plain interfaces.
 */
export function toItemJson(value: object): IDataObject {
	return value as unknown as IDataObject;
}

export function fromItemJson<T extends object>(json: IDataObject): T {
	return json as unknown as T;
}

/** A message item of the Slack DM Trigger: it names a message, its channel and its workspace. */
export function isSlackDmMessageItem(json: IDataObject | undefined): boolean {
	const item = json as Partial<SlackDmItem> | undefined;
	return Boolean(item?.message && item.channel && item.teamId);
}

/** An item that names its Slack sender: a user id and the user's (or the event's) workspace. */
export function hasSlackSender(json: IDataObject | undefined): boolean {
	const item = json as Partial<SlackDmItem> | undefined;
	return Boolean(item?.user?.id && (item.user.teamId || item.teamId));
}
