import {
	commentToMrkdwn,
	decodeHtmlEntities,
	escapeSlackText,
	htmlToMrkdwn,
	markdownToMrkdwn,
	plainToMrkdwn,
	sanitiseLinkUrl,
} from '../../../../../nodes/shared/slack/mrkdwn';

const ZWSP = '\u200B';

describe('htmlToMrkdwn conversion table', () => {
	const table: Array<[string, string, string]> = [
		['paragraph', '<p>Hello there</p>', 'Hello there'],
		['zendesk wrapper div', '<div class="zd-comment" dir="auto"><p>Hi</p></div>', 'Hi'],
		['two paragraphs', '<p>One</p><p>Two</p>', 'One\n\nTwo'],
		['line break', '<p>One<br>Two<br/>Three</p>', 'One\nTwo\nThree'],
		['bold', '<p>a <strong>bold</strong> word</p>', 'a *bold* word'],
		['b tag', '<b>x</b>', '*x*'],
		['italic', '<p><em>soft</em> and <i>slanted</i></p>', '_soft_ and _slanted_'],
		['strikethrough', '<p><s>old</s> <del>gone</del> <strike>x</strike></p>', '~old~ ~gone~ ~x~'],
		['nested bold italic', '<strong><em>both</em></strong>', '*_both_*'],
		['bold keeps spaces outside markers', '<p>x<strong> spaced </strong>y</p>', 'x *spaced* y'],
		['bold across a line break', '<strong>one<br>two</strong>', '*one*\n*two*'],
		['empty bold dropped', '<p>a<strong> </strong>b</p>', 'a b'],
		[
			'link',
			'<a href="https://example.com/a?b=1&amp;c=2">the docs</a>',
			'<https://example.com/a?b=1&amp;c=2|the docs>',
		],
		['link whose text is the url', '<a href="https://example.com">https://example.com</a>', '<https://example.com>'],
		['mailto link', '<a href="mailto:help@example.com">help@example.com</a>', '<mailto:help@example.com>'],
		['javascript link keeps only text', '<a href="javascript:alert(1)">click</a>', 'click'],
		['unordered list', '<ul><li>one</li><li>two</li></ul>', '• one\n• two'],
		['ordered list', '<ol><li>first</li><li>second</li></ol>', '1. first\n2. second'],
		['ordered list with start', '<ol start="3"><li>c</li><li>d</li></ol>', '3. c\n4. d'],
		['nested list', '<ul><li>a<ul><li>a1</li></ul></li><li>b</li></ul>', '• a\n    ◦ a1\n• b'],
		['list after paragraph', '<p>Steps:</p><ol><li>Restart</li></ol>', 'Steps:\n\n1. Restart'],
		['blockquote', '<blockquote><p>quoted</p><p>more</p></blockquote><p>reply</p>', '> quoted\n>\n> more\n\nreply'],
		['inline code', '<p>run <code>npm ci</code> now</p>', 'run `npm ci` now'],
		[
			'code block keeps lines and indentation',
			'<pre><code>if (a) {\n  b();\n}</code></pre>',
			'```\nif (a) {\n  b();\n}\n```',
		],
		['code block escapes', '<pre>a &lt; b &amp;&amp; c</pre>', '```\na &lt; b &amp;&amp; c\n```'],
		['heading', '<h2>Summary</h2><p>text</p>', '*Summary*\n\ntext'],
		[
			'entities decoded then escaped',
			'<p>Tom &amp; Jerry &lt;3 &quot;hi&quot; caf&#233; &#x1F600;</p>',
			'Tom &amp; Jerry &lt;3 "hi" café 😀',
		],
		['nbsp', '<p>a&nbsp;&nbsp;b</p>', 'a  b'],
		['source whitespace collapses', '<p>a\n   b</p>', 'a b'],
		['script dropped', '<p>x</p><script>alert(1)</script>', 'x'],
		['image with alt', '<img src="https://cdn.example.com/i.png" alt="diagram">', '[image: diagram]'],
		['hr', '<p>a</p><hr><p>b</p>', 'a\n\n———\n\nb'],
		['unclosed inline tag closed by its block', '<p>a <b>bold</p><p>next', 'a *bold*\n\nnext'],
		['stray end tags ignored', '</b><p>x</i></p>', 'x'],
	];
	it.each(table)('%s', (_name, html, expected) => {
		expect(htmlToMrkdwn(html)).toBe(expected);
	});
});

