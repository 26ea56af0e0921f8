import {
	DEFAULT_LOOK_BACK_MINUTES,
	MAX_LOOK_BACK_MINUTES,
	catchUpStart,
	catchUpWindow,
	handOverOutcome,
	lookBackMinutes,
	messagesToHandOver,
	repliesInWindow,
	threadsWithNewReplies,
	replayEnvelope,
	triggerUrlProblem,
} from '../../../../../nodes/SlackDmCatchUp/helpers/replayPlan';
import { catchUpMarkOf } from '../../../../../nodes/shared/slack/catchUp';
import { classifyEnvelope } from '../../../../../nodes/shared/slack/events';

const STOPPED =
	'This execution failed to be processed too many times and will no longer retry. To allow this execution to complete, please break down your workflow or scale up your workers or adjust your worker settings.';
const errorItem = (message: string, id: unknown = '4711') => ({
	execution: { id, error: { message } },
	workflow: { id: 'wf1' },
});
const self = { userId: 'U0BOT', teamId: 'T0ACME', botId: 'B0BOT', userName: 'helpdesk' };

describe('catchUpStart', () => {
	it("runs for n8n's worker-stopped error, with the failed execution's id", () => {
		expect(catchUpStart(errorItem(STOPPED), true)).toEqual({ run: true, mark: { executionId: '4711' } });
		expect(catchUpStart(errorItem(STOPPED, 99), true)).toEqual({ run: true, mark: { executionId: '99' } });
	});

	it('skips any other failure (its execution keeps its data) unless told to run always', () => {
		expect(catchUpStart(errorItem('Zendesk answered 500'), true)).toEqual({ run: false, reason: 'notAStoppedWorker' });
		expect(catchUpStart({}, true)).toEqual({ run: false, reason: 'notAStoppedWorker' });
		expect(catchUpStart(errorItem('Zendesk answered 500'), false)).toEqual({
			run: true,
			mark: { executionId: '4711' },
		});
		expect(catchUpStart({ anything: 1 }, false)).toEqual({ run: true, mark: { executionId: '' } });
	});
});

describe('lookBackMinutes and catchUpWindow', () => {
	it('keeps Look Back within 1 … MAX minutes, whole, the default for nonsense', () => {
		expect(lookBackMinutes(15)).toBe(15);
		expect(lookBackMinutes(2.6)).toBe(3);
		expect(lookBackMinutes(10_000)).toBe(MAX_LOOK_BACK_MINUTES);
		for (const value of [0, -5, 'x', undefined, Number.NaN])
			expect(lookBackMinutes(value)).toBe(DEFAULT_LOOK_BACK_MINUTES);
	});

	it('is the minutes before now, in the seconds Slack takes', () => {
		expect(catchUpWindow(1_700_000_600_000, 10)).toEqual({ oldest: '1700000000.000000', latest: '1700000600.000000' });
		expect(catchUpWindow(1_234, 10)).toEqual({ oldest: '0.000000', latest: '1.234000' });
	});
});

describe('triggerUrlProblem', () => {
	it('takes http(s) URLs only', () => {
		expect(triggerUrlProblem('https://n8n.example.com/webhook/abc/slack-events')).toBeUndefined();
		expect(triggerUrlProblem(' http://127.0.0.1:5678/webhook/abc/slack-events ')).toBeUndefined();
		expect(triggerUrlProblem('')).toMatch(/empty/);
		expect(triggerUrlProblem('   ')).toMatch(/empty/);
		expect(triggerUrlProblem('ftp://host/x')).toMatch(/https/);
		expect(triggerUrlProblem('not a url')).toMatch(/not a URL/);
	});
});

describe('messagesToHandOver', () => {
	it("leaves out the handle's own messages and messages without a ts, oldest first", () => {
		const history = [
			{ ts: '1700000003.000300', user: 'U0ANNA', text: 'third' },
			{ ts: '1700000002.000200', user: 'U0BOT', text: 'our reply' },
			{ ts: '1700000001.500000', bot_id: 'B0BOT', text: 'our notice' },
			{ ts: '1700000001.000100', user: 'U0ANNA', text: 'first', subtype: 'file_share' },
			{ user: 'U0ANNA', text: 'no ts' },
			{ ts: '1700000001.900000', bot_id: 'B0OTHER', text: 'another bot' },
		];
		expect(messagesToHandOver(history, self).map((m) => m.text)).toEqual(['first', 'another bot', 'third']);
	});
});

