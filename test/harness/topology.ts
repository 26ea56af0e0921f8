/**
 * n8n's queue mode scaled out, as larger teams run it: PostgreSQL and Redis (queueInfra.ts), one
 * main process (editor, REST, activation; no production webhooks), two `n8n webhook` processes
 * behind nginx (Debian's, round robin, unprivileged from a temp folder) taking every production
 * webhook (Slack events and Zendesk webhooks go to nginx), and two `n8n worker`s running the
 * executions.
 *
 *   Slack / Zendesk / Sunshine emulators ──▶ nginx :front ──┬─▶ n8n webhook :wh1 ─┐
 *                                                           └─▶ n8n webhook :wh2 ─┤ enqueue
 *   tests ──▶ n8n main :main (REST, activation)                                   ▼
 *                                              Redis (Bull) ──▶ worker-1, worker-2 ──▶ PostgreSQL
 *
 * nginx logs every request as one JSON line with the upstream that took it ($upstream_addr) and
 * the request body, so a test can tell which webhook process got which Slack event.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Pipeline, type PipelineOptions, startPipeline } from './pipeline';
import { type QueueInfra, portAnswers, startQueueInfra } from './queueInfra';
import { type N8nProcess, freePort } from './realN8n';

const INSTALL_HINT = 'the scale-out topology needs nginx (Debian: apt-get install nginx; npm test installs it)';

/**
 * Bull's stall detection, shortened so that a killed worker's job is noticed within seconds (n8n's
 * defaults: lock 60 s, renewed every 10 s, stall check every 30 s). n8n itself sets
 * `maxStalledCount: 0` (scaling.service.js), which no variable changes.
 */
export const STALL_SETTINGS = {
	QUEUE_WORKER_LOCK_DURATION: '10000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
};

/** One request nginx proxied (from its JSON access log). */
export interface FrontRequest {
	at: number;
	method: string;
	uri: string;
	status: number;
	/** The webhook process that answered, as `127.0.0.1:<port>`. */
	upstream: string;
	/** X-Slack-Retry-Num, if any. */
	retryNum?: number;
	body: string;
}

export interface Nginx {
	url: string;
	port: number;
	dir: string;
	accessLog(): FrontRequest[];
	/**
	 * The last logged request that matches, waiting for it up to `timeoutMs`: nginx writes its
	 * access log line after the response has gone out, so a client that just got its answer may
	 * read the log before the line is there.
	 */
	loggedRequest(match: (request: FrontRequest) => boolean, timeoutMs?: number): Promise<FrontRequest | undefined>;
	close(): Promise<void>;
}

function nginxBinary(): string {
	const found = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' }).stdout.trim();
	if (!found) throw new Error(INSTALL_HINT);
	return found.split('\n')[0];
}

export function nginxConfig(dir: string, port: number, upstreams: number[]): string {
	const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
	return `daemon off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 512; }
http {
	log_format front escape=json '{"at":"$msec","method":"$request_method","uri":"$uri","status":"$status",'
		'"upstream":"$upstream_addr","retry":"$http_x_slack_retry_num","body":"$request_body"}';
	access_log ${path.join(dir, 'access.log')} front;
	${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n\t')}
	client_body_buffer_size 1m;
	client_max_body_size 16m;
	upstream n8n_webhook_processes {
		${upstreams.map((p) => `server 127.0.0.1:${p};`).join('\n\t\t')}
		keepalive 16;
	}
	server {
		listen 127.0.0.1:${port};
		location /webhook/ {
			proxy_pass http://n8n_webhook_processes;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host $http_host;
			proxy_set_header X-Forwarded-For $remote_addr;
			proxy_read_timeout 60s;
		}
		location / { return 404; }
	}
}
`;
}

// Masters still running, killed if the test process exits without close().
const liveMasters = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of liveMasters) child.kill('SIGKILL');
});

