/**
 * Each filter and each opt-in of the Slack DM Trigger, over payloads from the Slack emulator's
 * builders (the shapes the integration and end-to-end tests send).
 */
import {
	appMention,
	appMessage,
	botAuthorization,
	botMessage,
	channelJoin,
	channelMessage,
	envelope,
	fileShare,
	meMessage,
	messageChanged,
	messageDeleted,
	messageIm,
	messageMpim,
	slackConnectMessageIm,
	systemMessage,
	threadReply,
	userAuthorization,
	userMessageEvent,
} from '../../../../../emulators/slack/builders';
import { FIXTURE_IDS as F } from '../../../../../emulators/slack/fixtures';
import type { ClassifyContext, TriggerFilterOptions } from '../../../../../nodes/SlackDmTrigger/helpers/classify';
import { UNKNOWN_FILE_SIZE } from '../../../../../nodes/SlackDmTrigger/helpers/eventFields';
import {
	DEFAULT_FILTER_OPTIONS,
	classifyEvent,
	echoReason,
	groupParticipants,
	learnedConversationHandle,
} from '../../../../../nodes/SlackDmTrigger/helpers/classify';
import type { SlackEventCallback } from '../../../../../nodes/shared/slack/events';
import { classifyEnvelope } from '../../../../../nodes/shared/slack/events';
import type { HandleConfig, SelfIdentity } from '../../../../../nodes/shared/slack/identity';
import { resolveHandles } from '../../../../../nodes/shared/slack/identity';
import { ticketExternalId } from '../../../../../nodes/shared/externalIds';

const DM = 'D0EMPDM';
const GROUP = 'G0GROUPDM';

const botSelf: SelfIdentity = { userId: F.botUserId, userName: 'bridge', teamId: F.teamId, botId: F.botId };
const handleSelf: SelfIdentity = { userId: F.handleUserId, userName: 'it-help', teamId: F.teamId };

function classify(
	payload: unknown,
	options: Partial<TriggerFilterOptions> = {},
	self: SelfIdentity = botSelf,
	handles: HandleConfig[] = resolveHandles([], self),
) {
	const parsed = classifyEnvelope(JSON.parse(JSON.stringify(payload)));
	if (parsed.kind !== 'eventCallback') throw new Error(`not an event callback: ${parsed.kind}`);
	const ctx: ClassifyContext = {
		self,
		handles,
		options: { ...DEFAULT_FILTER_OPTIONS, ...options },
		receivedAt: '2024-05-01T10:00:00.000Z',
	};
	return classifyEvent(parsed.envelope as SlackEventCallback, ctx);
}

function parse(payload: unknown): SlackEventCallback {
	const parsed = classifyEnvelope(JSON.parse(JSON.stringify(payload)));
	if (parsed.kind !== 'eventCallback') throw new Error(`not an event callback: ${parsed.kind}`);
	return parsed.envelope;
}

/** classify with the node's second-pass inputs (members, a learned conversation handle). */
function classifyWith(
	payload: unknown,
	extra: Pick<ClassifyContext, 'conversationMembers' | 'knownConversationHandle'>,
	handles: HandleConfig[],
	options: Partial<TriggerFilterOptions> = {},
) {
	const ctx: ClassifyContext = {
		self: handleSelf,
		handles,
		options: { ...DEFAULT_FILTER_OPTIONS, ...options },
		receivedAt: '2024-05-01T10:00:00.000Z',
		...extra,
	};
	return classifyEvent(parse(payload), ctx);
}

function item(decision: ReturnType<typeof classify>) {
	if (decision.action !== 'emit')
		throw new Error(`expected emit, got ${decision.action === 'drop' ? `drop (${decision.reason})` : decision.action}`);
	return decision.item;
}

const dropped = (reason: string) => ({ action: 'drop', reason });

