/** Event builders and request signing of the Slack emulator, against Slack's samples and test vector. */
import Ajv from 'ajv';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as builders from '../../../../emulators/slack/builders';
import { FIXTURE_IDS } from '../../../../emulators/slack/fixtures';
import { signSlackRequest } from '../../../../emulators/slack/signing';
import { SlackEventsDriver } from '../../../../emulators/slack/events';
import { SLACK_SPECS_DIR, eventSampleFor, eventSampleProblems, sampleProblems } from '../../../harness/slackSpec';

const f = FIXTURE_IDS;

describe('signing', () => {
	it("reproduces Slack's published v0 test vector", () => {
		const body =
			'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
		const expected = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
		expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(expected);
		expect(
			new SlackEventsDriver({ url: 'http://127.0.0.1:1', signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' }).sign(
				'1531420618',
				Buffer.from(body),
			),
		).toBe(expected);
	});

	it('changes with the body, the timestamp and the secret', () => {
		const base = signSlackRequest('secret', 1, '{}');
		expect(signSlackRequest('secret', 2, '{}')).not.toBe(base);
		expect(signSlackRequest('secret', 1, '{ }')).not.toBe(base);
		expect(signSlackRequest('other', 1, '{}')).not.toBe(base);
		expect(base).toBe(`v0=${createHmac('sha256', 'secret').update('v0:1:{}').digest('hex')}`);
	});
});

const dm = 'D0000000A';
const parentTs = '1700000000.000100';
const file = {
	id: 'F0000000A',
	name: 'a.pdf',
	mimetype: 'application/pdf',
	filetype: 'pdf',
	size: 3,
	url_private_download: 'http://x/download/a.pdf',
	user: f.employeeId,
};

/** Every builder with typical input, and the vendor sample that describes its payload. */
const cases: Array<[string, () => builders.SlackEventEnvelope]> = [
	['message.im', () => builders.messageIm({ user: f.employeeId, channel: dm, text: 'Hello' })],
	['message.mpim', () => builders.messageMpim({ user: f.employeeId, channel: 'G0000000A', text: 'Hi all' })],
	[
		'channel message',
		() => builders.channelMessage({ user: f.employeeId, channel: f.helpChannelId, text: 'Hi channel' }),
	],
	[
		'thread reply',
		() =>
			builders.threadReply({
				user: f.employeeId,
				channel: dm,
				text: 'more',
				threadTs: parentTs,
				parentUserId: f.employeeId,
			}),
	],
	['file_share', () => builders.fileShare({ user: f.employeeId, channel: dm, text: 'see file', files: [file] })],
	[
		'app_mention',
		() => builders.appMention({ user: f.employeeId, channel: f.helpChannelId, text: `<@${f.botUserId}> help` }),
	],
	[
		'message_changed',
		() =>
			builders.messageChanged({
				channel: dm,
				previous: { user: f.employeeId, text: 'old', ts: parentTs },
				newText: 'new',
			}),
	],
	[
		'message_deleted',
		() => builders.messageDeleted({ channel: dm, previous: { user: f.employeeId, text: 'old', ts: parentTs } }),
	],
	['bot_message', () => builders.botMessage({ channel: dm, text: 'from a webhook' })],
	['app message (bot token)', () => builders.appMessage({ channel: dm, text: 'agent reply', threadTs: parentTs })],
	['app message (handle user token)', () => builders.appMessage({ channel: dm, text: 'agent reply', asBot: false })],
	[
		'Slack Connect message.im',
		() => builders.slackConnectMessageIm({ user: f.partnerUserId, channel: dm, text: 'from a partner' }),
	],
	['channel_join', () => builders.channelJoin({ channel: f.helpChannelId, user: f.employee2Id })],
	['me_message', () => builders.meMessage({ channel: dm, user: f.employeeId, text: 'waves' })],
];

const wrapperSchema = JSON.parse(fs.readFileSync(path.join(SLACK_SPECS_DIR, 'event-wrapper-schema.json'), 'utf8'));
const validateWrapper = new Ajv({ strict: false }).compile(wrapperSchema);

describe('event builders', () => {
	it.each(cases)('%s: conforms to the event sample and the wrapper schema', (_name, build) => {
		const payload = build();
		expect(eventSampleProblems(eventSampleFor(payload.event), payload)).toEqual([]);
		expect(validateWrapper(payload) ? [] : validateWrapper.errors).toEqual([]);
		expect(payload).toMatchObject({
			type: 'event_callback',
			team_id: f.teamId,
			api_app_id: f.appId,
			token: f.verificationToken,
		});
		expect(payload.authorizations).toEqual([
			{ enterprise_id: null, team_id: f.teamId, user_id: f.botUserId, is_bot: true, is_enterprise_install: false },
		]);
		expect(payload.event_time).toBe(Math.floor(Number(payload.event.event_ts)));
		expect(payload.event_context).toMatch(/^4-/);
	});

	it('gives every envelope its own event_id and every message its own ts', () => {
		const payloads = cases.map(([, build]) => build());
		expect(new Set(payloads.map((p) => p.event_id)).size).toBe(payloads.length);
		const a = builders.messageIm({ user: f.employeeId, channel: dm, text: 'a' });
		const b = builders.messageIm({ user: f.employeeId, channel: dm, text: 'b' });
		expect(Number(b.event.ts)).toBeGreaterThan(Number(a.event.ts));
	});

	it('marks Slack Connect senders: user_team and source_team, is_ext_shared_channel', () => {
		const internal = builders.messageIm({ user: f.employeeId, channel: dm, text: 'x' });
		expect(internal.is_ext_shared_channel).toBe(false);
		expect(internal.event.user_team).toBeUndefined();
		const partner = builders.slackConnectMessageIm({ user: f.partnerUserId, channel: dm, text: 'x' });
		expect(partner.is_ext_shared_channel).toBe(true);
		expect(partner.event).toMatchObject({
			team: f.partnerTeamId,
			user_team: f.partnerTeamId,
			source_team: f.partnerTeamId,
			channel_type: 'im',
		});
		expect(partner.team_id).toBe(f.teamId);
	});

	it('shapes thread replies, edits, deletions and bot messages as Slack does', () => {
		expect(
			builders.threadReply({
				user: f.employeeId,
				channel: dm,
				text: 'r',
				threadTs: parentTs,
				parentUserId: f.botUserId,
			}).event,
		).toMatchObject({
			thread_ts: parentTs,
			parent_user_id: f.botUserId,
		});
		const changed = builders.messageChanged({
			channel: dm,
			previous: { user: f.employeeId, text: 'old', ts: parentTs },
			newText: 'new',
		}).event;
		expect(changed).toMatchObject({
			subtype: 'message_changed',
			hidden: true,
			message: { text: 'new', ts: parentTs, edited: { user: f.employeeId } },
			previous_message: { text: 'old' },
		});
		const deleted = builders.messageDeleted({
			channel: dm,
			previous: { user: f.employeeId, text: 'old', ts: parentTs },
		}).event;
		expect(deleted).toMatchObject({ subtype: 'message_deleted', hidden: true, deleted_ts: parentTs });
		expect(deleted.ts).not.toBe(parentTs);
		const legacy = builders.botMessage({ channel: dm, text: 't' }).event;
		expect(legacy.subtype).toBe('bot_message');
		expect(legacy.user).toBeUndefined();
		const app = builders.appMessage({ channel: dm, text: 't' }).event;
		expect(app).toMatchObject({
			user: f.botUserId,
			bot_id: f.botId,
			app_id: f.appId,
			bot_profile: { app_id: f.appId },
		});
		expect(app.subtype).toBeUndefined();
		const handle = builders.appMessage({ channel: dm, text: 't', asBot: false }).event;
		expect(handle).toMatchObject({ user: f.handleUserId, app_id: f.appId });
		expect(handle.bot_id).toBeUndefined();
	});

	it('builds url_verification and app_rate_limited payloads', () => {
		expect(builders.urlVerification('abc')).toEqual({
			token: f.verificationToken,
			challenge: 'abc',
			type: 'url_verification',
		});
		const limited = builders.appRateLimited({ minuteRateLimited: 1518467820 });
		expect(limited).toEqual({
			token: f.verificationToken,
			type: 'app_rate_limited',
			team_id: f.teamId,
			minute_rate_limited: 1518467820,
			api_app_id: f.appId,
		});
	});

	it('the sample checker rejects an event field Slack does not send', () => {
		const payload = builders.messageIm({ user: f.employeeId, channel: dm, text: 'x' });
		expect(
			sampleProblems(
				{ ...payload, event: { ...payload.event, sender: 'U1' } },
				JSON.parse(fs.readFileSync(path.join(SLACK_SPECS_DIR, 'event-samples/MessagePayload.json'), 'utf8')),
			),
		).toContain('$.event.sender: not in the sample');
	});
});

describe('channel_type of G ids', () => {
	it('a G id is a group DM or a private channel: builders need it said explicitly', () => {
		const f = FIXTURE_IDS;
		expect(() => builders.userMessageEvent({ user: f.employeeId, channel: 'G0PRIVATE', text: 'x' })).toThrow(
			/pass channelType/,
		);
		expect(
			builders.channelMessage({ user: f.employeeId, channel: 'G0PRIVATE', text: 'x', channelType: 'group' }).event
				.channel_type,
		).toBe('group');
		expect(builders.messageMpim({ user: f.employeeId, channel: 'G0GROUPDM', text: 'x' }).event.channel_type).toBe(
			'mpim',
		);
		expect(builders.channelTypeOf('D0DM')).toBe('im');
		expect(builders.channelTypeOf('C0PUBLIC')).toBe('channel');
	});
});
