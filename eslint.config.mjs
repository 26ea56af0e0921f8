// Package code (nodes/, credentials/, index.ts, package.json) is linted with exactly the config
// n8n's node CLI ships (`@n8n/node-cli/eslint`: community-nodes `recommended`, nodes-base rules,
// import-x), which is what n8n's verification runs. Tooling (emulators, tests, bench, scripts,
// sandbox) runs outside n8n and gets plain TypeScript rules. No `eslint-disable` anywhere.
import js from '@eslint/js';
import { config as n8nNodeCliConfig } from '@n8n/node-cli/eslint';
import tseslint from 'typescript-eslint';

const packageCode = ['nodes/**/*.ts', 'credentials/**/*.ts', 'index.ts', 'package.json'];
const tooling = ['emulators/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'sandbox/**/*.ts'];

/** The official config, limited to the package's own files (it names no `files` of its own for .ts). */
const official = n8nNodeCliConfig
	.map((entry) => (entry.files || entry.ignores ? entry : { ...entry, files: packageCode }))
	.map((entry) =>
		entry.files && entry.files.includes('**/*.ts')
			? { ...entry, files: packageCode.filter((f) => f.endsWith('.ts')) }
			: entry,
	);

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**', 'test/artifacts/**', '**/*.js', '**/*.mjs'] },
	...official,
	{
		files: tooling,
		extends: [js.configs.recommended, tseslint.configs.recommended],
		rules: {
			'prefer-spread': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
);
