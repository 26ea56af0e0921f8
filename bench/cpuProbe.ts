/**
 * CPU time by process role on this machine (Linux /proc), to see where a workflow's messages cost:
 * the n8n webhook processes, workers, main, their task runners, PostgreSQL, Redis, nginx, and the
 * bench itself with its emulators. Read before and after a segment; a process that started or
 * ended in between counts only what it used while both reads saw it.
 */
import * as fs from 'node:fs';

/** Process id → CPU milliseconds used so far (user + system) and its role. */
export type CpuSnapshot = Map<number, { role: string; ms: number }>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** The role of a process from its command line; undefined for processes the bench does not weigh. */
export function roleOf(commandLine: string, pid: number, benchPid: number): string | undefined {
	if (pid === benchPid) return 'bench + emulators';
	if (/task-runner|runners?\/dist\/start/.test(commandLine)) return 'n8n task runners';
	if (/\bn8n\b/.test(commandLine)) {
		if (/\bworker\b/.test(commandLine)) return 'n8n workers';
		if (/\bwebhook\b/.test(commandLine)) return 'n8n webhook processes';
		if (/\bstart\b/.test(commandLine)) return 'n8n main';
		return undefined;
	}
	if (/^postgres|\/postgres\b/.test(commandLine)) return 'PostgreSQL';
	if (/redis-server/.test(commandLine)) return 'Redis';
	if (/^nginx/.test(commandLine)) return 'nginx';
	return undefined;
}

/** utime + stime of a /proc/<pid>/stat line, in ms (fields 14 and 15, after the command's parentheses). */
export function cpuMsOfStat(stat: string): number | undefined {
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]);
	return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
}

/** What every weighed process has used so far. */
export function cpuSnapshot(benchPid = process.pid): CpuSnapshot {
	const snapshot: CpuSnapshot = new Map();
	let entries: string[];
	try {
		entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
	} catch {
		return snapshot;
	}
	for (const name of entries) {
		const pid = Number(name);
		try {
			const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
			const role = roleOf(commandLine, pid, benchPid);
			const ms = role ? cpuMsOfStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) : undefined;
			if (role && ms !== undefined) snapshot.set(pid, { role, ms });
		} catch {
			// gone meanwhile
		}
	}
	return snapshot;
}

/** CPU ms by role between two snapshots, added to `into`. */
export function addCpuBetween(before: CpuSnapshot, after: CpuSnapshot, into: Map<string, number>): void {
	for (const [pid, now] of after) {
		const then = before.get(pid);
		if (!then || then.role !== now.role) continue;
		into.set(now.role, (into.get(now.role) ?? 0) + Math.max(0, now.ms - then.ms));
	}
}

/** "CPU per message: <role> <ms> ms, …" (most first), or undefined with nothing measured. */
export function cpuNote(byRole: Map<string, number>, messages: number, what: string): string | undefined {
	const total = [...byRole.values()].reduce((sum, ms) => sum + ms, 0);
	if (!messages || total === 0) return undefined;
	const parts = [...byRole.entries()]
		.sort((x, y) => y[1] - x[1])
		.map(([role, ms]) => `${role} ${(ms / messages).toFixed(1)}`);
	return `CPU ms per message (${what}): ${(total / messages).toFixed(1)} in all: ${parts.join(', ')}`;
}
