/** The execution reads over n8n's REST API shared by the real-n8n harness and the benchmark (test/harness/n8nExecutions.ts). */
import { stringify } from 'flatted';
import { type Execution, type N8nRest, listExecutions, nodeOutput, readExecution } from '../../harness/n8nExecutions';

const summary = (id: string, startedAt: string | null, status = 'success'): Execution => ({
	id,
	workflowId: 'wf1',
	status,
	mode: 'webhook',
	startedAt,
	stoppedAt: startedAt,
});

/** A fake REST API: answers `pages` in turn with cursors, records the paths asked for. */
function fakeRest(pages: Execution[][], details: Record<string, unknown> = {}): { rest: N8nRest; paths: string[] } {
	const paths: string[] = [];
	const rest = async <T>(method: string, apiPath: string): Promise<T> => {
		expect(method).toBe('GET');
		paths.push(apiPath);
		const detail = /^\/rest\/executions\/(\w+)$/.exec(apiPath);
		if (detail) return details[detail[1]] as T;
		const cursor = new URL(apiPath, 'http://n8n').searchParams.get('cursor');
		const index = cursor ? Number(cursor) : 0;
		return { results: pages[index] ?? [], nextCursor: index + 1 < pages.length ? String(index + 1) : null } as T;
	};
	return { rest, paths };
}

/**
 * n8n 2.41's listing as measured in queue mode: newest id first, 100 a page, `startedAfter` and
 * `startedBefore` inclusive, `count` of all matches, and a cursor that cuts by start time while
 * the order is by id (so executions started out of id order fall between two pages).
 */
function n8nLike(executions: Execution[]): { rest: N8nRest; paths: string[] } {
	const paths: string[] = [];
	const at = (e: Execution) => Date.parse(e.startedAt ?? '');
	const rest = async <T>(_method: string, apiPath: string): Promise<T> => {
		paths.push(apiPath);
		const params = new URL(apiPath, 'http://n8n').searchParams;
		const filter = JSON.parse(params.get('filter') ?? '{}') as { startedAfter?: string; startedBefore?: string };
		const cursor = params.get('cursor');
		const matching = executions
			.filter((e) => !filter.startedAfter || at(e) >= Date.parse(filter.startedAfter))
			.filter((e) => !filter.startedBefore || at(e) <= Date.parse(filter.startedBefore))
			.sort((a, b) => Number(b.id) - Number(a.id));
		const rest = cursor ? matching.filter((e) => at(e) < Number(cursor)) : matching;
		const results = rest.slice(0, 100);
		const nextCursor = rest.length > 100 ? String(at(results[results.length - 1])) : null;
		return { results, nextCursor, count: matching.length } as T;
	};
	return { rest, paths };
}

/** Every page by n8n's cursor alone. */
async function followCursor(rest: N8nRest): Promise<Execution[]> {
	const out: Execution[] = [];
	let cursor: string | null | undefined;
	do {
		const page = await rest<{ results: Execution[]; nextCursor?: string | null }>(
			'GET',
			`/rest/executions?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
		);
		out.push(...page.results);
		cursor = page.nextCursor;
	} while (cursor);
	return out;
}

describe('listExecutions', () => {
	it("one page: returns the executions oldest first, asking once with n8n's page size", async () => {
		const { rest, paths } = fakeRest([[summary('12', '2026-01-01T00:00:03Z'), summary('3', '2026-01-01T00:00:01Z')]]);
		const all = await listExecutions(rest, { workflowId: 'wf1' });
		expect(all.map((e) => e.id)).toEqual(['3', '12']);
		expect(paths).toHaveLength(1);
		const first = new URL(paths[0], 'http://n8n').searchParams;
		expect(first.get('limit')).toBe('100');
		expect(JSON.parse(first.get('filter') as string)).toEqual({ workflowId: 'wf1' });
	});

	it('more than a page, started out of id order (two workers): every one, by halving the time span, not the cursor', async () => {
		// 250 executions whose start times are not in id order, as two queue-mode workers start them.
		const t0 = Date.parse('2026-01-01T00:00:00Z');
		const all = Array.from({ length: 250 }, (_, i) =>
			summary(String(i + 1), new Date(t0 + 100 + i * 10 - (i % 2 === 0 ? 25 : 0)).toISOString()),
		);
		const { rest, paths } = n8nLike(all);
		const listed = await listExecutions(rest, { workflowId: 'wf1', startedAfter: t0 });
		expect(listed.map((e) => e.id)).toEqual(all.map((e) => e.id));
		expect(paths.length).toBeGreaterThan(2);
		// What the cursor alone gives here (the loss the halving avoids).
		expect(new Set((await followCursor(rest)).map((e) => e.id)).size).toBeLessThan(250);
	});

	it('asks n8n for executions started after a time and drops any it still returns from before', async () => {
		const since = Date.parse('2026-01-01T00:00:02Z');
		const { rest, paths } = fakeRest([
			[
				summary('1', '2026-01-01T00:00:01.999Z'),
				summary('2', '2026-01-01T00:00:02Z'),
				summary('3', null, 'new'),
				summary('4', '2026-01-01T00:00:05Z'),
			],
		]);
		const all = await listExecutions(rest, { workflowId: 'wf1', startedAfter: since });
		expect(all.map((e) => e.id)).toEqual(['2', '4']);
		expect(JSON.parse(new URL(paths[0], 'http://n8n').searchParams.get('filter') as string)).toEqual({
			workflowId: 'wf1',
			startedAfter: '2026-01-01T00:00:02.000Z',
		});
	});

	it('sends no filter when none is given', async () => {
		const { rest, paths } = fakeRest([[summary('1', null, 'new')]]);
		expect((await listExecutions(rest)).map((e) => e.id)).toEqual(['1']);
		expect(new URL(paths[0], 'http://n8n').searchParams.has('filter')).toBe(false);
	});
});

describe('readExecution', () => {
	it('reads one execution with its flatted data parsed and its current status', async () => {
		const data = {
			resultData: {
				runData: { Webhook: [{ data: { main: [[{ json: { body: { text: 'hi bm-c-steady-1' } } }]] } }] },
				lastNodeExecuted: 'No Operation',
			},
		};
		const { rest, paths } = fakeRest([], { '7': { id: '7', status: 'success', data: stringify(data) } });
		const execution = await readExecution(rest, summary('7', '2026-01-01T00:00:00Z', 'running'));
		expect(paths).toEqual(['/rest/executions/7']);
		expect(execution.status).toBe('success');
		expect(execution.workflowId).toBe('wf1');
		expect(nodeOutput(execution, 'Webhook')).toEqual([{ body: { text: 'hi bm-c-steady-1' } }]);
	});
});