describe('envelope classification', () => {
	it('recognises url_verification, app_rate_limited and event callbacks; refuses the rest', () => {
		expect(classifyEnvelope({ type: 'url_verification', challenge: 'abc', token: 't' })).toEqual({
			kind: 'urlVerification',
			challenge: 'abc',
		});
		expect(classifyEnvelope({ type: 'url_verification' })).toEqual({ kind: 'invalid', reason: 'missingChallenge' });
		expect(
			classifyEnvelope({
				type: 'app_rate_limited',
				team_id: F.teamId,
				api_app_id: F.appId,
				minute_rate_limited: 1518467820,
				token: 't',
			}),
		).toEqual({
			kind: 'rateLimited',
			teamId: F.teamId,
			appId: F.appId,
			minuteRateLimited: 1518467820,
		});
		const dm = messageIm({ user: F.employeeId, channel: DM, text: 'hi' });
		expect(classifyEnvelope(dm)).toMatchObject({ kind: 'eventCallback' });
		expect(classifyEnvelope({ ...dm, event_id: '' })).toEqual({ kind: 'invalid', reason: 'missingEvent' });
		expect(classifyEnvelope({ ...dm, event: 'message' })).toEqual({ kind: 'invalid', reason: 'missingEvent' });
		expect(classifyEnvelope({ type: 'block_actions' })).toEqual({ kind: 'invalid', reason: 'unsupportedEnvelope' });
		expect(classifyEnvelope([dm])).toEqual({ kind: 'invalid', reason: 'notAnObject' });
		expect(classifyEnvelope(null)).toEqual({ kind: 'invalid', reason: 'notAnObject' });
	});

	it('drops events that are not messages', () => {
		const reaction = envelope({
			type: 'reaction_added',
			user: F.employeeId,
			reaction: 'tada',
			event_ts: '1700000000.000100',
		});
		expect(classify(reaction)).toEqual(dropped('unsupportedEventType'));
	});
});

