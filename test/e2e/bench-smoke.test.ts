/**
 * The benchmark in smoke mode (`npm run bench -- --smoke`): tiny sizes, real n8n, all five
 * workflows ((a′), the messaging template, in its three scenarios; (d), the bench's own community
 * trigger, loaded beside the package), all five scenarios. Keeps the benchmark from rotting; asserts the result files and
 * exactly-once delivery, never speed.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ScenarioResult } from '../../bench/report';
import { REPO_ROOT } from '../harness/n8nRuntime';

jest.setTimeout(300_000);

interface BenchDocument {
	version: number;
	smoke: boolean;
	command: string;
	network: { namespace: string | null; tlsFrontRequests: Record<string, number> };
	workflows: Record<string, { id: string; source: string; package?: string }>;
	results: ScenarioResult[];
	ratios: Array<{
		scenario: string;
		ackP99AOverC: number | null;
		ackP99AOverD: number | null;
		epsAOverD: number | null;
	}>;
	targets: Array<{ id: string; met: boolean | null }>;
}

const SCENARIOS = ['steady', 'burst', 'chatty', 'storm', 'retries'];
const WORKFLOWS = ['a', 'b', 'c', 'd'];
const MESSAGING_SCENARIOS = ['steady', 'chatty', 'retries'];

let outDir: string;
let exitCode: number | null;
let output = '';
let doc: BenchDocument;
let markdown: string;

beforeAll(async () => {
	outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-bench-smoke-'));
	const child = spawn('npx', ['tsx', 'bench/run.ts', '--smoke', `--out=${outDir}`], {
		cwd: REPO_ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
	child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
	const timer = setTimeout(() => child.kill('SIGTERM'), 280_000);
	exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	clearTimeout(timer);
	const files = fs.readdirSync(outDir);
	const json = files.find((f) => f.endsWith('.json'));
	const md = files.find((f) => f.endsWith('.md'));
	if (exitCode !== 0 || !json || !md)
		throw new Error(`bench --smoke failed (exit ${exitCode}, files ${files.join(', ')}):\n${output.slice(-6000)}`);
	doc = JSON.parse(fs.readFileSync(path.join(outDir, json), 'utf8')) as BenchDocument;
	markdown = fs.readFileSync(path.join(outDir, md), 'utf8');
});

afterAll(() => {
	if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

const result = (workflow: string, scenario: string) =>
	doc.results.find((r) => r.workflow === workflow && r.scenario === scenario) as ScenarioResult;

describe('npm run bench -- --smoke', () => {
	it('writes a JSON result with one entry per workflow and scenario, and the markdown table', () => {
		expect(doc.version).toBe(3);
		expect(doc.smoke).toBe(true);
		expect(doc.command).toContain('npm run bench -- --smoke');
		expect(doc.results.map((r) => `${r.workflow}/${r.scenario}`).sort()).toEqual(
			[
				...WORKFLOWS.flatMap((w) => SCENARIOS.map((s) => `${w}/${s}`)),
				...MESSAGING_SCENARIOS.map((s) => `m/${s}`),
			].sort(),
		);
		for (const r of doc.results) {
			expect(r.messages).toBeGreaterThan(0);
			expect(r.sends).toBeGreaterThanOrEqual(r.messages);
			expect(r.ack.count).toBeGreaterThan(0);
			expect(typeof r.ack.p50).toBe('number');
			expect(typeof r.ack.p99).toBe('number');
			expect(r.zendeskPerMessage).toBeGreaterThanOrEqual(0);
			expect(r.slackPerMessage).toBeGreaterThanOrEqual(0);
			// The steady state's sends, split into its two phases.
			if (r.scenario === 'steady') {
				expect((r.ackByPhase?.paced.count ?? 0) + (r.ackByPhase?.closedLoop.count ?? 0)).toBe(r.ack.count);
				// The closed loop ran in rounds, each workflow once in each position.
				expect(r.closedLoopRounds?.map((round) => round.round)).toEqual([0, 1]);
				expect(new Set(r.closedLoopRounds?.map((round) => round.position)).size).toBe(2);
				expect(r.closedLoopRounds?.reduce((sum, round) => sum + round.ack.count, 0)).toBe(
					r.ackByPhase?.closedLoop.count,
				);
			} else {
				expect(r.ackByPhase).toBeUndefined();
				expect(r.closedLoopRounds).toBeUndefined();
			}
		}
		expect(doc.ratios.map((r) => r.scenario).sort()).toEqual([...SCENARIOS].sort());
		expect(doc.targets.map((t) => t.id)).toEqual([
			'zendesk-per-message',
			'slack-per-message',
			'ack-p99',
			'throughput',
			'ack-p99-floor-trigger',
			'throughput-floor-trigger',
			'exactly-once',
			'chatty',
			'sunshine-per-message',
			'messaging-exactly-once',
			'messaging-chatty',
		]);
		expect(markdown).toContain('| scenario | workflow | msgs | ack p50 | ack p99 |');
		expect(markdown).toContain('| scenario | ack p99 (a)/(c) | ack p99 (a)/(d) |');
		expect(markdown).toContain('`npm run bench -- --smoke');
		expect(output).toContain('| target | this run | met? |');
	});

	it('(a), the package template, delivers every message exactly once and in order in every scenario', () => {
		for (const scenario of SCENARIOS) {
			const r = result('a', scenario);
			expect({ scenario, duplicates: r.duplicates, lost: r.lost, outOfOrder: r.outOfOrder }).toEqual({
				scenario,
				duplicates: 0,
				lost: 0,
				outOfOrder: 0,
			});
			expect(r.delivery?.count).toBe(r.messages);
		}
		expect(result('a', 'steady').zendeskRequests).toBeGreaterThan(0);
	});

	it("(a′), the messaging template, delivers every message once and in order, through Sunshine into the agent workspace's tickets", () => {
		for (const scenario of MESSAGING_SCENARIOS) {
			const r = result('m', scenario);
			expect({ scenario, duplicates: r.duplicates, lost: r.lost, outOfOrder: r.outOfOrder }).toEqual({
				scenario,
				duplicates: 0,
				lost: 0,
				outOfOrder: 0,
			});
			expect(r.delivery?.count).toBe(r.messages);
			expect(r.sunshineRequests).toBeGreaterThan(0);
		}
		expect(doc.network.tlsFrontRequests['bench-msg.zendesk.com']).toBeGreaterThan(0);
	});

	it('(b), the built-in nodes, reached the Zendesk emulator through the namespace and the TLS front', () => {
		const steady = result('b', 'steady');
		expect({ duplicates: steady.duplicates, lost: steady.lost }).toEqual({ duplicates: 0, lost: 0 });
		expect(steady.zendeskPerMessage).toBeGreaterThanOrEqual(2);
		expect(doc.network.tlsFrontRequests['bench-b.zendesk.com']).toBeGreaterThan(0);
		expect(doc.network.tlsFrontRequests['bench-a.zendesk.com']).toBeGreaterThan(0);
		// The storm's 429s reach both Zendesk workflows.
		expect(result('a', 'storm').zendesk429).toBeGreaterThan(0);
		expect(result('b', 'storm').zendesk429).toBeGreaterThan(0);
	});

	it('(c), the floor, was measured and made no Zendesk or Slack call', () => {
		for (const scenario of SCENARIOS) {
			const r = result('c', scenario);
			expect(r.ack.count).toBeGreaterThan(0);
			expect(r.eventsPerSecond).toBeGreaterThan(0);
			expect(r.zendeskRequests + r.slackRequests).toBe(0);
		}
	});

	it("(d), the bench's own community trigger, loaded beside the package, was measured like (c), and (a)/(d) reported", () => {
		expect(doc.workflows.d).toMatchObject({
			source: 'bench/workflows/floor-trigger-noop.json',
			package: 'bench/floorTrigger',
		});
		for (const scenario of SCENARIOS) {
			const r = result('d', scenario);
			expect({ scenario, nonAck: r.nonAckAnswers, unanswered: r.unanswered }).toEqual({
				scenario,
				nonAck: 0,
				unanswered: 0,
			});
			expect(r.ack.count).toBe(r.sends);
			expect(r.eventsPerSecond).toBeGreaterThan(0);
			expect(r.delivery).toBeNull();
			expect(r.zendeskRequests + r.slackRequests).toBe(0);
			expect(r.notes.join(' ')).not.toContain('without readable data');
		}
		const steady = doc.ratios.find((r) => r.scenario === 'steady');
		expect(typeof steady?.ackP99AOverD).toBe('number');
		expect(typeof steady?.epsAOverD).toBe('number');
		expect(doc.targets.find((t) => t.id === 'ack-p99-floor-trigger')?.met).not.toBeNull();
	});

	it('removed its network namespace and hosts file', () => {
		expect(doc.network.namespace).toMatch(/^n8n-dm-bench-\d+$/);
		const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
		expect(listed).not.toContain(doc.network.namespace as string);
		expect(fs.existsSync(path.join('/etc/netns', doc.network.namespace as string))).toBe(false);
	});
});
