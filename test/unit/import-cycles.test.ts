/**
 * No file of the package (nodes/, credentials/) imports itself through others: every import, type
 * imports included, follows one direction (DEVELOPERS.md, layout).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sources(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

/** The package files a file imports (relative specifiers only). */
export function importsOf(file: string, text: string): string[] {
	const found: string[] = [];
	for (const match of text.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)'/g)) {
		const base = resolve(dirname(file), match[1]);
		const target = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
		if (target) found.push(target);
	}
	return found;
}

/** One cycle per strongly tied group found by depth-first search, as `a -> b -> a`. */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
	const state = new Map<string, 'open' | 'done'>();
	const stack: string[] = [];
	const cycles: string[][] = [];
	const visit = (node: string) => {
		state.set(node, 'open');
		stack.push(node);
		for (const next of graph.get(node) ?? []) {
			if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
			else if (!state.has(next)) visit(next);
		}
		stack.pop();
		state.set(node, 'done');
	};
	for (const node of graph.keys()) if (!state.has(node)) visit(node);
	return cycles;
}

describe('imports of the package', () => {
	it('finds a cycle when there is one', () => {
		const graph = new Map([
			['a', ['b']],
			['b', ['c']],
			['c', ['a']],
			['d', ['a']],
		]);
		expect(cyclesOf(graph)).toEqual([['a', 'b', 'c', 'a']]);
		expect(
			cyclesOf(
				new Map([
					['a', ['b']],
					['b', []],
				]),
			),
		).toEqual([]);
	});

	it('form no cycle in nodes/ and credentials/', () => {
		const files = [...sources(join(ROOT, 'nodes')), ...sources(join(ROOT, 'credentials'))];
		const graph = new Map(files.map((file) => [file, importsOf(file, readFileSync(file, 'utf8'))]));
		const named = cyclesOf(graph).map((cycle) => cycle.map((file) => relative(ROOT, file)).join(' -> '));
		expect(named).toEqual([]);
	});
});