describe('1:1 DMs (default)', () => {
	it('emits a DM with a key the ticket side can use', () => {
		const payload = messageIm({ user: F.employeeId, channel: DM, text: 'VPN is down', ts: '1700000001.000100' });
		const decision = classify(payload);
		const out = item(decision);
		expect(out).toMatchObject({
			eventId: payload.event_id,
			idempotencyKey: `slack:${F.teamId}:${DM}:1700000001.000100`,
			handle: { name: 'bridge', userId: F.botUserId, botId: F.botId, appId: F.appId },
			user: { id: F.employeeId, teamId: F.teamId, isExternal: false },
			channel: { id: DM, type: 'im', isExtShared: false },
			message: { ts: '1700000001.000100', text: 'VPN is down' },
			kind: 'message',
		});
		expect(decision).toMatchObject({
			dedupeKeys: [`event:${payload.event_id}`, `message:${out.idempotencyKey}`],
			needsParticipants: false,
		});
		expect(ticketExternalId({ teamId: out.teamId, channelId: out.channel.id, threadTs: out.message.threadTs })).toBe(
			`slack-dm:${F.teamId}:${DM}`,
		);
	});

	it('keeps the text exactly as sent (mrkdwn, entities, mentions)', () => {
		const text = '*urgent* &lt;VPN&gt; <@U0EMP2> <https://intranet.acme.test|intranet>';
		expect(item(classify(messageIm({ user: F.employeeId, channel: DM, text }))).message.text).toBe(text);
	});

	it('marks Slack Connect partners as external, with their team', () => {
		const out = item(
			classify(slackConnectMessageIm({ user: F.partnerUserId, channel: 'D0PARTNERDM', text: 'Invoice question' })),
		);
		expect(out.user).toEqual({ id: F.partnerUserId, teamId: F.partnerTeamId, isExternal: true });
		expect(out.channel.isExtShared).toBe(true);
	});

	describe('Enterprise Grid: a colleague from another workspace of the same org is not a partner', () => {
		const otherWorkspace = 'T0OTHERWS';

		it('in Grid, another team in an unshared DM is internal', () => {
			// Inside one org the DM is not shared with another organisation.
			const payload = messageIm(
				{ user: 'W0COLLEAGUE', channel: DM, text: 'hi', userTeam: otherWorkspace },
				{ enterpriseId: 'E0GRID', isExtSharedChannel: false },
			);
			expect(item(classify(payload)).user).toEqual({ id: 'W0COLLEAGUE', teamId: otherWorkspace, isExternal: false });
		});

		it('in Grid, another team in a Slack Connect (externally shared) DM is a partner', () => {
			const payload = slackConnectMessageIm(
				{ user: F.partnerUserId, channel: 'D0PARTNERDM', text: 'x' },
				{ enterpriseId: 'E0GRID' },
			);
			expect(item(classify(payload)).user.isExternal).toBe(true);
		});

		it("the Grid org may come from the handle's auth.test instead of the envelope", () => {
			const gridSelf: SelfIdentity = { ...botSelf, enterpriseId: 'E0GRID' };
			const payload = messageIm(
				{ user: 'W0COLLEAGUE', channel: DM, text: 'hi', userTeam: otherWorkspace },
				{ isExtSharedChannel: false },
			);
			expect(item(classify(payload, {}, gridSelf)).user.isExternal).toBe(false);
		});

		it('outside Grid, another team is a partner as before', () => {
			const payload = messageIm(
				{ user: 'U0OTHER', channel: DM, text: 'hi', userTeam: otherWorkspace },
				{ isExtSharedChannel: false },
			);
			expect(item(classify(payload)).user.isExternal).toBe(true);
		});
	});

	it('carries the enterprise id when Slack sends one', () => {
		expect(
			item(classify(messageIm({ user: F.employeeId, channel: DM, text: 'hi' }, { enterpriseId: 'E0GRID' })))
				.enterpriseId,
		).toBe('E0GRID');
	});

	it('drops empty messages but keeps file-only messages', () => {
		expect(classify(messageIm({ user: F.employeeId, channel: DM, text: '' }))).toEqual(dropped('emptyMessage'));
		const files = [
			{
				id: 'F0PDF',
				name: 'invoice.pdf',
				mimetype: 'application/pdf',
				filetype: 'pdf',
				size: 2048,
				url_private_download: 'https://files.slack.com/d/invoice.pdf',
			},
		];
		expect(
			item(classify(fileShare({ user: F.employeeId, channel: DM, text: '', channelType: 'im', files }))).message.files,
		).toHaveLength(1);
	});

	it('a file without a size gets the unknown size (-1), not 0 (which would read as empty)', () => {
		const files = [
			{
				id: 'F0NOSIZE',
				name: 'scan.pdf',
				mimetype: 'application/pdf',
				filetype: 'pdf',
				url_private_download: 'https://files.slack.com/d/scan.pdf',
			},
		];
		const out = item(classify(fileShare({ user: F.employeeId, channel: DM, text: '', channelType: 'im', files })));
		expect(out.message.files[0].size).toBe(UNKNOWN_FILE_SIZE);
		expect(UNKNOWN_FILE_SIZE).toBeLessThan(0);
	});

	it('skips deleted (tombstoned) files', () => {
		const files = [
			{ id: 'F0GONE', mode: 'tombstone' },
			{
				id: 'F0OK',
				name: 'log.txt',
				mimetype: 'text/plain',
				filetype: 'text',
				size: 10,
				url_private_download: 'https://files.slack.com/d/log.txt',
			},
		];
		const out = item(classify(fileShare({ user: F.employeeId, channel: DM, text: 'logs', channelType: 'im', files })));
		expect(out.message.files.map((f) => f.id)).toEqual(['F0OK']);
	});
});

describe('subtypes', () => {
	it('passes plain, file_share and me_message; drops joins, topic changes and other system subtypes', () => {
		expect(item(classify(meMessage({ channel: DM, user: F.employeeId, text: 'waves' }))).kind).toBe('message');
		expect(classify(channelJoin({ channel: 'C0ITHELP', user: F.employeeId }), { channelMentions: true })).toEqual(
			dropped('systemSubtype'),
		);
		for (const subtype of [
			'channel_topic',
			'channel_purpose',
			'pinned_item',
			'message_replied',
			'ekm_access_denied',
			'channel_name',
		]) {
			expect(
				classify(systemMessage({ subtype, channel: DM, user: F.employeeId, text: 'x', channelType: 'im' }), {
					includeEdits: true,
					includeThreadReplies: true,
				}),
			).toEqual(dropped('systemSubtype'));
		}
	});
});

