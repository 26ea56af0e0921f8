/**
 * Starts a real n8n 2.41.1 (Node 24, embedded SQLite, or queue mode with a worker when the
 * caller passes its database and Redis) with this package loaded, the way users
 * run it: as a custom extension folder (node types `CUSTOM.<name>`) or as the packed tarball
 * installed as a community package (`n8n-nodes-slack-dm-zendesk.<name>`).
 *
 * Start-up: copy a migrated user folder, (install the tarball), `n8n import:credentials`,
 * `n8n import:workflow`, `n8n publish:workflow --id` for each workflow, `n8n start` in its own
 * process group, wait until the editor line is logged (webhooks of published workflows are
 * registered by then) and `/healthz` answers, then create the owner account over REST.
 *
 * Executions are read through n8n's own REST API as that owner (`/rest/executions`), the same
 * API the editor uses (`listExecutions` / `readExecution` in n8nExecutions.ts, shared with the
 * benchmark); `data` comes back in the flatted format and is parsed there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Execution, isFinished, listExecutions as listExecutionsOver, readExecution } from './n8nExecutions';
import {
	PACKAGE_NAME,
	REPO_ROOT,
	type Runtime,
	baseEnv,
	ensureBuilt,
	ensurePacked,
	ensureRuntime,
	ensureUserFolderTemplate,
	installCommunityPackage,
	n8nCliSync,
} from './n8nRuntime';

export type LoadMode = 'custom-extensions' | 'community-package';

/** A workflow as `n8n export:workflow` writes it (nodes, connections, optional id/name/settings). */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: Array<{ type: string; [key: string]: unknown }>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

