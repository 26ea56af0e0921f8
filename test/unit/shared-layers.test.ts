/**
 * nodes/shared reads as a stack (DEVELOPERS.md, Layout): each folder imports only folders below
 * it, so no two folders import each other and there is no cycle between them. The order is
 * written once here; a new folder must be given its place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SHARED = path.resolve(__dirname, '..', '..', 'nodes', 'shared');
/** Bottom first. '.' is the files directly in nodes/shared (types, values, externalIds). */
const LAYERS = ['.', 'state', 'n8n', 'transport', 'slack', 'attachments', 'zendesk', 'identity'];

function folderImports(): Array<{ from: string; to: string; file: string }> {
	const found: Array<{ from: string; to: string; file: string }> = [];
	for (const entry of fs.readdirSync(SHARED, { recursive: true }) as string[]) {
		if (!entry.endsWith('.ts')) continue;
		const file = path.join(SHARED, entry);
		const from = path.dirname(entry).split(path.sep)[0];
		for (const match of fs.readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
			const target = path.relative(SHARED, path.resolve(path.dirname(file), match[1]));
			if (target.startsWith('..')) continue;
			const to = target.includes(path.sep) ? target.split(path.sep)[0] : '.';
			if (to !== from) found.push({ from, to, file: entry });
		}
	}
	return found;
}

describe('nodes/shared is a stack', () => {
	it('knows every folder', () => {
		const folders = fs
			.readdirSync(SHARED, { withFileTypes: true })
			.filter((d) => d.isDirectory())
			.map((d) => d.name);
		expect(folders.filter((f) => !LAYERS.includes(f))).toEqual([]);
	});

	it('has every folder import only folders below it', () => {
		const upward = folderImports().filter(({ from, to }) => LAYERS.indexOf(to) >= LAYERS.indexOf(from));
		expect(upward.map(({ file, to }) => `${file} imports ${to}`)).toEqual([]);
	});
});
