/**
 * The Slack DM Catch-up (in-process) against the Slack emulator, handing over to a real Slack DM
 * Trigger behind an HTTP server (the in-process webhook runner): what it reads, what it sends,
 * what the trigger makes of it, and its refusals (docs/scaling.md, A worker dies).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { FIXTURE_IDS as F, startSlackEmulator } from '../../emulators/slack';
import type { SlackEmulatorInstance } from '../../emulators/slack';
import { SlackDmCatchUp } from '../../nodes/SlackDmCatchUp/SlackDmCatchUp.node';
import { handedOverHere } from '../../nodes/SlackDmCatchUp/catchUpState';
import { SlackDmTrigger } from '../../nodes/SlackDmTrigger/SlackDmTrigger.node';
import { resetSlackTriggerState } from '../../nodes/SlackDmTrigger/triggerState';
import type { SlackDmItem } from '../../nodes/shared/types';
import { executeNode, invokeWebhook } from '../harness/inProcess';

const STOPPED =
	'This execution failed to be processed too many times and will no longer retry. To allow this execution to complete, please break down your workflow or scale up your workers or adjust your worker settings.';

let slack: SlackEmulatorInstance;
let server: Server;
let triggerUrl: string;
/** What the trigger emitted, and every answer it gave. */
let emitted: SlackDmItem[] = [];
let answers: Array<{ status: number; body: unknown }> = [];
const triggerStaticData: IDataObject = {};
/** The trigger's options beyond remembering deliveries (a test may set Include Group DMs). */
let triggerOptions: IDataObject = {};