describe('echo prevention', () => {
	it('drops what this app posts with its bot token', () => {
		expect(classify(appMessage({ channel: DM, text: 'Agent reply' }))).toEqual(dropped('echoHandle'));
		// Even when the bot user were not the handle: bot_id / app_id give it away.
		expect(classify(appMessage({ channel: DM, text: 'Agent reply', user: 'U0SOMEONE' }))).toEqual(dropped('echoApp'));
	});

	it("drops posts this app made with the handle's user token (app_id, no bot_id)", () => {
		const post = appMessage(
			{ channel: DM, text: 'Agent reply', asBot: false, user: 'U0OTHERHUMAN' },
			{ authorizations: [userAuthorization(F.handleUserId)] },
		);
		expect(classify(post, {}, handleSelf)).toEqual(dropped('echoApp'));
	});

	it('drops messages the handle account writes itself (an agent logged in as the handle)', () => {
		const own = messageIm(
			{ user: F.handleUserId, channel: DM, text: 'typed by an agent' },
			{ authorizations: [userAuthorization(F.handleUserId)] },
		);
		expect(classify(own, {}, handleSelf)).toEqual(dropped('echoHandle'));
	});

	it('drops messages of any configured handle, e.g. one handle writing to another', () => {
		const handles = [
			{ userId: F.handleUserId, name: 'IT' },
			{ userId: F.hrHandleUserId, name: 'HR' },
		];
		const fromHr = messageIm(
			{ user: F.hrHandleUserId, channel: DM, text: 'hi IT' },
			{ authorizations: [userAuthorization(F.handleUserId)] },
		);
		expect(classify(fromHr, {}, handleSelf, handles)).toEqual(dropped('echoHandle'));
	});

	it('drops other bots and apps by default; ignoreAllBots off or an accepted app or bot id lets them through', () => {
		const other = botMessage({ channel: DM, text: 'Build failed', channelType: 'im' });
		expect(classify(other)).toEqual(dropped('echoBot'));
		expect(item(classify(other, { ignoreAllBots: false })).user.id).toBe('B0WEBHOOK');
		const otherApp = appMessage({
			channel: DM,
			text: 'Reminder',
			user: 'U0OTHERBOT',
			botId: 'B0OTHER',
			appId: 'A0OTHER',
		});
		expect(classify(otherApp)).toEqual(dropped('echoBot'));
		expect(item(classify(otherApp, { ignoreAllBots: false })).user.id).toBe('U0OTHERBOT');
		expect(item(classify(otherApp, { acceptedBotApps: ['A0OTHER'] })).user.id).toBe('U0OTHERBOT');
		expect(classify(otherApp, { acceptedBotApps: ['A0NOTTHIS'] })).toEqual(dropped('echoBot'));
	});

	it('counts as a bot: a bot_message without bot_id, and a user-token post that carries only an app id', () => {
		const bare = messageIm({ user: F.employeeId, channel: DM, text: 'Deploy done' });
		(bare.event as Record<string, unknown>).subtype = 'bot_message';
		expect(classify(bare)).toEqual(dropped('echoBot'));
		const viaApp = messageIm({ user: F.employeeId, channel: DM, text: 'Posted by a workflow' });
		(viaApp.event as Record<string, unknown>).app_id = 'A0WORKFLOW';
		expect(classify(viaApp)).toEqual(dropped('echoBot'));
		expect(item(classify(viaApp, { acceptedBotApps: ['A0WORKFLOW'] })).user.id).toBe(F.employeeId);
	});

	it('drops Slackbot (USLACKBOT, no bot_id) always, also with ignoreAllBots off, and edits of its posts', () => {
		const reminder = messageIm({ user: 'USLACKBOT', channel: DM, text: 'Reminder: submit your timesheet.' });
		expect(classify(reminder)).toEqual(dropped('slackbot'));
		expect(classify(reminder, { ignoreAllBots: true })).toEqual(dropped('slackbot'));
		const previous = { user: 'USLACKBOT', text: 'Reminder', ts: '1700000002.000100' };
		expect(
			classify(messageChanged({ channel: DM, previous, newText: 'Reminder (updated)' }), { includeEdits: true }),
		).toEqual(dropped('slackbot'));
		// A person is still a person.
		expect(item(classify(messageIm({ user: F.employeeId, channel: DM, text: 'help' }))).user.id).toBe(F.employeeId);
	});

	it("drops edits and deletions of the app's or the handle's own messages", () => {
		const previous = { user: F.botUserId, text: 'Agent reply', ts: '1700000002.000100' };
		expect(
			classify(messageChanged({ channel: DM, previous, newText: 'Agent reply (edited)' }), { includeEdits: true }),
		).toEqual(dropped('echoHandle'));
		expect(classify(messageDeleted({ channel: DM, previous }), { includeEdits: true })).toEqual(dropped('echoHandle'));
	});

	it('echoReason checks every identity signal', () => {
		const ctx = { self: botSelf, handles: resolveHandles([], botSelf), options: DEFAULT_FILTER_OPTIONS };
		const env = { api_app_id: F.appId };
		expect(echoReason({ user: F.employeeId }, env, ctx)).toBeUndefined();
		expect(echoReason({ user: F.employeeId, bot_id: F.botId }, env, ctx)).toBe('echoApp');
		expect(echoReason({ user: F.employeeId, bot_profile: { app_id: F.appId } }, env, ctx)).toBe('echoApp');
		expect(echoReason({ user: F.employeeId, app_id: F.appId }, env, ctx)).toBe('echoApp');
		expect(echoReason({ user: F.employeeId, app_id: 'A0OTHER' }, env, ctx)).toBe('echoBot');
		expect(
			echoReason({ user: F.employeeId, app_id: 'A0OTHER' }, env, {
				...ctx,
				options: { ...DEFAULT_FILTER_OPTIONS, ignoreAllBots: false },
			}),
		).toBeUndefined();
		expect(echoReason(undefined, env, ctx)).toBeUndefined();
	});
});

