import {
	authorSkip,
	claimKeyOf,
	decideEvent,
	messageSkip,
	parseDelivery,
	type SunshineEvent,
	type SunshineMessage,
} from '../../../../../nodes/ZendeskReplyTrigger/messaging/events';

const conversation = { id: 'c1', type: 'personal', metadata: { slack_conversation: 'slack-dm:T1:D1' } };

function message(overrides: Partial<SunshineMessage> = {}): SunshineMessage {
	return {
		id: 'm1',
		author: { type: 'business' },
		content: { type: 'text', text: 'Hello' },
		source: { type: 'zd:agentWorkspace' },
		...overrides,
	};
}

function messageEvent(msg: Partial<SunshineMessage> | Record<string, unknown>): SunshineEvent {
	return { id: 'e1', type: 'conversation:message', payload: { conversation, message: { ...message(), ...msg } } };
}

describe('parseDelivery', () => {
	it('reads app, webhook and every well-formed event', () => {
		expect(
			parseDelivery({
				app: { id: 'a1' },
				webhook: { id: 'w1', version: 'v2' },
				events: [{ id: 'e1', type: 'conversation:message', payload: { x: 1 } }, { type: 'no id' }, 'junk'],
			}),
		).toEqual({
			appId: 'a1',
			webhookId: 'w1',
			events: [{ id: 'e1', type: 'conversation:message', payload: { x: 1 } }],
		});
		expect(parseDelivery('not json')).toEqual({ appId: undefined, webhookId: undefined, events: [] });
	});
});

describe('messageSkip', () => {
	it("drops the user's own messages, unknown authors and deleted messages", () => {
		expect(messageSkip(message({ author: { type: 'user', userId: 'u1' } }))).toBe('userMessage');
		expect(messageSkip(message({ author: {} }))).toBe('unknownAuthor');
		expect(messageSkip(message({ deleted: true }))).toBe('deletedMessage');
	});

	it('drops activities (by the activity field or the subtype)', () => {
		expect(messageSkip(message({ activity: { type: 'ticket:closed' } }))).toBe('activity');
		expect(messageSkip(message({ author: { type: 'business', subtypes: ['activity'] } }))).toBe('activity');
	});

	it("drops bots: AI and bot subtypes, and Zendesk's own bot sources such as zd:answerBot", () => {
		expect(messageSkip(message({ author: { type: 'business', subtypes: ['AI'] } }))).toBe('botMessage');
		expect(messageSkip(message({ author: { type: 'business', subtypes: ['bot'] } }))).toBe('botMessage');
		expect(messageSkip(message({ source: { type: 'zd:answerBot' } }))).toBe('botMessage');
	});

	it('a business message with other subtypes is not an agent; without subtypes it is still open', () => {
		expect(messageSkip(message({ author: { type: 'business', subtypes: [] } }))).toBe('notAgent');
		expect(messageSkip(message())).toBeUndefined();
		expect(messageSkip(message({ author: { type: 'business', subtypes: ['agent'] } }))).toBeUndefined();
	});

	it('only text, image and file messages with something in them', () => {
		expect(messageSkip(message({ content: { type: 'carousel' } }))).toBe('unsupportedContent');
		expect(messageSkip(message({ content: { type: 'text', text: '  ' } }))).toBe('emptyMessage');
		expect(messageSkip(message({ content: { type: 'file' } }))).toBe('emptyMessage');
		expect(
			messageSkip(message({ content: { type: 'image', mediaUrl: 'https://acme.zendesk.com/sc/attachments/x.png' } })),
		).toBeUndefined();
		expect(messageSkip(message({ content: { type: 'text', markdownText: '**hi**' } }))).toBeUndefined();
	});
});

describe('authorSkip', () => {
	it('agent only; unknown subtypes decide nothing', () => {
		expect(authorSkip({ type: 'business', subtypes: ['agent'] })).toBeUndefined();
		expect(authorSkip({ type: 'business' })).toBeUndefined();
		expect(authorSkip({ type: 'business', subtypes: ['AI'] })).toBe('botMessage');
		expect(authorSkip({ type: 'business', subtypes: [] })).toBe('notAgent');
	});
});

describe('decideEvent', () => {
	it('an agent message, known when the webhook carried the subtypes, to be confirmed otherwise', () => {
		const known = decideEvent(messageEvent({ author: { type: 'business', subtypes: ['agent'] } }), {
			solvedEvents: false,
		});
		expect(known).toMatchObject({ kind: 'agentMessage', authorKnown: true, conversation: { id: 'c1' } });
		const unknown = decideEvent(messageEvent({}), { solvedEvents: false });
		expect(unknown).toMatchObject({ kind: 'agentMessage', authorKnown: false });
	});

	it('the conversation keeps its metadata when the payload has it, and has none to read when it lacks it', () => {
		const withMetadata = decideEvent(messageEvent({}), { solvedEvents: false });
		expect(withMetadata).toMatchObject({ conversation: { metadata: conversation.metadata } });
		const without = decideEvent(
			{ id: 'e', type: 'conversation:message', payload: { conversation: { id: 'c1' }, message: message() } },
			{ solvedEvents: false },
		);
		expect(without.kind === 'agentMessage' && 'metadata' in without.conversation).toBe(false);
	});

	it('released control is a solved item only for ticketClosed and with the option on', () => {
		const released = (reason?: string): SunshineEvent => ({
			id: 'e2',
			type: 'switchboard:releaseControl',
			payload: { conversation, ...(reason ? { reason } : {}) },
		});
		expect(decideEvent(released('ticketClosed'), { solvedEvents: true })).toMatchObject({ kind: 'ticketClosed' });
		expect(decideEvent(released('ticketClosed'), { solvedEvents: false })).toMatchObject({ reason: 'controlReleased' });
		expect(decideEvent(released('transferToEmail'), { solvedEvents: true })).toMatchObject({
			reason: 'controlReleased',
		});
	});

	it('other and malformed events are skipped', () => {
		expect(decideEvent({ id: 'e', type: 'conversation:read', payload: {} }, { solvedEvents: true })).toMatchObject({
			reason: 'otherEvent',
		});
		expect(
			decideEvent({ id: 'e', type: 'conversation:message', payload: { conversation } }, { solvedEvents: true }),
		).toMatchObject({ reason: 'malformedEvent' });
	});
});

describe('claimKeyOf', () => {
	it('messages by message id (a retry or a second event of the same message is one), control by event id', () => {
		const a = decideEvent(messageEvent({}), { solvedEvents: true });
		const b = decideEvent({ ...messageEvent({}), id: 'another event' }, { solvedEvents: true });
		expect(claimKeyOf(a, 'w1')).toBe(claimKeyOf(b, 'w1'));
		expect(claimKeyOf(a, 'w1')).not.toBe(claimKeyOf(a, 'w2'));
		const released = decideEvent(
			{ id: 'e9', type: 'switchboard:releaseControl', payload: { conversation, reason: 'ticketClosed' } },
			{ solvedEvents: true },
		);
		expect(claimKeyOf(released, 'w1')).toBe('w1:event:e9');
		expect(claimKeyOf({ kind: 'skip', reason: 'otherEvent' }, 'w1')).toBeUndefined();
	});
});