const credentials = (signingSecret = () => slack.signingSecret) => ({
	slackDmApi: { accessToken: F.botToken, signingSecret: signingSecret(), baseUrl: slack.apiUrl },
});

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
	const trigger = new SlackDmTrigger();
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
			void invokeWebhook(trigger, {
				rawBody: Buffer.concat(chunks),
				headers,
				credentials: credentials(),
				staticData: triggerStaticData,
				parameters: { options: { rememberAcrossRestarts: true, ...triggerOptions } },
			}).then((result) => {
				for (const item of result.workflowData?.[0] ?? []) emitted.push(item.json as unknown as SlackDmItem);
				const body = result.body ?? (result.workflowData ? { message: 'Workflow was started' } : undefined);
				answers.push({ status: result.status, body });
				res.writeHead(result.status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	triggerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/abc/slack-events`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
	await slack.close();
});

beforeEach(() => {
	emitted = [];
	answers = [];
	handedOverHere.clear();
	triggerOptions = {};
	resetSlackTriggerState();
	for (const key of Object.keys(triggerStaticData)) delete triggerStaticData[key];
	slack.server.resetCalls();
	slack.server.clearFaults();
});

let userSeq = 0;
function newUser(): string {
	userSeq += 1;
	const id = `U0CATCH${String(userSeq).padStart(3, '0')}`;
	slack.addUser({
		id,
		teamId: F.teamId,
		name: `catch-${userSeq}`,
		realName: `Catch ${userSeq}`,
		email: `c${userSeq}@acme.test`,
	});
	return id;
}

async function runCatchUp(
	item: IDataObject,
	options: { parameters?: IDataObject; signingSecret?: string; continueOnFail?: boolean } = {},
): Promise<INodeExecutionData[]> {
	const { outputs } = await executeNode(new SlackDmCatchUp(), {
		items: [{ json: item }],
		parameters: { triggerUrl, lookBackMinutes: 10, ...(options.parameters ?? {}) },
		credentials: credentials(() => options.signingSecret ?? slack.signingSecret),
		continueOnFail: options.continueOnFail,
	});
	return outputs[0];
}

const stopped = {
	execution: { id: '4711', error: { message: STOPPED } },
	workflow: { id: 'wf1', name: 'Slack DM → Zendesk' },
};

describe('Slack DM Catch-up → Slack DM Trigger', () => {
	it("hands the DMs' messages of the window to the trigger, which emits them marked as caught up", async () => {
		const anna = newUser();
		const ben = newUser();
		const first = await slack.userSends({ userId: anna, text: 'Catch-up: my laptop is dead' });
		await slack.userSends({ userId: ben, text: 'Catch-up: printer on fire' });
		await slack.userSends({ userId: anna, text: 'Catch-up: still dead' });
		const [out] = await runCatchUp(stopped);
		const texts = emitted.map((item) => item.message.text);
		expect(texts).toEqual(
			expect.arrayContaining(['Catch-up: my laptop is dead', 'Catch-up: printer on fire', 'Catch-up: still dead']),
		);
		// Per conversation in Slack's order.
		expect(texts.indexOf('Catch-up: my laptop is dead')).toBeLessThan(texts.indexOf('Catch-up: still dead'));
		const annaFirst = emitted.find((item) => item.message.ts === first.ts);
		expect(annaFirst).toMatchObject({ caughtUpFor: '4711', channel: { id: first.channel }, user: { id: anna } });
		expect(annaFirst?.slackRetry).toBeUndefined();
		const summary = out.json.catchUp as IDataObject;
		expect(summary).toMatchObject({
			executionId: '4711',
			handedOver: emitted.length,
			duplicates: 0,
			alreadyHandedOverHere: 0,
		});
		expect(summary.messages).toBe(
			emitted.length + Object.values(summary.ignored as Record<string, number>).reduce((a, b) => a + b, 0),
		);
		// The history was read since Look Back before now, not further.
		const history = slack.server.calls.filter((call) => call.route === 'conversations.history');
		const oldest = Number(history[0].request.query.oldest);
		expect(Date.now() / 1000 - oldest).toBeGreaterThan(599);
		expect(Date.now() / 1000 - oldest).toBeLessThan(630);
		expect(JSON.stringify(out.json)).not.toContain(slack.signingSecret);
		expect(JSON.stringify(out.json)).not.toContain(F.botToken);
	});

	it('hands over a message the trigger delivered before (its first execution was lost): the ledgers keep the two apart', async () => {
		const anna = newUser();
		slack.setEventsUrl(triggerUrl);
		try {
			await slack.userSends({ userId: anna, text: 'Catch-up: delivered once, then lost' });
		} finally {
			slack.setEventsUrl(undefined);
		}
		expect(emitted.map((item) => item.message.text)).toEqual(['Catch-up: delivered once, then lost']);
		expect(emitted[0].caughtUpFor).toBeUndefined();
		await runCatchUp(stopped);
		const again = emitted.filter((item) => item.message.text === 'Catch-up: delivered once, then lost');
		expect(again).toHaveLength(2);
		expect(again[1].caughtUpFor).toBe('4711');
		expect(again[1].idempotencyKey).toBe(again[0].idempotencyKey);
	});

	it("a second catch-up in this process skips what it handed over; in another process the trigger's ledger answers duplicate", async () => {
		const anna = newUser();
		await slack.userSends({ userId: anna, text: 'Catch-up: twice' });
		await runCatchUp(stopped);
		const handed = emitted.length;
		const [again] = await runCatchUp({ ...stopped, execution: { ...stopped.execution, id: '4712' } });
		expect(emitted).toHaveLength(handed);
		expect((again.json.catchUp as IDataObject).alreadyHandedOverHere).toBe(handed);
		handedOverHere.clear();
		const [elsewhere] = await runCatchUp({ ...stopped, execution: { ...stopped.execution, id: '4713' } });
		expect(emitted).toHaveLength(handed);
		expect((elsewhere.json.catchUp as IDataObject).duplicates).toBe(handed);
	});

	it('with Include Thread Replies, hands over the replies of threads with replies in the window, after their parent', async () => {
		const anna = newUser();
		triggerOptions = { includeThreadReplies: true };
		const parent = await slack.userSends({ userId: anna, text: 'Catch-up: thread opener' });
		await slack.userSends({ userId: anna, text: 'Catch-up: reply in the thread', threadTs: parent.ts });
		await runCatchUp(stopped);
		const annas = () => emitted.filter((item) => item.user.id === anna).map((item) => item.message.text);
		expect(annas()).toEqual(['Catch-up: thread opener']);
		const [out] = await runCatchUp(
			{ ...stopped, execution: { ...stopped.execution, id: '4714' } },
			{ parameters: { includeThreadReplies: true } },
		);
		expect(annas()).toEqual(['Catch-up: thread opener', 'Catch-up: reply in the thread']);
		const reply = emitted.find((item) => item.message.text === 'Catch-up: reply in the thread');
		expect(reply).toMatchObject({ caughtUpFor: '4714', message: { threadTs: parent.ts } });
		expect((out.json.catchUp as IDataObject).handedOver).toBe(1);
		const replies = slack.server.calls.filter((call) => call.route === 'conversations.replies');
		expect(replies.map((call) => call.request.query.ts ?? call.request.body.ts)).toEqual([parent.ts]);
	});

	it('a caught-up thread reply the trigger drops (Include Thread Replies off) tells the sender nothing again', async () => {
		const anna = newUser();
		triggerOptions = { notifyThreadReplies: true };
		const parent = await slack.userSends({ userId: anna, text: 'Catch-up: another opener' });
		await slack.userSends({ userId: anna, text: 'Catch-up: a dropped reply', threadTs: parent.ts });
		slack.server.resetCalls();
		const [out] = await runCatchUp(stopped, { parameters: { includeThreadReplies: true } });
		// Every DM of the window is read: earlier tests' thread replies are dropped too.
		expect(((out.json.catchUp as IDataObject).ignored as IDataObject).threadReply).toBeGreaterThanOrEqual(1);
		expect(slack.server.calls.filter((call) => call.route === 'chat.postMessage')).toHaveLength(0);
	});

	it('reads nothing for another failure (its execution keeps its data), unless told to', async () => {
		const [out] = await runCatchUp({ execution: { id: '1', error: { message: 'Zendesk answered 500' } } });
		expect(out.json).toEqual({ catchUp: { skipped: 'notAStoppedWorker' } });
		expect(slack.server.calls).toHaveLength(0);
		await slack.userSends({ userId: newUser(), text: 'Catch-up: always' });
		await runCatchUp(
			{ execution: { id: '1', error: { message: 'Zendesk answered 500' } } },
			{ parameters: { onlyAfterStoppedWorker: false } },
		);
		expect(emitted.map((item) => item.message.text)).toContain('Catch-up: always');
	});

	it('fails, naming the refusals, when its signing secret is not the trigger’s (and sends nothing without a URL)', async () => {
		await slack.userSends({ userId: newUser(), text: 'Catch-up: wrong secret' });
		await expect(runCatchUp(stopped, { signingSecret: 'not-the-secret' })).rejects.toThrow(
			/refused \d+ of \d+ message/,
		);
		expect(emitted).toHaveLength(0);
		expect(answers.every((answer) => answer.status === 401)).toBe(true);
		await expect(runCatchUp(stopped, { parameters: { triggerUrl: '' } })).rejects.toThrow(/Trigger URL is empty/);
		const [failed] = await runCatchUp(stopped, { parameters: { triggerUrl: '' }, continueOnFail: true });
		expect(String(failed.json.error)).toMatch(/Trigger URL is empty/);
	});

	it('a DM it cannot read does not stop the others: it hands them over, then fails naming that DM', async () => {
		const anna = newUser();
		const ben = newUser();
		const annas = await slack.userSends({ userId: anna, text: 'Catch-up: unreadable DM' });
		await slack.userSends({ userId: ben, text: 'Catch-up: readable DM' });
		// Slack refuses every attempt at the first history read (the transport retries 5 times).
		slack.server.injectFault('conversations.history', { kind: 'status', status: 500 }, 5);
		const failed = runCatchUp(stopped);
		await expect(failed).rejects.toThrow(/incomplete: 1 of \d+ DM\(s\) could not be read/);
		const readFirst = slack.server.calls.find((call) => call.route === 'conversations.history')?.request.query.channel;
		expect(String(readFirst)).toMatch(/^D/);
		const handed = emitted.map((item) => item.channel.id);
		expect(handed).not.toContain(readFirst);
		expect(emitted.map((item) => item.message.text)).toContain(
			readFirst === annas.channel ? 'Catch-up: readable DM' : 'Catch-up: unreadable DM',
		);
	});

	it('reads group DMs only when told to; the trigger decides whether they become items', async () => {
		const sender = newUser();
		const group = slack.openGroupDm([sender, newUser(), F.botUserId]);
		await slack.userSends({ userId: sender, channelId: group, text: 'Catch-up: in a group' });
		const groupRead = () =>
			slack.server.calls.some((call) => call.route === 'conversations.history' && call.request.query.channel === group);
		await runCatchUp(stopped);
		expect(groupRead()).toBe(false);
		triggerOptions = { includeGroupDms: true };
		handedOverHere.clear();
		await runCatchUp(stopped, { parameters: { includeGroupDms: true } });
		expect(groupRead()).toBe(true);
		const fromGroup = emitted.filter((item) => item.channel.id === group);
		expect(fromGroup.map((item) => [item.message.text, item.channel.type, item.caughtUpFor])).toEqual([
			['Catch-up: in a group', 'mpim', '4711'],
		]);
	});

	it("retries the trigger's 503 and is answered in the end", async () => {
		await slack.userSends({ userId: newUser(), text: 'Catch-up: after a 503' });
		let refusals = 1;
		const original = server.listeners('request')[0] as (...args: unknown[]) => void;
		server.removeAllListeners('request');
		server.on('request', (req, res) => {
			if (refusals-- > 0) {
				req.resume();
				res
					.writeHead(503, { 'content-type': 'application/json' })
					.end('{"ok":false,"error":"earlier_delivery_pending"}');
				return;
			}
			original(req, res);
		});
		try {
			await runCatchUp(stopped);
		} finally {
			server.removeAllListeners('request');
			server.on('request', original);
		}
		expect(emitted.map((item) => item.message.text)).toContain('Catch-up: after a 503');
	});
});
