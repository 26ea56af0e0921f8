/**
 * `npm start`: the local sandbox. Builds the package, starts a real n8n 2.41.1 (embedded SQLite,
 * the package loaded as a custom extension), imports credentials and every workflow in
 * workflows/, publishes those with a trigger, and wires the loop:
 *   - no account variables: both emulators; Slack events go to the Slack DM Trigger's production
 *     URL, the Zendesk Reply Trigger registers its webhook + trigger in the Zendesk emulator, and
 *     the sandbox console lets you play employee and agent;
 *   - SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, ZENDESK_SUBDOMAIN, ZENDESK_EMAIL, ZENDESK_API_TOKEN
 *     and SANDBOX_PUBLIC_URL set: your real accounts (see docs/sandbox.md); no console.
 * Runs until Ctrl-C.
 *
 *   npm start                                  n8n on 5678 and the console on 5679+ if free
 *   npm start -- --port 5700 --console-port 5701
 *   npm start -- --workflows my-workflows/    import these workflows instead of workflows/
 *   npm start -- --messaging                 the Zendesk messaging templates instead of the Support
 *                                            ones (or SANDBOX_TEMPLATES=messaging), Sunshine emulator
 *
 * n8n's data lives in .n8n-sandbox/ (gitignored) and starts fresh on every run.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import { type Sandbox, startSandbox } from '../sandbox/sandbox';
import { targetFromEnv, templateSetFrom } from '../sandbox/settings';
import { REPO_ROOT, ensureBuilt, ensureRuntime } from '../test/harness/n8nRuntime';

export { SANDBOX_CREDENTIAL_IDS, wireCredentials } from '../sandbox/settings';
export { readTemplates } from '../sandbox/sandbox';

const SANDBOX_FOLDER = path.join(REPO_ROOT, '.n8n-sandbox');
const DEFAULT_N8N_PORT = 5678;
// 5679 is n8n's task broker default: the console starts above it.
const DEFAULT_CONSOLE_PORT = 5680;

async function portIsFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function portOption(name: string): number | undefined {
	const index = process.argv.indexOf(name);
	if (index === -1) return undefined;
	const port = Number(process.argv[index + 1]);
	if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name} needs a port number`);
	return port;
}

function folderOption(name: string): string | undefined {
	const index = process.argv.indexOf(name);
	if (index === -1) return undefined;
	const folder = path.resolve(process.argv[index + 1] ?? '');
	if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory())
		throw new Error(`${name} needs a folder of workflow JSON files`);
	return folder;
}

async function preferredPort(requested: number | undefined, fallback: number): Promise<number | undefined> {
	if (requested) return requested;
	return (await portIsFree(fallback)) ? fallback : undefined;
}

/** `[sandbox 12s]`: every progress line says how long `npm start` has been at it. */
export function progressLine(message: string, elapsedMs: number): string {
	return `[sandbox ${Math.round(elapsedMs / 1000)}s] ${message}`;
}

/** While a long step waits without output, a line every PROGRESS_EVERY_MS says it is still at it. */
export const PROGRESS_EVERY_MS = 10_000;

export function stillWorkingLine(step: string, stepElapsedMs: number): string {
	return `… still ${step} (${Math.round(stepElapsedMs / 1000)}s so far)`;
}

/** Runs `work`, printing stillWorkingLine while it takes long (whenever the event loop is free). */
async function withProgress<T>(log: (message: string) => void, step: string, work: () => Promise<T>): Promise<T> {
	const startedAt = Date.now();
	const timer = setInterval(() => log(stillWorkingLine(step, Date.now() - startedAt)), PROGRESS_EVERY_MS);
	try {
		return await work();
	} finally {
		clearInterval(timer);
	}
}

async function main(): Promise<void> {
	const startedAt = Date.now();
	const log = (message: string) => console.log(progressLine(message, Date.now() - startedAt));
	const target = targetFromEnv(process.env);
	const templateSet = templateSetFrom(process.argv, process.env);
	log(
		target.kind === 'real'
			? `real accounts: Zendesk ${target.zendesk.subdomain}, Slack app of SLACK_BOT_TOKEN`
			: 'no account variables set: using the Slack and Zendesk emulators',
	);
	log(
		templateSet === 'messaging'
			? 'templates: Zendesk messaging (the Support pair is not published)'
			: 'templates: Support tickets (npm start -- --messaging for Zendesk messaging)',
	);
	log('preparing the runtime (Node 24 + n8n 2.41.1; installs once, about 4 minutes)…');
	ensureRuntime();
	log('building the package (TypeScript and icons; about 30 s, no output meanwhile)…');
	ensureBuilt();
	log(
		'package built; next: emulators, then n8n imports the credentials and workflows (about 30 s, no output meanwhile) and starts (about 15 s)',
	);

	const sandbox: Sandbox = await withProgress(
		log,
		'starting n8n',
		async () =>
			await startSandbox({
				target,
				userFolder: SANDBOX_FOLDER,
				port: await preferredPort(portOption('--port'), DEFAULT_N8N_PORT),
				consolePort:
					target.kind === 'emulators'
						? await preferredPort(portOption('--console-port'), DEFAULT_CONSOLE_PORT)
						: undefined,
				templatesDir: folderOption('--workflows'),
				templateSet,
				log,
			}),
	);
	const { n8n } = sandbox;

	const rule = '─'.repeat(72);
	console.log(
		[
			'',
			rule,
			`  Sandbox is running (${sandbox.target === 'real' ? 'real Slack and Zendesk' : 'emulated Slack and Zendesk'}). Ctrl-C stops it.`,
			rule,
			...sandbox.summary(),
			`  n8n data     ${path.relative(REPO_ROOT, SANDBOX_FOLDER)}/ (n8n log: ${path.relative(REPO_ROOT, path.join(SANDBOX_FOLDER, 'n8n.log'))}), ready in ${Math.round((n8n.timings.ready ?? 0) / 1000)} s`,
			rule,
			'',
		].join('\n'),
	);

	// Keep n8n's output out of the terminal but available.
	const logFile = path.join(SANDBOX_FOLDER, 'n8n.log');
	let written = 0;
	const flushLog = () => {
		const all = n8n.logs();
		fs.appendFileSync(logFile, all.slice(written));
		written = all.length;
	};
	const logTimer = setInterval(flushLog, 1000);

	let stopping = false;
	const shutdown = async (exitCode: number) => {
		if (stopping) return;
		stopping = true;
		log('stopping…');
		clearInterval(logTimer);
		await sandbox.stop();
		flushLog();
		process.exit(exitCode);
	};
	void n8n.exited.then(() => {
		if (stopping) return;
		log(`n8n exited unexpectedly; see ${logFile}`);
		void shutdown(1);
	});
	process.on('SIGINT', () => void shutdown(0));
	process.on('SIGTERM', () => void shutdown(0));
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
