import { FIXTURE_IDS as F } from '../../../emulators/slack';
import type { CallRecord } from '../../../emulators/common/server';
import { SlackWorkspace, seedDefaultWorkspace } from '../../../emulators/slack/state';
import { ScenarioRun, type Target } from '../../../bench/runner';
import { historyNote } from '../../../bench/slackHistory';

function workspaceWithDm(): { ws: SlackWorkspace; dm: string } {
	const ws = new SlackWorkspace();
	seedDefaultWorkspace(ws);
	ws.addUser({ id: 'UBENCH0001', teamId: F.teamId, name: 'bench', realName: 'Bench', email: 'b@acme.test' });
	return { ws, dm: ws.openDm('UBENCH0001', F.botUserId) };
}

function call(route: string, messages: unknown[] | undefined): CallRecord {
	return {
		route,
		method: 'POST',
		path: `/api/${route}`,
		status: 200,
		at: 0,
		request: { headers: {}, body: {}, query: {} },
		response: { headers: {}, body: messages ? { ok: true, messages } : { ok: true } },
	};
}

describe('the bench stores what it sends in the Slack its workflows read', () => {
	it('stores each message in the DM before its event, with the event ts and text', () => {
		const { ws, dm } = workspaceWithDm();
		const target = { key: 'a', workflowId: 'w', url: 'http://x', slackWorkspace: ws } as unknown as Target;
		const run = new ScenarioRun(target, 'steady');
		const first = run.payload({ slackId: 'UBENCH0001', dm }, 'First');
		const second = run.payload({ slackId: 'UBENCH0001', dm }, 'Second');
		const stored = ws.messagesIn(dm);
		expect(stored.map((m) => [m.ts, m.text, m.user])).toEqual([
			[first.envelope.event.ts, `First ${first.marker}`, 'UBENCH0001'],
			[second.envelope.event.ts, `Second ${second.marker}`, 'UBENCH0001'],
		]);
		expect(Number(first.envelope.event.ts)).toBeLessThan(Number(second.envelope.event.ts));
	});

	it('stores nothing for a target without a Slack workspace', () => {
		const target = { key: 'c', workflowId: 'w', url: 'http://x' } as unknown as Target;
		const { envelope } = new ScenarioRun(target, 'steady').payload({ slackId: 'U1', dm: 'D1' });
		expect(typeof envelope.event.ts).toBe('string');
	});

	it("says how many history reads found messages (the bench's proof that order work was measured)", () => {
		expect(historyNote([call('chat.postMessage', undefined)])).toBeUndefined();
		expect(
			historyNote([
				call('conversations.history', []),
				call('conversations.history', [{ ts: '1' }]),
				call('conversations.replies', [{ ts: '1' }, { ts: '2' }]),
				call('users.info', undefined),
			]),
		).toBe('Slack history reads: 3, 2 with messages in the answer');
	});
});
