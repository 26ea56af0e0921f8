/**
 * Slack DM Reply (version 3) waiting out a Slack outage (docs/outages.md, *The return path*), with
 * real n8n-core contexts and the Slack emulator's fault injection: a reply Slack cannot take leaves
 * on the Service Unavailable output intact with `retry`; fed back (what the outbound template's
 * Wait node does) it is posted once; a later reply of the conversation parks behind an earlier
 * parked one; a post whose answer was lost is found in the DM and not posted twice; past the
 * give-up time the item fails intact naming the conversation; with the option off it fails as before.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { FIXTURE_IDS, startSlackEmulator } from '../../emulators/slack';
import { startZendeskEmulator, type ZendeskEmulator } from '../../emulators/zendesk';
import { parkedMessages } from '../../nodes/shared/state/parkedMessages';
import { PROCESS_TOKEN } from '../../nodes/shared/state/processToken';
import { queuedNoticesTold } from '../../nodes/SlackDmReply/replyState';
import { SlackDmReply } from '../../nodes/SlackDmReply/SlackDmReply.node';
import { executeNode } from '../harness/inProcess';

const REQUEST_TIMEOUT_MS = 400;

let slack: Awaited<ReturnType<typeof startSlackEmulator>>;
let zendesk: ZendeskEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;
let dm: string;
let staticData: IDataObject;

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
	zendesk = await startZendeskEmulator({ rateLimits: false });
	credentials = {
		slackDmApi: { accessToken: FIXTURE_IDS.botToken, baseUrl: slack.apiUrl },
		zendeskDmApi: {
			subdomain: 'acme',
			email: zendesk.fixtures.bridge.email,
			apiToken: zendesk.fixtures.bridge.apiToken,
			baseUrl: zendesk.url,
		},
	};
});

afterAll(async () => {
	await slack.close();
	await zendesk.close();
});

beforeEach(async () => {
	slack.reset();
	parkedMessages.clear();
	staticData = {};
	dm = slack.openDm(FIXTURE_IDS.botUserId, FIXTURE_IDS.employeeId);
	// The employee wrote first (the ticket came from this DM).
	await slack.userSends({ userId: FIXTURE_IDS.employeeId, text: 'my laptop will not start', wait: false });
	slack.server.resetCalls();
});

const slackDown = () => slack.injectFault('*', { kind: 'status', status: 503 }, 10_000);
const slackBack = () => slack.server.clearFaults();

function replyItem(commentId: number, body: string): IDataObject {
	return {
		ticketId: 42,
		ticketStatus: 'open',
		ticketExternalId: `slack-dm:${FIXTURE_IDS.teamId}:${dm}`,
		comment: { id: commentId, body, htmlBody: `<p>${body}</p>`, author: { id: 7, name: 'Anna' } },
		attachments: [],
		slack: { teamId: FIXTURE_IDS.teamId, userId: FIXTURE_IDS.employeeId, channelId: dm },
	};
}

async function run(items: INodeExecutionData[], parameters: INodeParameters = {}) {
	const { outputs } = await executeNode(new SlackDmReply(), {
		parameters: { operation: 'reply', ...parameters },
		credentials,
		items,
		staticData,
		requestTimeoutMs: REQUEST_TIMEOUT_MS,
	});
	return { done: outputs[0] ?? [], parked: outputs[1] ?? [] };
}

const asInput = (json: IDataObject): INodeExecutionData => ({ json });
const botPosts = () => slack.postedMessages.filter((m) => m.channel === dm).map((m) => m.text);

describe('Slack DM Reply waits out a Slack outage', () => {
	it('parks the reply intact with retry details; back, the parked reply is posted once', async () => {
		slackDown();
		const item = replyItem(101, 'Please restart it twice');
		const first = await run([asInput(item)]);
		expect(first.done).toEqual([]);
		expect(first.parked).toHaveLength(1);
		expect(first.parked[0].json).toMatchObject({
			...item,
			retry: { attempt: 1, waitSeconds: 65, node: 'Slack DM Reply' },
		});
		expect((first.parked[0].json.retry as IDataObject).reason).toMatch(/HTTP 503/);
		expect(first.parked[0].json.slackReply).toBeUndefined();
		expect(botPosts()).toEqual([]);

		slackBack();
		const second = await run(first.parked);
		expect(second.parked).toEqual([]);
		expect(second.done[0].json).toMatchObject({ ticketId: 42, slackReply: { delivered: true, channelId: dm } });
		expect(second.done[0].json.retry).toBeUndefined();
		expect(botPosts()).toEqual(['*Anna:*\nPlease restart it twice']);
	});

	it("a later agent reply parks behind the earlier parked one, without a call, and both land in the agent's order", async () => {
		slackDown();
		const a = (await run([asInput(replyItem(201, 'first answer'))])).parked[0];
		slackBack();
		slack.server.resetCalls();
		const b = await run([asInput(replyItem(202, 'second answer'))]);
		expect(b.done).toEqual([]);
		expect(b.parked[0].json.retry).toMatchObject({ attempt: 1, reason: expect.stringContaining('waiting behind') });
		expect(slack.server.callsTo()).toHaveLength(0);
		// The later one comes back first: it still waits.
		expect((await run([b.parked[0]])).parked[0].json.retry).toMatchObject({ attempt: 2 });
		expect((await run([a])).done).toHaveLength(1);
		expect((await run([b.parked[0]])).done).toHaveLength(1);
		expect(botPosts()).toEqual(['*Anna:*\nfirst answer', '*Anna:*\nsecond answer']);
	});

	it('a post whose answer was lost, then Slack down: after the wait it is found in the DM and not posted twice', async () => {
		// Slack applies the post but answers after the client gave up; then it is down.
		slack.injectFault('chat.postMessage', { kind: 'latency', ms: REQUEST_TIMEOUT_MS + 300 });
		const first = await run([asInput(replyItem(301, 'Your badge is ready'))]);
		expect(first.parked).toHaveLength(1);
		expect((first.parked[0].json.retry as IDataObject).reason).toMatch(/chat\.postMessage.*may have been posted/);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(botPosts()).toEqual(['*Anna:*\nYour badge is ready']);

		slackDown();
		const second = await run(first.parked);
		expect(second.parked[0].json.retry).toMatchObject({ attempt: 2 });
		slackBack();
		const third = await run(second.parked);
		expect(third.done[0].json).toMatchObject({ slackReply: { delivered: true, messageTs: [expect.any(String)] } });
		expect(botPosts()).toEqual(['*Anna:*\nYour badge is ready']);
		expect(slack.server.countCalls('chat.postMessage')).toBe(1);
	});

	it('a reply split into two posts, the second refused with 503: after the wait only the second is posted', async () => {
		const long = `${'a'.repeat(450)}\n\n${'b'.repeat(450)}`;
		const options = { options: { maxMessageLength: 500 } };
		slack.injectFault('chat.postMessage', { kind: 'latency', ms: 0 }); // the first post goes through
		slack.injectFault('chat.postMessage', { kind: 'status', status: 503 }); // the second: no clear answer
		const first = await run([asInput(replyItem(401, long))], options);
		expect(first.parked).toHaveLength(1);
		expect(botPosts()).toHaveLength(1);
		const second = await run(first.parked, options);
		expect(second.done[0].json).toMatchObject({ slackReply: { delivered: true } });
		expect((second.done[0].json.slackReply as IDataObject).messageTs).toHaveLength(2);
		const posts = botPosts();
		expect(posts).toHaveLength(2);
		expect(posts[0]).toContain('aaa');
		expect(posts[1]).toContain('bbb');
		expect(slack.server.countCalls('chat.postMessage')).toBe(3);
	});

	it('gives up after the give-up time: the item fails intact, naming the conversation and the reply', async () => {
		slackDown();
		const parked = (await run([asInput(replyItem(501, 'The VPN is fixed now'))])).parked[0];
		const retry = parked.json.retry as IDataObject;
		const old = { ...parked, json: { ...parked.json, retry: { ...retry, firstFailedAt: '2020-01-01T00:00:00.000Z' } } };
		await expect(run([old], { outageGiveUpMinutes: 1 })).rejects.toThrow(
			new RegExp(
				`Slack stayed unavailable .*gave up on the reply to ticket #42 by Anna in Slack conversation ${dm} \\(team ${FIXTURE_IDS.teamId}\\): "The VPN is fixed now"`,
			),
		);
		// Given up, it no longer holds the conversation up.
		slackBack();
		expect((await run([asInput(replyItem(502, 'anything else?'))])).done).toHaveLength(1);
	});

	it('with Wait Out Outages off it has one output and fails as before (never resent blindly)', async () => {
		slackDown();
		await expect(run([asInput(replyItem(601, 'x'))], { waitOutOutages: false })).rejects.toThrow(
			/may have been delivered/,
		);
		expect(slack.server.countCalls('chat.postMessage')).toBe(1);
	});

	it('alerts do not wait (one output): an alert during the outage fails as before', async () => {
		const alertChannel = slack.addChannel({ name: 'it-alerts', members: [FIXTURE_IDS.botUserId] }).id;
		slackDown();
		const errorItem = { execution: { id: '17', error: { message: 'boom' } }, workflow: { id: 'wf1', name: 'w' } };
		await expect(run([{ json: errorItem }], { operation: 'alert', alertChannelId: alertChannel })).rejects.toThrow(
			/may have been delivered/,
		);
	});

	describe('queue mode: an item taken by a trigger in another n8n process (docs/scaling.md)', () => {
		const fromAnotherProcess = (json: IDataObject): IDataObject => ({ ...json, announcedIn: 'webhook-process-2' });

		it('a reply Zendesk redelivered to the other webhook process is not posted again', async () => {
			const first = await run([asInput(replyItem(601, 'The driver is reinstalled.'))]);
			expect(first.done).toHaveLength(1);
			slack.server.resetCalls();
			const again = await run([asInput(fromAnotherProcess(replyItem(601, 'The driver is reinstalled.')))]);
			expect(again.done).toHaveLength(1);
			expect(botPosts()).toEqual([expect.stringContaining('The driver is reinstalled.')]);
			expect(slack.server.callsTo('conversations.history')).toHaveLength(1);
			expect(slack.server.callsTo('chat.postMessage')).toHaveLength(0);
		});

		it('a new reply from another process is posted after one look at the DM; one from this process needs none', async () => {
			await run([asInput(fromAnotherProcess(replyItem(602, 'Please restart once more.')))]);
			await run([asInput({ ...replyItem(603, 'And now?'), announcedIn: PROCESS_TOKEN })]);
			expect(botPosts()).toEqual([
				expect.stringContaining('Please restart once more.'),
				expect.stringContaining('And now?'),
			]);
			expect(slack.server.callsTo('conversations.history')).toHaveLength(1);
		});

		/** A message parked by an outage, as the Upsert's Service Unavailable output hands it on. */
		const parkedItem = (text: string, announcedIn: string): IDataObject => ({
			idempotencyKey: `slack:${FIXTURE_IDS.teamId}:${dm}:${Date.now()}.000001`,
			teamId: FIXTURE_IDS.teamId,
			user: { id: FIXTURE_IDS.employeeId, teamId: FIXTURE_IDS.teamId, isExternal: false },
			channel: { id: dm, type: 'im', isExtShared: false },
			message: { ts: `${Math.floor(Date.now() / 1000)}.000001`, text, files: [] },
			kind: 'message',
			announcedIn,
			retry: {
				attempt: 1,
				reason: 'HTTP 503',
				node: 'Zendesk Messaging Upsert',
				firstFailedAt: new Date().toISOString(),
			},
		});
		const notice = { operation: 'notice', noticeKind: 'queued' };

		it('the queued notice is not sent again when another worker already told the conversation', async () => {
			const told = await run([asInput(parkedItem('first', 'webhook-process-1'))], notice);
			expect(told.done[0].json.slackReply).toMatchObject({ notice: 'queued' });
			// Another worker: its own memory never told this conversation; Slack's history says it was.
			parkedMessages.clear();
			staticData = {};
			queuedNoticesTold.clear();
			const other = await run([asInput(parkedItem('second', 'webhook-process-2'))], notice);
			expect(other.done[0].json.slackReply).toMatchObject({ skipped: 'alreadyTold' });
			expect(botPosts().filter((text) => /cannot be reached/.test(text))).toHaveLength(1);
		});

		it('two workers telling the conversation in the same instant: the later queued notice is deleted', async () => {
			// Each post is held at Slack long enough for the other worker to look and find nothing.
			slack.injectFault('chat.postMessage', { kind: 'latency', ms: 300 }, 2);
			const first = run([asInput(parkedItem('first', 'webhook-process-1'))], notice);
			while (slack.server.inFlight('chat.postMessage') === 0) await new Promise((resolve) => setTimeout(resolve, 5));
			// The other worker: its own memory never told this conversation.
			parkedMessages.clear();
			staticData = {};
			queuedNoticesTold.clear();
			const second = run([asInput(parkedItem('second', 'webhook-process-2'))], notice);
			const [kept, withdrawn] = [(await first).done[0].json.slackReply, (await second).done[0].json.slackReply];
			expect(kept).toMatchObject({ notice: 'queued' });
			expect(withdrawn).toMatchObject({ skipped: 'alreadyTold', messageTs: [] });
			expect(botPosts().filter((text) => /cannot be reached/.test(text))).toHaveLength(2); // both reached Slack
			expect(slack.server.callsTo('chat.delete')).toHaveLength(1);
			expect(slack.messagesIn(dm).filter((m) => /cannot be reached/.test(m.text))).toHaveLength(1);
		});
	});
});
