import { addCpuBetween, cpuMsOfStat, cpuNote, roleOf } from '../../../bench/cpuProbe';

describe('bench CPU by process role', () => {
	it('names the roles of the topology from command lines', () => {
		const n8n = '/root/.cache/node24/bin/node /root/.cache/n8n/node_modules/n8n/bin/n8n';
		expect(roleOf(`${n8n} worker`, 10, 1)).toBe('n8n workers');
		expect(roleOf(`${n8n} webhook`, 10, 1)).toBe('n8n webhook processes');
		expect(roleOf(`${n8n} start`, 10, 1)).toBe('n8n main');
		expect(roleOf('node /x/node_modules/@n8n/task-runner/dist/start.js', 10, 1)).toBe('n8n task runners');
		expect(roleOf('postgres: bench bench [local] idle', 10, 1)).toBe('PostgreSQL');
		expect(roleOf('/usr/lib/postgresql/15/bin/postgres -D /tmp/pg', 10, 1)).toBe('PostgreSQL');
		expect(roleOf('redis-server 127.0.0.1:6390', 10, 1)).toBe('Redis');
		expect(roleOf('nginx: worker process', 10, 1)).toBe('nginx');
		expect(roleOf('anything', 7, 7)).toBe('bench + emulators');
		expect(roleOf('/usr/bin/bash', 10, 1)).toBeUndefined();
	});

	it('reads user + system time from /proc/<pid>/stat, a command with spaces and parentheses included', () => {
		const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 1000 0 0';
		expect(cpuMsOfStat(stat)).toBe(3000);
	});

	it('adds what each process used between two reads, by role; processes not in both reads count nothing', () => {
		const before = new Map([
			[1, { role: 'n8n workers', ms: 100 }],
			[2, { role: 'n8n workers', ms: 50 }],
			[3, { role: 'Redis', ms: 10 }],
		]);
		const after = new Map([
			[1, { role: 'n8n workers', ms: 400 }],
			[2, { role: 'n8n workers', ms: 150 }],
			[4, { role: 'Redis', ms: 999 }],
		]);
		const into = new Map<string, number>();
		addCpuBetween(before, after, into);
		expect([...into]).toEqual([['n8n workers', 400]]);
		expect(cpuNote(into, 200, 'rounds')).toBe('CPU ms per message (rounds): 2.0 in all: n8n workers 2.0');
		expect(cpuNote(new Map(), 200, 'rounds')).toBeUndefined();
	});
});
