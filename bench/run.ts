/**
 * `npm run bench` (full run, results in bench/results/<date>.json and .md) and
 * `npm run bench -- --smoke` or `npm run bench:smoke` (tiny sizes, results in bench/results/smoke/,
 * not committed; also BENCH_SMOKE=1). `--out=<dir>` writes elsewhere; `--only=burst,chatty` re-runs some
 * scenarios into `<date>-only-<scenarios>.{json,md}`. `--n8n-env=KEY=VALUE` (repeatable) starts n8n with that
 * setting for all workflows and adds it to the file names. `--label=messaging` adds a word to the file names.
 * `--only=outage`: the Zendesk outage scenario ((a) only, opt-in: never part of a full or smoke run).
 * Re-runs itself inside a private network namespace first (bench/netns.ts, bench/README.md).
 */
import * as path from 'node:path';
import { INSIDE_ENV, reexecInNamespace } from './netns';
import type { ScenarioKey } from './report';
import { HOSTS, runBench } from './runner';

const SCENARIOS: ScenarioKey[] = ['steady', 'burst', 'chatty', 'storm', 'retries', 'outage'];

function parseArgs(argv: string[]): {
	smoke: boolean;
	outDir: string;
	command: string;
	only?: ScenarioKey[];
	n8nEnv: Record<string, string>;
	queue: boolean;
	label?: string;
} {
	const smoke = argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
	const out = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
	const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
	const only = onlyArg ? (onlyArg.split(',') as ScenarioKey[]) : undefined;
	const badScenario = only?.find((scenario) => !SCENARIOS.includes(scenario));
	if (badScenario) throw new Error(`bench: unknown scenario ${badScenario} (choose from ${SCENARIOS.join(', ')})`);
	const n8nEnv: Record<string, string> = {};
	for (const arg of argv.filter((a) => a.startsWith('--n8n-env='))) {
		const match = /^--n8n-env=([A-Z][A-Z0-9_]*)=(.*)$/.exec(arg);
		if (!match) throw new Error(`bench: ${arg} is not --n8n-env=KEY=VALUE`);
		n8nEnv[match[1]] = match[2];
	}
	const queue = argv.includes('--queue');
	const label = argv.find((a) => a.startsWith('--label='))?.slice('--label='.length);
	const unknown = argv.filter(
		(a) =>
			a !== '--smoke' &&
			a !== '--queue' &&
			!a.startsWith('--out=') &&
			!a.startsWith('--only=') &&
			!a.startsWith('--label=') &&
			!a.startsWith('--n8n-env='),
	);
	if (unknown.length)
		throw new Error(
			`bench: unknown argument(s) ${unknown.join(' ')} (use --smoke, --queue, --out=<dir>, --only=<scenario,…>, --n8n-env=KEY=VALUE, --label=<word>)`,
		);
	const command = ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
	// Smoke results never overwrite a full run's files.
	return {
		smoke,
		outDir: out ? path.resolve(out) : path.join(__dirname, 'results', smoke ? 'smoke' : ''),
		command,
		only,
		n8nEnv,
		queue,
		label,
	};
}

async function main(): Promise<number> {
	const options = parseArgs(process.argv.slice(2));
	if (!process.env[INSIDE_ENV]) return await reexecInNamespace(Object.values(HOSTS));
	const { jsonFile, markdownFile, markdown } = await runBench(options);
	process.stdout.write(`${markdown}\nResults: ${jsonFile}\n         ${markdownFile}\n`);
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
