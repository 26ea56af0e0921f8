/**
 * Odd texts reach their ticket (issue G5 point 4): text Zendesk would refuse or store wrongly is
 * cleaned or cut with a visible marker, never dropped in silence. Zendesk emulator, real node.
 * The comment limit is an ASSUMPTION of the emulator (64 KB, emulators/zendesk/store.ts).
 */
import type { INodeParameters } from 'n8n-workflow';

import type { SlackDmItem } from '../../nodes/shared/types';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { MAX_COMMENT_BODY_BYTES } from '../../emulators/zendesk/store';
import { useEmulators, zendeskCredentials } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { linkedDmItems } from '../harness/items';
import { HUGE_TEXT } from '../harness/slackFuzz';

const { zendesk: emu } = useEmulators({
	zendesk: { rateLimits: false },
	lifetime: 'file',
	resetEachTest: true,
	upsertClock: true,
});
const { newChannel, item: slackItem } = linkedDmItems(emu);

async function send(item: SlackDmItem, parameters: INodeParameters = {}) {
	const { outputs } = await executeNode(new ZendeskMessagingUpsert(), {
		parameters,
		credentials: { zendeskDmApi: zendeskCredentials(emu) },
		items: [{ json: item as never }],
	});
	return outputs[0][0].json.zendesk as { ticketId: number; outcome: string };
}

const comments = (ticketId: number) =>
	emu
		.tickets()
		.find((t) => t.ticket.id === ticketId)!
		.comments.map((c) => ({ html_body: String(c.html_body), plain_body: String(c.plain_body) }));

describe('Zendesk Messaging Upsert with odd texts', () => {
	it('cuts a 200 KB message to what one comment holds, with a marker naming what was cut; a second one appends the same way', async () => {
		const channel = newChannel();
		const first = await send(slackItem(channel, HUGE_TEXT));
		expect(first.outcome).toBe('created');
		const [comment] = comments(first.ticketId);
		expect(Buffer.byteLength(comment.html_body, 'utf8')).toBeLessThanOrEqual(MAX_COMMENT_BODY_BYTES);
		expect(comment.plain_body.startsWith('ääää')).toBe(true);
		expect(comment.plain_body).toMatch(
			/The rest of this Slack message \([\d,]+ more characters\) did not fit in one Zendesk comment/,
		);
		const second = await send(slackItem(channel, `${HUGE_TEXT}!`));
		expect(second).toMatchObject({ ticketId: first.ticketId, outcome: 'appended' });
		expect(comments(first.ticketId)).toHaveLength(2);
	});

	it('replaces lone surrogates and drops NUL and other control characters, keeping the rest', async () => {
		const channel = newChannel();
		const result = await send(slackItem(channel, 'a\ud800b \u0000c\u0007d\te\nf 😀'));
		const [comment] = comments(result.ticketId);
		expect(comment.plain_body).toContain('a\ufffdb cd');
		expect(comment.plain_body).toContain('😀');
		const codes = Array.from(comment.html_body).map((char) => char.codePointAt(0)!);
		expect(codes.filter((code) => code < 0x20 && code !== 9 && code !== 10 && code !== 13)).toEqual([]);
		expect(codes.filter((code) => code >= 0xd800 && code <= 0xdfff)).toEqual([]);
	});
});
