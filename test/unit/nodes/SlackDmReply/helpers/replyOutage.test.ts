import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import {
	describeReply,
	HISTORY_LOOKBACK_MS,
	historyOldest,
	POSTED_IN_THREAD,
	PostedInConversation,
	replyHistoryOldest,
	replyPlace,
	replyUnavailableReason,
} from '../../../../../nodes/SlackDmReply/helpers/replyOutage';
import { ticketIdInMessage } from '../../../../../nodes/SlackDmReply/helpers/replyAlert';
import { giveUpMessage } from '../../../../../nodes/shared/n8n/outageRetry';
import { POST_MAY_HAVE_LANDED } from '../../../../../nodes/SlackDmReply/transport/slackPosts';

const node = { name: 'Slack DM Reply' } as INode;
const reply = {
	ticketId: 42,
	comment: { id: 9001, body: 'Please restart the laptop and tell me what you see', author: { name: 'Anna' } },
	slack: { teamId: 'T1', userId: 'U1', channelId: 'D1' },
};

function apiError(httpCode?: string, context: Record<string, unknown> = {}) {
	const error = new NodeApiError(node, { error: 'x' } as JsonObject, { message: 'failed', httpCode });
	Object.assign(error.context, context);
	return error;
}

describe('replyPlace', () => {
	it("places a reply by its Slack conversation, ticket and comment; the comment id gives the agent's order", () => {
		expect(replyPlace(reply)).toEqual({ conversation: 'T1:D1', key: '42:9001', order: 9001 });
	});

	it('uses the user while the DM channel is not known, and keeps no place without a comment id', () => {
		expect(replyPlace({ ...reply, slack: { teamId: 'T1', userId: 'U1', channelId: '' } })?.conversation).toBe('T1:U1');
		expect(replyPlace({ ticketId: 42, event: 'ticketSolved', slack: reply.slack })).toBeUndefined();
		expect(replyPlace({ ...reply, slack: {} })).toBeUndefined();
	});
});

describe('describeReply', () => {
	it('names the ticket, the agent, the conversation and the first words', () => {
		expect(describeReply(reply)).toBe(
			'the reply to ticket #42 by Anna in Slack conversation D1 (team T1): "Please restart the laptop and tell me what you see"',
		);
	});

	it("in the give-up error, the outbound error workflow's alert finds the ticket", () => {
		const message = giveUpMessage('Slack', describeReply(reply), { attempts: 14, waitedMs: 60 * 60_000 });
		expect(message).toMatch(/^Slack stayed unavailable for 60 min \(14 attempts\); gave up on the reply to ticket #42/);
		expect(ticketIdInMessage(message)).toBe('42');
	});

	it('names the solved notice and the DM of a user without a channel', () => {
		expect(describeReply({ ticketId: 7, event: 'ticketSolved', slack: { userId: 'U2' } })).toBe(
			'the solved notice in Slack conversation DM of U2',
		);
	});
});

describe('replyUnavailableReason', () => {
	it('a post with no clear answer waits: it will be looked for before posting again', () => {
		expect(replyUnavailableReason(apiError('503', { [POST_MAY_HAVE_LANDED]: 'chat.postMessage' }))).toBe(
			'chat.postMessage: HTTP 503 (it may have been posted: checked before posting again)',
		);
		expect(replyUnavailableReason(apiError(undefined, { [POST_MAY_HAVE_LANDED]: 'chat.postMessage' }))).toMatch(
			/^chat\.postMessage: no clear answer/,
		);
	});

	it('not in a thread, whose replies the history does not show: it fails as before', () => {
		const error = apiError('503', { [POST_MAY_HAVE_LANDED]: 'chat.postMessage', [POSTED_IN_THREAD]: true });
		expect(replyUnavailableReason(error)).toBeUndefined();
	});

	it('other failures as every node classifies them: 5xx and 429 wait, a refusal does not', () => {
		expect(replyUnavailableReason(apiError('502'))).toBe('HTTP 502');
		expect(replyUnavailableReason(apiError('429'))).toMatch(/429/);
		expect(replyUnavailableReason(apiError('400'))).toBeUndefined();
	});
});

describe('historyOldest', () => {
	it('is two minutes before the first failure, in Slack seconds', () => {
		expect(historyOldest('2026-12-07T01:00:00.000Z')).toBe((Date.parse('2026-12-07T00:58:00.000Z') / 1000).toFixed(6));
	});
});

describe('PostedInConversation', () => {
	const history = [
		{ ts: '3.0', text: '*Anna:*\nsecond  part', user: 'UBOT' },
		{ ts: '2.0', text: '*Anna:*\nfirst part', user: 'UBOT' },
		{ ts: '1.5', text: '*Anna:*\nfirst part', user: 'U1' },
		{
			ts: '4.0',
			text: '',
			user: 'UBOT',
			files: [
				{ id: 'F2', name: 'b.png' },
				{ id: 'F1', name: 'a.pdf' },
			],
		},
	];

	it("finds each posted text once, oldest first, whitespace aside, never the DM user's own message", () => {
		const posted = new PostedInConversation(history, 'U1');
		expect(posted.takeText('*Anna:*\nfirst part')).toBe('2.0');
		expect(posted.takeText('*Anna:*\nfirst part')).toBeUndefined();
		expect(posted.takeText('*Anna:*\nsecond part')).toBe('3.0');
		expect(posted.takeText('*Anna:*\nthird part')).toBeUndefined();
	});

	it('finds a file share by the names of its files, in any order, once', () => {
		const posted = new PostedInConversation(history, 'U1');
		expect(posted.takeFiles(['a.pdf', 'b.png'])).toEqual(['F2', 'F1']);
		expect(posted.takeFiles(['a.pdf', 'b.png'])).toBeUndefined();
		expect(new PostedInConversation(history).takeFiles(['a.pdf'])).toBeUndefined();
	});
});

describe('replyHistoryOldest', () => {
	const NOW = Date.parse('2026-12-07T10:00:00Z');
	const seconds = (iso: string) => (Date.parse(iso) / 1000 - HISTORY_LOOKBACK_MS / 1000).toFixed(6);

	it('back from a wait: since the first failure, whoever announced it', () => {
		const previous = { firstFailedAt: '2026-12-07T09:50:00Z' };
		expect(replyHistoryOldest({}, previous, 'mine', NOW)).toBe(seconds(previous.firstFailedAt));
		expect(replyHistoryOldest({ announcedIn: 'other' }, previous, 'mine', NOW)).toBe(seconds(previous.firstFailedAt));
	});

	it('taken in another process: since the comment was written (an hour back without its time)', () => {
		const comment = { createdAt: '2026-12-07T09:59:00Z' };
		expect(replyHistoryOldest({ announcedIn: 'other', comment }, undefined, 'mine', NOW)).toBe(
			seconds(comment.createdAt),
		);
		expect(replyHistoryOldest({ announcedIn: 'other' }, undefined, 'mine', NOW)).toBe(seconds('2026-12-07T09:00:00Z'));
	});

	it('taken in this process, or by no trigger: no look', () => {
		expect(replyHistoryOldest({ announcedIn: 'mine' }, undefined, 'mine', NOW)).toBeUndefined();
		expect(replyHistoryOldest({}, undefined, 'mine', NOW)).toBeUndefined();
	});
});
