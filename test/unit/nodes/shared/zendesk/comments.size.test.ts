/** Comment texts Zendesk can store: cleaned (cleanSlackText) and within one comment (fittedTextHtml, fitOneComment). */
import { slackTextToHtml } from '../../../../../nodes/shared/slack/slackTextToZendesk';
import { fitOneComment, fittedTextHtml, MAX_MESSAGE_HTML_BYTES } from '../../../../../nodes/shared/zendesk/comments';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('fittedTextHtml', () => {
	it('leaves a text that fits as the converter renders it', () => {
		expect(fittedTextHtml('Hello *world*')).toBe(slackTextToHtml('Hello *world*'));
	});

	it('cuts a text that does not fit at a character boundary and says how much is missing', () => {
		const text = `${'😀'.repeat(20_000)}${'<'.repeat(20_000)}`;
		const html = fittedTextHtml(text);
		expect(bytes(html)).toBeLessThanOrEqual(MAX_MESSAGE_HTML_BYTES);
		expect(bytes(html)).toBeGreaterThan(MAX_MESSAGE_HTML_BYTES - 200);
		expect(html).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
		const missing = Number(/\(([\d,]+) more characters\)/.exec(html)![1].replace(/,/g, ''));
		const kept = Array.from(
			html
				.replace(/<p>\[…\].*$/, '')
				.replace(/<[^>]+>/g, '')
				.replace(/&lt;/g, '<'),
		).length;
		expect(kept + missing).toBe(40_000);
	});

	it('honours a smaller limit', () => {
		expect(bytes(fittedTextHtml('a'.repeat(5_000), {}, 1_000))).toBeLessThanOrEqual(1_000);
	});
});

describe('fitOneComment', () => {
	it('lets small messages share a comment and keeps large ones apart', () => {
		expect(fitOneComment(['a', 'b', 'c'])).toBe(true);
		expect(fitOneComment(['x'.repeat(40_000), 'y'.repeat(40_000)])).toBe(false);
		expect(fitOneComment(['<'.repeat(16_000)])).toBe(false);
	});
});
