#!/usr/bin/env node
/**
 * `npm test`: the whole suite.
 *   1. the real-n8n runtime (Node 24 + n8n 2.41.1) in the cache, installed if missing;
 *   2. `npm run build` (once: the e2e harness is told to reuse it);
 *   3. jest projects unit, integration, e2e (e2e in band: each test file starts real n8n).
 * Every project runs even if an earlier one failed; a summary line ends the output and the
 * exit code is non-zero if anything failed.
 *
 *   node scripts/test-all.mjs                 everything
 *   node scripts/test-all.mjs unit e2e        only these projects (still builds; runtime only for e2e)
 *   node scripts/test-all.mjs -- <jest args>  extra arguments for every jest run
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRuntime, ensureTestPackages } from './install-runtime.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROJECTS = ['unit', 'integration', 'e2e'];

const separator = process.argv.indexOf('--');
const own = separator === -1 ? process.argv.slice(2) : process.argv.slice(2, separator);
const jestExtra = separator === -1 ? [] : process.argv.slice(separator + 1);
const unknown = own.filter((p) => !PROJECTS.includes(p));
if (unknown.length) {
	console.error(`unknown project(s): ${unknown.join(', ')} (choose from ${PROJECTS.join(', ')})`);
	process.exit(2);
}
const selected = own.length ? PROJECTS.filter((p) => own.includes(p)) : PROJECTS;

const countsDir = path.join(os.tmpdir(), `n8n-dm-zendesk-test-counts-${process.pid}`);
rmSync(countsDir, { recursive: true, force: true });
mkdirSync(countsDir, { recursive: true });
const countsFile = (project) => path.join(countsDir, `${project}.json`);

const results = [];
const started = Date.now();
const seconds = (ms) => `${Math.round(ms / 1000)}s`;

function step(name, fn) {
	const t0 = Date.now();
	console.log(`\n=== ${name} ===`);
	let ok;
	try {
		ok = fn();
	} catch (error) {
		console.error(error instanceof Error ? error.message : error);
		ok = false;
	}
	results.push({ name, ok, ms: Date.now() - t0 });
	return ok;
}

function run(cmd, args, env = {}) {
	const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
	return result.status === 0;
}

// Unit tests check the templates against the installed n8n's node catalogue too.
if (selected.includes('e2e') || selected.includes('unit')) {
	step('runtime (Node 24 + n8n, cached)', () => {
		ensureRuntime();
		return true;
	});
}
if (selected.includes('e2e')) {
	step('Debian packages (chromium, PostgreSQL, Redis, nginx)', () => {
		process.env.CHROMIUM_PATH = ensureTestPackages();
		return true;
	});
}
const built = step('build', () => run('npm', ['run', 'build']));

const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
for (const project of selected) {
	if (project === 'e2e' && !built) {
		results.push({ name: 'e2e', ok: false, ms: 0, note: 'skipped: build failed' });
		continue;
	}
	const args = [
		jest,
		'--ci',
		'--json',
		`--outputFile=${countsFile(project)}`,
		'--selectProjects',
		project,
		...jestExtra,
	];
	if (project === 'e2e') args.push('--runInBand');
	step(project, () => run(process.execPath, args, { N8N_DM_SKIP_BUILD: '1' }));
}

// CI reads a plain "N passed, N failed" line: sum the tests of every jest run.
const totals = { passed: 0, failed: 0 };
for (const project of selected) {
	try {
		const report = JSON.parse(readFileSync(countsFile(project), 'utf8'));
		totals.passed += report.numPassedTests;
		totals.failed += report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
	} catch {
		totals.failed += 1; // a project that wrote no report did not run its tests
	}
}
if (totals.passed === 0) totals.failed += 1;

const failed = results.filter((r) => !r.ok);
const parts = results.map((r) => `${r.name} ${r.ok ? 'passed' : (r.note ?? 'FAILED')} (${seconds(r.ms)})`);
console.log(
	`\nnpm test: ${failed.length ? 'FAILED' : 'passed'} in ${seconds(Date.now() - started)}: ${parts.join(', ')}`,
);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(failed.length || totals.failed ? 1 : 0);