/** A credential for `n8n import:credentials`: `data` in plain form, n8n encrypts it on import. */
export interface CredentialJson {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface StartRealN8nOptions {
	mode: LoadMode;
	workflows?: WorkflowJson[];
	credentials?: CredentialJson[];
	/** Extra environment for the n8n process (overrides the harness defaults). */
	env?: Record<string, string>;
	/** Which imported workflows to publish: all (default), none, or these ids. */
	publish?: boolean | string[];
	/** Fixed port for the editor and webhooks; a free ephemeral port by default. */
	port?: number;
	/** Use this (empty or missing) folder as N8N_USER_FOLDER and keep it on stop. Default: a temp folder, removed on stop. */
	userFolder?: string;
	/** Default 120 s; 240 s with a worker (its first start migrates a fresh database). */
	startTimeoutMs?: number;
	/**
	 * Also start one `n8n worker` (queue mode: pass EXECUTIONS_MODE=queue, the Redis and a shared
	 * database in `env`). It runs the executions; the main process answers webhooks.
	 */
	worker?: boolean;
	/** Start this many `n8n worker`s (queue mode); `worker: true` is one. */
	workers?: number;
	/**
	 * Start one `n8n webhook` process per port (queue mode); they take the production webhooks and
	 * the main process no longer does (N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true).
	 */
	webhookPorts?: number[];
	/** The production webhooks' public base URL (a load balancer in front of the webhook processes). */
	webhookBaseUrl?: string;
}

/** One n8n process of the instance (main, a worker, a webhook process). */
export interface N8nProcess {
	/** `main`, `worker-1`, `worker-2`, `webhook-1`, … */
	name: string;
	/** The webhook process's own port. */
	port?: number;
	/** The supervisor's process group (n8n, its task runner). */
	pgid: number;
	/** This process's stdout and stderr so far. */
	logs(): string;
	/** Signals the whole group (SIGKILL: the process dies as in a crash, no shutdown). */
	kill(signal: NodeJS.Signals): void;
	exited: Promise<void>;
}

export interface RealN8n {
	url: string;
	mode: LoadMode;
	userFolder: string;
	/** The workflows as imported (ids assigned, node types adapted to the mode). */
	workflows: WorkflowJson[];
	/** Owner account created at start (log into the editor with it). */
	owner: { email: string; password: string };
	/** Production webhook URL for a webhook path. */
	webhookUrl(webhookPath: string): string;
	/** All executions, oldest first, with their data. */
	executions(filter?: { workflowId?: string }): Promise<Execution[]>;
	/** Waits until at least `count` executions have finished, then returns all finished ones. */
	waitForExecutions(count: number, timeoutMs?: number, filter?: { workflowId?: string }): Promise<Execution[]>;
	/** n8n's REST API as the owner, e.g. rest('GET', '/rest/workflows'). */
	rest<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
	/** Names of all node types / credential types n8n has loaded (what the editor gets). */
	nodeTypes(): Promise<string[]>;
	credentialTypes(): Promise<string[]>;
	/** n8n's stdout and stderr so far (including the CLI import steps). */
	logs(): string;
	/** Every process started: main first, then workers, then webhook processes (then workers added later). */
	processes: N8nProcess[];
	/** Starts one more `n8n worker` (queue mode), ready when it returns: after a test killed one. */
	addWorker(name: string): Promise<N8nProcess>;
	/** Resolves when the n8n process has exited (after stop(), or on its own). */
	exited: Promise<void>;
	/** Milliseconds from startRealN8n() until ready, per phase. */
	timings: Record<string, number>;
	stop(): Promise<void>;
}

const OWNER = { email: 'owner@example.com', password: 'Sandbox-Owner-1', firstName: 'Sandbox', lastName: 'Owner' };
const READY_LINE = 'Editor is now accessible via';
const WORKER_READY_LINE = 'n8n worker is now ready';
const WEBHOOK_READY_LINE = 'Webhook listener waiting for requests.';

/**
 * Runs argv[1..] in this (group-leading) process's group. The group gets SIGTERM when stdin
 * closes (the test process is gone), SIGKILL 10 s after any SIGTERM/SIGINT, and SIGKILL when
 * n8n exits (so its task runner cannot linger).
 */
const SUPERVISOR = `
const { spawn } = require('node:child_process');
const [cmd, ...args] = process.argv.slice(1);
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const killGroup = (signal) => { try { process.kill(-process.pid, signal); } catch {} };
let ending = false;
const ensureEnd = () => {
	if (ending) return;
	ending = true;
	setTimeout(() => killGroup('SIGKILL'), 10000).unref();
};
process.on('SIGTERM', ensureEnd);
process.on('SIGINT', ensureEnd);
process.stdin.on('close', () => killGroup('SIGTERM'));
process.stdin.resume();
child.on('exit', () => killGroup('SIGKILL'));
`;

/** The node type a package node gets in each mode; workflows may use either prefix. */
export function nodeTypeFor(mode: LoadMode, name: string): string {
	return mode === 'custom-extensions' ? `CUSTOM.${name}` : `${PACKAGE_NAME}.${name}`;
}

/** Rewrites this package's node types to the prefix of `mode`, leaving other nodes alone. */
export function adaptWorkflow(workflow: WorkflowJson, mode: LoadMode): WorkflowJson {
	const prefixes = [`${PACKAGE_NAME}.`, 'CUSTOM.'];
	return {
		...workflow,
		nodes: workflow.nodes.map((node) => {
			const prefix = prefixes.find((p) => node.type.startsWith(p));
			return prefix ? { ...node, type: nodeTypeFor(mode, node.type.slice(prefix.length)) } : node;
		}),
	};
}

/** n8n's ids are 16 alphanumerics. */
function newWorkflowId(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

// Process groups still running, killed hard if the test process exits without stop().
const liveGroups = new Set<number>();
process.once('exit', () => {
	for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
});

function killGroup(pgid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pgid, signal);
	} catch {
		// Already gone.
	}
}

function copyDir(from: string, to: string): void {
	fs.cpSync(from, to, { recursive: true, filter: (src) => path.basename(src) !== '.complete' });
}

