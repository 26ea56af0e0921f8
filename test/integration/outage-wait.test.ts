/**
 * Waiting out an outage (docs/outages.md) with real n8n-core contexts and the emulators: an item
 * the service cannot take leaves on the Service Unavailable output intact and with `retry`; fed
 * back (what the template's Wait node does), it is delivered once, in Slack's order; a later
 * message of the conversation parks behind an earlier parked one, also after a restart (the
 * ledger from static data, and the restart hold where static data lost an entry); past its give-up time the item fails naming what was not delivered.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { AttachmentAllowlist } from '../../nodes/AttachmentAllowlist/AttachmentAllowlist.node';
import { ProfileLinker } from '../../nodes/ProfileLinker/ProfileLinker.node';
import type { SlackEventFile } from '../../nodes/shared/slack/events';
import { fileRefs } from '../../nodes/SlackDmTrigger/helpers/eventFields';
import { RESTART_HOLD_MARGIN_MS, RESTART_HOLD_REASON } from '../../nodes/shared/n8n/outageRetry';
import { parkedMessages } from '../../nodes/shared/state/parkedMessages';
import type { SlackDmItem } from '../../nodes/shared/types';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { nodeCredentials, useEmulators } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { fixtureHandle, slackDmItem } from '../harness/items';
import { specGuard } from '../harness/specGuard';

const REQUEST_TIMEOUT_MS = 400;
const PUT_TICKET = 'PUT /api/v2/tickets/:id.json';

const { slack, zendesk } = useEmulators({
	slack: { rateLimits: false },
	zendesk: { rateLimits: false },
	lifetime: 'test',
	upsertClock: true,
});

let staticData: IDataObject;
beforeEach(() => {
	parkedMessages.clear();
	staticData = {};
	specGuard.allow(/\/api\/v2\//, 'injected outage: 503 with the emulator fault body');
});

const zendeskDown = () => zendesk.server.injectFault('*', { kind: 'status', status: 503 }, 10_000);
const zendeskBack = () => zendesk.server.clearFaults();

let seq = 0;
function dmItem(text: string, channelId: string): SlackDmItem {
	seq += 1;
	return slackDmItem({
		...fixtureHandle(slack.fixtures),
		eventId: `EvOutage${seq}`,
		userId: slack.fixtures.employeeId,
		channelId,
		ts: `${1_700_000_000 + seq}.000100`,
		text,
		receivedAt: zendesk.clock.now(),
	});
}

const asInput = (item: SlackDmItem | IDataObject, binary?: INodeExecutionData['binary']): INodeExecutionData => ({
	json: { zendeskUser: { id: zendesk.fixtures.erin.id }, ...(item as unknown as IDataObject) },
	...(binary ? { binary } : {}),
});

const NODES = { upsert: ZendeskMessagingUpsert, linker: ProfileLinker, allowlist: AttachmentAllowlist };

async function run(nodeType: keyof typeof NODES, items: INodeExecutionData[], parameters: INodeParameters = {}) {
	const { outputs } = await executeNode(new NODES[nodeType](), {
		credentials: nodeCredentials(slack, zendesk),
		items,
		parameters,
		staticData,
		requestTimeoutMs: REQUEST_TIMEOUT_MS,
	});
	return { done: outputs[0], parked: outputs[1] ?? [] };
}

const key = (item: INodeExecutionData) => String((item.json as { idempotencyKey?: string }).idempotencyKey);

const commentsOf = (channelId: string) =>
	zendesk
		.tickets()
		.filter((t) => t.ticket.external_id === `slack-dm:${slack.fixtures.teamId}:${channelId}`)
		.flatMap((t) => t.comments.map((c) => String(c.body)));

describe('waiting out an outage', () => {
	it('Upsert: Zendesk down parks the item intact with retry details; back, the parked item is written once', async () => {
		zendeskDown();
		const binary = { data: { data: Buffer.from('hi').toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' } };
		const first = await run('upsert', [asInput(dmItem('printer on fire', 'D0OUT1'), binary)]);
		expect(first.done).toEqual([]);
		expect(first.parked).toHaveLength(1);
		const parked = first.parked[0];
		expect(parked.binary).toEqual(binary);
		expect(parked.json).toMatchObject({ message: { text: 'printer on fire' } });
		expect(parked.json.retry).toMatchObject({
			attempt: 1,
			waitSeconds: 65,
			reason: 'HTTP 503',
			node: 'Zendesk Messaging Upsert',
		});
		expect(commentsOf('D0OUT1')).toEqual([]);

		zendeskBack();
		const second = await run('upsert', [parked]);
		expect(second.parked).toEqual([]);
		expect(second.done[0].json).toMatchObject({ zendesk: { outcome: 'created' } });
		expect(second.done[0].json.retry).toBeUndefined();
		expect(commentsOf('D0OUT1')).toEqual([expect.stringContaining('printer on fire')]);
	});

	it('Upsert: a later message parks behind the earlier parked one without a call, and both land in Slack order', async () => {
		zendeskDown();
		const a = (await run('upsert', [asInput(dmItem('first', 'D0OUT2'))])).parked[0];
		zendeskBack();
		zendesk.server.resetCalls();
		const b = await run('upsert', [asInput(dmItem('second', 'D0OUT2'))]);
		expect(b.done).toEqual([]);
		expect(b.parked[0].json.retry).toMatchObject({ attempt: 1, reason: expect.stringContaining('waiting behind') });
		expect(zendesk.server.callsTo()).toHaveLength(0);
		// The later one comes back first: it still waits.
		expect((await run('upsert', [b.parked[0]])).parked[0].json.retry).toMatchObject({ attempt: 2 });
		expect((await run('upsert', [a])).done[0].json).toMatchObject({ zendesk: { outcome: 'created' } });
		expect((await run('upsert', [b.parked[0]])).done[0].json).toMatchObject({ zendesk: { outcome: 'appended' } });
		expect(commentsOf('D0OUT2')).toEqual([expect.stringContaining('first'), expect.stringContaining('second')]);
	});

	it("a message written at once writes nothing into the workflow's static data (a queue-mode worker's save would replace it whole)", async () => {
		const { done } = await run('upsert', [asInput(dmItem('no outage here', 'D0OUT9'))]);
		expect(done[0].json).toMatchObject({ zendesk: { outcome: 'created' } });
		expect(JSON.stringify(staticData)).not.toContain('parkedMessages');
	});

	it('a parked message back in an execution without the stored ledger (n8n resumes from its own snapshot) writes the ledger without it', async () => {
		zendeskDown();
		const a = (await run('upsert', [asInput(dmItem('parked, then resumed', 'D0OUT8'))])).parked[0];
		expect(JSON.stringify(staticData)).toContain('D0OUT8');
		zendeskBack();
		staticData = {}; // the resumed execution's static data: n8n keeps none in the execution
		expect((await run('upsert', [a])).done[0].json).toMatchObject({ zendesk: { outcome: 'created' } });
		// Saved over the stored ledger by n8n: the ended park is gone from it (a stale one would hold later messages).
		const node = Object.values(staticData)[0] as IDataObject | undefined;
		expect(node?.parkedMessages).toEqual({});
	});

	it('the ledger outlives a restart through the workflow static data', async () => {
		zendeskDown();
		const a = (await run('upsert', [asInput(dmItem('before the restart', 'D0OUT3'))])).parked[0];
		expect(Object.keys(staticData)).not.toHaveLength(0);
		parkedMessages.clear(); // n8n restarted: this process's memory is gone, the static data was saved
		zendeskBack();
		const b = await run('upsert', [asInput(dmItem('after the restart', 'D0OUT3'))]);
		expect(b.parked).toHaveLength(1);
		await run('upsert', [a]);
		await run('upsert', [b.parked[0]]);
		expect(commentsOf('D0OUT3')).toEqual([
			expect.stringContaining('before the restart'),
			expect.stringContaining('after the restart'),
		]);
	});

	it('after a restart whose static data lost a parked message, a new message of its conversation is held until it is back', async () => {
		zendeskDown();
		const stale = { ...staticData }; // what an execution that started before the parks still holds
		const lost = (await run('upsert', [asInput(dmItem('parked before the restart', 'D0OUT8'))])).parked[0];
		const other = (await run('upsert', [asInput(dmItem('another conversation', 'D0OUT9'))])).parked[0];
		// n8n restarted; a resumed execution that started before both parks saved its copy last.
		parkedMessages.clear();
		staticData = stale;
		zendeskBack();
		expect((await run('upsert', [other])).done).toHaveLength(1);
		zendesk.server.resetCalls();
		const later = await run('upsert', [asInput(dmItem('sent after the restart', 'D0OUT8'))]);
		expect(later.done).toEqual([]);
		expect(later.parked[0].json.retry).toMatchObject({ attempt: 1, reason: RESTART_HOLD_REASON });
		expect(zendesk.server.callsTo()).toHaveLength(0);
		// Held until every message parked before the start came back once (the longest wait, 180 s, and a margin).
		const waitSeconds = Number((later.parked[0].json.retry as IDataObject).waitSeconds);
		expect(waitSeconds).toBeGreaterThanOrEqual(180 + RESTART_HOLD_MARGIN_MS / 1000 - 1);
		await run('upsert', [lost]);
		await run('upsert', [later.parked[0]]);
		expect(commentsOf('D0OUT8')).toEqual([
			expect.stringContaining('parked before the restart'),
			expect.stringContaining('sent after the restart'),
		]);
	});

	it('a later message whose earlier one is due (its execution resuming now) waits for it in place, not a whole wait', async () => {
		zendeskDown();
		const a = (await run('upsert', [asInput(dmItem('first, due now', 'D0OUT11'))])).parked[0];
		zendeskBack();
		const b = (await run('upsert', [asInput(dmItem('second', 'D0OUT11'))])).parked[0];
		// Both waits are over: n8n resumes both executions at about the same moment, the later one first.
		const scope = 'wf-inproc|Zendesk Messaging Upsert';
		const [conversation, rows] = Object.entries(parkedMessages.snapshot(scope, Date.now()))[0];
		const entryOf = (text: string) => rows.find((row) => row[0] === (text === 'a' ? key(a) : key(b)))!;
		for (const which of ['a', 'b']) {
			const [k, order] = entryOf(which);
			parkedMessages.park(scope, conversation, { key: k, order, nextAttemptAtMs: Date.now() - 1 });
		}
		const second = run('upsert', [b]);
		await new Promise((resolve) => setTimeout(resolve, 1_200));
		expect((await run('upsert', [a])).done).toHaveLength(1);
		const later = await second;
		expect(later.parked).toEqual([]);
		expect(later.done).toHaveLength(1);
		expect(commentsOf('D0OUT11')).toEqual([
			expect.stringContaining('first, due now'),
			expect.stringContaining('second'),
		]);
	});

	it('a process that parked everything itself holds nothing: a new message after its own parks is written at once', async () => {
		parkedMessages.clear();
		zendeskDown();
		const a = (await run('upsert', [asInput(dmItem('parked here', 'D0OUT10'))])).parked[0];
		zendeskBack();
		expect((await run('upsert', [a])).done).toHaveLength(1);
		const b = await run('upsert', [asInput(dmItem('right after', 'D0OUT10'))]);
		expect(b.parked).toEqual([]);
		expect(commentsOf('D0OUT10')).toEqual([
			expect.stringContaining('parked here'),
			expect.stringContaining('right after'),
		]);
	});

	it('Upsert: a comment applied while its answer was lost, then Zendesk down: after the wait it is not written twice', async () => {
		await run('upsert', [asInput(dmItem('one', 'D0OUT4'))]);
		zendesk.server.injectFault(PUT_TICKET, { kind: 'latency', ms: REQUEST_TIMEOUT_MS + 300 });
		zendeskDown();
		const parked = (await run('upsert', [asInput(dmItem('two, answer lost', 'D0OUT4'))])).parked;
		expect(parked).toHaveLength(1);
		zendeskBack();
		const again = await run('upsert', [parked[0]]);
		expect(again.done[0].json).toMatchObject({ zendesk: { outcome: expect.stringMatching(/appended|duplicate/) } });
		expect(commentsOf('D0OUT4')).toEqual([expect.stringContaining('one'), expect.stringContaining('two, answer lost')]);
	});

	it('gives up after the give-up time: the item fails naming user, conversation and first words', async () => {
		zendeskDown();
		const parked = (await run('upsert', [asInput(dmItem('my badge stopped working today', 'D0OUT5'))])).parked[0];
		const retry = parked.json.retry as IDataObject;
		const old = { ...parked, json: { ...parked.json, retry: { ...retry, firstFailedAt: '2020-01-01T00:00:00.000Z' } } };
		await expect(run('upsert', [old], { outageGiveUpMinutes: 1 })).rejects.toThrow(
			new RegExp(
				`Zendesk stayed unavailable .*gave up on Slack user ${slack.fixtures.employeeId} \\(team ${slack.fixtures.teamId}\\), conversation D0OUT5: "my badge stopped working today"`,
			),
		);
		// Given up, it no longer holds the conversation up.
		zendeskBack();
		const next = await run('upsert', [asInput(dmItem('anyone?', 'D0OUT5'))]);
		expect(next.done).toHaveLength(1);
	});

	it('with Wait Out Outages off the node has one output and fails as before', async () => {
		zendeskDown();
		await expect(run('upsert', [asInput(dmItem('x', 'D0OUT6'))], { waitOutOutages: false })).rejects.toThrow(/503/);
	});

	it('Profile Linker: a new user during the outage is parked, then linked when Zendesk is back', async () => {
		zendeskDown();
		const item = dmItem('first contact', 'D0OUT7');
		const first = await run('linker', [{ json: item as unknown as IDataObject }]);
		expect(first.done).toEqual([]);
		expect(first.parked[0].json).toMatchObject({ retry: { attempt: 1, node: 'Profile Linker' } });
		expect(first.parked[0].json.zendeskUser).toBeUndefined();
		zendeskBack();
		const second = await run('linker', [first.parked[0]]);
		expect(second.done[0].json).toMatchObject({ zendeskUser: { id: zendesk.fixtures.erin.id } });
		expect(second.done[0].json.retry).toBeUndefined();
		// Passed on marked as held since its first failure: the Upsert's order gate waits longer for
		// the conversation's earlier messages then (they may be held at another worker too).
		const firstFailedAt = (first.parked[0].json.retry as { firstFailedAt: string }).firstFailedAt;
		expect(second.done[0].json.waitedOutSince).toBe(firstFailedAt);
	});

	it('a message never parked is passed on without a "waited out" mark', async () => {
		const { done } = await run('linker', [{ json: dmItem('no outage', 'D0OUT8') as unknown as IDataObject }]);
		expect(done[0].json.zendeskUser).toBeDefined();
		expect(done[0].json).not.toHaveProperty('waitedOutSince');
	});

	it('Attachment Allowlist: Slack file downloads failing with 503 park the message instead of refusing its file', async () => {
		const sent = await slack.userSends({
			userId: slack.fixtures.employeeId,
			text: 'see attached',
			files: [{ name: 'notes.txt', mimetype: 'text/plain', content: Buffer.from('hello notes') }],
			wait: false,
		});
		const files = fileRefs((sent.envelopes[0].event as { files?: SlackEventFile[] }).files);
		const item = { ...dmItem('see attached', sent.channel), message: { ts: sent.ts, text: 'see attached', files } };
		slack.server.injectFault('*', { kind: 'status', status: 503 }, 10_000);
		const first = await run('allowlist', [{ json: item as unknown as IDataObject }]);
		expect(first.done).toEqual([]);
		expect(first.parked[0].json).toMatchObject({
			retry: { attempt: 1, reason: 'HTTP 503', node: 'Attachment Allowlist' },
		});
		expect(first.parked[0].json.rejectedFiles).toBeUndefined();
		slack.server.clearFaults();
		const second = await run('allowlist', [first.parked[0]]);
		expect(second.done[0].json).toMatchObject({ acceptedFiles: [{ name: 'notes.txt' }], rejectedFiles: [] });
	});
});
