import { createHmac } from 'node:crypto';

import { SlidingWindow } from '../../../../emulators/zendesk/rateLimits';
import { htmlFromPlain, normalizeTags, plainFromHtml } from '../../../../emulators/zendesk/store';
import { signWebhook } from '../../../../emulators/zendesk/webhooks';

describe('helpers', () => {
	it('keeps a sliding window per key and reports the wait', () => {
		const window = new SlidingWindow(2, 10_000);
		expect(window.take('k', 0).allowed).toBe(true);
		expect(window.take('k', 1_000).remaining).toBe(0);
		const refused = window.take('k', 2_000);
		expect(refused).toMatchObject({ allowed: false, resetSeconds: 8 });
		expect(window.take('other', 2_000).allowed).toBe(true);
		expect(window.take('k', 10_001).allowed).toBe(true);
	});

	it('signs webhooks as base64 HMAC-SHA256 of timestamp + body', () => {
		const expected = createHmac('sha256', 'secret').update('2024-01-01T00:00:00Z{"a":1}').digest('base64');
		expect(signWebhook('secret', '2024-01-01T00:00:00Z', '{"a":1}')).toBe(expected);
		expect(signWebhook('secret', '2024-01-01T00:00:01Z', '{"a":1}')).not.toBe(expected);
	});

	it('converts comment bodies between plain text and HTML and normalises tags', () => {
		const html = htmlFromPlain('a <b>\nline\n\nnext');
		expect(html).toBe('<div class="zd-comment" dir="auto"><p>a &lt;b&gt;<br>line</p><p>next</p></div>');
		expect(plainFromHtml(html)).toBe('a <b>\nline\nnext');
		expect(normalizeTags(['Slack DM', 'slack_dm', 'IT'])).toEqual(['slack_dm', 'it']);
	});
});
