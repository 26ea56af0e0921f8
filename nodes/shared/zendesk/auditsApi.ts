/**
 * Reading a ticket's newest audits, where the package's marker lives (comments.ts): the Upsert
 * asks whether a Slack message is in the ticket already, the Zendesk Reply Trigger whether the
 * inbound pipeline posted a comment. Through callZendesk (retries, call counts).
 */
import type { HttpContext } from '../transport/http';
import { callZendesk } from '../transport/zendeskTransport';
import type { keysInAudits } from './comments';
import { lastAuditPage } from './comments';

/** One audit as List Audits returns it: what the marker checks read. */
export type TicketAuditJson = Parameters<typeof keysInAudits>[0][number] & { id?: number; created_at?: string };

/** Audits per page (List Audits returns at most 100). */
export const AUDIT_PAGE_SIZE = 100;

/** Pages followed past the counted last one (the count is approximate). */
export const MAX_EXTRA_AUDIT_PAGES = 3;

/** One offset page of List Audits as read: its audits, whether a page follows, the total Zendesk counts. */
interface AuditPage {
	audits: TicketAuditJson[];
	hasNext: boolean;
	count: unknown;
}

/**
 * At least the newest page of the ticket's audits, oldest first. List Audits lists them oldest
 * first and documents no sort order (nor a sort parameter), so the newest are on the last offset
 * page (`?page={n}&per_page=100`). The first page is read first: a DM's ticket rarely has more
 * than 100 audits, so one request is the rule. Its answer's `count` names the last page, which is
 * read when it is another; then the pages after it while the (approximate) count was behind, and
 * the page before it when that last page alone holds fewer than a page of audits.
 */
export async function readNewestAudits(
	ctx: HttpContext,
	credentialType: string,
	ticketId: number,
): Promise<TicketAuditJson[]> {
	const read = new Map<number, AuditPage>();
	const readPage = async (page: number): Promise<AuditPage> => {
		const known = read.get(page);
		if (known) return known;
		const answer = await callZendesk<{ audits?: TicketAuditJson[]; next_page?: string | null; count?: unknown }>(
			ctx,
			credentialType,
			{ method: 'GET', path: `/tickets/${ticketId}/audits.json`, qs: { page, per_page: AUDIT_PAGE_SIZE } },
		);
		const body = answer.body;
		const fresh = { audits: body?.audits ?? [], hasNext: Boolean(body?.next_page), count: body?.count };
		read.set(page, fresh);
		return fresh;
	};
	const first = await readPage(1);
	let page = first.hasNext ? lastAuditPage(first.count, AUDIT_PAGE_SIZE) : 1;
	const pages = [await readPage(page)];
	for (let extra = 0; pages[pages.length - 1].hasNext && extra < MAX_EXTRA_AUDIT_PAGES; extra++)
		pages.push(await readPage(++page));
	// A short newest page read alone leaves part of the newest 100 on the page before it.
	if (pages.length === 1 && pages[0].audits.length < AUDIT_PAGE_SIZE && page > 1)
		pages.unshift(await readPage(page - 1));
	return pages.flatMap((audits) => audits.audits);
}
