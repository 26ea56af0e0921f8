/** The harness's n8n CLI steps (imports, publish) run to their end and never outlive their caller. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { n8nCliSync, REPO_ROOT } from '../../harness/n8nRuntime';

jest.setTimeout(30_000);

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

describe('n8nCliSync', () => {
	let dir: string;
	beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-guard-'))));
	afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

	it("returns the command's exit code and output, arguments and environment passed through", () => {
		const fakeN8n = path.join(dir, 'n8n.js');
		fs.writeFileSync(fakeN8n, "console.log(process.argv.slice(2).join(' '), process.env.GUARD_TEST); process.exit(3);");
		const result = n8nCliSync(
			{ node: process.execPath, n8n: fakeN8n, nodeBinDir: '' },
			['import:credentials', '--input=x'],
			{ env: { ...process.env, GUARD_TEST: 'seen' } },
		);
		expect(result.status).toBe(3);
		expect(result.stdout.trim()).toBe('import:credentials --input=x seen');
	});

	it('kills the command when its caller dies first', async () => {
		// A command that would run for a minute and says its pid.
		const fakeN8n = path.join(dir, 'n8n.js');
		const pidFile = path.join(dir, 'pid');
		fs.writeFileSync(
			fakeN8n,
			`require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60000);`,
		);
		// One process (no tsx wrapper in between), so killing it kills the caller itself.
		const caller = spawn(
			process.execPath,
			[
				'--require',
				'tsx/cjs',
				'-e',
				`require(${JSON.stringify(path.join(REPO_ROOT, 'test', 'harness', 'n8nRuntime.ts'))}).n8nCliSync({ node: process.execPath, n8n: ${JSON.stringify(fakeN8n)}, nodeBinDir: '' }, [], { env: process.env })`,
			],
			{ stdio: 'ignore', cwd: REPO_ROOT },
		);
		const deadline = Date.now() + 15_000;
		while (!fs.existsSync(pidFile) && Date.now() < deadline) await sleep(100);
		const pid = Number(fs.readFileSync(pidFile, 'utf8'));
		expect(alive(pid)).toBe(true);
		caller.kill('SIGKILL');
		const gone = Date.now() + 5_000;
		while (alive(pid) && Date.now() < gone) await sleep(100);
		const survived = alive(pid);
		if (survived) process.kill(pid, 'SIGKILL');
		expect(survived).toBe(false);
	});
});
