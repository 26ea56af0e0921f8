/**
 * The benchmark runs inside its own Linux network namespace: only a loopback interface, and an
 * /etc/hosts (bind-mounted by `ip netns exec` from /etc/netns/<ns>/hosts) that sends slack.com and
 * the Zendesk subdomains to 127.0.0.1. So n8n's built-in Slack and Zendesk nodes, which hard-code
 * https://slack.com and https://{subdomain}.zendesk.com, reach the emulators unchanged, and no
 * request can leave the machine. Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and iproute2.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const PREFIX = 'n8n-dm-bench-';
export const INSIDE_ENV = 'N8N_DM_BENCH_NETNS';

function ip(args: string[]): { ok: boolean; output: string } {
	const result = spawnSync('ip', args, { encoding: 'utf8' });
	return {
		ok: result.status === 0,
		output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
	};
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function removeNamespace(name: string): void {
	ip(['netns', 'del', name]);
	fs.rmSync(path.join('/etc/netns', name), { recursive: true, force: true });
}

/** Namespaces (and their hosts folders) left behind by bench runs whose process is gone. */
function removeStale(): void {
	const listed = ip(['netns', 'list'])
		.output.split('\n')
		.map((line) => line.split(' ')[0]);
	const folders = fs.existsSync('/etc/netns') ? fs.readdirSync('/etc/netns') : [];
	for (const name of new Set([...listed, ...folders])) {
		if (!name.startsWith(PREFIX)) continue;
		if (!isAlive(Number(name.slice(PREFIX.length)))) removeNamespace(name);
	}
}

/** Why the namespace cannot be used here, or undefined when it can. */
export function netnsUnavailable(): string | undefined {
	if (process.platform !== 'linux') return 'network namespaces need Linux';
	if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'creating a network namespace needs root';
	const probe = spawnSync('ip', ['-V'], { encoding: 'utf8' });
	if (probe.error || probe.status !== 0) return 'the `ip` command (Debian package iproute2) is missing';
	return undefined;
}

/**
 * Runs this same script again inside a fresh namespace and returns its exit code; the namespace
 * and its hosts file are removed afterwards, also on Ctrl-C / SIGTERM.
 */
export async function reexecInNamespace(hostnames: string[]): Promise<number> {
	const reason = netnsUnavailable();
	if (reason)
		throw new Error(
			`bench: ${reason}. The baseline's built-in nodes can only reach the emulators inside a namespace (see bench/README.md).`,
		);
	removeStale();
	const name = `${PREFIX}${process.pid}`;
	const hostsDir = path.join('/etc/netns', name);
	const cleanup = () => removeNamespace(name);
	try {
		const added = ip(['netns', 'add', name]);
		if (!added.ok) throw new Error(`ip netns add ${name} failed: ${added.output}`);
		const up = ip(['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
		if (!up.ok) throw new Error(`bringing up loopback in ${name} failed: ${up.output}`);
		fs.mkdirSync(hostsDir, { recursive: true });
		fs.writeFileSync(
			path.join(hostsDir, 'hosts'),
			['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback', `127.0.0.1 ${hostnames.join(' ')}`, ''].join(
				'\n',
			),
		);
		const child = spawn(
			'ip',
			['netns', 'exec', name, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
			{
				stdio: 'inherit',
				env: { ...process.env, [INSIDE_ENV]: name },
			},
		);
		const forward = (signal: NodeJS.Signals) => child.kill(signal);
		process.on('SIGINT', forward);
		process.on('SIGTERM', forward);
		const code = await new Promise<number>((resolve) =>
			child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
		);
		process.off('SIGINT', forward);
		process.off('SIGTERM', forward);
		return code;
	} finally {
		cleanup();
	}
}