describe('group DMs', () => {
	it('are dropped by default and emitted with participants wanted when enabled', () => {
		const payload = messageMpim({ user: F.employeeId, channel: GROUP, text: 'We both cannot log in' });
		expect(classify(payload)).toEqual(dropped('groupDmNotEnabled'));
		const decision = classify(payload, { includeGroupDms: true });
		expect(decision).toMatchObject({
			action: 'emit',
			needsParticipants: true,
			item: { channel: { id: GROUP, type: 'mpim' } },
		});
	});

	it("participants are the members without the handles and the token's user", () => {
		expect(
			groupParticipants([F.employeeId, F.botUserId, F.employee2Id, F.handleUserId], botSelf, [
				{ userId: F.handleUserId, name: 'IT' },
			]),
		).toEqual([F.employeeId, F.employee2Id]);
	});
});

describe('threads', () => {
	const root = '1700000010.000100';
	const reply = () =>
		threadReply({
			user: F.employeeId,
			channel: DM,
			text: 'more detail',
			channelType: 'im',
			threadTs: root,
			parentUserId: F.employeeId,
		});

	it('replies are dropped by default', () => {
		expect(classify(reply())).toEqual(dropped('threadReply'));
	});

	it('replies carry the thread key when enabled, and the key matches ticketExternalId', () => {
		const out = item(classify(reply(), { includeThreadReplies: true }));
		expect(out.message).toMatchObject({ threadTs: root, threadKey: `${DM}:${root}` });
		expect(ticketExternalId({ teamId: out.teamId, channelId: out.channel.id, threadTs: out.message.threadTs })).toBe(
			`slack-dm:${F.teamId}:${DM}:${root}`,
		);
	});

	it("a thread's root message is an ordinary message", () => {
		const rootMessage = messageIm({ user: F.employeeId, channel: DM, text: 'start', ts: root, threadTs: root });
		expect(item(classify(rootMessage)).message.threadKey).toBeUndefined();
	});

	it('edits of thread replies follow the thread option', () => {
		const edit = messageChanged({
			channel: DM,
			channelType: 'im',
			previous: { user: F.employeeId, text: 'a', ts: '1700000011.000100', threadTs: root },
			newText: 'b',
		});
		expect(classify(edit, { includeEdits: true })).toEqual(dropped('threadReply'));
		expect(item(classify(edit, { includeEdits: true, includeThreadReplies: true })).message.threadKey).toBe(
			`${DM}:${root}`,
		);
	});
});