export async function startRealN8n(options: StartRealN8nOptions): Promise<RealN8n> {
	const t0 = Date.now();
	const timings: Record<string, number> = {};
	const mark = (phase: string) => (timings[phase] = Date.now() - t0);

	const rt: Runtime = ensureRuntime();
	mark('runtime');
	ensureBuilt();
	const tarballPath = options.mode === 'community-package' ? ensurePacked() : undefined;
	mark('build');

	const ownsFolder = !options.userFolder;
	const userFolder = options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-e2e-'));
	fs.mkdirSync(userFolder, { recursive: true });
	if (!fs.existsSync(path.join(userFolder, '.n8n', 'database.sqlite'))) {
		copyDir(ensureUserFolderTemplate(rt), userFolder);
	}
	if (tarballPath) installCommunityPackage(userFolder, tarballPath);
	mark('userFolder');

	const port = options.port ?? (await freePort());
	const url = `http://127.0.0.1:${port}`;
	const webhookBase = (options.webhookBaseUrl ?? url).replace(/\/+$/, '');
	const webhookPorts = options.webhookPorts ?? [];
	const env: NodeJS.ProcessEnv = {
		...baseEnv(rt, userFolder),
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `${url}/`,
		N8N_WEBHOOK_URL: `${webhookBase}/`,
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		...(options.mode === 'custom-extensions'
			? { N8N_CUSTOM_EXTENSIONS: path.join(REPO_ROOT, 'dist'), N8N_COMMUNITY_PACKAGES_PREVENT_LOADING: 'true' }
			: { N8N_COMMUNITY_PACKAGES_ENABLED: 'true' }),
		...(webhookPorts.length ? { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' } : {}),
		...options.env,
	};

	let output = '';
	const append = (text: string) => {
		output += text;
	};
	const cli = (args: string[]) => {
		const result = n8nCliSync(rt, args, { env, cwd: userFolder });
		append(`$ n8n ${args.join(' ')}\n${result.stdout}${result.stderr}`);
		// The import commands log errors and still exit 0: check their success lines too.
		if (result.status !== 0 || /An error occurred|Error updating database/.test(result.stdout + result.stderr)) {
			throw new Error(`n8n ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
		}
	};

	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-import-'));
	const workflows = (options.workflows ?? []).map((wf) =>
		adaptWorkflow({ ...wf, id: wf.id ?? newWorkflowId() }, options.mode),
	);
	try {
		if (options.credentials?.length) {
			const file = path.join(workDir, 'credentials.json');
			fs.writeFileSync(file, JSON.stringify(options.credentials));
			cli(['import:credentials', `--input=${file}`]);
		}
		if (workflows.length) {
			const file = path.join(workDir, 'workflows.json');
			fs.writeFileSync(
				file,
				JSON.stringify(workflows.map((wf) => ({ name: wf.id, active: false, settings: {}, ...wf }))),
			);
			cli(['import:workflow', `--input=${file}`]);
			const publish = options.publish ?? true;
			const toPublish = publish === true ? workflows.map((wf) => wf.id as string) : publish === false ? [] : publish;
			for (const id of toPublish) cli(['publish:workflow', `--id=${id}`]);
		}
	} finally {
		fs.rmSync(workDir, { recursive: true, force: true });
	}
	mark('import');

	// n8n runs under a small supervisor that leads its own process group: stop() signals the
	// group, and if this test process dies without stop() the supervisor's stdin closes and it
	// kills the group itself, so no n8n or task runner outlives a failed or killed test run.
	const supervised = (command: string, commandEnv: NodeJS.ProcessEnv, name = command, ownPort?: number) => {
		const started: ChildProcess = spawn(rt.node, ['-e', SUPERVISOR, rt.node, rt.n8n, command], {
			env: commandEnv,
			cwd: userFolder,
			detached: true,
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		liveGroups.add(started.pid as number);
		let own = '';
		const collect = (text: string) => {
			own += text;
			append(text);
		};
		started.stdout?.setEncoding('utf8').on('data', collect);
		started.stderr?.setEncoding('utf8').on('data', collect);
		const pgid = started.pid as number;
		return {
			name,
			port: ownPort,
			child: started,
			pgid,
			logs: () => own,
			kill: (signal: NodeJS.Signals) => killGroup(pgid, signal),
			exited: new Promise<void>((resolve) => started.once('exit', () => resolve())),
		};
	};
	const main = supervised('start', env, 'main');
	const { exited } = main;
	// Workers and webhook processes need task-runner broker ports of their own.
	const extra: Array<typeof main> = [];
	const workerCount = options.workers ?? (options.worker ? 1 : 0);
	for (let i = 1; i <= workerCount; i++) {
		const brokerPort = String(await freePort());
		extra.push(supervised('worker', { ...env, N8N_RUNNERS_BROKER_PORT: brokerPort }, `worker-${i}`));
	}
	for (const [i, ownPort] of webhookPorts.entries()) {
		const processEnv = { ...env, N8N_PORT: String(ownPort), N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		extra.push(supervised('webhook', processEnv, `webhook-${i + 1}`, ownPort));
	}
	const processes = [main, ...extra];
	const publicProcess = ({ name, port: ownPort, pgid, logs, kill, exited: ended }: (typeof processes)[number]) => ({
		name,
		port: ownPort,
		pgid,
		logs,
		kill,
		exited: ended,
	});

	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		const stopStarted = Date.now();
		for (const proc of processes) {
			killGroup(proc.pgid, 'SIGTERM');
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([proc.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 15_000)))]);
			clearTimeout(timer);
			// Whatever is left in the group (a task runner that ignored SIGTERM) goes now.
			killGroup(proc.pgid, 'SIGKILL');
			await proc.exited;
			proc.child.stdin?.destroy();
			proc.child.stdout?.destroy();
			proc.child.stderr?.destroy();
			liveGroups.delete(proc.pgid);
		}
		timings.stop = Date.now() - stopStarted;
		if (ownsFolder && process.env.N8N_DM_KEEP_USER_FOLDER !== '1') {
			fs.rmSync(userFolder, { recursive: true, force: true });
		}
	};

	try {
		await waitUntil(
			async () => {
				for (const proc of processes) {
					if (proc.child.exitCode !== null)
						throw new Error(`n8n ${proc.name} exited with code ${proc.child.exitCode} during start-up`);
				}
				if (!output.includes(READY_LINE)) return false;
				for (const proc of extra) {
					if (!proc.logs().includes(proc.port ? WEBHOOK_READY_LINE : WORKER_READY_LINE)) return false;
				}
				const health = await fetch(`${url}/healthz`).catch(() => undefined);
				return health?.ok === true;
			},
			options.startTimeoutMs ?? (extra.length ? 240_000 : 120_000),
			'n8n to start',
		);
	} catch (error) {
		await stop();
		throw new Error(`${(error as Error).message}\n--- n8n output ---\n${output.slice(-8000)}`);
	}
	mark('started');

	let cookie = '';
	const rawRest = async (method: string, apiPath: string, body?: unknown) =>
		await fetch(`${url}${apiPath}`, {
			method,
			headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	const authenticate = async () => {
		let response = await rawRest('POST', '/rest/owner/setup', OWNER);
		if (!response.ok) {
			// A kept user folder already has its owner.
			response = await rawRest('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
		}
		if (!response.ok) throw new Error(`n8n owner set-up/login failed: ${response.status} ${await response.text()}`);
		const setCookie = response.headers.get('set-cookie') ?? '';
		const auth = /n8n-auth=[^;]+/.exec(setCookie);
		if (!auth) throw new Error('n8n did not return an auth cookie');
		cookie = auth[0];
	};
	try {
		await authenticate();
	} catch (error) {
		await stop();
		throw error;
	}
	mark('ready');

	const rest = async <T>(method: string, apiPath: string, body?: unknown): Promise<T> => {
		const response = await rawRest(method, apiPath, body);
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} ${apiPath} -> ${response.status}: ${text.slice(0, 500)}`);
		const parsed = text ? (JSON.parse(text) as { data?: unknown }) : {};
		return (parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed) as T;
	};

	const listExecutions = async (filter?: { workflowId?: string }): Promise<Execution[]> =>
		await listExecutionsOver(rest, filter);
	const withData = async (summary: Execution): Promise<Execution> => await readExecution(rest, summary);

	const instance: RealN8n = {
		url,
		mode: options.mode,
		userFolder,
		workflows,
		owner: { email: OWNER.email, password: OWNER.password },
		timings,
		webhookUrl: (webhookPath) => `${webhookBase}/webhook/${webhookPath.replace(/^\/+/, '')}`,
		rest,
		executions: async (filter) => await Promise.all((await listExecutions(filter)).map(withData)),
		waitForExecutions: async (count, timeoutMs = 30_000, filter) => {
			let finished: Execution[] = [];
			await waitUntil(
				async () => {
					finished = (await listExecutions(filter)).filter(isFinished);
					return finished.length >= count;
				},
				timeoutMs,
				() => `${count} finished execution(s) (have ${finished.length})`,
			);
			return await Promise.all(finished.map(withData));
		},
		nodeTypes: async () => await typeNames(rawRest, '/types/nodes.json'),
		credentialTypes: async () => await typeNames(rawRest, '/types/credentials.json'),
		logs: () => output,
		processes: processes.map(publicProcess),
		addWorker: async (name) => {
			const added = supervised('worker', { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) }, name);
			processes.push(added);
			await waitUntil(async () => added.logs().includes(WORKER_READY_LINE), 120_000, `${name} to start`);
			const shown = publicProcess(added);
			instance.processes.push(shown);
			return shown;
		},
		exited,
		stop,
	};
	return instance;
}

async function typeNames(
	rawRest: (method: string, apiPath: string) => Promise<Response>,
	apiPath: string,
): Promise<string[]> {
	const response = await rawRest('GET', apiPath);
	if (!response.ok) throw new Error(`GET ${apiPath} -> ${response.status}`);
	const types = (await response.json()) as Array<{ name: string }>;
	return [...new Set(types.map((t) => t.name))];
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(
	check: () => Promise<boolean>,
	timeoutMs: number,
	what: string | (() => string),
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
		}
		await delay(200);
	}
}
