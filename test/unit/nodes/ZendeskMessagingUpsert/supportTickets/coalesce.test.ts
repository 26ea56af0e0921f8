import {
	emptyWindow,
	planUpdate,
	recordRateLimited,
	recordUpdate,
	takeBatch,
	updateLimitConfig,
	ZENDESK_TICKET_UPDATE_LIMIT,
} from '../../../../../nodes/ZendeskMessagingUpsert/supportTickets/coalesce';
import {
	coalescedHtml,
	commentIdOf,
	deleteNoteHtml,
	editNoteHtml,
	keysInAudits,
	lastAuditPage,
	markerFits,
	markerMetadata,
	MARKER_PROPERTY,
	MAX_MARKER_LENGTH,
	messageHtml,
	statusChangeOf,
	withSlackTime,
} from '../../../../../nodes/shared/zendesk/comments';

describe('update-limit plan', () => {
	const config = ZENDESK_TICKET_UPDATE_LIMIT;

	it('sends at once while the window has plenty left', () => {
		let state = emptyWindow();
		for (let i = 0; i < config.limit - config.reserve - 1; i++) state = recordUpdate(state, config, 1000 + i);
		expect(planUpdate(state, config, 2000)).toEqual({ waitMs: 0, remaining: config.reserve + 1, coalesce: false });
	});

	it('paces and coalesces when the reserve is reached, never exceeding the limit', () => {
		// Simulate a chatty user: a message every second for 10 minutes; count updates per window.
		let state = emptyWindow();
		const sends: number[] = [];
		let nextAllowed = 0;
		let waiting = 0;
		for (let now = 0; now < 20 * 60_000; now += 1000) {
			waiting += 1;
			if (now < nextAllowed) continue;
			const plan = planUpdate(state, config, now);
			if (plan.waitMs > 0) {
				nextAllowed = now + plan.waitMs;
				continue;
			}
			state = recordUpdate(state, config, now);
			sends.push(now);
			waiting = 0;
		}
		for (const at of sends) {
			const inWindow = sends.filter((other) => other > at - config.windowMs && other <= at).length;
			expect(inWindow).toBeLessThanOrEqual(config.limit);
		}
		// Every message went out: the last ones wait at most until the next paced send.
		expect(waiting).toBeLessThan(120);
		expect(sends.length).toBeGreaterThan(config.limit);
	});

	it('waits for the oldest update to leave a full window', () => {
		let state = emptyWindow();
		for (let i = 0; i < config.limit; i++) state = recordUpdate(state, config, i * 1000);
		const plan = planUpdate(state, config, 40_000);
		expect(plan.coalesce).toBe(true);
		expect(plan.waitMs).toBe(config.windowMs - 40_000);
	});

	it('blocks until Retry-After after a 429', () => {
		const state = recordRateLimited(emptyWindow(), config, 5000, 7000);
		expect(planUpdate(state, config, 6000)).toMatchObject({ waitMs: 6000, coalesce: true });
		expect(planUpdate(state, config, 12_000).waitMs).toBe(0);
	});

	it('scales the window from the node options', () => {
		expect(updateLimitConfig(30, 6)).toEqual({ limit: 30, windowMs: 6000, reserve: 10 });
		expect(updateLimitConfig(0, 0).limit).toBe(1);
	});

	it('batches consecutive entries only while they may join, keeping order', () => {
		const canJoin = (_batch: number[], next: number) => next % 2 === 0;
		expect(takeBatch([1, 2, 4, 5, 6], true, canJoin)).toEqual([1, 2, 4]);
		expect(takeBatch([1, 2, 4], false, canJoin)).toEqual([1]);
		expect(takeBatch([], true, canJoin)).toEqual([]);
	});
});

describe('exactly-once marker', () => {
	it('round-trips keys through audit metadata and maps them to the comment id', () => {
		const audits = [
			{ metadata: { custom: markerMetadata(['slack:T:D:1', 'slack:T:D:2']) }, events: [{ id: 5, type: 'Comment' }] },
			{ metadata: { custom: {} }, events: [{ id: 6, type: 'Comment' }] },
			{
				metadata: { custom: markerMetadata(['slack:T:D:3:edit:9']) },
				events: [
					{ id: 7, type: 'Change' },
					{ id: 8, type: 'Comment' },
				],
			},
			{ metadata: null },
		];
		expect([...keysInAudits(audits)]).toEqual([
			['slack:T:D:1', 5],
			['slack:T:D:2', 5],
			['slack:T:D:3:edit:9', 8],
		]);
	});

	it('stops a batch before the marker outgrows Zendesk custom metadata', () => {
		const keys: string[] = [];
		let n = 0;
		while (markerFits(keys, `slack:T0123456:D0123456:17000000${String(n).padStart(2, '0')}.000100`)) {
			keys.push(`slack:T0123456:D0123456:17000000${String(n).padStart(2, '0')}.000100`);
			n++;
		}
		expect(keys.length).toBeGreaterThan(10);
		expect(markerMetadata(keys)[MARKER_PROPERTY].length).toBeLessThanOrEqual(MAX_MARKER_LENGTH);
	});

	it('reads the comment id of a create/update answer', () => {
		expect(
			commentIdOf({
				ticket: {},
				audit: {
					events: [
						{ id: 1, type: 'Change' },
						{ id: 2, type: 'Comment' },
					],
				},
			}),
		).toBe(2);
		expect(commentIdOf({ ticket: {} })).toBeUndefined();
	});
});