describe('channels and mentions', () => {
	it('ordinary channel messages start nothing, with or without the mention option', () => {
		const payload = channelMessage({ user: F.employeeId, channel: F.helpChannelId, text: 'lunch?' });
		expect(classify(payload)).toEqual(dropped('channelMessage'));
		expect(classify(payload, { channelMentions: true })).toEqual(dropped('channelMessage'));
	});

	it('a mention of the bot handle (app_mention) starts nothing by default, opens a conversation per thread when enabled', () => {
		const payload = appMention({
			user: F.employeeId,
			channel: F.helpChannelId,
			text: `<@${F.botUserId}> printer jammed`,
			ts: '1700000020.000100',
		});
		expect(classify(payload)).toEqual(dropped('mentionNotEnabled'));
		const out = item(classify(payload, { channelMentions: true }));
		expect(out.channel).toMatchObject({ id: F.helpChannelId, type: 'channel' });
		expect(out.message.threadKey).toBe(`${F.helpChannelId}:1700000020.000100`);
	});

	it('the same mention delivered as message.channels and app_mention shares one idempotency key', () => {
		const ts = '1700000021.000100';
		const text = `<@${F.botUserId}> help`;
		const asMessage = item(
			classify(channelMessage({ user: F.employeeId, channel: F.helpChannelId, text, ts }), { channelMentions: true }),
		);
		const asMention = item(
			classify(appMention({ user: F.employeeId, channel: F.helpChannelId, text, ts }), { channelMentions: true }),
		);
		expect(asMessage.idempotencyKey).toBe(asMention.idempotencyKey);
		expect(asMessage.eventId).not.toBe(asMention.eventId);
	});

	it('a mention of a user handle (user-token mode) in a channel routes to that handle', () => {
		const handles = [
			{ userId: F.handleUserId, name: 'IT' },
			{ userId: F.hrHandleUserId, name: 'HR' },
		];
		const payload = channelMessage(
			{ user: F.employeeId, channel: F.helpChannelId, text: `payroll question <@${F.hrHandleUserId}>` },
			{ authorizations: [userAuthorization(F.hrHandleUserId)] },
		);
		expect(item(classify(payload, { channelMentions: true }, handleSelf, handles)).handle.name).toBe('HR');
	});
});

describe('edits and deletions', () => {
	const previous = { user: F.employeeId, text: 'printer broken', ts: '1700000030.000100' };

	it('are dropped by default', () => {
		expect(classify(messageChanged({ channel: DM, previous, newText: 'printer fixed' }))).toEqual(
			dropped('editsNotEnabled'),
		);
		expect(classify(messageDeleted({ channel: DM, previous }))).toEqual(dropped('editsNotEnabled'));
	});

	it('become kind edit / delete with their own idempotency keys when enabled', () => {
		const edit = item(
			classify(messageChanged({ channel: DM, previous, newText: 'printer fixed', editedTs: '1700000031.000100' }), {
				includeEdits: true,
			}),
		);
		expect(edit).toMatchObject({
			kind: 'edit',
			message: { ts: previous.ts, text: 'printer fixed', previousText: 'printer broken' },
		});
		const deletion = item(
			classify(messageDeleted({ channel: DM, previous, deletedAtTs: '1700000032.000100' }), { includeEdits: true }),
		);
		expect(deletion).toMatchObject({
			kind: 'delete',
			user: { id: F.employeeId },
			message: { ts: previous.ts, text: '', previousText: 'printer broken' },
		});
		const original = item(
			classify(messageIm({ user: F.employeeId, channel: DM, text: previous.text, ts: previous.ts })),
		);
		expect(new Set([original.idempotencyKey, edit.idempotencyKey, deletion.idempotencyKey]).size).toBe(3);
	});

	it('carry when the change happened (eventTs), so it is written after the messages sent before it', () => {
		const edit = item(
			classify(messageChanged({ channel: DM, previous, newText: 'printer fixed', editedTs: '1700000031.000100' }), {
				includeEdits: true,
			}),
		);
		const deletion = item(
			classify(messageDeleted({ channel: DM, previous, deletedAtTs: '1700000032.000100' }), { includeEdits: true }),
		);
		const original = item(
			classify(messageIm({ user: F.employeeId, channel: DM, text: previous.text, ts: previous.ts })),
		);
		expect(edit.message.eventTs).toBe('1700000031.000100');
		expect(deletion.message.eventTs).toBe('1700000032.000100');
		// A new message is its own event: its ts says when.
		expect(original.message.eventTs).toBeUndefined();
	});

	it('a message_changed that only adds an unfurl is not an edit', () => {
		const unfurl = messageChanged({
			channel: DM,
			previous: { ...previous, text: 'see https://status.acme.test' },
			newText: 'see https://status.acme.test',
		});
		delete (unfurl.event.message as Record<string, unknown>).edited;
		expect(classify(unfurl, { includeEdits: true })).toEqual(dropped('notAnEdit'));
	});
});

