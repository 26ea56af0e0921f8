/**
 * What every real-n8n start needs once per process: the runtime (Node 24 + n8n, installed into
 * the cache by scripts/install-runtime.mjs), the built package, its packed tarball, and a user
 * folder template whose SQLite database is already migrated.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-slack-dm-zendesk';
/** Tests only: a fixed key lets the migrated template be reused across runs. */
export const TEST_ENCRYPTION_KEY = 'n8n-dm-zendesk-test-encryption-key';

export interface Runtime {
	node: string;
	n8n: string;
	nodeBinDir: string;
}

let runtime: Runtime | undefined;
/** Installs Node 24 and n8n into the cache if missing (minutes on a fresh machine, instant after). */
export function ensureRuntime(): Runtime {
	if (!runtime) {
		const out = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'install-runtime.mjs'), '--json'], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		runtime = JSON.parse(out.trim().split('\n').pop() as string) as Runtime;
	}
	return runtime;
}

let buildResult: Error | true | undefined;
/** `npm run build` once per process; `npm test` builds first and sets N8N_DM_SKIP_BUILD=1. */
export function ensureBuilt(): void {
	if (process.env.N8N_DM_SKIP_BUILD === '1') return;
	if (buildResult === undefined) {
		const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, encoding: 'utf8' });
		buildResult = result.status === 0 ? true : new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
	}
	if (buildResult !== true) throw buildResult;
}

let tarball: string | undefined;
function isAlive(pid: number): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** `npm pack` of the built package into the gitignored .cache/pack, once per process. */
export function ensurePacked(): string {
	ensureBuilt();
	if (!tarball) {
		// One folder per process (parallel runs must not share it); folders of dead processes go.
		const packRoot = path.join(REPO_ROOT, '.cache', 'pack');
		fs.mkdirSync(packRoot, { recursive: true });
		for (const entry of fs.readdirSync(packRoot)) {
			if (!isAlive(Number(entry))) fs.rmSync(path.join(packRoot, entry), { recursive: true, force: true });
		}
		const dest = path.join(packRoot, String(process.pid));
		fs.mkdirSync(dest, { recursive: true });
		const out = execFileSync('npm', ['pack', '--pack-destination', dest, '--json', '--ignore-scripts'], {
			cwd: REPO_ROOT,
			encoding: 'utf8',
		});
		const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
		tarball = path.join(dest, filename);
	}
	return tarball;
}

/**
 * The manual install README's "Install in your n8n" documents, word for word (a unit test
 * compares them): in `~/.n8n/nodes`, a package.json if there is none, then npm install without
 * peer dependencies (n8n provides n8n-workflow itself; npm would otherwise install it, and its
 * isolated-vm fails to build on Node 20, and a second copy would give the package different class
 * identities than n8n's).
 */
export const NODES_FOLDER_PACKAGE_JSON = '{"name":"installed-nodes","private":true}';
export const MANUAL_INSTALL_ARGS = ['install', '--legacy-peer-deps', '--no-audit', '--no-fund'] as const;

/** Installs the tarball into `<userFolder>/.n8n/nodes` exactly as README's manual install does. */
export function installCommunityPackage(userFolder: string, tarballPath: string): void {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	if (!fs.existsSync(path.join(nodesDir, 'package.json')))
		fs.writeFileSync(path.join(nodesDir, 'package.json'), `${NODES_FOLDER_PACKAGE_JSON}\n`);
	const result = spawnSync('npm', [...MANUAL_INSTALL_ARGS, tarballPath], { cwd: nodesDir, encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`npm install of ${tarballPath} failed:\n${result.stderr}`);
	const installed = path.join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json');
	if (!fs.existsSync(installed)) throw new Error(`${PACKAGE_NAME} is missing from ${nodesDir} after npm install`);
	if (fs.existsSync(path.join(nodesDir, 'node_modules', 'n8n-workflow'))) {
		throw new Error('n8n-workflow was installed next to the package: peer dependencies must come from n8n');
	}
}

/** Environment every n8n process gets: offline, quiet, loopback only, our own ports. */
export function baseEnv(rt: Runtime, userFolder: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	// Inherit the shell environment minus anything that would configure n8n behind our back
	// (Jest sets NODE_ENV=test, which makes n8n refuse to load nodes).
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(N8N_|DB_|WEBHOOK_URL$|EXECUTIONS_|NODE_OPTIONS$|NODE_ENV$|JEST_|GENERIC_TIMEZONE$)/.test(key)) continue;
		env[key] = value;
	}
	return {
		...env,
		// n8n starts its JS task runner with `node` from PATH: make that Node 24 too.
		PATH: `${rt.nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		// Fetches a registry from api.n8n.io at start-up; nothing here needs it.
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_RUNNERS_MODE: 'internal',
		N8N_PYTHON_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: 'info',
		GENERIC_TIMEZONE: 'UTC',
	};
}

/**
 * Runs argv[1..] and exits with its code, killing it if the caller dies first. spawnSync leaves
 * no stdin to watch, so a new parent id (the orphan is re-parented) tells. Without it, a bench or
 * test killed during an import left that n8n CLI process running, once at full CPU for minutes.
 */
const CLI_GUARD = `
const { spawn } = require('node:child_process');
const [cmd, ...args] = process.argv.slice(1);
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const parent = process.ppid;
const watch = setInterval(() => { if (process.ppid !== parent) child.kill('SIGKILL'); }, 500);
child.on('exit', (code, signal) => { clearInterval(watch); process.exit(code ?? (signal ? 1 : 0)); });
`;

/** An n8n CLI command (import, publish) run to its end, never outliving the caller. */
export function n8nCliSync(rt: Runtime, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }) {
	return spawnSync(rt.node, ['-e', CLI_GUARD, rt.node, rt.n8n, ...args], {
		env: options.env,
		cwd: options.cwd,
		encoding: 'utf8',
	});
}

/**
 * A user folder whose database is already migrated (saves about 3 s per start). Cached next
 * to the runtime, built once, copied per start; the fixed test key matches its config file.
 */
export function ensureUserFolderTemplate(rt: Runtime): string {
	const root = path.dirname(path.dirname(path.dirname(path.dirname(rt.n8n))));
	const template = path.join(root, 'user-folder-template');
	const stamp = path.join(template, '.complete');
	if (fs.existsSync(stamp)) return template;
	const staging = fs.mkdtempSync(path.join(root, 'user-folder-staging-'));
	try {
		const empty = path.join(staging, 'empty.json');
		fs.writeFileSync(empty, '[]');
		const result = n8nCliSync(rt, ['import:credentials', `--input=${empty}`], { env: baseEnv(rt, staging) });
		if (result.status !== 0 || !fs.existsSync(path.join(staging, '.n8n', 'database.sqlite'))) {
			throw new Error(`preparing the n8n user folder failed:\n${result.stdout}\n${result.stderr}`);
		}
		fs.rmSync(empty);
		fs.writeFileSync(path.join(staging, '.complete'), new Date().toISOString());
		try {
			fs.renameSync(staging, template);
		} catch {
			// Another process finished first; theirs is as good as ours.
		}
	} finally {
		fs.rmSync(staging, { recursive: true, force: true });
	}
	return template;
}
