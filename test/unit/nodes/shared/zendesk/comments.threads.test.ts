/** Where thread replies go (Upsert option "Thread Replies") and how their comments are marked. */
import {
	coalescedHtml,
	messageHtml,
	threadReplyLineHtml,
	threadTicketLineHtml,
} from '../../../../../nodes/shared/zendesk/comments';

const ROOT = '1714557601.000100';
const REPLY = '1714557700.000200';

describe('thread lines in comments', () => {
	it('opens a thread reply with a quote of its root, escaped', () => {
		const html = messageHtml({
			ts: REPLY,
			text: 'it still fails',
			fileNames: [],
			thread: { rootTs: ROOT, rootExcerpt: 'VPN <down>' },
		});
		expect(html).toBe('<p><em>↳ Reply in a Slack thread, to “VPN &lt;down&gt;”</em></p><p>it still fails</p>');
	});

	it('names the root by its Slack time when its text is unknown', () => {
		expect(threadReplyLineHtml({ rootTs: ROOT })).toContain('to the message of 2024-05-01 10:00:01 UTC');
	});

	it('marks each thread reply inside a coalesced comment, and not the others', () => {
		const html = coalescedHtml([
			{ ts: ROOT, text: 'top level', fileNames: [] },
			{ ts: REPLY, text: 'in thread', fileNames: [], thread: { rootTs: ROOT, rootExcerpt: 'top level' } },
		]);
		expect(html.match(/Reply in a Slack thread/g)).toHaveLength(1);
		expect(html.indexOf('Reply in a Slack thread')).toBeGreaterThan(html.indexOf('top level'));
	});

	it('opens a thread ticket with the DM ticket it hangs under, when known', () => {
		expect(threadTicketLineHtml({ rootTs: ROOT, rootExcerpt: 'Two problems', dmTicketId: 42 })).toBe(
			'<p><em>↳ Slack thread in the Slack DM of ticket #42, under “Two problems”</em></p>',
		);
		expect(threadTicketLineHtml({ rootTs: ROOT })).toContain(
			'Slack thread in a Slack DM, under the message of 2024-05-01 10:00:01 UTC',
		);
	});
});
