/**
 * The bench's Slack is the Slack its workflows read: a message it sends is first stored in the
 * Slack emulator's DM (as a person's message is in Slack before Slack sends its event), so that
 * conversations.history and conversations.replies answer what Slack would (the Profile Linker reads
 * them in queue mode for the earlier messages of the minute). Without this every history read of
 * the bench was empty and the order across workers went unmeasured (bench/README, 2026-12-07 (d)).
 */
import type { CallRecord } from '../emulators/common/server';
import type { SlackWorkspace } from '../emulators/slack/state';

/** Stores a person's DM message as Slack holds it; its `ts` is the event's. */
export function storeSentMessage(
	ws: SlackWorkspace,
	message: { user: string; channel: string; text: string; team: string },
): string {
	return ws.storeMessage({ channel: message.channel, user: message.user, text: message.text, team: message.team }).ts;
}

const HISTORY_ROUTES = new Set(['conversations.history', 'conversations.replies']);

/** How many history reads a segment made and how many found messages: whether the bench measured order work. */
export function historyNote(calls: readonly CallRecord[]): string | undefined {
	const reads = calls.filter((call) => HISTORY_ROUTES.has(call.route));
	if (!reads.length) return undefined;
	const found = reads.filter((call) => {
		const messages = (call.response.body as { messages?: unknown } | undefined)?.messages;
		return Array.isArray(messages) && messages.length > 0;
	}).length;
	return `Slack history reads: ${reads.length}, ${found} with messages in the answer`;
}