/** nginx on a free port in front of `upstreams`, run unprivileged (as `nobody` when we are root). */
export async function startNginx(upstreams: number[]): Promise<Nginx> {
	const binary = nginxBinary();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-nginx-'));
	const port = await freePort();
	fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreams));
	const args = ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')];
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (isRoot) spawnSync('chown', ['-R', 'nobody', dir]);
	// runuser would stay in between: nginx itself must be our child to get the signals.
	const child = isRoot
		? spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', binary, ...args], {
				stdio: ['ignore', 'pipe', 'pipe'],
			})
		: spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	liveMasters.add(child);
	let output = '';
	child.stdout?.setEncoding('utf8').on('data', (t: string) => (output += t));
	child.stderr?.setEncoding('utf8').on('data', (t: string) => (output += t));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const close = async () => {
		if (!liveMasters.delete(child)) return;
		child.kill('SIGQUIT');
		const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
		await exited;
		clearTimeout(timer);
		fs.rmSync(dir, { recursive: true, force: true });
	};
	const deadline = Date.now() + 15_000;
	while (!(await portAnswers(port))) {
		if (child.exitCode !== null || Date.now() > deadline) {
			await close();
			const log = fs.existsSync(path.join(dir, 'error.log'))
				? fs.readFileSync(path.join(dir, 'error.log'), 'utf8')
				: '';
			throw new Error(`nginx did not start (exit ${child.exitCode}):\n${output}\n${log}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	const accessLog = (): FrontRequest[] => {
		const file = path.join(dir, 'access.log');
		if (!fs.existsSync(file)) return [];
		const text = fs.readFileSync(file, 'utf8');
		// Only whole lines: nginx may be writing the last one right now.
		return text
			.slice(0, text.lastIndexOf('\n') + 1)
			.split('\n')
			.filter(Boolean)
			.map((line) => {
				const raw = JSON.parse(line) as Record<string, string>;
				return {
					at: Number(raw.at) * 1000,
					method: raw.method,
					uri: raw.uri,
					status: Number(raw.status),
					upstream: raw.upstream,
					retryNum: raw.retry ? Number(raw.retry) : undefined,
					body: raw.body,
				};
			});
	};
	const loggedRequest = async (match: (request: FrontRequest) => boolean, timeoutMs = 5_000) => {
		for (const deadline = Date.now() + timeoutMs; ; ) {
			const found = accessLog().reverse().find(match);
			if (found || Date.now() > deadline) return found;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	};
	return { url: `http://127.0.0.1:${port}`, port, dir, accessLog, loggedRequest, close };
}

export interface ScaleOut {
	pipeline: Pipeline;
	nginx: Nginx;
	queue: QueueInfra;
	/** The webhook processes, in upstream order (`webhook-1` on webhookPorts[0], …). */
	webhookProcesses(): N8nProcess[];
	workers(): N8nProcess[];
	/** The process's own production URL for a webhook path (bypassing nginx). */
	directWebhookUrl(process: N8nProcess, webhookPath: string): string;
	/** The webhook process nginx sent a request to, by its `upstream` (`127.0.0.1:<port>`). */
	webhookProcessAt(upstream: string): N8nProcess | undefined;
	/** The worker that logged `Worker started execution <id>` (each start, in log order). */
	workersThatRan(executionId: string): string[];
	stop(): Promise<void>;
}

/** In a workflow of startScaleOut: replaced by the load balancer's URL (known once nginx runs). */
export const FRONT_URL = '{{scale-out front URL}}';

/** The whole topology with the emulators and the workflows of `options` (queue settings are ours). */
export async function startScaleOut(
	options: Omit<PipelineOptions, 'n8nEnv' | 'worker' | 'scaleOut' | 'restartable'>,
	counts: { workers: number; webhookProcesses: number } = { workers: 2, webhookProcesses: 2 },
): Promise<ScaleOut> {
	const queue = await startQueueInfra();
	const closers: Array<() => Promise<void>> = [async () => await queue.close()];
	const stop = async () => {
		for (let closer = closers.pop(); closer; closer = closers.pop()) await closer().catch(() => undefined);
	};
	try {
		const webhookPorts: number[] = [];
		for (let i = 0; i < counts.webhookProcesses; i++) webhookPorts.push(await freePort());
		const nginx = await startNginx(webhookPorts);
		closers.push(async () => await nginx.close());
		const workflows = options.workflows?.map(
			(workflow) => JSON.parse(JSON.stringify(workflow).split(FRONT_URL).join(nginx.url)) as typeof workflow,
		);
		const pipeline = await startPipeline({
			...options,
			workflows,
			n8nEnv: { ...queue.env, ...STALL_SETTINGS },
			scaleOut: { workers: counts.workers, webhookPorts, front: nginx.url },
		});
		closers.push(async () => await pipeline.stop());
		const named = (prefix: string) => pipeline.n8n.processes.filter((p) => p.name.startsWith(prefix));
		return {
			pipeline,
			nginx,
			queue,
			webhookProcesses: () => named('webhook-'),
			workers: () => named('worker-'),
			directWebhookUrl: (proc, webhookPath) =>
				`http://127.0.0.1:${proc.port}/webhook/${webhookPath.replace(/^\/+/, '')}`,
			webhookProcessAt: (upstream) => named('webhook-').find((p) => upstream === `127.0.0.1:${p.port}`),
			workersThatRan: (executionId) => {
				const started = new RegExp(`Worker started execution ${executionId} `, 'g');
				return named('worker-').flatMap((w) => (w.logs().match(started) ?? []).map(() => w.name));
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
