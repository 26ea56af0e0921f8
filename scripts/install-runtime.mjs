#!/usr/bin/env node
/**
 * Installs the runtime the real-n8n tests and `npm start` need into a cache that is reused
 * across runs: Node 24 (n8n 2.x needs it; CI machines only have Node 20) and n8n 2.41.1.
 *
 *   node scripts/install-runtime.mjs          install what is missing, print progress
 *   node scripts/install-runtime.mjs --json   same, then print {"node": …, "n8n": …, "nodeBinDir": …}
 *
 * Cache: $N8N_DM_CACHE, default ~/.cache/n8n-dm-zendesk. Each part is complete only when its
 * `.complete` stamp exists (written after a check that it runs), so an interrupted install is
 * redone from scratch on the next run. A lock directory keeps two processes from installing at once.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const N8N_VERSION = '2.41.1';
export const NODE_MAJOR = '24';

export function cacheDir() {
	return process.env.N8N_DM_CACHE || path.join(os.homedir(), '.cache', 'n8n-dm-zendesk');
}

export function runtimePaths(root = cacheDir()) {
	const nodeDir = path.join(root, `node${NODE_MAJOR}`);
	const n8nDir = path.join(root, `n8n-${N8N_VERSION}`);
	const nodeBinDir = path.join(nodeDir, 'node_modules', 'node', 'bin');
	return {
		root,
		nodeDir,
		n8nDir,
		nodeBinDir,
		node: path.join(nodeBinDir, 'node'),
		n8n: path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

const STAMP = '.complete';
const log = (message) => process.stderr.write(`[runtime] ${message}\n`);

function isComplete(dir, file) {
	return fs.existsSync(path.join(dir, STAMP)) && fs.existsSync(file);
}

/** npm with flags that do not depend on the user's npm config (the repo's .npmrc ignores scripts). */
function npm(cwd, args) {
	const started = Date.now();
	const result = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=warn'], {
		cwd,
		stdio: ['ignore', 'inherit', 'inherit'],
		env: { ...process.env, npm_config_update_notifier: 'false' },
	});
	if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd} (exit ${result.status})`);
	log(`npm ${args[0]} ${args[1] ?? ''} took ${Math.round((Date.now() - started) / 1000)}s`);
}

function freshDir(dir, name) {
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	// Own package.json so npm treats this folder as the project root (not a parent folder).
	fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true }) + '\n');
}

function stamp(dir, details) {
	fs.writeFileSync(path.join(dir, STAMP), JSON.stringify({ ...details, at: new Date().toISOString() }) + '\n');
}

function installNode(p) {
	log(`installing Node ${NODE_MAJOR} into ${p.nodeDir}`);
	freshDir(p.nodeDir, 'n8n-dm-node-runtime');
	// The `node` package's preinstall fetches the platform binary, so scripts must run here.
	npm(p.nodeDir, ['install', `node@${NODE_MAJOR}`, '--ignore-scripts=false']);
	const version = execFileSync(p.node, ['--version'], { encoding: 'utf8' }).trim();
	if (!version.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`expected Node ${NODE_MAJOR}, got ${version}`);
	stamp(p.nodeDir, { node: version });
}

function installN8n(p) {
	log(`installing n8n ${N8N_VERSION} into ${p.n8nDir} (3-4 minutes, about 2.8 GB)`);
	freshDir(p.n8nDir, 'n8n-dm-n8n-runtime');
	// n8n's own install scripts are not needed; only sqlite3's native binding is (N-API, so
	// building it with this npm's Node works under Node 24 too).
	npm(p.n8nDir, ['install', `n8n@${N8N_VERSION}`, '--ignore-scripts']);
	npm(p.n8nDir, ['rebuild', 'sqlite3', '--ignore-scripts=false']);
	const version = execFileSync(p.node, [p.n8n, '--version'], { encoding: 'utf8' }).trim();
	if (version !== N8N_VERSION) throw new Error(`expected n8n ${N8N_VERSION}, got ${version}`);
	execFileSync(p.node, ['-e', 'require(process.argv[1])', path.join(p.n8nDir, 'node_modules', 'sqlite3')], {
		stdio: 'inherit',
	});
	stamp(p.n8nDir, { n8n: version });
}

function sleepSync(ms) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock(root, fn) {
	fs.mkdirSync(root, { recursive: true });
	const lock = path.join(root, '.install-lock');
	const deadline = Date.now() + 20 * 60_000;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			const holder = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
			let alive = false;
			try {
				if (holder) process.kill(holder, 0);
				alive = holder > 0;
			} catch {
				alive = false;
			}
			if (!alive) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`another install (pid ${holder}) holds ${lock}`);
			sleepSync(2000);
		}
	}
	try {
		return fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

/** Installs what is missing and returns the paths. Cheap when the cache is complete. */
export function ensureRuntime() {
	const p = runtimePaths();
	if (isComplete(p.nodeDir, p.node) && isComplete(p.n8nDir, p.n8n)) return p;
	return withLock(p.root, () => {
		if (!isComplete(p.nodeDir, p.node)) installNode(p);
		if (!isComplete(p.n8nDir, p.n8n)) installN8n(p);
		return p;
	});
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (invokedDirectly) {
	const p = ensureRuntime();
	if (process.argv.includes('--json')) {
		process.stdout.write(JSON.stringify({ node: p.node, n8n: p.n8n, nodeBinDir: p.nodeBinDir }) + '\n');
	} else {
		log(`ready: ${p.node} / ${p.n8n}`);
	}
}

/** Whether `name` is on the PATH (test/harness/queueInfra.ts finds the same way what it starts). */
const commandExists = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

/** A PostgreSQL server (not only its client) under Debian's versioned folders, as queueInfra.ts looks for it. */
const postgresServerInstalled = () => {
	const root = '/usr/lib/postgresql';
	return (
		fs.existsSync(root) &&
		fs.readdirSync(root).some((version) => fs.existsSync(path.join(root, version, 'bin', 'postgres')))
	);
};

/**
 * Installs the Debian packages the end-to-end tests need that this machine lacks, in one apt-get
 * run (as root, or with sudo without a password): chromium (browser tests), iproute2 (`ip`) and openssl (the benchmark smoke test's network
 * namespace and TLS front), redis-server and postgresql (n8n's queue mode, which the tests start
 * their own instances of), nginx (the load balancer of the scale-out topology, run unprivileged
 * from a temp folder by test/harness/topology.ts). Returns the chromium path.
 */
export function ensureTestPackages() {
	const wanted = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
	const missing = [
		...(fs.existsSync(wanted) ? [] : ['chromium']),
		...(commandExists('ip') ? [] : ['iproute2']),
		...(commandExists('openssl') ? [] : ['openssl']),
		...(commandExists('redis-server') ? [] : ['redis-server']),
		...(postgresServerInstalled() ? [] : ['postgresql']),
		...(commandExists('nginx') || fs.existsSync('/usr/sbin/nginx') ? [] : ['nginx']),
	];
	if (missing.length === 0) return wanted;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	const hasSudo = !isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
	if (!commandExists('apt-get') || (!isRoot && !hasSudo)) {
		throw new Error(`missing ${missing.join(', ')}: install them (apt-get install -y ${missing.join(' ')})`);
	}
	const prefix = isRoot ? [] : ['sudo', '-n'];
	console.log(`[runtime] installing Debian packages for the end-to-end tests: ${missing.join(', ')}`);
	for (const args of [
		['apt-get', 'update'],
		['apt-get', 'install', '-y', '--no-install-recommends', ...missing],
	]) {
		const command = [...prefix, ...args];
		const result = spawnSync(command[0], command.slice(1), {
			stdio: 'inherit',
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		});
		if (result.status !== 0) throw new Error(`${command.join(' ')} failed (exit ${result.status})`);
	}
	if (!fs.existsSync(wanted)) throw new Error(`chromium installed, but not at ${wanted}: set CHROMIUM_PATH`);
	return wanted;
}
