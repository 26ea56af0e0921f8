/**
 * `npm start -- --messaging` as a library call: the sandbox publishes the Zendesk messaging pair
 * (and the error workflow), never the Support inbound template, wires the Slack emulator to the
 * messaging inbound trigger and the Sunshine emulator to the messaging Reply Trigger, and a DM
 * typed in the Slack emulator becomes a messaging ticket whose agent reply comes back to the DM.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type Sandbox, startSandbox } from '../../sandbox/sandbox';

jest.setTimeout(120_000);

let sandbox: Sandbox;
let userFolder: string;

beforeAll(async () => {
	userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-sandbox-msg-'));
	sandbox = await startSandbox({ target: { kind: 'emulators' }, userFolder, templateSet: 'messaging' });
}, 240_000);

afterAll(async () => {
	await sandbox?.stop();
	if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
});

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor<T>(what: string, read: () => T | undefined, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = read();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(250);
	}
}

describe('npm start -- --messaging', () => {
	it('publishes the messaging pair and the error workflow, not the Support pair', () => {
		expect(sandbox.templateSet).toBe('messaging');
		expect(sandbox.workflows.map((wf) => wf.id).sort()).toEqual(
			['slackDmZdAlerts1', 'slackDmZdMsgInbd', 'slackDmZdMsgRepl'].sort(),
		);
		expect(sandbox.slackTriggers.map((t) => t.workflowId)).toEqual(['slackDmZdMsgInbd']);
		// The messaging Reply Trigger's return path: its own webhook in the Sunshine emulator.
		expect(sandbox.returnPath).toHaveLength(1);
		expect(sandbox.returnPath[0].webhook).toBeDefined();
		expect(sandbox.summary().join('\n')).toContain('messaging integration webhook');
	});

	it('a DM becomes a messaging ticket, and the agent reply comes back to the DM', async () => {
		const emulators = sandbox.emulators!;
		const sent = await emulators.slack.userSends({
			userId: emulators.slack.fixtures.employeeId,
			text: 'Sandbox: the printer is out of toner',
		});
		const ticketId = await waitFor(
			'the messaging ticket',
			() => emulators.sunshine.agentWorkspace?.tickets[0]?.ticketId,
		);
		const ticket = emulators.zendesk.tickets().find((t) => Number(t.ticket.id) === ticketId)!;
		expect(ticket.ticket).toMatchObject({ via: { channel: 'native_messaging' } });
		expect(JSON.stringify(ticket.comments)).toContain('Sandbox: the printer is out of toner');

		await emulators.zendesk.agentReply(ticketId, { public: true, body: 'A new cartridge is on its way.' });
		// (The out-of-hours notice may be in the DM too, depending on the clock.)
		const reply = await waitFor('the reply in the DM', () =>
			emulators.slack.postedMessages.find(
				(m) => m.channel === sent.channel && m.text.includes('A new cartridge is on its way.'),
			),
		);
		expect(reply.text.split('\n')[0]).toBe(`*${emulators.zendesk.fixtures.anna.name}:*`);
	});
});
