/**
 * Process-wide state: one ordered lane per conversation (any Upsert mode). Entries wait in Slack's
 * order; each turn is chained on the lane's tail, so one message of a conversation is written at
 * a time. The lane's rules (order, turns, settling) are in
 * nodes/ZendeskMessagingUpsert/lane/conversationLane.ts.
 */

export interface Lane<E> {
	waiting: E[];
	tail: Promise<void>;
}

const lanes = new Map<string, Lane<unknown>>();

export function laneFor<E>(conversationKey: string): Lane<E> {
	let lane = lanes.get(conversationKey) as Lane<E> | undefined;
	if (!lane) {
		lane = { waiting: [], tail: Promise.resolve() };
		lanes.set(conversationKey, lane as Lane<unknown>);
	}
	return lane;
}

export function releaseLaneIfIdle(conversationKey: string): void {
	const lane = lanes.get(conversationKey);
	if (lane && lane.waiting.length === 0) lanes.delete(conversationKey);
}

export function clearConversationLanes(): void {
	lanes.clear();
}