describe('comment texts (html_body)', () => {
	it('names the files when a message has no text, escaping the names', () => {
		expect(messageHtml({ ts: '1', text: '  ', fileNames: ['a.pdf'] })).toBe('<p>Sent a file: a.pdf</p>');
		expect(messageHtml({ ts: '1', text: '', fileNames: ['a.pdf', '<b>.png'] })).toBe(
			'<p>Sent 2 files: a.pdf, &lt;b&gt;.png</p>',
		);
		expect(messageHtml({ ts: '1', text: ' hi *there* ', fileNames: ['a.pdf'] })).toBe(
			'<p>hi <strong>there</strong></p>',
		);
		expect(messageHtml({ ts: '1', text: '', fileNames: [] })).toBe('<p>(empty message)</p>');
	});

	it('renders mentions with the names it is given', () => {
		expect(
			messageHtml({ ts: '1', text: 'ask <@U1>', fileNames: [] }, { names: (id) => (id === 'U1' ? 'Ada' : undefined) }),
		).toBe('<p>ask @Ada</p>');
	});

	it('coalesces messages in ts order, one attributable block each', () => {
		const body = coalescedHtml([
			{ ts: '1714557602.000200', text: 'second\nwith two lines', fileNames: [] },
			{ ts: '1714557601.000100', text: 'first &amp; <!here>', fileNames: [] },
		]);
		expect(body).toBe(
			'<p><strong>[2024-05-01 10:00:01 UTC · 1714557601.000100]</strong></p><p>first &amp; @here</p>' +
				'<p><strong>[2024-05-01 10:00:02 UTC · 1714557602.000200]</strong></p><p>second<br>with two lines</p>',
		);
	});

	it('quotes old and new text in edit notes and the deleted text in delete notes', () => {
		const edit = editNoteHtml({ ts: '1714557601.000100', previousText: 'old', newText: 'new\n<script>x' });
		expect(edit).toContain('<p>Before:</p><blockquote><p>old</p></blockquote>');
		expect(edit).toContain('<p>After:</p><blockquote><p>new<br>&lt;script&gt;x</p></blockquote>');
		expect(editNoteHtml({ ts: '1', newText: '' })).toContain('<em>(previous text unknown)</em>');
		expect(deleteNoteHtml({ ts: '1714557601.000100', deletedText: 'gone' })).toContain(
			'<p>Deleted text:</p><blockquote><p>gone</p></blockquote>',
		);
		expect(deleteNoteHtml({ ts: '1714557601.000100' })).toContain('(text unknown)');
	});
});

describe('lastAuditPage (List Audits is oldest first)', () => {
	it('is the offset page holding the newest audits', () => {
		expect(lastAuditPage(1, 100)).toBe(1);
		expect(lastAuditPage(100, 100)).toBe(1);
		expect(lastAuditPage(101, 100)).toBe(2);
		expect(lastAuditPage(250, 100)).toBe(3);
	});
	it('starts at the first page when the count is missing or odd', () => {
		expect(lastAuditPage(undefined, 100)).toBe(1);
		expect(lastAuditPage(0, 100)).toBe(1);
		expect(lastAuditPage('12', 100)).toBe(1);
	});
});

describe('statusChangeOf (what an update did to the status)', () => {
	it('reads the status Change event of the answer audit', () => {
		const audit = (events: unknown[]) => ({ ticket: {}, audit: { events } });
		expect(
			statusChangeOf(
				audit([
					{ type: 'Comment', id: 1 },
					{ type: 'Change', field_name: 'status', value: 'open', previous_value: 'solved' },
				]),
			),
		).toEqual({ from: 'solved', to: 'open' });
		expect(
			statusChangeOf(audit([{ type: 'Change', field_name: 'priority', value: 'high', previous_value: 'low' }])),
		).toBeNull();
		expect(statusChangeOf({ ticket: {} })).toBeUndefined();
	});
});

describe('withSlackTime (late writes say when the message was sent)', () => {
	const ts = '1714557601.000100'; // 2024-05-01 10:00:01 UTC
	const sentMs = 1714557601000;
	it('leaves a prompt write alone', () => {
		expect(withSlackTime('<p>hi</p>', ts, sentMs + 5_000)).toBe('<p>hi</p>');
		expect(withSlackTime('<p>hi</p>', ts, sentMs + 60_000)).toBe('<p>hi</p>');
	});
	it('adds the Slack time to a write more than a minute late', () => {
		expect(withSlackTime('<p>hi</p>', ts, sentMs + 5 * 60_000)).toBe(
			'<p>hi</p><p><em>Sent in Slack at 2024-05-01 10:00:01 UTC</em></p>',
		);
	});
});
