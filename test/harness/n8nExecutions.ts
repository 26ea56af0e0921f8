/**
 * Pure helpers for what real n8n returns: its REST API stores execution data in the
 * `flatted` format (JSON with back-references), and tests want plain objects and node outputs.
 * Also the two execution reads over n8n's REST API that the real-n8n harness and the benchmark
 * share (`listExecutions`, `readExecution`); the REST call is passed in.
 */

/** Execution statuses after which n8n will not touch the execution again. */
export const FINISHED_STATUSES = ['success', 'error', 'crashed', 'canceled'] as const;

export interface NodeRun {
	startTime?: number;
	executionStatus?: string;
	error?: { message?: string; description?: string; [key: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, unknown> }> | null> };
}

export interface ExecutionData {
	resultData: {
		runData: Record<string, NodeRun[]>;
		lastNodeExecuted?: string;
		error?: { message?: string; [key: string]: unknown };
	};
	[key: string]: unknown;
}

export interface Execution {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	startedAt: string | null;
	stoppedAt: string | null;
	/** Present when the execution was read with its data. */
	data?: ExecutionData;
}

/**
 * Parses n8n's `flatted` serialisation (what `flatted.stringify` produces): a JSON array whose
 * first entry is the root and whose string values elsewhere are indexes into the array.
 */
export function parseFlatted(text: string): unknown {
	// Every string in the text is wrapped first: top-level entries are then unwrapped back into
	// values, while wrapped strings inside objects and arrays are references.
	const input: unknown[] = (
		JSON.parse(text, (_key, value) => (typeof value === 'string' ? new FlattedRef(value) : value)) as unknown[]
	).map((entry) => (entry instanceof FlattedRef ? entry.ref : entry));
	const revived = new Set<object>();
	const revive = (output: Record<string, unknown>): Record<string, unknown> => {
		for (const key of Object.keys(output)) {
			const value = output[key];
			if (!(value instanceof FlattedRef)) continue;
			const target = input[Number(value.ref)];
			if (typeof target === 'object' && target !== null && !revived.has(target)) {
				revived.add(target);
				output[key] = revive(target as Record<string, unknown>);
			} else {
				output[key] = target;
			}
		}
		return output;
	};
	const root = input[0];
	if (typeof root !== 'object' || root === null) return root;
	revived.add(root);
	return revive(root as Record<string, unknown>);
}

class FlattedRef {
	constructor(readonly ref: string) {}
}

/** The JSON items one node produced (first run, first output by default). */
export function nodeOutput(
	execution: Execution,
	nodeName: string,
	{ run = 0, output = 0 }: { run?: number; output?: number } = {},
): Array<Record<string, unknown>> {
	const runs = execution.data?.resultData.runData[nodeName];
	if (!runs || !runs[run]) return [];
	return (runs[run].data?.main?.[output] ?? []).map((item) => item.json);
}

/** Names of the nodes that ran in this execution. */
export function nodesThatRan(execution: Execution): string[] {
	return Object.keys(execution.data?.resultData.runData ?? {});
}

export function isFinished(execution: Pick<Execution, 'status'>): boolean {
	return (FINISHED_STATUSES as readonly string[]).includes(execution.status);
}

/** n8n's REST API as the owner, answering the `data` of the response (`RealN8n.rest`). */
export type N8nRest = <T>(method: string, apiPath: string) => Promise<T>;

export interface ExecutionFilter {
	workflowId?: string;
	/** Only executions started at or after this time (ms since the epoch). */
	startedAfter?: number;
}

type ExecutionPage = { results: Execution[]; nextCursor?: string | null; count?: number };

/** One page (at most 100, n8n's limit) of the executions matching `query`. */
async function executionPage(rest: N8nRest, query: Record<string, string>, cursor?: string): Promise<ExecutionPage> {
	const params = new URLSearchParams({ limit: '100' });
	if (cursor) params.set('cursor', cursor);
	if (Object.keys(query).length) params.set('filter', JSON.stringify(query));
	return await rest<ExecutionPage>('GET', `/rest/executions?${params}`);
}

/**
 * Executions without their data, oldest first. n8n 2.41 pages them with an opaque cursor (`lastId`
 * answers 400 there), and that cursor loses executions in queue mode: it orders by id but cuts by
 * start time, and two workers start them out of id order (measured: 100 + 99 of 200). So when one
 * page does not hold them all, the time span is split in halves until each part fits one page.
 */
export async function listExecutions(rest: N8nRest, filter: ExecutionFilter = {}): Promise<Execution[]> {
	const { workflowId, startedAfter } = filter;
	const query: Record<string, string> = {};
	if (workflowId) query.workflowId = workflowId;
	if (startedAfter !== undefined) query.startedAfter = new Date(startedAfter).toISOString();
	const first = await executionPage(rest, query);
	const found = new Map<string, Execution>(first.results.map((e) => [e.id, e]));
	if (first.nextCursor && first.results.length > 0) {
		const until = Math.max(Date.now(), ...first.results.map((e) => Date.parse(e.startedAt ?? '') || 0)) + 1;
		for (const e of await executionsBetween(rest, query, startedAfter ?? 0, until)) found.set(e.id, e);
	}
	// n8n's own filter is not trusted to the millisecond: the time bound is checked here too.
	return [...found.values()]
		.filter((e) => startedAfter === undefined || (e.startedAt !== null && Date.parse(e.startedAt) >= startedAfter))
		.sort((a, b) => Number(a.id) - Number(b.id));
}

/** Every execution started in [fromMs, toMs], the span halved while a part is more than one page. */
async function executionsBetween(
	rest: N8nRest,
	query: Record<string, string>,
	fromMs: number,
	toMs: number,
): Promise<Execution[]> {
	const bounds = { startedAfter: new Date(fromMs).toISOString(), startedBefore: new Date(toMs).toISOString() };
	const page = await executionPage(rest, { ...query, ...bounds });
	if (!page.nextCursor || toMs - fromMs < 2) return page.results;
	const middle = Math.floor((fromMs + toMs) / 2);
	return [
		...(await executionsBetween(rest, query, fromMs, middle)),
		...(await executionsBetween(rest, query, middle, toMs)),
	];
}

/** One execution with its data parsed (`GET /rest/executions/:id`). */
export async function readExecution(rest: N8nRest, summary: Execution): Promise<Execution> {
	const full = await rest<Execution & { data: string }>('GET', `/rest/executions/${summary.id}`);
	return { ...summary, status: full.status, data: parseFlatted(full.data) as ExecutionData };
}
