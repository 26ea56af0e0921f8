import { escapeSlackText, htmlToMrkdwn } from '../../../../../nodes/shared/slack/mrkdwn';
import {
	destinationFromItem,
	destinationProblem,
	identityProblem,
	noticeKindOf,
	channelPostLimits,
	paceKey,
	SLACK_CHANNEL_POST_INTERVAL_MS,
	planMessages,
	degradeOverlongLinks,
	messageOfSegment,
	renderNotice,
	segmentMrkdwn,
	senderPrefixLine,
	splitMrkdwn,
	ticketIdOf,
	tokenKind,
} from '../../../../../nodes/SlackDmReply/helpers/reply';
import {
	ambiguousPostMessage,
	postMayHaveLanded,
	SLACK_POST_RETRY_POLICY,
} from '../../../../../nodes/SlackDmReply/transport/slackPosts';
import { decideRetry } from '../../../../../nodes/shared/transport/retryPolicy';
import { secretDigest } from '../../../../../nodes/shared/transport/accounts';
import { Pacer } from '../../../../../nodes/shared/state/pacer';

function words(text: string): string[] {
	return text.replace(/```/g, ' ').split(/\s+/).filter(Boolean);
}

describe('splitMrkdwn', () => {
	it('leaves a short message alone', () => {
		expect(splitMrkdwn('hello\n\nworld', 100)).toEqual(['hello\n\nworld']);
	});

	it('splits on paragraph boundaries first, each chunk within the limit', () => {
		const paragraphs = Array.from({ length: 12 }, (_, i) => `Paragraph ${i} ${'lorem ipsum '.repeat(20).trim()}`);
		const text = paragraphs.join('\n\n');
		const chunks = splitMrkdwn(text, 1000);
		expect(chunks.length).toBeGreaterThan(1);
		for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(1000);
		// No paragraph is cut: every chunk is a run of whole paragraphs.
		for (const chunk of chunks) for (const part of chunk.split('\n\n')) expect(paragraphs).toContain(part);
		expect(chunks.join('\n\n')).toBe(text);
	});

	it('falls back to lines, then words, never cutting inside a word', () => {
		const text = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
		const chunks = splitMrkdwn(text, 200);
		for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(200);
		expect(words(chunks.join(' '))).toEqual(words(text));
		for (const chunk of chunks) expect(chunk).toMatch(/^word\d+( word\d+)*$/);
	});

	it('cuts a single over-long word only because it must, without losing characters', () => {
		const long = 'x'.repeat(450);
		const chunks = splitMrkdwn(`start ${long} end`, 200);
		for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(200);
		expect(chunks.join('').replace(/\s/g, '')).toBe(`start${long}end`);
	});

	it('never splits a link token, an entity or a surrogate pair', () => {
		const link = '<https://example.com/a/very/long/path|a link with many words in its label>';
		const text = `${'a '.repeat(60)}${link} ${'&amp;'.repeat(40)}${'😀'.repeat(60)}`;
		const chunks = splitMrkdwn(text, 128);
		expect(chunks.some((chunk) => chunk.includes(link))).toBe(true);
		for (const chunk of chunks) {
			expect(chunk.length).toBeLessThanOrEqual(128);
			expect(chunk).not.toMatch(/&[a-z]*$/);
			expect(chunk).not.toMatch(/^[a-z]*;/);
			expect(chunk.split('<').length).toBe(chunk.split('>').length);
			expect(chunk).not.toMatch(/[\uD800-\uDBFF]$/);
		}
		expect(chunks.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
	});

	it('keeps code blocks balanced across chunks and their indentation intact', () => {
		const code = Array.from({ length: 80 }, (_, i) => `    line ${i};`).join('\n');
		const text = `Intro\n\`\`\`\n${code}\n\`\`\`\nOutro`;
		const chunks = splitMrkdwn(text, 300);
		expect(chunks.length).toBeGreaterThan(2);
		for (const chunk of chunks) {
			expect(chunk.length).toBeLessThanOrEqual(300);
			expect((chunk.match(/```/g) ?? []).length % 2).toBe(0);
		}
		const codeLines = chunks
			.join('\n')
			.split('\n')
			.filter((line) => line.includes('line '));
		expect(codeLines).toEqual(code.split('\n'));
	});

	it("caps the limit at Slack's hard limit", () => {
		const text = 'word '.repeat(9000);
		for (const chunk of splitMrkdwn(text, 100000)) expect(chunk.length).toBeLessThanOrEqual(40000);
	});

	const fenceCount = (text: string) => (text.match(/```/g) ?? []).length;

	it('terminates on a code block whose line is longer than a message and has no spaces (regression: it looped for ever)', () => {
		const text = '```\n' + 'y'.repeat(4100) + '\n```';
		const chunks = splitMrkdwn(text);
		expect(chunks.length).toBe(2);
		for (const chunk of chunks) {
			expect(chunk.length).toBeLessThanOrEqual(4000);
			expect(fenceCount(chunk) % 2).toBe(0);
			expect(chunk.startsWith('```\ny')).toBe(true);
		}
		expect(chunks.join('').replace(/[`\n]/g, '')).toBe('y'.repeat(4100));
	});

	it('terminates on a pasted base64 line in <pre> converted from HTML', () => {
		const base64 = 'QUJD'.repeat(3000);
		const chunks = splitMrkdwn(htmlToMrkdwn(`<p>Here is the token:</p><pre>${base64}</pre><p>Thanks</p>`), 4000);
		expect(chunks.length).toBeGreaterThan(2);
		for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(4000);
		for (const chunk of chunks) expect(fenceCount(chunk) % 2).toBe(0);
		expect(chunks.join('').replace(/```|\n/g, '')).toBe(`Here is the token:${base64}Thanks`);
	});

	it('keeps a link longer than a whole message usable: its URL intact, its label as text', () => {
		const url = `https://x.example/${'p'.repeat(90)}`;
		const label = 'word '.repeat(40).trim();
		const text = `${'lead '.repeat(30)}<${url}|${label}> tail`;
		const chunks = splitMrkdwn(text, 128);
		for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(128);
		expect(chunks.some((chunk) => chunk.includes(`<${url}>`))).toBe(true);
		expect(degradeOverlongLinks(`<${url}|${label}>`, 112)).toBe(`${label} <${url}>`);
		// A URL that does not fit even alone is left bare (Slack still links it).
		expect(degradeOverlongLinks(`<${url}>`, 80)).toBe(url);
		expect(degradeOverlongLinks('<https://x.example|ok>', 100)).toBe('<https://x.example|ok>');
	});

	it('never splits emoji ZWJ sequences, flags or combining marks', () => {
		const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
		const text = `${family}${'e\u0301'}${'\u{1F1EB}\u{1F1F7}'}`.repeat(40);
		const chunks = splitMrkdwn(text, 64);
		expect(chunks.length).toBeGreaterThan(1);
		expect(chunks.join('')).toBe(text);
		for (const chunk of chunks) {
			expect(chunk.length).toBeLessThanOrEqual(64);
			expect(chunk.startsWith(family)).toBe(true);
		}
	});

	it('property: terminates, respects the limit, keeps fences balanced and loses or adds no text', () => {
		// A small seeded generator: the same cases on every run.
		let seed = 0x2f6e2b1;
		const random = () => {
			seed = (seed * 1103515245 + 12345) & 0x7fffffff;
			return seed / 0x7fffffff;
		};
		const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
		const pieces = [
			'a',
			'word',
			' ',
			' ',
			'\n',
			'\n\n',
			'```',
			'```\n',
			'\n```\n',
			'<https://x.example/p?q=1&amp;r=2|a label>',
			'<@U0123ABC>',
			'&amp;',
			'&lt;',
			'\u{1F600}',
			'e\u0301',
			'\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
			'\u{1F1EB}\u{1F1F7}',
			'*bold*',
			'    indented',
		];
		const graphemeStarts = (text: string) =>
			new Set([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.index));
		for (let run = 0; run < 250; run++) {
			const limit = 64 + Math.floor(random() * 300);
			let text = '';
			const length = Math.floor(random() * 2500);
			while (text.length < length) text += random() < 0.05 ? 'y'.repeat(Math.floor(random() * 900)) : pick(pieces);
			const { source, segments } = segmentMrkdwn(text, limit);
			expect(source).toBe(text);
			expect(segments.map((segment) => segment.body).join('')).toBe(text);
			const starts = graphemeStarts(text);
			let at = 0;
			for (const segment of segments) {
				expect(segment.body.length).toBeGreaterThan(0);
				at += segment.body.length;
				// The cut is at a grapheme boundary, outside any <…> token and any entity.
				expect(at === text.length || starts.has(at)).toBe(true);
				expect(text.slice(0, at)).not.toMatch(/<[^<>]*$/);
				expect(text.slice(0, at)).not.toMatch(/&[#a-zA-Z0-9]+$/);
				const message = messageOfSegment(segment);
				expect(message.length).toBeLessThanOrEqual(limit);
				expect(fenceCount(message) % 2).toBe(0);
				// Without the fences the split added, the message is its slice minus the whitespace at the cut.
				let inner = message;
				if (segment.reopensFence) inner = inner.slice('```\n'.length);
				if (segment.closesFence) inner = inner.slice(0, -'\n```'.length);
				expect(segment.body.startsWith(inner) || segment.body.replace(/^\n+/, '').startsWith(inner)).toBe(true);
				expect(segment.body.replace(/^\n+/, '').slice(inner.length).trim()).toBe('');
			}
			for (const chunk of splitMrkdwn(text, limit)) expect(chunk.length).toBeLessThanOrEqual(limit);
		}
	});
});

describe('pacing', () => {
	/** The shared Pacer on a hand-moved clock: sleeping advances it (after granted posts have run) instead of waiting. */
	function pacerOnClock(start: number) {
		let now = start;
		const pacer = new Pacer({
			clock: () => now,
			sleep: async (ms) => {
				await new Promise((resolve) => setImmediate(resolve));
				now += ms;
			},
		});
		return { pacer, now: () => now };
	}
	const postAt = async (pacer: Pacer, clock: () => number, digest: string, channel: string): Promise<number> => {
		const limits = channelPostLimits(digest, channel);
		return await pacer.run(limits[0].key, limits, async () => clock());
	};

	it('starts concurrent posts to one channel one second apart, in arrival order', async () => {
		const { pacer, now } = pacerOnClock(10_000);
		const starts = await Promise.all([0, 1, 2].map(async () => await postAt(pacer, now, 'abc', 'D1')));
		expect(starts).toEqual([10_000, 11_000, 12_000]);
	});
	it('does not hold back another channel or another credential', async () => {
		const { pacer, now } = pacerOnClock(10_000);
		await postAt(pacer, now, 'abc', 'D1');
		expect(await postAt(pacer, now, 'abc', 'D2')).toBe(10_000);
		expect(await postAt(pacer, now, 'abd', 'D1')).toBe(10_000);
		expect(await postAt(pacer, now, 'abc', 'D1')).toBe(11_000);
	});
	it('keys pacing by the token digest: the key never holds the token', () => {
		const token = 'xoxb-123-secret-token';
		const [limit] = channelPostLimits(secretDigest(token), 'D1');
		expect(limit).toEqual({
			key: paceKey(secretDigest(token), 'D1'),
			limit: 1,
			windowMs: SLACK_CHANNEL_POST_INTERVAL_MS,
		});
		expect(limit.key).not.toContain(token);
		expect(limit.key).not.toContain('secret');
	});
});

describe('resending posts', () => {
	it('resends a post only after 429 / ratelimited, never after a lost answer or a 5xx', () => {
		expect(decideRetry({ statusCode: 429, headers: { 'retry-after': '1' } }, 1, SLACK_POST_RETRY_POLICY)).toEqual({
			retry: true,
			waitMs: 1000,
			reason: 'rate limited',
		});
		expect(decideRetry({ statusCode: 200, slackError: 'ratelimited' }, 1, SLACK_POST_RETRY_POLICY)).toMatchObject({
			retry: true,
		});
		expect(decideRetry({ errorCode: 'ECONNRESET' }, 1, SLACK_POST_RETRY_POLICY)).toEqual({ retry: false });
		expect(decideRetry({ errorCode: 'ETIMEDOUT' }, 1, SLACK_POST_RETRY_POLICY)).toEqual({ retry: false });
		expect(decideRetry({ statusCode: 503, headers: { 'retry-after': '1' } }, 1, SLACK_POST_RETRY_POLICY)).toEqual({
			retry: false,
		});
	});
	it('calls a failure ambiguous when there was no answer or a 5xx', () => {
		expect(postMayHaveLanded({ unanswered: true })).toBe(true);
		expect(postMayHaveLanded({ unanswered: false, httpStatus: 502 })).toBe(true);
		expect(postMayHaveLanded({ unanswered: false, httpStatus: 404 })).toBe(false);
		expect(postMayHaveLanded({ unanswered: false })).toBe(false);
		expect(ambiguousPostMessage('chat.postMessage', 'no answer')).toMatch(
			/^Slack chat\.postMessage got no clear answer \(no answer\): the message may have been delivered/,
		);
	});
});

describe('destination', () => {
	it('reads the Zendesk Reply Trigger item', () => {
		expect(destinationFromItem({ slack: { teamId: 'T1', userId: 'U1', channelId: 'D1', threadTs: '1.2' } })).toEqual({
			teamId: 'T1',
			userId: 'U1',
			channelId: 'D1',
			threadTs: '1.2',
		});
	});
	it('reads a Slack DM Trigger item', () => {
		expect(
			destinationFromItem({
				teamId: 'T1',
				channel: { id: 'D9', type: 'im' },
				user: { id: 'U9', teamId: 'T1' },
				message: { ts: '1.1', threadTs: '1.0' },
			}),
		).toEqual({ teamId: 'T1', channelId: 'D9', userId: 'U9', threadTs: '1.0' });
	});
	it('reports unusable destinations', () => {
		expect(destinationProblem({})).toMatch(/neither/);
		expect(destinationProblem({ channelId: '<!channel>' })).toMatch(/not a Slack conversation id/);
		expect(destinationProblem({ userId: 'bob' })).toMatch(/not a Slack user id/);
		expect(destinationProblem({ channelId: 'D123', threadTs: 'abc' })).toMatch(/timestamp/);
		expect(destinationProblem({ userId: 'U123ABC' })).toBeUndefined();
		expect(destinationProblem({ channelId: 'D123ABC', threadTs: '1700000000.000100' })).toBeUndefined();
	});
});

describe('identity', () => {
	it('tells bot and user tokens apart by prefix', () => {
		expect(tokenKind('xoxb-1')).toBe('bot');
		expect(tokenKind('xoxp-1')).toBe('user');
		expect(tokenKind('test-token')).toBe('unknown');
		expect(tokenKind(undefined)).toBe('unknown');
	});
	it('flags a post-as choice the token cannot honour', () => {
		expect(identityProblem('user', 'bot')).toMatch(/user token/);
		expect(identityProblem('bot', 'user')).toMatch(/bot token/);
		expect(identityProblem('bot', 'bot')).toBeUndefined();
		expect(identityProblem('user', 'unknown')).toBeUndefined();
	});
});

describe('planMessages', () => {
	it('puts the sender prefix on the first message and threads every chunk', () => {
		const prefix = senderPrefixLine('Anna (IT Support)', escapeSlackText);
		expect(prefix).toBe('*Anna (IT Support):*');
		const plan = planMessages({
			channel: 'D1',
			threadTs: '1.2',
			mrkdwn: 'word '.repeat(300).trim(),
			prefixLine: prefix,
			postAs: 'bot',
			limit: 500,
		});
		expect(plan.length).toBeGreaterThan(1);
		expect(plan[0].text.startsWith('*Anna (IT Support):*\nword')).toBe(true);
		expect(plan.slice(1).every((message) => !message.text.includes('Anna'))).toBe(true);
		for (const message of plan)
			expect(message).toMatchObject({
				channel: 'D1',
				thread_ts: '1.2',
				link_names: false,
				unfurl_links: false,
				unfurl_media: false,
			});
	});
	it('escapes the prefix and cannot be used for mentions', () => {
		expect(senderPrefixLine('<!channel> *x*', escapeSlackText)).toBe('*&lt;!channel&gt; x:*');
		expect(senderPrefixLine('   ', escapeSlackText)).toBe('');
	});
	it('applies username and icon only for bots', () => {
		const appearance = { username: 'Anna', iconUrl: 'https://x.example/a.png', iconEmoji: ':wave:' };
		const bot = planMessages({ channel: 'D1', mrkdwn: 'hi', postAs: 'bot', appearance });
		expect(bot[0]).toMatchObject({ username: 'Anna', icon_url: 'https://x.example/a.png' });
		expect(bot[0]).not.toHaveProperty('icon_emoji');
		const user = planMessages({ channel: 'D1', mrkdwn: 'hi', postAs: 'user', appearance });
		expect(user[0]).not.toHaveProperty('username');
		expect(user[0]).not.toHaveProperty('icon_url');
		expect(user[0]).not.toHaveProperty('thread_ts');
	});
	it('posts nothing for an empty reply without prefix', () => {
		expect(planMessages({ channel: 'D1', mrkdwn: '', postAs: 'bot' })).toEqual([]);
	});
});

describe('status notices', () => {
	it('knows which notice an item calls for', () => {
		expect(noticeKindOf({ zendesk: { outcome: 'created', ticketId: 4 } })).toBe('ticketCreated');
		expect(noticeKindOf({ zendesk: { outcome: 'followUp' } })).toBe('ticketCreated');
		expect(noticeKindOf({ zendesk: { outcome: 'appended' } })).toBeUndefined();
		expect(noticeKindOf({ ticketStatus: 'solved' })).toBe('ticketSolved');
		expect(noticeKindOf({ ticketStatus: 'open' })).toBeUndefined();
	});
	it('finds the ticket id in reply and upsert items', () => {
		expect(ticketIdOf({ ticketId: 5 })).toBe('5');
		expect(ticketIdOf({ zendesk: { ticketId: 6 } })).toBe('6');
		expect(ticketIdOf({})).toBeUndefined();
	});
	it('renders a template with the ticket id, escaped', () => {
		expect(renderNotice('Ticket #{ticketId} is open <3', { ticketId: '42' }, escapeSlackText)).toBe(
			'Ticket #42 is open &lt;3',
		);
	});
});
