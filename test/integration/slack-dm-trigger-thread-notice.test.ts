/**
 * Slack DM Trigger option "Tell Senders Thread Replies Are Not Forwarded": with thread replies
 * off, a person replying in a thread gets one message in that thread, once per thread; without
 * the option nothing is posted. Real n8n-core webhook contexts, Slack emulator.
 */
import { FIXTURE_IDS as F, signSlackRequest, startSlackEmulator, threadReply } from '../../emulators/slack';
import type { SlackEmulatorInstance } from '../../emulators/slack';
import { SlackDmTrigger } from '../../nodes/SlackDmTrigger/SlackDmTrigger.node';
import { DEFAULT_THREAD_REPLY_NOTICE } from '../../nodes/SlackDmTrigger/actions/threadReplyNotice';
import { resetSlackTriggerState } from '../../nodes/SlackDmTrigger/triggerState';
import { invokeWebhook } from '../harness/inProcess';

const ROOT = '1700000000.000100';
const trigger = new SlackDmTrigger();
let slack: SlackEmulatorInstance;
let DM: string;
let ts = 1_700_000_100;

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
	DM = slack.openDm(F.botUserId, F.employeeId);
});

afterAll(async () => {
	await slack.close();
});

beforeEach(() => resetSlackTriggerState());

async function reply(options: Record<string, unknown>, threadTs = ROOT) {
	const rawBody = JSON.stringify(
		threadReply({
			user: F.employeeId,
			channel: DM,
			text: 'one more thing',
			threadTs,
			parentUserId: F.employeeId,
			channelType: 'im',
			ts: `${ts++}.000100`,
		}),
	);
	const timestamp = Math.floor(Date.now() / 1000);
	return await invokeWebhook(trigger, {
		parameters: { options } as never,
		credentials: { slackDmApi: { accessToken: F.botToken, signingSecret: slack.signingSecret, baseUrl: slack.apiUrl } },
		headers: {
			'content-type': 'application/json',
			'x-slack-request-timestamp': String(timestamp),
			'x-slack-signature': signSlackRequest(slack.signingSecret, timestamp, rawBody),
		},
		rawBody,
	});
}

const threadPosts = (threadTs: string) =>
	slack.postedMessages.filter((m) => m.channel === DM && m.thread_ts === threadTs);

describe('Slack DM Trigger: telling senders their thread replies are not forwarded', () => {
	it('posts one notice into the thread, once per thread, and still emits nothing', async () => {
		const first = await reply({ notifyThreadReplies: true });
		expect(first.status).toBe(200);
		expect(first.body).toEqual({ ok: true, ignored: 'threadReply' });
		expect(first.workflowData).toBeUndefined();
		expect(threadPosts(ROOT).map((m) => m.text)).toEqual([DEFAULT_THREAD_REPLY_NOTICE]);
		await reply({ notifyThreadReplies: true });
		expect(threadPosts(ROOT)).toHaveLength(1);
		await reply(
			{ notifyThreadReplies: true, threadReplyNoticeText: 'Please write in the DM itself.' },
			'1700000000.000200',
		);
		expect(threadPosts('1700000000.000200').map((m) => m.text)).toEqual(['Please write in the DM itself.']);
	});

	it('posts nothing without the option, and nothing when thread replies are forwarded', async () => {
		await reply({}, '1700000000.000500');
		const forwarded = await reply({ notifyThreadReplies: true, includeThreadReplies: true }, '1700000000.000300');
		expect(forwarded.workflowData?.[0]).toHaveLength(1);
		expect(threadPosts('1700000000.000500')).toEqual([]);
		expect(threadPosts('1700000000.000300')).toEqual([]);
	});

	it('a notice Slack refuses is logged and tried again at the next reply; the answer stays 200', async () => {
		slack.injectFault('chat.postMessage', { kind: 'status', status: 500 }, 3);
		const refused = await reply({ notifyThreadReplies: true }, '1700000000.000400');
		expect(refused.status).toBe(200);
		expect(threadPosts('1700000000.000400')).toEqual([]);
		await reply({ notifyThreadReplies: true }, '1700000000.000400');
		expect(threadPosts('1700000000.000400')).toHaveLength(1);
	});
});
