/** Workflow (d)'s set-up (bench/floorTrigger.ts): its node package in a user folder of the bench's own, its workflow. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
	FLOOR_TRIGGER_NODE,
	FLOOR_TRIGGER_PACKAGE_DIR,
	floorTriggerType,
	installNodePackage,
	prepareFloorTrigger,
} from '../../../bench/floorTrigger';

describe("(d)'s node package and workflow", () => {
	it('is an n8n node package n8n scans for (n8n-nodes-*, an n8n section naming its node file)', () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(FLOOR_TRIGGER_PACKAGE_DIR, 'package.json'), 'utf8')) as {
			name: string;
			private: boolean;
			n8n: { n8nNodesApiVersion: number; nodes: string[] };
		};
		expect(pkg.name).toMatch(/^n8n-nodes-/);
		expect(pkg.private).toBe(true);
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		for (const file of pkg.n8n.nodes) expect(fs.existsSync(path.join(FLOOR_TRIGGER_PACKAGE_DIR, file))).toBe(true);
		expect(floorTriggerType()).toBe(`${pkg.name}.benchFloorTrigger`);
	});

	it("installs into the user folder's .n8n/nodes/node_modules, next to anything already there", () => {
		const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'floor-trigger-test-'));
		try {
			fs.mkdirSync(path.join(folder, '.n8n', 'nodes'), { recursive: true });
			fs.writeFileSync(path.join(folder, '.n8n', 'nodes', 'package.json'), '{"name":"mine"}');
			const installed = installNodePackage(folder, FLOOR_TRIGGER_PACKAGE_DIR);
			expect(installed).toBe(path.join(folder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-bench-floor'));
			expect(fs.readdirSync(installed).sort()).toEqual(fs.readdirSync(FLOOR_TRIGGER_PACKAGE_DIR).sort());
			expect(fs.readFileSync(path.join(folder, '.n8n', 'nodes', 'package.json'), 'utf8')).toBe('{"name":"mine"}');
		} finally {
			fs.rmSync(folder, { recursive: true, force: true });
		}
	});

	it('prepares a user folder with the package, lets n8n load it beside the custom extensions, and removes the folder', async () => {
		const setup = prepareFloorTrigger();
		try {
			expect(fs.existsSync(path.join(setup.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-bench-floor'))).toBe(
				true,
			);
			expect(setup.env).toEqual({ N8N_COMMUNITY_PACKAGES_PREVENT_LOADING: 'false' });
			expect(setup.workflow.id).toMatch(/^[A-Za-z0-9]{16}$/);
			const trigger = setup.workflow.nodes.find((n) => n.name === FLOOR_TRIGGER_NODE);
			expect(trigger).toMatchObject({ type: floorTriggerType(), typeVersion: 2, parameters: {} });
			expect(setup.webhookPath).toBe(`${String(trigger?.webhookId)}/floor`);
			// Trigger → No Operation, nothing else.
			expect(setup.workflow.nodes.map((n) => n.type)).toEqual([floorTriggerType(), 'n8n-nodes-base.noOp']);
			expect(setup.workflow.connections).toEqual({
				[FLOOR_TRIGGER_NODE]: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] },
			});
		} finally {
			await setup.cleanup();
		}
		expect(fs.existsSync(setup.userFolder)).toBe(false);
	});
});