describe('markdownToMrkdwn conversion table', () => {
	const table: Array<[string, string, string]> = [
		['bold', 'a **bold** word', 'a *bold* word'],
		['underscore bold', '__bold__', '*bold*'],
		['italic star', 'an *italic* word', 'an _italic_ word'],
		['italic underscore', 'an _italic_ word', 'an _italic_ word'],
		['strikethrough', '~~old~~', '~old~'],
		['link', 'see [docs](https://example.com/x)', 'see <https://example.com/x|docs>'],
		['autolink', 'see <https://example.com>', 'see <https://example.com>'],
		['unsafe link scheme', '[x](javascript:alert(1))', 'x'],
		['link with parentheses', '[wiki](https://en.example.org/Foo_(bar))', '<https://en.example.org/Foo_(bar)|wiki>'],
		['list', '- one\n- two', '• one\n• two'],
		['ordered list', '1. one\n2. two', '1. one\n2. two'],
		['nested list', '- a\n  - b', '• a\n    ◦ b'],
		['quote', '> quoted **text**', '> quoted *text*'],
		['inline code not formatted', 'run `a **b** <c>`', 'run `a **b** &lt;c&gt;`'],
		['fenced code', '```\nx < y\n**no**\n```', '```\nx &lt; y\n**no**\n```'],
		['unterminated fence is closed', '```\ncode', '```\ncode\n```'],
		['heading', '# Title', '*Title*'],
		['escapes', 'a & b < c > d', 'a &amp; b &lt; c &gt; d'],
		['hard break spaces trimmed', 'line one  \nline two', 'line one\nline two'],
	];
	it.each(table)('%s', (_name, markdown, expected) => {
		expect(markdownToMrkdwn(markdown)).toBe(expected);
	});
});

