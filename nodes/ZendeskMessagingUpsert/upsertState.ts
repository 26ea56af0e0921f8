/**
 * All process-wide state of the Zendesk Messaging Upsert, forgotten at once: the mode-independent
 * part (nodes/shared/state: handledMessages.ts, conversationLanes.ts, messagesInFlight.ts) and
 * each mode's (supportTickets/ticketsState.ts, messaging/messagingState.ts). Also the clock the node's pacing uses.
 */
import { clearConversationLanes } from './state/conversationLanes';
import { clearHandledMessages } from './state/handledMessages';
import { messagesInFlight } from '../shared/state/messagesInFlight';
import { clearTicketsState } from './supportTickets/ticketsState';
import { clearMessagingState } from './messaging/messagingState';

export type { UpsertEnvironment } from './state/upsertClock';
export { setUpsertEnvironment, upsertEnvironment } from './state/upsertClock';

/** Forget everything (tests: "another process"; also after credential changes). */
export function resetUpsertState(): void {
	clearTicketsState();
	clearMessagingState();
	clearHandledMessages();
	clearConversationLanes();
	messagesInFlight.clear();
}
