/**
 * A module's unit tests are found by its path: `test/unit/<path>/<name>[.<aspect>].test.ts` tests
 * `<path>/<name>.ts` (`test/unit/harness/…` tests `test/harness/…`). Only repository-wide checks,
 * which read several nodes, the templates or the docs at once, sit directly in `test/unit/`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const UNIT = join(ROOT, 'test', 'unit');

/** The repository-wide checks, each reading more than one module. */
const REPOSITORY_CHECKS = [
	'handles-both-triggers', // the Handles rows of both triggers
	'import-cycles', // the import graph of nodes/ and credentials/
	'install-docs', // README against package.json
	'node-credential-labels', // every node's credential slots
	'node-editor-parameters', // every node's parameters as n8n's editor shows them
	'node-pickers', // resource locators across nodes
	'shared-layers', // the import graph of nodes/shared
	'slack-app-manifest', // the Slack app manifests against the trigger
	'specs-in-repo', // the vendored specs and paths outside the repository
	'templates-defaults', // templates against the sandbox settings
	'templates', // the shipped workflows
	'templates-messaging', // the messaging templates against the Support templates and their generator
	'test-layout', // this file
];

function testFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return testFiles(path);
		return name.endsWith('.test.ts') ? [path] : [];
	});
}

/** `test/unit/a/b/name.aspect.test.ts` → the candidate module paths (without extension). */
export function modulesFor(testPath: string): string[] {
	const parts = testPath.replace(/\.test\.ts$/, '').split('/');
	const file = parts.pop()!;
	const folder = parts[0] === 'harness' ? ['test', ...parts] : parts;
	const names = [file, file.replace(/\.[^.]+$/, '')];
	return [...new Set(names)].map((name) => [...folder, name].join('/'));
}

function moduleExists(base: string): boolean {
	return ['.ts', '.mjs', '.js', '/index.ts'].some((ext) => existsSync(join(ROOT, base + ext)));
}

describe('unit tests mirror module paths', () => {
	const files = testFiles(UNIT).map((path) => relative(UNIT, path).split('\\').join('/'));

	it('maps a test path to its module, with an optional aspect', () => {
		expect(modulesFor('nodes/shared/zendesk/comments.size.test.ts')).toEqual([
			'nodes/shared/zendesk/comments.size',
			'nodes/shared/zendesk/comments',
		]);
		expect(modulesFor('harness/realN8n.test.ts')).toEqual(['test/harness/realN8n']);
	});

	it('every test in a folder names an existing module', () => {
		const orphans = files.filter((file) => file.includes('/')).filter((file) => !modulesFor(file).some(moduleExists));
		expect(orphans).toEqual([]);
	});

	it('only the repository-wide checks sit at the top of test/unit', () => {
		const top = files.filter((file) => !file.includes('/')).map((file) => file.replace(/\.test\.ts$/, ''));
		expect(top.filter((name) => !REPOSITORY_CHECKS.includes(name))).toEqual([]);
	});
});
