/**
 * The classifier over every event sample of specs/slack/event-samples (field supersets
 * with blanked values). `fillSample` gives the blanks realistic values: known ids get ids of one
 * workspace, and blank optional fields a real event would not carry (bot_id on a person's
 * message, an empty subtype…) are removed, as Slack omits them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ClassifyContext, TriggerFilterOptions } from '../../../../../nodes/SlackDmTrigger/helpers/classify';
import { DEFAULT_FILTER_OPTIONS, classifyEvent } from '../../../../../nodes/SlackDmTrigger/helpers/classify';
import type { SlackEventCallback } from '../../../../../nodes/shared/slack/events';
import { classifyEnvelope } from '../../../../../nodes/shared/slack/events';
import { SLACK_SPECS_DIR } from '../../../../harness/specsDir';

const SAMPLES_DIR = path.join(SLACK_SPECS_DIR, 'event-samples');

const TEAM = 'T0ACME';
const APP = 'A0BRIDGE';
const BOT_USER = 'U0HANDLEBOT';
const EMPLOYEE = 'U0EMPLOYEE';
const DM = 'D0EMPDM';
const TS = '1700000000.000100';
const EDIT_TS = '1700000100.000200';

/** Values for blank string fields, by key name. */
const FILL: Record<string, string> = {
	token: 'verification-token',
	team_id: TEAM,
	api_app_id: APP,
	event_id: 'Ev0SAMPLE0001',
	event_context: '4-eyJldCI6Im1lc3NhZ2UifQ',
	user: EMPLOYEE,
	user_id: BOT_USER,
	team: TEAM,
	user_team: TEAM,
	source_team: TEAM,
	channel: DM,
	channel_type: 'im',
	ts: TS,
	event_ts: TS,
	deleted_ts: TS,
	text: 'My laptop does not start',
	client_msg_id: '3f1b6c2e-8d1a-4b57-9b0e-2f5c8e7a9d10',
	id: 'F0FILE0001',
	name: 'screenshot.png',
	title: 'screenshot.png',
	mimetype: 'image/png',
	filetype: 'png',
	url_private: 'https://files.slack.com/files-pri/T0ACME-F0FILE0001/screenshot.png',
	url_private_download: 'https://files.slack.com/files-pri/T0ACME-F0FILE0001/download/screenshot.png',
};

function fill(value: unknown, key = ''): unknown {
	if (Array.isArray(value)) {
		return value.map((v) => fill(v, key === 'authed_users' ? 'user_id' : key)).filter((v) => v !== undefined);
	}
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) {
			const filled = fill(v, k);
			if (filled !== undefined) out[k] = filled;
		}
		return out;
	}
	if (value === '') return FILL[key];
	return value;
}

function loadSample(file: string): Record<string, unknown> & { event: Record<string, unknown> } {
	const raw = JSON.parse(fs.readFileSync(path.join(SAMPLES_DIR, file), 'utf8'));
	const sample = fill(raw) as Record<string, unknown> & { event: Record<string, unknown> };
	sample.type = 'event_callback';
	delete sample.enterprise_id;
	// The samples give every message a blank bot_profile; Slack sends one only on what a bot or
	// app posted (MessageBotPayload keeps its own).
	if (file !== 'MessageBotPayload.json') {
		for (const message of [sample.event, sample.event.message, sample.event.previous_message] as Array<
			Record<string, unknown> | undefined
		>) {
			if (message) delete message.bot_profile;
		}
	}
	return sample;
}

const bot: ClassifyContext['self'] = { userId: BOT_USER, userName: 'bridge', teamId: TEAM, botId: 'B0BRIDGE' };

function classify(sample: unknown, options: Partial<TriggerFilterOptions> = {}) {
	const envelope = classifyEnvelope(sample);
	if (envelope.kind !== 'eventCallback') throw new Error(`sample is not an event callback: ${envelope.kind}`);
	return classifyEvent(envelope.envelope as SlackEventCallback, {
		self: bot,
		handles: [{ userId: BOT_USER, name: 'IT' }],
		options: { ...DEFAULT_FILTER_OPTIONS, ...options },
		receivedAt: '2024-01-01T00:00:00.000Z',
	});
}

