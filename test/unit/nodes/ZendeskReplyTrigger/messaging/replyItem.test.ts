import {
	attachmentsOf,
	buildMessagingReplyItem,
	buildSolvedItem,
	fileNameOf,
	handleOfConversation,
	slackDestinationOfConversation,
} from '../../../../../nodes/ZendeskReplyTrigger/messaging/replyItem';
import type { SunshineMessage } from '../../../../../nodes/ZendeskReplyTrigger/messaging/events';

const metadata = { slack_conversation: 'slack-dm:T1:D1:1700000000.000100', slack_handle: 'slack_handle_it' };
const context = {
	conversationId: 'c1',
	metadata,
	eventId: 'e1',
	appId: 'a1',
	handles: [{ name: 'IT', userId: 'U0IT' }],
};

const agentMessage: SunshineMessage = {
	id: 'm1',
	received: '2026-12-07T10:00:00.000Z',
	author: { type: 'business', subtypes: ['agent'], displayName: 'Anna' },
	content: { type: 'text', text: 'Try **this**' },
};

describe('slackDestinationOfConversation', () => {
	it("the conversation key's team, DM and thread; nothing for conversations not ours", () => {
		expect(slackDestinationOfConversation(metadata)).toEqual({
			teamId: 'T1',
			channelId: 'D1',
			threadTs: '1700000000.000100',
			threadKey: 'D1:1700000000.000100',
		});
		expect(slackDestinationOfConversation({ slack_conversation: 'slack-dm:T1:D2' })).toEqual({
			teamId: 'T1',
			channelId: 'D2',
		});
		expect(slackDestinationOfConversation({ slack_conversation: 'other:T1:D1' })).toBeUndefined();
		expect(slackDestinationOfConversation(null)).toBeUndefined();
		expect(slackDestinationOfConversation({ slack_conversation: 42 })).toBeUndefined();
	});
});

describe('handleOfConversation', () => {
	it('a handle tag or a handle name, named as configured', () => {
		expect(handleOfConversation(metadata, [{ name: 'IT', userId: 'U0IT' }])).toEqual({
			name: 'IT',
			slug: 'it',
			userId: 'U0IT',
		});
		expect(handleOfConversation({ slack_handle: 'HR & People' })).toEqual({ name: 'hr_people', slug: 'hr_people' });
		expect(handleOfConversation({})).toBeUndefined();
	});
});

describe('attachments', () => {
	it('one per image or file message, named from the mediaUrl (else the alt text)', () => {
		const image: SunshineMessage = {
			...agentMessage,
			content: {
				type: 'image',
				mediaUrl: 'https://acme.zendesk.com/sc/attachments/v2/01JK/my%20screen.png',
				mediaType: 'image/png',
				mediaSize: 12,
			},
		};
		expect(attachmentsOf(image)).toEqual([
			{
				id: 'm1',
				fileName: 'my screen.png',
				contentUrl: image.content.mediaUrl,
				contentType: 'image/png',
				size: 12,
				inline: false,
				source: 'zendeskMessaging',
			},
		]);
		expect(attachmentsOf(agentMessage)).toEqual([]);
		expect(fileNameOf({ mediaUrl: 'not a url', altText: 'steps.pdf' })).toBe('steps.pdf');
		expect(fileNameOf({ mediaUrl: 'https://x.example/a/%2e%2e%2fetc%2fpasswd' })).toBe('.._etc_passwd');
		expect(fileNameOf({})).toBe('file');
	});
});

describe('buildMessagingReplyItem', () => {
	it("the reply item shape Slack DM Reply reads, with the agent's name and Sunshine's ids", () => {
		expect(buildMessagingReplyItem(context, agentMessage)).toEqual({
			event: 'agentReply',
			ticketStatus: 'open',
			ticketExternalId: metadata.slack_conversation,
			comment: {
				id: 'm1',
				body: 'Try **this**',
				htmlBody: '',
				createdAt: agentMessage.received,
				author: { name: 'Anna' },
			},
			attachments: [],
			slack: { teamId: 'T1', channelId: 'D1', threadTs: '1700000000.000100', threadKey: 'D1:1700000000.000100' },
			handle: { name: 'IT', slug: 'it', userId: 'U0IT' },
			messaging: { appId: 'a1', conversationId: 'c1', messageId: 'm1', eventId: 'e1' },
		});
	});

	it('HTML and Markdown text go where Slack DM Reply converts them', () => {
		const rich = buildMessagingReplyItem(context, {
			...agentMessage,
			content: { type: 'text', htmlText: '<b>hi</b>', markdownText: '**hi**' },
		});
		expect(rich?.comment).toMatchObject({ body: '**hi**', htmlBody: '<b>hi</b>' });
	});

	it('nothing for a conversation that is not ours', () => {
		expect(buildMessagingReplyItem({ ...context, metadata: {} }, agentMessage)).toBeUndefined();
		expect(buildSolvedItem({ ...context, metadata: null })).toBeUndefined();
	});
});

describe('buildSolvedItem', () => {
	it('a solved item without comment: what the solved notice needs', () => {
		expect(buildSolvedItem(context)).toEqual({
			event: 'ticketSolved',
			ticketStatus: 'solved',
			ticketExternalId: metadata.slack_conversation,
			attachments: [],
			slack: { teamId: 'T1', channelId: 'D1', threadTs: '1700000000.000100', threadKey: 'D1:1700000000.000100' },
			handle: { name: 'IT', slug: 'it', userId: 'U0IT' },
			messaging: { appId: 'a1', conversationId: 'c1', eventId: 'e1' },
		});
	});
});
