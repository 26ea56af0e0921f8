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
export type TicketAuditJson = Parameters<typeof keysInAudits>[0][number] & { id?: number };

/** Audits per page (List Audits returns at most 100). */
export const AUDIT_PAGE_SIZE = 100;

/** Pages followed past the counted last one (the count is approximate). */
export const MAX_EXTRA_AUDIT_PAGES = 3;

/**
 * At least the newest page of the ticket's audits, oldest first. List Audits lists them oldest
 * first and documents no sort order (nor a sort parameter), so: the audit count, the last offset
 * page (`?page={last}&per_page=100`), the pages after it while the (approximate) count was behind,
 * and the page before it when that last page alone holds fewer than a page of audits.
 */
export async function readNewestAudits(
	ctx: HttpContext,
	credentialType: string,
	ticketId: number,
): Promise<TicketAuditJson[]> {
	const counted = await callZendesk<{ count?: { value?: unknown } }>(ctx, credentialType, {
		method: 'GET',
		path: `/tickets/${ticketId}/audits/count.json`,
	});
	const readPage = async (page: number) => {
		const answer = await callZendesk<{ audits?: TicketAuditJson[]; next_page?: string | null }>(ctx, credentialType, {
			method: 'GET',
			path: `/tickets/${ticketId}/audits.json`,
			qs: { page, per_page: AUDIT_PAGE_SIZE },
		});
		return { audits: answer.body?.audits ?? [], hasNext: Boolean(answer.body?.next_page) };
	};
	let page = lastAuditPage(counted.body?.count?.value, AUDIT_PAGE_SIZE);
	const pages = [await readPage(page)];
	for (let extra = 0; pages[pages.length - 1].hasNext && extra < MAX_EXTRA_AUDIT_PAGES; extra++)
		pages.push(await readPage(++page));
	// A short newest page read alone leaves part of the newest 100 on the page before it.
	if (pages.length === 1 && pages[0].audits.length < AUDIT_PAGE_SIZE && page > 1)
		pages.unshift(await readPage(page - 1));
	return pages.flatMap((read) => read.audits);
}
