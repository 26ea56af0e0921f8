/** README's "Install in your n8n" is the command the end-to-end community-package load runs. */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { MANUAL_INSTALL_ARGS, NODES_FOLDER_PACKAGE_JSON, PACKAGE_NAME } from '../harness/n8nRuntime';

const ROOT = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function installSection(): string {
	const start = readme.indexOf('## Install in your n8n');
	expect(start).toBeGreaterThanOrEqual(0);
	const end = readme.indexOf('\n## ', start + 3);
	return readme.slice(start, end === -1 ? undefined : end);
}

describe('README: Install in your n8n', () => {
	it('names the package for the community nodes screen', () => {
		expect(installSection()).toContain(`\`${PACKAGE_NAME}\``);
	});

	it('documents exactly the package.json and npm install the harness uses for the community-package load', () => {
		const block = /```sh\n([\s\S]*?)```/.exec(installSection())?.[1] ?? '';
		const lines = block.trim().split('\n');
		expect(lines).toEqual([
			'mkdir -p ~/.n8n/nodes && cd ~/.n8n/nodes',
			`[ -f package.json ] || echo '${NODES_FOLDER_PACKAGE_JSON}' > package.json`,
			`npm ${MANUAL_INSTALL_ARGS.join(' ')} ${PACKAGE_NAME}`,
		]);
		expect(MANUAL_INSTALL_ARGS).toContain('--legacy-peer-deps');
	});

	it('the package ships the files the sticky notes and README point users to', () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
		expect(pkg.files).toEqual(
			expect.arrayContaining(['dist', 'docs/*.md', 'slack/*.json', 'workflows/*.json', 'CHANGELOG.md']),
		);
		expect(fs.existsSync(path.join(ROOT, 'CHANGELOG.md'))).toBe(true);
	});
});
