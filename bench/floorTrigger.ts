/**
 * Workflow (d), the community-trigger floor: the bench's own node package (bench/floorTrigger/,
 * plain CommonJS, no build) whose trigger emits the request body → No Operation
 * (bench/workflows/floor-trigger-noop.json).
 *
 * It is loaded into the same n8n as this package, as a community package in the user folder's
 * `.n8n/nodes/node_modules` (how n8n loads a manually installed package). Not as a second
 * `N8N_CUSTOM_EXTENSIONS` folder: n8n 2.41 keeps one loader per package name and every custom
 * folder is the package `CUSTOM`, so a second folder would replace this package's nodes
 * (`runDirectoryLoader` in n8n's load-nodes-and-credentials). The bench therefore makes the user
 * folder itself, puts the package in it, and lets n8n load community packages beside the custom
 * extension folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WorkflowJson } from '../test/harness/realN8n';

export const FLOOR_TRIGGER_PACKAGE_DIR = path.join(__dirname, 'floorTrigger');
export const FLOOR_TRIGGER_WORKFLOW_SOURCE = 'bench/workflows/floor-trigger-noop.json';
/** The trigger's name in the workflow: executions of (d) hold the message under it. */
export const FLOOR_TRIGGER_NODE = 'Floor Trigger';
const WORKFLOW_ID = 'benchFloorTrgD01';
/** The webhook path in BenchFloorTrigger.node.js's description. */
const WEBHOOK_PATH = 'floor';

export interface FloorTriggerSetup {
	/** n8n's user folder (N8N_USER_FOLDER) with the package installed; empty of anything else. */
	userFolder: string;
	/** For the n8n process: load community packages even in custom-extensions mode. */
	env: Record<string, string>;
	workflow: WorkflowJson & { id: string };
	/** The production webhook path of (d)'s trigger (`<webhookId>/<path>`). */
	webhookPath: string;
	/** Removes the user folder (after n8n stopped), unless N8N_DM_KEEP_USER_FOLDER=1. */
	cleanup(): Promise<void>;
}

function readJson<T>(file: string): T {
	return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Copies a node package folder into `<userFolder>/.n8n/nodes/node_modules/<its name>`. */
export function installNodePackage(userFolder: string, packageDir: string): string {
	const { name } = readJson<{ name: string }>(path.join(packageDir, 'package.json'));
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const target = path.join(nodesDir, 'node_modules', name);
	fs.mkdirSync(path.dirname(target), { recursive: true });
	if (!fs.existsSync(path.join(nodesDir, 'package.json')))
		fs.writeFileSync(path.join(nodesDir, 'package.json'), '{"name":"installed-nodes","private":true}\n');
	fs.cpSync(packageDir, target, { recursive: true });
	return target;
}

/** The package's node type as n8n names a community package's node: `<package name>.<node name>`. */
export function floorTriggerType(): string {
	return `${readJson<{ name: string }>(path.join(FLOOR_TRIGGER_PACKAGE_DIR, 'package.json')).name}.benchFloorTrigger`;
}

/** A fresh user folder holding (d)'s package, (d)'s workflow, and what n8n needs to load it. */
export function prepareFloorTrigger(): FloorTriggerSetup {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-bench-'));
	installNodePackage(userFolder, FLOOR_TRIGGER_PACKAGE_DIR);
	const workflow = {
		...readJson<WorkflowJson>(path.join(__dirname, '..', FLOOR_TRIGGER_WORKFLOW_SOURCE)),
		id: WORKFLOW_ID,
	};
	const trigger = workflow.nodes.find((node) => node.name === FLOOR_TRIGGER_NODE);
	if (!trigger || trigger.type !== floorTriggerType() || typeof trigger.webhookId !== 'string')
		throw new Error(`${FLOOR_TRIGGER_WORKFLOW_SOURCE}: no ${FLOOR_TRIGGER_NODE} of type ${floorTriggerType()}`);
	return {
		userFolder,
		// The harness sets it to true in custom-extensions mode; the custom folder still loads.
		env: { N8N_COMMUNITY_PACKAGES_PREVENT_LOADING: 'false' },
		workflow,
		webhookPath: `${trigger.webhookId}/${WEBHOOK_PATH}`,
		cleanup: async () => {
			if (process.env.N8N_DM_KEEP_USER_FOLDER !== '1') fs.rmSync(userFolder, { recursive: true, force: true });
		},
	};
}
