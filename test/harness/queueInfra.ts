/**
 * n8n's queue mode for the end-to-end tests and the benchmark (`--queue`): a Redis and a
 * PostgreSQL of the caller's own (inside the bench's network namespace when the bench starts
 * them), removed at the end. n8n's main process then answers the webhooks and one `n8n worker`
 * runs the executions, as n8n's scaling guide sets it up.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './realN8n';

export interface QueueInfra {
	/** Environment for n8n's main process and its worker. */
	env: Record<string, string>;
	description: string;
	close(): Promise<void>;
}

const INSTALL_HINT =
	'queue mode needs redis-server and PostgreSQL (Debian: apt-get install redis-server postgresql; npm test installs them)';

function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
		: [];
	const newest = versions.sort((x, y) => Number(y) - Number(x))[0];
	if (!newest) throw new Error(INSTALL_HINT);
	return path.join(root, newest, 'bin');
}

function commandPath(name: string): string {
	const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
	if (!found) throw new Error(INSTALL_HINT);
	return found;
}

async function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<void> {
	let seen = '';
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${seen.slice(-2000)}`)),
			timeoutMs,
		);
		const onData = (text: string) => {
			seen += text;
			if (pattern.test(seen)) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout?.setEncoding('utf8').on('data', onData);
		child.stderr?.setEncoding('utf8').on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`${what} exited with code ${code}:\n${seen.slice(-2000)}`));
		});
	});
}

/** Whether something listens on the local port. */
export async function portAnswers(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1', () => {
			socket.end();
			resolve(true);
		});
		socket.on('error', () => resolve(false));
	});
}

// Servers still running, killed if the process exits without close() (a failed or killed run).
const liveServers = new Set<number>();
process.once('exit', () => {
	for (const pid of liveServers) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
});

export async function startQueueInfra(): Promise<QueueInfra> {
	const redisServer = commandPath('redis-server');
	const pgBin = postgresBinDir();
	// Undone last first; each runs once, however often close() is called.
	const closers: Array<() => Promise<void>> = [];
	const close = async () => {
		for (let closer = closers.pop(); closer; closer = closers.pop()) await closer().catch(() => undefined);
	};
	try {
		const redisPort = await freePort();
		const redis = spawn(
			redisServer,
			['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		if (redis.pid) liveServers.add(redis.pid);
		closers.push(async () => {
			redis.kill('SIGKILL');
			if (redis.pid) liveServers.delete(redis.pid);
		});
		await waitForLine(redis, /Ready to accept connections/, 'redis-server');

		// PostgreSQL refuses to run as root: its folder belongs to the postgres user.
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-pg-'));
		closers.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
		const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
		const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
		if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(INSTALL_HINT);
		fs.chownSync(dir, uid, gid);
		const dataDir = path.join(dir, 'data');
		const init = spawnSync(
			'runuser',
			['-u', 'postgres', '--', path.join(pgBin, 'initdb'), '-D', dataDir, '-A', 'trust', '-U', 'n8n', '--no-sync'],
			{ encoding: 'utf8' },
		);
		if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
		const pgPort = await freePort();
		const postgres = spawn(
			'runuser',
			[
				'-u',
				'postgres',
				'--',
				path.join(pgBin, 'postgres'),
				'-D',
				dataDir,
				'-p',
				String(pgPort),
				'-k',
				dir,
				'-c',
				'listen_addresses=127.0.0.1',
			],
			{
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		// The postmaster, not runuser, must get the signals: its pid is the first line of postmaster.pid.
		const postmasterPid = () => {
			try {
				return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
			} catch {
				return undefined;
			}
		};
		closers.push(async () => {
			const pid = postmasterPid();
			if (pid) process.kill(pid, 'SIGINT');
			else postgres.kill('SIGKILL');
			await new Promise<void>((resolve) =>
				postgres.exitCode !== null ? resolve() : postgres.once('exit', () => resolve()),
			);
			if (pid) liveServers.delete(pid);
		});
		await waitForLine(postgres, /database system is ready to accept connections/, 'PostgreSQL');
		const pid = postmasterPid();
		if (pid) liveServers.add(pid);
		if (!(await portAnswers(pgPort))) throw new Error(`PostgreSQL does not answer on port ${pgPort}`);
		const version = spawnSync(path.join(pgBin, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim();
		const redisVersion = spawnSync(redisServer, ['--version'], { encoding: 'utf8' })
			.stdout.trim()
			.split(' ')
			.find((part) => part.startsWith('v='));
		return {
			env: {
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redisPort),
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(pgPort),
				DB_POSTGRESDB_DATABASE: 'postgres',
				DB_POSTGRESDB_USER: 'n8n',
				DB_POSTGRESDB_PASSWORD: 'n8n',
			},
			description: `queue mode: main process answers webhooks, one n8n worker (concurrency 10) runs executions; ${version}, Redis ${redisVersion?.slice(2) ?? ''} of the run's own`,
			close,
		};
	} catch (error) {
		await close();
		throw error;
	}
}
