/** (d)'s trigger node (bench/floorTrigger/BenchFloorTrigger.node.js): the smallest community trigger. */
import * as path from 'node:path';

interface FloorTrigger {
	description: {
		name: string;
		version: number;
		group: string[];
		inputs: unknown[];
		outputs: string[];
		credentials?: unknown[];
		properties: unknown[];
		webhooks: Array<Record<string, unknown>>;
	};
	webhook(this: { getBodyData(): unknown }): Promise<unknown>;
}

async function load(): Promise<FloorTrigger> {
	// A path in a variable: plain JavaScript without type declarations, loaded as n8n loads it.
	const file = path.join(__dirname, '..', '..', '..', '..', 'bench', 'floorTrigger', 'BenchFloorTrigger.node.js');
	const loaded = (await import(file)) as { BenchFloorTrigger: new () => FloorTrigger };
	return new loaded.BenchFloorTrigger();
}

describe('BenchFloorTrigger', () => {
	it('emits the request body as its one item', async () => {
		const node = await load();
		const body = { type: 'event_callback', event: { text: 'Hello bm-d-steady-1' } };
		await expect(node.webhook.call({ getBodyData: () => body })).resolves.toEqual({
			workflowData: [[{ json: body }]],
		});
	});

	it('answers at once with no body, and has nothing n8n would evaluate per request', async () => {
		const { description } = await load();
		expect(description.name).toBe('benchFloorTrigger');
		expect(description.group).toEqual(['trigger']);
		// Not version 1: n8n evaluates an expression on every request to a version-1 webhook node.
		expect(description.version).toBe(2);
		expect(description.inputs).toEqual([]);
		expect(description.outputs).toEqual(['main']);
		expect(description.credentials).toBeUndefined();
		expect(description.properties).toEqual([]);
		expect(description.webhooks).toEqual([
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: 'noData', path: 'floor' },
		]);
		expect(JSON.stringify(description)).not.toContain('={{');
	});
});
