/** Pure helpers of the real-n8n harness and the sandbox: flatted parsing, node type and credential rewiring. */
import { stringify } from 'flatted';
import { isFinished, nodeOutput, parseFlatted, type Execution } from '../../harness/n8nExecutions';

describe('parseFlatted', () => {
	it('reads what flatted.stringify writes, including shared and circular references', () => {
		const shared = { json: { text: 'hello', n: 1 } };
		const root: Record<string, unknown> = {
			resultData: { runData: { A: [{ data: { main: [[shared, shared]] } }] }, lastNodeExecuted: 'A' },
			strings: ['A', 'hello', '0', '1'],
			empty: '',
			nothing: null,
		};
		root.self = root;
		const parsed = parseFlatted(stringify(root)) as Record<string, unknown>;
		expect(parsed.self).toBe(parsed);
		expect(parsed.strings).toEqual(['A', 'hello', '0', '1']);
		expect(parsed.empty).toBe('');
		expect(parsed.nothing).toBeNull();
		const main = (parsed.resultData as { runData: { A: Array<{ data: { main: unknown[][] } }> } }).runData.A[0].data
			.main[0];
		expect(main[0]).toEqual({ json: { text: 'hello', n: 1 } });
		expect(main[1]).toBe(main[0]);
	});

	it('returns primitives at the root as they are', () => {
		expect(parseFlatted(stringify('just text'))).toBe('just text');
		expect(parseFlatted(stringify(42))).toBe(42);
	});
});

describe('execution helpers', () => {
	const execution: Execution = {
		id: '1',
		workflowId: 'w',
		status: 'success',
		mode: 'webhook',
		startedAt: null,
		stoppedAt: null,
		data: { resultData: { runData: { Node: [{ data: { main: [[{ json: { a: 1 } }], [{ json: { b: 2 } }]] } }] } } },
	};

	it('returns the items of one output of one node', () => {
		expect(nodeOutput(execution, 'Node')).toEqual([{ a: 1 }]);
		expect(nodeOutput(execution, 'Node', { output: 1 })).toEqual([{ b: 2 }]);
		expect(nodeOutput(execution, 'Missing')).toEqual([]);
	});

	it('counts only final statuses as finished', () => {
		expect(['success', 'error', 'crashed', 'canceled'].map((status) => isFinished({ status }))).toEqual([
			true,
			true,
			true,
			true,
		]);
		expect(['new', 'running', 'waiting'].map((status) => isFinished({ status }))).toEqual([false, false, false]);
	});
});