describe('injection attempts', () => {
	const attempts = [
		'<!channel> everyone look',
		'<!here>',
		'<!everyone>',
		'<@U0123ABCD> ping',
		'<#C0123ABCD|general>',
		'<!subteam^S0123|@admins>',
		'<!date^1392734382^{date}|fallback>',
	];
	it.each(attempts)('HTML-escaped control sequence %s stays literal text', (attempt) => {
		const html = `<p>${attempt.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`;
		const out = htmlToMrkdwn(html);
		expect(out).not.toMatch(/<[!@#]/);
		expect(out).toContain('&lt;');
	});
	it.each(attempts)('raw control sequence %s in Markdown or plain text stays literal', (attempt) => {
		expect(markdownToMrkdwn(attempt)).not.toMatch(/<[!@#]/);
		expect(plainToMrkdwn(attempt)).not.toMatch(/<[!@#]/);
	});
	it('raw tags that look like Slack tokens in HTML are not emitted', () => {
		expect(htmlToMrkdwn('<p><!channel> hi</p>')).not.toContain('<!channel>');
	});
	it('link URLs cannot smuggle a control sequence', () => {
		const out = htmlToMrkdwn('<a href="https://x.example/|<!channel>">a</a>');
		expect(out).not.toContain('<!channel>');
		expect(out.match(/</g)).toHaveLength(1);
		expect(out).toBe('<https://x.example/%7C%3C!channel%3E|a>');
	});
	it('link text cannot close the link early or inject a mention', () => {
		const out = htmlToMrkdwn('<a href="https://x.example">a&gt; &lt;!here&gt;</a>');
		expect(out).toBe('<https://x.example|a&gt; &lt;!here&gt;>');
	});
	it('a markdown link label with a mention stays escaped', () => {
		expect(markdownToMrkdwn('[<!here>](https://x.example)')).toBe('<https://x.example|&lt;!here&gt;>');
	});
	it('plain @here/@channel/@everyone are neutralised with a zero-width space', () => {
		expect(htmlToMrkdwn('<p>@here and @channel and @Everyone</p>')).toBe(
			`@${ZWSP}here and @${ZWSP}channel and @${ZWSP}Everyone`,
		);
		expect(markdownToMrkdwn('@here')).toBe(`@${ZWSP}here`);
		expect(plainToMrkdwn('@channel')).toBe(`@${ZWSP}channel`);
	});
	it('an email address is not mistaken for a broadcast', () => {
		expect(plainToMrkdwn('mail me@heresy.example')).toBe('mail me@heresy.example');
	});
	it('allowMentions lets the agent mention users, channels and broadcasts', () => {
		const html = '<p>&lt;@U0123ABCD&gt; see &lt;#C0456|general&gt; &lt;!here&gt; @channel</p>';
		expect(htmlToMrkdwn(html, { allowMentions: true })).toBe('<@U0123ABCD> see <#C0456|general> <!here> @channel');
	});
	it('allowMentions still refuses other control sequences', () => {
		expect(htmlToMrkdwn('<p>&lt;!date^1^x|y&gt;</p>', { allowMentions: true })).toBe('&lt;!date^1^x|y&gt;');
	});
});

describe('helpers', () => {
	it('escapeSlackText escapes exactly & < >', () => {
		expect(escapeSlackText('a&b<c>d"e\'f')).toBe('a&amp;b&lt;c&gt;d"e\'f');
	});
	it('decodeHtmlEntities handles named, decimal, hex and unknown entities', () => {
		expect(decodeHtmlEntities('&amp;&#65;&#x42;&unknown;&#0;')).toBe('&AB&unknown;\uFFFD');
	});
	it('sanitiseLinkUrl accepts http(s)/mailto only', () => {
		expect(sanitiseLinkUrl('https://a.example/x')).toBe('https://a.example/x');
		expect(sanitiseLinkUrl('ftp://a.example')).toBeUndefined();
		expect(sanitiseLinkUrl('data:text/html,x')).toBeUndefined();
		expect(sanitiseLinkUrl('  HTTPS://A.example  ')).toBe('HTTPS://A.example');
	});
	it('commentToMrkdwn prefers HTML and falls back to the Markdown body', () => {
		expect(commentToMrkdwn({ htmlBody: '<p><b>x</b></p>', body: '**y**' })).toBe('*x*');
		expect(commentToMrkdwn({ htmlBody: '', body: '**y**' })).toBe('*y*');
		expect(commentToMrkdwn({})).toBe('');
	});
});

describe('audit fixes (issue 7, item 8)', () => {
	const fences = (text: string) => (text.match(/```/g) ?? []).length;

	it('(a) ``` inside a code block cannot close it early', () => {
		const html = '<pre>echo ```\n<b>not bold</b> *x*</pre><p>after</p>';
		const out = htmlToMrkdwn(html);
		expect(fences(out)).toBe(2);
		expect(out.startsWith('```\necho ')).toBe(true);
		expect(out.endsWith('```\n\nafter')).toBe(true);
		expect(fences(markdownToMrkdwn('~~~\nsay ```hi```\n~~~'))).toBe(2);
		expect(fences(htmlToMrkdwn('<p>type ``` then</p>'))).toBe(0);
		expect(fences(htmlToMrkdwn('<code>a\n```\nb</code>'))).toBe(2);
	});

	it('(b) no zero-width space in code or inside e-mail addresses; standalone broadcasts still get one', () => {
		expect(htmlToMrkdwn('<p>write to support@everyone.example or ops@here.example</p>')).toBe(
			'write to support@everyone.example or ops@here.example',
		);
		expect(markdownToMrkdwn('mail support@channel.example')).toBe('mail support@channel.example');
		expect(htmlToMrkdwn('<pre>notify @here</pre>')).toBe('```\nnotify @here\n```');
		expect(htmlToMrkdwn('<p>run <code>@channel</code></p>')).toBe('run `@channel`');
		expect(markdownToMrkdwn('`@everyone`')).toBe('`@everyone`');
		expect(htmlToMrkdwn('<p>(@here)</p>')).toBe(`(@${ZWSP}here)`);
	});

	it('(c) bold/italic/strike inside a word get zero-width-space boundaries so Slack formats them', () => {
		expect(htmlToMrkdwn('<p>foo<strong>bar</strong>baz</p>')).toBe(`foo${ZWSP}*bar*${ZWSP}baz`);
		expect(htmlToMrkdwn('<p>un<em>believ</em>able</p>')).toBe(`un${ZWSP}_believ_${ZWSP}able`);
		expect(htmlToMrkdwn('<p>a <strong>bar</strong>, b</p>')).toBe('a *bar*, b');
		expect(markdownToMrkdwn('foo**bar**baz')).toBe(`foo${ZWSP}*bar*${ZWSP}baz`);
		expect(markdownToMrkdwn('**bar** baz')).toBe('*bar* baz');
	});

	it('(d) Slack-style <url|label> typed in Markdown becomes a link with that label', () => {
		expect(markdownToMrkdwn('see <https://x.com|y>')).toBe('see <https://x.com|y>');
		expect(markdownToMrkdwn('see <https://x.com|<!channel>>')).not.toMatch(/<!channel>/);
		expect(markdownToMrkdwn('see <https://x.com>')).toBe('see <https://x.com>');
	});

	it('(e) inline images become "[image: name]", never a link to an attachment URL that needs sign-in', () => {
		const html =
			'<p>Look: <img src="https://acme.zendesk.com/attachments/token/abc/?name=screen+shot.png" alt="screen shot"> here</p>';
		expect(htmlToMrkdwn(html)).toBe('Look: [image: screen shot] here');
		expect(htmlToMrkdwn('<img src="https://acme.zendesk.com/attachments/token/abc/?name=error.png">')).toBe(
			'[image: error.png]',
		);
		expect(htmlToMrkdwn('<img src="https://acme.zendesk.com/x/diagram%201.png">')).toBe('[image: diagram 1.png]');
		expect(htmlToMrkdwn('<img alt="&lt;!channel&gt;" src="x">')).toBe('[image: &lt;!channel&gt;]');
		expect(markdownToMrkdwn('![chart](https://acme.zendesk.com/a/chart.png)')).toBe('[image: chart]');
	});

	it('(f) bidi override and isolate characters are removed everywhere', () => {
		const bidi = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069';
		expect(htmlToMrkdwn(`<p>a${bidi}b</p><pre>c${bidi}d</pre>`)).toBe('ab\n\n```\ncd\n```');
		expect(markdownToMrkdwn(`x\u202Egnp.exe`)).toBe('xgnp.exe');
		expect(plainToMrkdwn(`\u2066y\u2069`)).toBe('y');
		expect(escapeSlackText(`Anna\u202E`)).toBe('Anna');
	});
});