function emitted(decision: ReturnType<typeof classify>) {
	if (decision.action !== 'emit')
		throw new Error(`expected emit, got ${decision.action === 'drop' ? `drop (${decision.reason})` : decision.action}`);
	return decision.item;
}

describe("classifier over Slack's event samples", () => {
	it('covers every sample file', () => {
		expect(fs.readdirSync(SAMPLES_DIR).sort()).toEqual([
			'AppMentionPayload.json',
			'MessageBotPayload.json',
			'MessageChangedPayload.json',
			'MessageDeletedPayload.json',
			'MessageFileSharePayload.json',
			'MessageMePayload.json',
			'MessagePayload.json',
			'MessageRepliedPayload.json',
			'MessageThreadBroadcastPayload.json',
		]);
	});

	it('MessagePayload: a DM becomes one message item with the documented fields', () => {
		const sample = loadSample('MessagePayload.json');
		const item = emitted(classify(sample));
		expect(item).toMatchObject({
			eventId: 'Ev0SAMPLE0001',
			idempotencyKey: `slack:${TEAM}:${DM}:${TS}`,
			teamId: TEAM,
			handle: { name: 'IT', userId: BOT_USER, botId: 'B0BRIDGE', appId: APP, teamId: TEAM },
			user: { id: EMPLOYEE, teamId: TEAM, isExternal: false },
			channel: { id: DM, type: 'im', isExtShared: false },
			message: { ts: TS, text: 'My laptop does not start', files: [] },
			kind: 'message',
			receivedAt: '2024-01-01T00:00:00.000Z',
		});
		// thread_ts equal to ts marks a thread's root: not a reply, no thread key.
		expect(item.message.threadKey).toBeUndefined();
		expect(item.message.blocks).toEqual(sample.event.blocks);
		expect(item.raw).toBeUndefined();
		expect(item.enterpriseId).toBeUndefined();
	});

	it('MessagePayload with includeRawEvent carries the envelope without its verification token', () => {
		const item = emitted(classify(loadSample('MessagePayload.json'), { includeRawEvent: true }));
		expect(item.raw).toMatchObject({ event_id: 'Ev0SAMPLE0001', api_app_id: APP });
		expect(JSON.stringify(item.raw)).not.toContain('verification-token');
	});

	it("MessageBotPayload: another bot is dropped by default, passes when accepted by app or bot id or with ignoreAllBots off, and this app's bot is always an echo", () => {
		const sample = loadSample('MessageBotPayload.json');
		sample.event.bot_id = 'B0OTHERBOT';
		(sample.event.bot_profile as Record<string, unknown>) = { id: 'B0OTHERBOT', app_id: 'A0OTHERAPP' };
		expect(classify(sample)).toEqual({ action: 'drop', reason: 'echoBot' });
		expect(emitted(classify(sample, { ignoreAllBots: false })).user.id).toBe('B0OTHERBOT');
		expect(emitted(classify(sample, { acceptedBotApps: ['A0OTHERAPP'] })).user.id).toBe('B0OTHERBOT');
		expect(emitted(classify(sample, { acceptedBotApps: ['B0OTHERBOT'] })).user.id).toBe('B0OTHERBOT');
		expect(classify(sample, { acceptedBotApps: ['A0SOMEONEELSE'] })).toEqual({ action: 'drop', reason: 'echoBot' });
		sample.event.bot_id = 'B0BRIDGE';
		(sample.event.bot_profile as Record<string, unknown>) = { id: 'B0BRIDGE', app_id: APP };
		expect(classify(sample, { ignoreAllBots: false, acceptedBotApps: [APP, 'B0BRIDGE'] })).toEqual({
			action: 'drop',
			reason: 'echoApp',
		});
	});

	it('MessageChangedPayload: dropped by default, an edit item with the earlier text when edits are on', () => {
		const sample = loadSample('MessageChangedPayload.json');
		sample.event.event_ts = EDIT_TS;
		(sample.event.message as Record<string, unknown>).text = 'My laptop does not start after the update';
		expect(classify(sample)).toEqual({ action: 'drop', reason: 'editsNotEnabled' });
		const item = emitted(classify(sample, { includeEdits: true }));
		expect(item.kind).toBe('edit');
		expect(item.message).toMatchObject({
			ts: TS,
			text: 'My laptop does not start after the update',
			previousText: 'My laptop does not start',
		});
		expect(item.idempotencyKey).toBe(`slack:${TEAM}:${DM}:${TS}:edit:${EDIT_TS}`);
	});

	it("MessageChangedPayload wrapping the handle's own message is an echo", () => {
		const sample = loadSample('MessageChangedPayload.json');
		(sample.event.message as Record<string, unknown>).user = BOT_USER;
		(sample.event.message as Record<string, unknown>).text = 'edited reply';
		expect(classify(sample, { includeEdits: true })).toEqual({ action: 'drop', reason: 'echoHandle' });
	});

	it('MessageDeletedPayload: dropped by default, a delete item with the deleted text when edits are on', () => {
		const sample = loadSample('MessageDeletedPayload.json');
		sample.event.event_ts = EDIT_TS;
		expect(classify(sample)).toEqual({ action: 'drop', reason: 'editsNotEnabled' });
		const item = emitted(classify(sample, { includeEdits: true }));
		expect(item.kind).toBe('delete');
		expect(item.user.id).toBe(EMPLOYEE);
		expect(item.message).toMatchObject({ ts: TS, text: '', previousText: 'My laptop does not start' });
		expect(item.idempotencyKey).toBe(`slack:${TEAM}:${DM}:${TS}:delete:${EDIT_TS}`);
	});

	it('MessageFileSharePayload: files with id, name, mimetype, size, download URL and stub flag', () => {
		const sample = loadSample('MessageFileSharePayload.json');
		const item = emitted(classify(sample));
		expect(item.message.files).toEqual([
			{
				id: 'F0FILE0001',
				name: 'screenshot.png',
				mimetype: 'image/png',
				filetype: 'png',
				size: 123,
				downloadUrl: 'https://files.slack.com/files-pri/T0ACME-F0FILE0001/download/screenshot.png',
				isSlackConnectStub: false,
			},
		]);
		const file = (sample.event.files as Array<Record<string, unknown>>)[0];
		file.file_access = 'check_file_info';
		expect(emitted(classify(sample)).message.files[0].isSlackConnectStub).toBe(true);
	});

	it('MessageMePayload: a /me message is a person speaking and passes', () => {
		const item = emitted(classify(loadSample('MessageMePayload.json')));
		expect(item.kind).toBe('message');
		expect(item.user.id).toBe(EMPLOYEE);
	});

	it('MessageRepliedPayload: a system notice about a thread, dropped', () => {
		expect(
			classify(loadSample('MessageRepliedPayload.json'), { includeThreadReplies: true, includeEdits: true }),
		).toEqual({
			action: 'drop',
			reason: 'systemSubtype',
		});
	});

	it('MessageThreadBroadcastPayload: a thread reply; dropped by default, with its thread key when threads are on', () => {
		const sample = loadSample('MessageThreadBroadcastPayload.json');
		sample.event.thread_ts = '1699999999.000001';
		expect(classify(sample)).toEqual({ action: 'drop', reason: 'threadReply' });
		const item = emitted(classify(sample, { includeThreadReplies: true }));
		expect(item.message).toMatchObject({ ts: TS, threadTs: '1699999999.000001', threadKey: `${DM}:1699999999.000001` });
	});

	it('AppMentionPayload: a channel mention starts nothing by default; opens its own thread conversation when enabled', () => {
		const sample = loadSample('AppMentionPayload.json');
		sample.event.channel = 'C0ITHELP';
		sample.event.text = `<@${BOT_USER}> the printer on floor 2 is jammed`;
		delete sample.event.thread_ts;
		expect(classify(sample)).toEqual({ action: 'drop', reason: 'mentionNotEnabled' });
		const item = emitted(classify(sample, { channelMentions: true }));
		expect(item.channel).toMatchObject({ id: 'C0ITHELP', type: 'channel' });
		expect(item.message).toMatchObject({ threadTs: TS, threadKey: `C0ITHELP:${TS}` });
		sample.event.text = 'no mention here';
		expect(classify(sample, { channelMentions: true })).toEqual({ action: 'drop', reason: 'channelMessage' });
	});
});
