/**
 * This n8n process's token: random, made once when n8n loads the package. The Slack DM Trigger
 * stamps it on the messages it announces (`announcedIn`); a node in another process (a queue-mode
 * worker, or after a restart) sees a different token and knows the trigger's announcements of
 * earlier messages are not here to wait on (docs/scaling.md, Order across processes).
 */
import { randomUUID } from 'node:crypto';

export const PROCESS_TOKEN: string = randomUUID();

/** Whether an item was announced by a trigger in another n8n process (a token, not this one's). */
export function announcedElsewhere(announcedIn: unknown, token: string = PROCESS_TOKEN): boolean {
	return typeof announcedIn === 'string' && announcedIn !== '' && announcedIn !== token;
}
