/** Console text formats: agent Markdown → Zendesk HTML, Slack mrkdwn → safe HTML. */
import { agentHtmlFromMarkdown, htmlFromSlackMrkdwn, safeCommentHtml } from '../../../sandbox/markup';

describe('agentHtmlFromMarkdown', () => {
	it('turns bold, italic, code and links into the HTML the agent workspace stores', () => {
		expect(
			agentHtmlFromMarkdown('Your **new laptop** is *ready*, see [the form](https://x.test/f) and `ticket-7`'),
		).toBe(
			'<p>Your <strong>new laptop</strong> is <em>ready</em>, see <a href="https://x.test/f">the form</a> and <code>ticket-7</code></p>',
		);
	});

	it('keeps paragraphs and line breaks and escapes HTML the agent typed', () => {
		expect(agentHtmlFromMarkdown('Hi <b>Erin</b>\nline two\n\nBye & thanks')).toBe(
			'<p>Hi &lt;b&gt;Erin&lt;/b&gt;<br>line two</p><p>Bye &amp; thanks</p>',
		);
	});

	it('leaves snake_case words and lone stars alone', () => {
		expect(agentHtmlFromMarkdown('set my_var_name to 2 * 3')).toBe('<p>set my_var_name to 2 * 3</p>');
	});
});

describe('htmlFromSlackMrkdwn', () => {
	it('renders bold, italic, strike and code as the Slack client does', () => {
		expect(htmlFromSlackMrkdwn('Your *new laptop* is _ready_ ~soon~ `now`')).toBe(
			'Your <b>new laptop</b> is <i>ready</i> <s>soon</s> <code>now</code>',
		);
	});

	it('renders links and mentions, and never passes HTML through', () => {
		const html = htmlFromSlackMrkdwn('See <https://x.test/a?b=1&amp;c=2|the form> <@U1> &lt;script&gt;', (id) =>
			id === 'U1' ? 'Erin' : undefined,
		);
		expect(html).toBe(
			'See <a href="https://x.test/a?b=1&amp;c=2" target="_blank" rel="noopener">the form</a> <span class="mention">@Erin</span> &lt;script&gt;',
		);
	});

	it('keeps line breaks', () => {
		expect(htmlFromSlackMrkdwn('a\nb')).toBe('a<br>b');
	});
});

describe('safeCommentHtml', () => {
	it('keeps formatting and http links, drops attributes, scripts and other tags', () => {
		const html =
			'<div class="zd-comment"><p onclick="x()">Hi <strong>Erin</strong><br/>see <a href="https://x.test/?a=1&amp;b=2" onmouseover="y()">this</a></p><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">bad</a></div>';
		expect(safeCommentHtml(html)).toBe(
			'<p>Hi <strong>Erin</strong><br>see <a href="https://x.test/?a=1&amp;b=2" target="_blank" rel="noopener">this</a></p>alert(1)<a>bad</a>',
		);
	});

	it('escapes stray angle brackets in text', () => {
		expect(safeCommentHtml('<p>a < b > c</p>')).toBe('<p>a &lt; b &gt; c</p>');
	});
});
