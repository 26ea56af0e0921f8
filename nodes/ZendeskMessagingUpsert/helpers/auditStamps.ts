/**
 * What a ticket's newest audits say about the ticket this process holds (Support-ticket mode):
 * whether another writer updated it since, and whether they cover a ticket read after them. Pure.
 */
import { stampMs } from './tickets';

/** The newest audit's creation time (ms); undefined when none has a readable one. */
function newestAuditMs(audits: Array<{ created_at?: string }>): number | undefined {
	const times = audits.map((audit) => stampMs(audit.created_at)).filter((ms): ms is number => ms !== undefined);
	return times.length > 0 ? Math.max(...times) : undefined;
}

/**
 * Whether these audits show an update after the ticket's `updated_at` this process holds: each
 * update stores one audit (Zendesk's Ticket Audits docs), so an audit created after the stamp
 * means a safe update with it would be refused (409); the ticket is read again first. Same
 * second: undecided (false), the safe update's 409 still guards it. Pure.
 */
export function auditsAfterStamp(audits: Array<{ created_at?: string }>, updatedAt: string | undefined): boolean {
	const stamp = stampMs(updatedAt);
	const newest = newestAuditMs(audits);
	return stamp !== undefined && newest !== undefined && newest > stamp;
}

/**
 * Whether audits read before the ticket hold every update up to its `updated_at`: the newest is
 * not older than it. An update of this package in that same second after the read cannot be:
 * its safe update is refused once `updated_at` moved, and is sent only after the second of the
 * stamp it holds (stampUsableFromMs), so it lands in a later second. Pure.
 */
export function auditsCoverStamp(audits: Array<{ created_at?: string }>, updatedAt: string | undefined): boolean {
	const stamp = stampMs(updatedAt);
	const newest = newestAuditMs(audits);
	return stamp !== undefined && newest !== undefined && newest >= stamp;
}

/**
 * Whether a worker's held ticket may be behind another worker's write of the people's previous
 * message (`previousMessage`, older than the minute): it was not written here, and no markers read
 * here named it. Then the ticket is read again before the update instead of after its 409. Pure.
 */
export function heldBeforePrevious(
	previous: string | undefined,
	seen: ReadonlyMap<string, unknown>,
	handledHere: boolean,
): boolean {
	return typeof previous === 'string' && previous !== '' && !handledHere && !seen.has(previous);
}
