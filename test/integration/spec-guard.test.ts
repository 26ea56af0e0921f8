/**
 * The spec guard (test/harness/specGuard.ts, a jest setup file) checks every emulator started in a
 * test without the test asking for it, and fails on non-conforming traffic unless the test opts out.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { EmulatorServer } from '../../emulators/common/server';
import { FIXTURE_IDS, startSlackEmulator } from '../../emulators/slack';
import { startZendeskEmulator } from '../../emulators/zendesk';
import { specGuard, specGuardCheckNow } from '../harness/specGuard';

type Slack = Awaited<ReturnType<typeof startSlackEmulator>>;
type Zendesk = Awaited<ReturnType<typeof startZendeskEmulator>>;

let slack: Slack;
let zendesk: Zendesk;
const ZENDESK_AUTH = `Basic ${Buffer.from('bridge@acme.test/token:zd-emulator-token').toString('base64')}`;

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
	zendesk = await startZendeskEmulator({ rateLimits: false });
});

afterAll(async () => {
	await slack.close();
	await zendesk.close();
});

const postMessage = (args: Record<string, string>) =>
	fetch(`${slack.apiUrl}/chat.postMessage`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${FIXTURE_IDS.botToken}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(args).toString(),
	});

const showUser = (id: string) => fetch(`${zendesk.url}/api/v2/users/${id}.json`, { headers: { Authorization: ZENDESK_AUTH } });

describe('spec guard', () => {
	it('lets conforming traffic through and records nothing', async () => {
		expect((await postMessage({ channel: FIXTURE_IDS.helpChannelId, text: 'hi' })).status).toBe(200);
		expect((await showUser('1001')).status).toBe(200);
		expect(specGuard.seen()).toEqual([]);
	});

	it('sees a Slack request with an argument the method does not have, and a Zendesk path parameter of the wrong type', async () => {
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		await showUser('me-myself');
		const seen = specGuard.seen();
		expect(seen).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ kind: 'slack', route: 'chat.postMessage', problem: expect.stringContaining('not_an_argument') }),
				expect.objectContaining({ kind: 'zendesk', path: '/api/v2/users/me-myself.json', problem: expect.stringContaining('must be an integer') }),
			]),
		);
		expect(() => specGuardCheckNow()).toThrow(/do not conform to the vendor spec[\s\S]*chat\.postMessage[\s\S]*SPEC_EXCEPTIONS\.md/);
	});

	it('expectViolations passes with exactly that many on the route, and fails with another count', async () => {
		specGuard.expectViolations(1, 'chat.postMessage');
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		expect(() => specGuardCheckNow()).not.toThrow();
		specGuard.expectViolations(2, 'chat.postMessage');
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		expect(() => specGuardCheckNow()).toThrow(/expected 2 spec violation\(s\) on chat\.postMessage, saw 1/);
	});

	it('allow ignores one route for this test only', async () => {
		specGuard.allow('chat.postMessage', 'deliberate');
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		// afterEach finds nothing to fail on
	});

	it('an allowance from an earlier test no longer applies, and never covers other routes', async () => {
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		expect(() => specGuardCheckNow()).toThrow(/not_an_argument/);
		specGuard.allow('chat.postMessage', 'deliberate');
		await postMessage({ channel: 'D0NOPE', text: 'hi', not_an_argument: '1' });
		await showUser('me-myself');
		expect(() => specGuardCheckNow()).toThrow(/^(?![\s\S]*not_an_argument)[\s\S]*users\/me-myself/);
	});

	it('also checks emulators a child process starts (e.g. the benchmark), through the call log', () => {
		const script = `
			import { FIXTURE_IDS, startSlackEmulator } from './emulators/slack';
			(async () => {
				const slack = await startSlackEmulator({ rateLimits: false });
				await fetch(slack.apiUrl + '/chat.postMessage', {
					method: 'POST',
					headers: { Authorization: 'Bearer ' + FIXTURE_IDS.botToken, 'Content-Type': 'application/json' },
					body: JSON.stringify({ channel: FIXTURE_IDS.helpChannelId, text: 'from a child', child_only_argument: true }),
				});
				await slack.close();
			})();`;
		const child = spawnSync('npx', ['tsx', '-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
		expect(child.status).toBe(0);
		expect(specGuard.seen()).toEqual([expect.objectContaining({ kind: 'slack', route: 'chat.postMessage', problem: expect.stringContaining('child_only_argument') })]);
		specGuard.expectViolations(1, 'chat.postMessage', 'the child sent an unknown argument on purpose');
	}, 30_000);

	it('refuses to start an emulator server it cannot classify', async () => {
		const server = new EmulatorServer('something else');
		await expect(server.start()).rejects.toThrow(/has no kind/);
		await server.close();
	});
});