describe('threadsWithNewReplies and repliesInWindow', () => {
	const oldest = '1700000600.000000';
	it('names the parents whose newest reply is in the window, not threads quiet since before it', () => {
		const history = [
			{ ts: '1700000700.000100', thread_ts: '1700000700.000100', reply_count: 2, latest_reply: '1700000800.000100' },
			{ ts: '1700000650.000100', thread_ts: '1700000650.000100', reply_count: 1, latest_reply: '1700000500.000100' },
			{ ts: '1700000660.000100' },
		];
		expect(threadsWithNewReplies(history, oldest)).toEqual(['1700000700.000100']);
	});

	it("keeps a thread's replies in the window, without the parent conversations.replies answers first", () => {
		const replies = [
			{ ts: '1700000100.000100', thread_ts: '1700000100.000100', text: 'parent, older than the window' },
			{ ts: '1700000200.000100', thread_ts: '1700000100.000100', text: 'reply before the window' },
			{ ts: '1700000700.000100', thread_ts: '1700000100.000100', text: 'reply in the window' },
		];
		expect(repliesInWindow(replies, oldest).map((m) => m.text)).toEqual(['reply in the window']);
	});
});

describe('replayEnvelope', () => {
	const message = { ts: '1700000001.000100', user: 'U0ANNA', text: 'help', files: [{ id: 'F1', name: 'a.png' }] };
	const envelope = replayEnvelope({ self, channel: 'D0ANNA', message, mark: { executionId: '4711' } });

	it('is the message.im event Slack would have sent, with the catch-up mark', () => {
		expect(envelope).toMatchObject({
			type: 'event_callback',
			team_id: 'T0ACME',
			event_id: 'EvCatchUp.D0ANNA.1700000001.000100',
			event_time: 1700000001,
			event: {
				type: 'message',
				channel: 'D0ANNA',
				channel_type: 'im',
				user: 'U0ANNA',
				text: 'help',
				ts: message.ts,
				event_ts: message.ts,
				files: message.files,
			},
			authorizations: [{ team_id: 'T0ACME', user_id: 'U0BOT', is_bot: true }],
		});
		const classified = classifyEnvelope(JSON.parse(JSON.stringify(envelope)));
		expect(classified.kind).toBe('eventCallback');
		if (classified.kind === 'eventCallback')
			expect(catchUpMarkOf(classified.envelope)).toEqual({ executionId: '4711' });
	});

	it('gives the same message the same event id in every catch-up, and a user token no bot flag', () => {
		const again = replayEnvelope({
			self: { ...self, botId: undefined },
			channel: 'D0ANNA',
			message,
			mark: { executionId: '9' },
		});
		expect(again.event_id).toBe(envelope.event_id);
		expect(again.authorizations).toEqual([{ team_id: 'T0ACME', user_id: 'U0BOT', is_bot: false }]);
	});
});

describe('replayEnvelope of a group DM', () => {
	it('is a message.mpim event', () => {
		const group = replayEnvelope({
			self,
			channel: 'C0GROUP',
			channelType: 'mpim',
			message: { ts: '1700000001.000100', user: 'U0ANNA', text: 'hi all' },
			mark: { executionId: '1' },
		});
		expect(group.event).toMatchObject({ channel: 'C0GROUP', channel_type: 'mpim' });
	});
});

describe('handOverOutcome', () => {
	it("reads the trigger's answer", () => {
		expect(handOverOutcome(200, { message: 'Workflow was started' })).toEqual({ outcome: 'handedOver' });
		expect(handOverOutcome(200, 'Workflow was started')).toEqual({ outcome: 'handedOver' });
		expect(handOverOutcome(200, { ok: true, duplicate: true })).toEqual({ outcome: 'duplicate' });
		expect(handOverOutcome(200, { ok: true, ignored: 'echoHandle' })).toEqual({
			outcome: 'ignored',
			detail: 'echoHandle',
		});
		expect(handOverOutcome(401, { ok: false, error: 'invalid_signature' })).toEqual({
			outcome: 'refused',
			detail: 'HTTP 401',
		});
		expect(handOverOutcome(404, 'not registered')).toEqual({ outcome: 'refused', detail: 'HTTP 404' });
	});
});
