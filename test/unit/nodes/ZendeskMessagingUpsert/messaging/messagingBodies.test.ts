/** What the Zendesk Messaging mode sends: user, conversation, message parts, edit texts, handover metadata. */
import type { SlackDmItem } from '../../../../../nodes/shared/types';
import {
	conversationBody,
	editParts,
	handoverMetadata,
	MAX_TEXT_LENGTH,
	messageBody,
	messageParts,
	splitText,
	userBody,
} from '../../../../../nodes/ZendeskMessagingUpsert/messaging/messagingBodies';
import { slackDmItem } from '../../../../harness/items';

const item = (text: string, extra: Record<string, unknown> = {}): SlackDmItem =>
	slackDmItem({
		teamId: 'T1',
		handle: { name: 'IT Help', userId: 'UH', teamId: 'T1' },
		userId: 'U1',
		channelId: 'D1',
		ts: '1800000000.000100',
		text,
		receivedAt: 1_800_000_000_000,
		...extra,
	});
const linked = {
	id: 7,
	name: 'Erin van Example',
	email: 'erin@acme.test',
	externalId: 'slack:T1:U1',
	linkedBy: 'email' as const,
};

describe('userBody', () => {
	it('keys the user by the Slack external id; names and the linked email from the linked user', () => {
		expect(userBody(item('x'), linked)).toEqual({
			externalId: 'slack:T1:U1',
			profile: { givenName: 'Erin', surname: 'van Example', email: 'erin@acme.test' },
		});
	});

	it('sends no email when the linked user has none (staff-owned Slack email)', () => {
		expect(userBody(item('x'), { ...linked, email: undefined }).profile).toEqual({
			givenName: 'Erin',
			surname: 'van Example',
		});
	});
});

describe('conversationBody', () => {
	it('is personal, keyed by the Slack conversation and handle, with the data capture when it fits', () => {
		const body = conversationBody(item('x'), 'slack-dm:T1:D1', {
			dataCapture: { 'dataCapture.systemField.tags': 'a' },
		});
		expect(body).toEqual({
			type: 'personal',
			participants: [{ userExternalId: 'slack:T1:U1' }],
			metadata: {
				slack_conversation: 'slack-dm:T1:D1',
				slack_handle: 'slack_handle_it_help',
				'dataCapture.systemField.tags': 'a',
			},
		});
		const big = conversationBody(item('x'), 'k', { dataCapture: { huge: 'x'.repeat(5000) } });
		expect(big.metadata).not.toHaveProperty('huge');
	});
});

describe('message parts', () => {
	const plan = { conversationKey: 'slack-dm:T1:D1' };

	it('text (as plain text with names), then each file: images inline, others as files', () => {
		const parts = messageParts({
			item: item('Hi <@U2> *now*'),
			plan,
			names: (id) => (id === 'U2' ? 'Anna' : undefined),
			files: [
				{ name: 'a.png', mediaUrl: 'https://m/a.png', mediaType: 'image/png' },
				{ name: 'b.pdf', mediaUrl: 'https://m/b.pdf', mediaType: 'application/pdf' },
			],
			rejected: [{ id: 'F3', name: 'c.exe', reason: 'typeNotAllowed', detail: '' }],
		});
		expect(parts.map((p) => p.content.type)).toEqual(['text', 'image', 'file']);
		expect(parts[0].content.text).toMatch(/^Hi @Anna now\n\n📎 Not attached: c\.exe/);
		expect(parts[1].content).toEqual({ type: 'image', mediaUrl: 'https://m/a.png', altText: 'a.png' });
	});

	it('a thread reply opens with the thread line; only files: no text part; nothing: says so', () => {
		const reply = messageParts({ item: item('yes'), plan: { ...plan, threadReply: { rootTs: '1' } }, files: [] });
		expect(reply[0].content.text).toBe('↳ Reply in a Slack thread:\nyes');
		const files = messageParts({
			item: item(''),
			plan,
			files: [{ name: 'a', mediaUrl: 'https://m', mediaType: 'x/y' }],
		});
		expect(files.map((p) => p.content.type)).toEqual(['file']);
		expect(messageParts({ item: item(''), plan, files: [] })[0].content.text).toBe('(empty Slack message)');
	});

	it('long text is cut into pieces Sunshine accepts, at spaces', () => {
		const pieces = splitText('word '.repeat(2000));
		expect(pieces.length).toBe(3);
		expect(pieces.every((p) => p.length <= MAX_TEXT_LENGTH)).toBe(true);
		expect(pieces.join(' ').replace(/\s+/g, ' ').trim()).toBe('word '.repeat(2000).trim());
	});

	it('each part is authored by the user and marked with the Slack key (and its index after the first)', () => {
		const part = { content: { type: 'text', text: 'x' } };
		expect(messageBody(item('x'), 'K', part, 0)).toEqual({
			author: { type: 'user', userExternalId: 'slack:T1:U1' },
			content: part.content,
			metadata: { slack_message: 'K' },
		});
		expect(messageBody(item('x'), 'K', part, 2).metadata).toEqual({ slack_message: 'K', slack_part: 2 });
	});
});

describe('edits and deletions', () => {
	it('quote the texts under a mark an agent cannot take for a new request', () => {
		const [edited] = editParts(item('new text', { kind: 'edit', previousText: 'old text' }));
		expect(edited.content.text).toBe('✏️ Edited in Slack, now:\n> new text\n\nBefore:\n> old text');
		const [deleted] = editParts(item('', { kind: 'delete', previousText: 'gone' }));
		expect(deleted.content.text).toBe('🗑️ Deleted in Slack:\n> gone');
	});
});

describe('handoverMetadata', () => {
	it("carries Zendesk's data capture keys and where the ticket's transcript starts", () => {
		const metadata = handoverMetadata({
			routing: {
				tags: ['slack_dm', 'vip'],
				brandId: 1,
				groupId: 2,
				priority: 'high',
				customFields: [
					{ id: 9, value: 'D1' },
					{ id: 10, value: ['a', 'b'] },
				],
			},
			plan: { conversationKey: 'k', thread: { rootTs: '1', dmConversationKey: 'd' } },
			requester: linked,
			firstMessageId: 'm1',
		});
		expect(metadata).toEqual({
			first_message_id: 'm1',
			'dataCapture.systemField.tags': 'slack_dm,vip,slack_thread',
			'dataCapture.systemField.brand_id': '1',
			'dataCapture.systemField.group_id': '2',
			'dataCapture.systemField.priority': 'high',
			'dataCapture.systemField.requester.name': 'Erin van Example',
			'dataCapture.systemField.requester.email': 'erin@acme.test',
			'dataCapture.ticketField.9': 'D1',
			'dataCapture.ticketField.10': 'a,b',
		});
	});
});
