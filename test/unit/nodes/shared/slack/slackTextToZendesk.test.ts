import {
	decodeSlackEntities,
	slackTextToHtml,
	slackTextToPlain,
} from '../../../../../nodes/shared/slack/slackTextToZendesk';

const names = (id: string): string | undefined =>
	({ U0ADA: 'Ada Lovelace', U0EVIL: '<img src=x onerror=alert(1)>' })[id];
const p = (inner: string): string => `<p>${inner}</p>`;

describe('Slack text → Zendesk html_body (conversion table)', () => {
	const table: Array<[string, string, string]> = [
		// [slack text, html, plain]
		['plain text', p('plain text'), 'plain text'],
		['Tom &amp; Jerry &lt;3 &gt; you', p('Tom &amp; Jerry &lt;3 &gt; you'), 'Tom & Jerry <3 > you'],
		['hi <@U0ADA>', p('hi @Ada Lovelace'), 'hi @Ada Lovelace'],
		['hi <@U0NOBODY>', p('hi @U0NOBODY'), 'hi @U0NOBODY'],
		['hi <@U0NOBODY|bob>', p('hi @bob'), 'hi @bob'],
		['see <#C0123|general>', p('see #general'), 'see #general'],
		['see <#C0123>', p('see #C0123'), 'see #C0123'],
		['<!here> <!channel> <!everyone>', p('@here @channel @everyone'), '@here @channel @everyone'],
		['<!subteam^S01|@oncall> help', p('@oncall help'), '@oncall help'],
		['on <!date^1392734382^{date_short}|Feb 18, 2014>', p('on Feb 18, 2014'), 'on Feb 18, 2014'],
		[
			'<https://example.com/a?b=1&amp;c=2|the page>',
			p('<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">the page</a>'),
			'the page (https://example.com/a?b=1&c=2)',
		],
		[
			'<https://example.com>',
			p('<a href="https://example.com" rel="noopener noreferrer">https://example.com</a>'),
			'https://example.com',
		],
		[
			'<mailto:ada@example.com|ada@example.com>',
			p('<a href="mailto:ada@example.com" rel="noopener noreferrer">ada@example.com</a>'),
			'ada@example.com',
		],
		['*bold* _italic_ ~strike~', p('<strong>bold</strong> <em>italic</em> <del>strike</del>'), 'bold italic strike'],
		['_*both*_', p('<em><strong>both</strong></em>'), 'both'],
		[
			'*see <https://x.example|this>*',
			p('<strong>see <a href="https://x.example" rel="noopener noreferrer">this</a></strong>'),
			'see this (https://x.example)',
		],
		['snake_case_name, 2*3*4, a~b~c', p('snake_case_name, 2*3*4, a~b~c'), 'snake_case_name, 2*3*4, a~b~c'],
		[
			'run `npm *test* &amp;&amp; <@U0ADA>`',
			p('run <code>npm *test* &amp;&amp; @Ada Lovelace</code>'),
			'run npm *test* && @Ada Lovelace',
		],
		[
			'```\nif (a &lt; b) {\n  *x*\n}\n```',
			'<pre><code>if (a &lt; b) {\n  *x*\n}</code></pre>',
			'if (a < b) {\n  *x*\n}',
		],
		[
			'before ```inline block``` after',
			`${p('before')}<pre><code>inline block</code></pre>${p('after')}`,
			'before\n\ninline block\n\nafter',
		],
		['unclosed ```fence', p('unclosed ```fence'), 'unclosed ```fence'],
		[
			'&gt; quoted *line*\n&gt; second\nreply',
			`<blockquote>quoted <strong>line</strong><br>second</blockquote>${p('reply')}`,
			'> quoted line\n> second\n\nreply',
		],
		[
			'line one\nline two\n\nnew paragraph',
			`${p('line one<br>line two')}${p('new paragraph')}`,
			'line one\nline two\n\nnew paragraph',
		],
		['', '', ''],
	];

	it.each(table)('%j', (slack, html, plain) => {
		expect(slackTextToHtml(slack, { names })).toBe(html);
		expect(slackTextToPlain(slack, { names })).toBe(plain);
	});

	it('decodes only entities, leaving other ampersands alone', () => {
		expect(decodeSlackEntities('a &amp; b &lt; c &gt; d &copy; &amp;lt;')).toBe('a & b < c > d &copy; &lt;');
	});
});

describe('Slack text → Zendesk: injection attempts', () => {
	// Anything that could become markup in Zendesk: no tag may appear but the converter's own.
	const ownTags = /<\/?(p|br|strong|em|del|code|pre|blockquote|a)( href="[^"]*" rel="noopener noreferrer")?>/g;
	const attempts = [
		'<script>alert(1)</script>',
		'&lt;script&gt;alert(1)&lt;/script&gt;',
		'&lt;img src=x onerror=alert(1)&gt;',
		'<javascript:alert(1)|click me>',
		'<JavaScript:alert(1)>',
		'<data:text/html;base64,PHNjcmlwdD4=|x>',
		'<https://ok.example" onmouseover="alert(1)|x>',
		'<https://ok.example|" onmouseover="alert(1)>',
		'<https://ok.example|<b>bold</b>>',
		'*<img src=x onerror=alert(1)>*',
		'`</code><script>x</script>`',
		'```</pre><script>x</script>```',
		'&gt; </blockquote><script>x</script>',
		'hi <@U0EVIL>',
		'\uE0000\uE001 forged placeholder',
		'<vbscript:msgbox(1)|x> <file:///etc/passwd|y>',
	];

	it.each(attempts)('%j renders no foreign markup and no unsafe link', (attempt) => {
		const html = slackTextToHtml(attempt, { names });
		const foreign = html.replace(ownTags, '');
		expect(foreign).not.toMatch(/[<>]/);
		for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^(https?:\/\/|mailto:)/i);
		expect(html).not.toMatch(/<a href="[^"]*"[^>]*on\w+=/i);
	});

	it('keeps the text of an attempt readable (escaped, not dropped)', () => {
		expect(slackTextToHtml('&lt;img src=x onerror=alert(1)&gt;')).toBe(p('&lt;img src=x onerror=alert(1)&gt;'));
		expect(slackTextToHtml('<javascript:alert(1)|click me>')).toBe(p('click me (javascript:alert(1))'));
		expect(slackTextToHtml('hi <@U0EVIL>', { names })).toBe(p('hi @&lt;img src=x onerror=alert(1)&gt;'));
		expect(slackTextToHtml('<https://ok.example" onmouseover="alert(1)|x>')).toBe(
			p('x (https://ok.example&quot; onmouseover=&quot;alert(1))'),
		);
	});

	it('a forged placeholder stays text and cannot pull in rendered markup', () => {
		const html = slackTextToHtml('<https://a.example|A> \uE0000\uE001');
		expect(html).toBe(p('<a href="https://a.example" rel="noopener noreferrer">A</a> \uFFFD0\uFFFD'));
	});
});
