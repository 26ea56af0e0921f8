/**
 * `npm start`: the local sandbox. Builds the package, starts the Slack and Zendesk emulators
 * and a real n8n 2.41.1 (embedded SQLite, the package loaded as a custom extension), imports
 * sandbox credentials that point at the emulators plus every workflow in workflows/, publishes
 * the ones with a trigger, prints the URLs, and runs until Ctrl-C.
 *
 *   npm start                   n8n on port 5678 if free, otherwise a free port
 *   npm start -- --port 5700    n8n on this port
 *
 * n8n's data lives in .n8n-sandbox/ (gitignored) and starts fresh on every run.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { emulatorCredentialSummary, startEmulators } from '../emulators/cli';
import { REPO_ROOT, ensureBuilt, ensureRuntime } from '../test/harness/n8nRuntime';
import { type CredentialJson, type RealN8n, type WorkflowJson, startRealN8n } from '../test/harness/realN8n';

const SANDBOX_FOLDER = path.join(REPO_ROOT, '.n8n-sandbox');
const DEFAULT_PORT = 5678;

export const SANDBOX_CREDENTIAL_IDS = {
	slackDmApi: 'sandboxSlackDm01',
	zendeskDmApi: 'sandboxZendesk01',
} as const;

/** Points every node's credential of a sandbox type at the sandbox credential. */
export function wireCredentials(workflow: WorkflowJson, credentials: CredentialJson[]): WorkflowJson {
	const byType = new Map(credentials.map((c) => [c.type, { id: c.id, name: c.name }]));
	return {
		...workflow,
		nodes: workflow.nodes.map((node) => {
			const used = node.credentials as Record<string, unknown> | undefined;
			if (!used) return node;
			const wired = Object.fromEntries(Object.entries(used).map(([type, ref]) => [type, byType.get(type) ?? ref]));
			return { ...node, credentials: wired };
		}),
	};
}

/** Every workflow JSON in workflows/ (a file holds one workflow or an array of them). */
export function readTemplates(dir = path.join(REPO_ROOT, 'workflows')): WorkflowJson[] {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.flatMap((file) => {
			const parsed = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as WorkflowJson | WorkflowJson[];
			return Array.isArray(parsed) ? parsed : [parsed];
		})
		.filter((wf) => Array.isArray(wf.nodes) && typeof wf.connections === 'object');
}

/** Only workflows that start from a trigger can be published. */
function hasTrigger(workflow: WorkflowJson): boolean {
	return workflow.nodes.some((node) => /trigger|webhook/i.test(node.type));
}

async function portIsFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function portOption(): number | undefined {
	const index = process.argv.indexOf('--port');
	if (index === -1) return undefined;
	const port = Number(process.argv[index + 1]);
	if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error('--port needs a port number');
	return port;
}

async function main(): Promise<void> {
	const log = (message: string) => console.log(`[sandbox] ${message}`);
	log('preparing the runtime (Node 24 + n8n 2.41.1; installs once, about 4 minutes)…');
	ensureRuntime();
	log('building the package…');
	ensureBuilt();

	const emulators = await startEmulators();
	const { slack, zendesk } = emulators;
	const credentials: CredentialJson[] = [
		{
			id: SANDBOX_CREDENTIAL_IDS.slackDmApi,
			name: 'Slack (sandbox emulator)',
			type: 'slackDmApi',
			data: { accessToken: slack.fixtures.botToken, signingSecret: slack.signingSecret, baseUrl: slack.apiUrl },
		},
		{
			id: SANDBOX_CREDENTIAL_IDS.zendeskDmApi,
			name: 'Zendesk (sandbox emulator)',
			type: 'zendeskDmApi',
			data: {
				subdomain: zendesk.fixtures.subdomain,
				email: zendesk.fixtures.bridge.email,
				apiToken: zendesk.fixtures.bridge.apiToken,
				baseUrl: zendesk.url,
			},
		},
	];
	const workflows = readTemplates().map((wf) => wireCredentials(wf, credentials));

	const requested = portOption();
	const port = requested ?? ((await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : undefined);
	fs.rmSync(SANDBOX_FOLDER, { recursive: true, force: true });
	log(`starting n8n with ${workflows.length} workflow(s) from workflows/…`);
	let n8n: RealN8n;
	try {
		n8n = await startRealN8n({
			mode: 'custom-extensions',
			credentials,
			workflows,
			publish: workflows.filter(hasTrigger).map((wf) => wf.id as string),
			port,
			userFolder: SANDBOX_FOLDER,
		});
	} catch (error) {
		await emulators.close();
		throw error;
	}

	console.log(
		[
			'',
			'Sandbox is running (Ctrl-C to stop).',
			`n8n editor        ${n8n.url}   log in as ${n8n.owner.email} / ${n8n.owner.password}`,
			...emulatorCredentialSummary(emulators),
			`Workflows         ${n8n.workflows.map((wf) => wf.name ?? wf.id).join(', ') || '(none yet in workflows/)'}`,
			`n8n data          ${SANDBOX_FOLDER} (n8n log: .n8n-sandbox/n8n.log)`,
			`Started in        ${Math.round((n8n.timings.ready ?? 0) / 1000)} s`,
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
		await n8n.stop();
		flushLog();
		await emulators.close();
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