describe('handles', () => {
	const handles = [
		{ userId: F.handleUserId, name: 'IT' },
		{ userId: F.hrHandleUserId, name: 'HR' },
	];

	it('names the handle a DM was delivered for (several handles on one app: Switch on handle.name)', () => {
		const toHr = messageIm(
			{ user: F.employeeId, channel: 'D0HRDM', text: 'payslip' },
			{ authorizations: [userAuthorization(F.hrHandleUserId)] },
		);
		const toIt = messageIm(
			{ user: F.employeeId, channel: 'D0ITDM', text: 'laptop' },
			{ authorizations: [userAuthorization(F.handleUserId)] },
		);
		expect(item(classify(toHr, {}, handleSelf, handles)).handle).toMatchObject({
			name: 'HR',
			userId: F.hrHandleUserId,
		});
		expect(item(classify(toIt, {}, handleSelf, handles)).handle).toMatchObject({ name: 'IT', userId: F.handleUserId });
	});

	it("a trigger with its own credential emits only its own handle's DMs", () => {
		const toHr = messageIm(
			{ user: F.employeeId, channel: 'D0HRDM', text: 'payslip' },
			{ authorizations: [userAuthorization(F.hrHandleUserId)] },
		);
		expect(classify(toHr, {}, handleSelf)).toEqual(dropped('notForThisHandle'));
		const toBotOfAnotherWorkspace = messageIm(
			{ user: F.employeeId, channel: DM, text: 'hi' },
			{ authorizations: [botAuthorization('T0OTHER', 'U0OTHERBOT')] },
		);
		expect(classify(toBotOfAnotherWorkspace)).toEqual(dropped('notForThisHandle'));
	});

	it('without authorizations in the envelope a single handle is assumed; with several the members decide', () => {
		const bare = messageIm({ user: F.employeeId, channel: DM, text: 'hi' }) as unknown as Record<string, unknown>;
		bare.authorizations = [];
		bare.authed_users = [];
		expect(item(classify(bare, {}, handleSelf)).handle.name).toBe('it-help');
		expect(classify(bare, {}, handleSelf, handles)).toEqual({ action: 'lookupMembers', channelId: DM });
		expect(
			item(classifyWith(bare, { conversationMembers: [F.employeeId, F.hrHandleUserId] }, handles)).handle,
		).toMatchObject({ name: 'HR' });
	});

	describe('Slack names one installation user only (authorizations truncated since 2020-09-15)', () => {
		// The employee installed the app too: Slack may name them instead of the handle.
		const truncated = () =>
			messageIm(
				{ user: F.employeeId, channel: 'D0HRDM', text: 'payslip' },
				{ authorizations: [userAuthorization(F.employeeId)] },
			);

		it('naming the sender of a 1:1 DM: the handle is looked up among the members, not dropped', () => {
			expect(classify(truncated(), {}, handleSelf, handles)).toEqual({ action: 'lookupMembers', channelId: 'D0HRDM' });
			const out = item(classifyWith(truncated(), { conversationMembers: [F.employeeId, F.hrHandleUserId] }, handles));
			expect(out.handle).toMatchObject({ name: 'HR', userId: F.hrHandleUserId });
		});

		it('a conversation this process already saw addressed to a handle needs no lookup', () => {
			expect(item(classifyWith(truncated(), { knownConversationHandle: F.hrHandleUserId }, handles)).handle.name).toBe(
				'HR',
			);
		});

		it('members without a listed handle: not for this trigger; members unknown: handleUnknown (logged)', () => {
			expect(classifyWith(truncated(), { conversationMembers: [F.employeeId, 'U0SOMEONE'] }, handles)).toEqual(
				dropped('notForThisHandle'),
			);
			expect(classifyWith(truncated(), { conversationMembers: 'unavailable' }, handles)).toEqual(
				dropped('handleUnknown'),
			);
		});

		it('naming someone other than the sender of a 1:1 DM: that is the recipient, a handle not listed here', () => {
			const toOther = messageIm(
				{ user: F.employeeId, channel: 'D0XDM', text: 'x' },
				{ authorizations: [userAuthorization('U0OTHERHANDLE')] },
			);
			expect(classify(toOther, {}, handleSelf, handles)).toEqual(dropped('notForThisHandle'));
		});

		it('uses authed_users when present, like authorizations', () => {
			const legacy = truncated() as unknown as Record<string, unknown>;
			legacy.authed_users = [F.employeeId, F.hrHandleUserId];
			expect(item(classify(legacy, {}, handleSelf, handles)).handle.name).toBe('HR');
		});

		it('group DMs: the handle among the members', () => {
			const group = messageMpim(
				{ user: F.employeeId, channel: GROUP, text: 'x' },
				{ authorizations: [userAuthorization(F.employee2Id)] },
			);
			expect(classify(group, { includeGroupDms: true }, handleSelf, handles)).toEqual({
				action: 'lookupMembers',
				channelId: GROUP,
			});
			const out = item(
				classifyWith(group, { conversationMembers: [F.employeeId, F.employee2Id, F.handleUserId] }, handles, {
					includeGroupDms: true,
				}),
			);
			expect(out.handle.name).toBe('IT');
		});

		it("learns a DM's handle from envelopes naming it and from the handle's own replies", () => {
			const named = messageIm(
				{ user: F.employeeId, channel: 'D0HRDM', text: 'x' },
				{ authorizations: [userAuthorization(F.hrHandleUserId)] },
			);
			expect(learnedConversationHandle(parse(named), handles)).toEqual({
				channelId: 'D0HRDM',
				userId: F.hrHandleUserId,
			});
			const reply = messageIm(
				{ user: F.hrHandleUserId, channel: 'D0HRDM2', text: 'Here is your payslip' },
				{ authorizations: [userAuthorization(F.employeeId)] },
			);
			expect(learnedConversationHandle(parse(reply), handles)).toEqual({
				channelId: 'D0HRDM2',
				userId: F.hrHandleUserId,
			});
			expect(learnedConversationHandle(parse(truncated()), handles)).toBeUndefined();
		});
	});

	it("resolveHandles defaults to the credential's own user and ignores blank or repeated entries", () => {
		expect(resolveHandles(undefined, handleSelf)).toEqual([{ userId: F.handleUserId, name: 'it-help' }]);
		expect(resolveHandles([{ userId: ' ', name: 'x' }], handleSelf)).toEqual([
			{ userId: F.handleUserId, name: 'it-help' },
		]);
		expect(
			resolveHandles(
				[
					{ userId: 'U1', name: 'IT' },
					{ userId: 'U1', name: 'dup' },
					{ userId: 'U2', name: '' },
				],
				handleSelf,
			),
		).toEqual([
			{ userId: 'U1', name: 'IT' },
			{ userId: 'U2', name: 'U2' },
		]);
	});
});

describe('malformed events', () => {
	it('drops message events without channel or ts', () => {
		const noTs = userMessageEvent({ user: F.employeeId, channel: DM, text: 'x', channelType: 'im' });
		delete noTs.ts;
		expect(classify(envelope(noTs))).toEqual(dropped('malformedEvent'));
		const noChannel = userMessageEvent({ user: F.employeeId, channel: DM, text: 'x', channelType: 'im' });
		delete noChannel.channel;
		expect(classify(envelope(noChannel))).toEqual(dropped('malformedEvent'));
	});
});
