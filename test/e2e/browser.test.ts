/**
 * Browser tests (Debian's Chromium + playwright-core) against one sandbox, started exactly as
 * `npm start` starts it (startSandbox: emulators, real n8n 2.41.1, the templates in workflows/,
 * the sandbox console):
 *   (a) the console drives a whole loop: an employee's DM becomes a ticket, the agent's public
 *       reply (with bold text) comes back into the DM, an internal note does not;
 *   (b) the n8n editor opens every imported template with all nodes rendered with their icons
 *       and no unknown-node or issue markers (and the same checks do flag an unknown node);
 *   (c) each template file imported through the editor's own "Import from File…" renders the
 *       same way, its credential placeholders become slots to fill from the dropdown, and the
 *       workflow is saved with its nodes, connections and the chosen credentials.
 * Screenshots: test/artifacts/browser/ (gitignored); N8N_DM_UPDATE_SCREENSHOTS=1 also refreshes
 * docs/screenshots/ for README.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

import { SANDBOX_CREDENTIAL_IDS } from '../../sandbox/settings';
import { startSandbox, TEMPLATES_DIR, type Sandbox } from '../../sandbox/sandbox';
import { adaptWorkflow, type WorkflowJson } from '../harness/realN8n';
import { launchChromium, screenshotPaths, type Browser } from '../browser/chromium';
import {
	canvasProblems,
	expectedCanvas,
	importWorkflowFile,
	inspectCanvas,
	openWorkflow,
	credentialSlotLabels,
	selectMissingCredentials,
	signIn,
	type CredentialSlotChoice,
} from '../browser/n8nEditor';

jest.setTimeout(300_000);

let sandbox: Sandbox;
let browser: Browser;
let userFolder: string;

async function screenshot(page: Page, name: string, readmeName?: string): Promise<void> {
	const [first, ...copies] = screenshotPaths(name, readmeName);
	await page.screenshot({ path: first });
	for (const copy of copies) fs.copyFileSync(first, copy);
}

beforeAll(async () => {
	userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-browser-'));
	sandbox = await startSandbox({ target: { kind: 'emulators' }, userFolder });
	browser = await launchChromium();
});

afterAll(async () => {
	await browser?.close();
	await sandbox?.stop();
	if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
});

describe('the sandbox wiring', () => {
	it('points Slack events at the published Slack DM Trigger and has Zendesk post replies to the Zendesk Reply Trigger', () => {
		expect(sandbox.slackEventsUrl).toMatch(new RegExp(`^${sandbox.n8n.url}/webhook/[^/]+/slack-events$`));
		expect(sandbox.returnPath.length).toBeGreaterThan(0);
		for (const check of sandbox.returnPath) {
			expect(check.endpoint).toMatch(new RegExp(`^${sandbox.n8n.url}/webhook/[^/]+/zendesk-reply$`));
			expect(check.webhook?.id).toBeTruthy();
			expect(check.trigger?.id).toBeTruthy();
		}
		expect(sandbox.console?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	});
});

describe('the sandbox console drives one whole loop', () => {
	it('DM → ticket with the message → public bold reply in the DM; an internal note stays in Zendesk', async () => {
		const page = await browser.context.newPage();
		// The sandbox is fresh for this file: the texts are unique in it (and read well in README).
		const dm = 'My laptop will not boot since this morning';
		const note = 'Internal: warranty expired, check with procurement';
		try {
			await page.goto(sandbox.console?.url as string);
			await page.locator('[data-testid=persona] option').first().waitFor({ state: 'attached' });

			// Employee writes to the handle.
			await page.fill('[data-testid=slack-text]', dm);
			await page.click('[data-testid=slack-send]');
			await page
				.locator('[data-testid=slack-message-user]', { hasText: dm })
				.locator('.badge', { hasText: 'sent to n8n' })
				.waitFor({ timeout: 30_000 });

			// n8n made a ticket: it shows up on the Zendesk side with the message in its transcript.
			await page.locator('[data-testid=ticket]', { hasText: 'slack_dm' }).first().waitFor({ timeout: 30_000 });
			await page.locator('[data-testid=comment-public]', { hasText: dm }).waitFor({ timeout: 30_000 });
			const ticket = sandbox.emulators?.zendesk
				.tickets()
				.find((t) => t.comments.some((c) => String(c.plain_body ?? c.body).includes(dm)));
			expect(ticket).toBeDefined();

			// Agent replies publicly with bold text: it arrives in the DM, bold.
			await page.fill('[data-testid=agent-text]', 'Hi Erin, **please hold the power button** for ten seconds.');
			await page.click('[data-testid=agent-reply]');
			const reply = page.locator('[data-testid=slack-message-handle]', { hasText: 'for ten seconds' });
			await reply.waitFor({ timeout: 30_000 });
			expect((await reply.locator('b', { hasText: 'please hold the power button' }).count()) > 0).toBe(true);

			// An internal note is shown as such in Zendesk but never reaches Slack. A later public
			// reply arriving proves the return path ran after the note.
			await page.check('[data-testid=agent-internal]');
			await page.fill('[data-testid=agent-text]', note);
			await page.click('[data-testid=agent-reply]');
			await page.locator('[data-testid=comment-internal]', { hasText: note }).waitFor({ timeout: 30_000 });
			await page.fill('[data-testid=agent-text]', 'Update: a replacement is on its way.');
			await page.click('[data-testid=agent-reply]');
			await page
				.locator('[data-testid=slack-message-handle]', { hasText: 'a replacement is on its way' })
				.waitFor({ timeout: 30_000 });
			await sandbox.emulators?.zendesk.flushWebhooks();
			expect(await page.locator('[data-testid=slack-messages]').innerText()).not.toContain(note);
			expect(sandbox.emulators?.slack.postedMessages.some((m) => JSON.stringify(m).includes('warranty expired'))).toBe(
				false,
			);
			// The two public replies, besides the template's out-of-hours notice (depends on the time of day).
			expect(
				await page
					.locator('[data-testid=slack-message-handle]')
					.filter({ hasNotText: 'outside business hours' })
					.count(),
			).toBe(2);

			await screenshot(page, 'console-loop', 'sandbox-console');
		} catch (error) {
			await screenshot(page, 'console-loop-failed').catch(() => undefined);
			throw error;
		} finally {
			await page.close();
		}
	});
});

describe('the n8n editor renders the imported templates', () => {
	let page: Page;
	beforeAll(async () => {
		page = await browser.context.newPage();
		await signIn(page, sandbox.n8n.url, sandbox.n8n.owner);
	});
	afterAll(async () => {
		await page?.close();
	});

	it('imports at least one template (workflows/ is not empty)', () => {
		expect(sandbox.workflows.length).toBeGreaterThan(0);
	});

	it('opens each template with every node rendered with its icon and no unknown-node or issue markers', async () => {
		const failures: Record<string, string[]> = {};
		for (const workflow of sandbox.workflows) {
			const expected = expectedCanvas(workflow);
			await openWorkflow(page, sandbox.n8n.url, String(workflow.id), expected);
			const problems = canvasProblems(await inspectCanvas(page), expected);
			const inbound = workflow.nodes.some((n) => n.type.endsWith('.slackDmTrigger'));
			await screenshot(page, `editor-${workflow.id}`, inbound ? 'n8n-editor-inbound' : undefined);
			if (problems.length) failures[String(workflow.name ?? workflow.id)] = problems;
		}
		expect(failures).toEqual({});
	});

	it('the same checks flag a workflow with unknown nodes (control)', async () => {
		const probe = {
			name: 'unknown node probe',
			nodes: [
				{
					id: 'probe-1',
					name: 'Unknown custom',
					type: 'CUSTOM.doesNotExist',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'probe-2',
					name: 'Uninstalled community',
					type: 'n8n-nodes-not-installed.thing',
					typeVersion: 1,
					position: [300, 0],
					parameters: {},
				},
				{
					id: 'probe-3',
					name: 'Known',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [600, 0],
					parameters: {},
				},
			],
			connections: {},
			settings: {},
		};
		const created = await sandbox.n8n.rest<{ id: string }>('POST', '/rest/workflows', probe);
		try {
			const expected = expectedCanvas(probe);
			await openWorkflow(page, sandbox.n8n.url, created.id, expected);
			const problems = canvasProblems(await inspectCanvas(page), expected);
			expect(problems).toEqual(
				expect.arrayContaining([
					expect.stringContaining('Unknown custom (CUSTOM.doesNotExist) shows the unknown-node "?" icon'),
					expect.stringContaining(
						'Uninstalled community (n8n-nodes-not-installed.thing) is marked "install this node"',
					),
				]),
			);
			expect(problems.some((p) => p.startsWith('Known '))).toBe(false);
		} finally {
			await sandbox.n8n.rest('POST', `/rest/workflows/${created.id}/archive`).catch(() => undefined);
		}
	});
});

interface SavedWorkflow {
	nodes: Array<{ name: string; type: string; credentials?: Record<string, { id: string; name: string }> }>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
}

describe('each template file imports through the n8n editor (workflow menu → Import → From file)', () => {
	let page: Page;
	const imported: string[] = [];
	beforeAll(async () => {
		page = await browser.context.newPage();
		await signIn(page, sandbox.n8n.url, sandbox.n8n.owner);
	});
	afterAll(async () => {
		await page?.close();
		for (const id of imported) await sandbox.n8n.rest('POST', `/rest/workflows/${id}/archive`).catch(() => undefined);
	});

	const files = fs
		.readdirSync(TEMPLATES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
	const sandboxCredentialIds: string[] = Object.values(SANDBOX_CREDENTIAL_IDS);

	it.each(files)('%s: icons, node count, credential slots to fill, saved', async (file) => {
		// The sandbox loads the package as a custom extension (types CUSTOM.<name>): the file is
		// imported with only that prefix changed, as `n8n import:workflow` gets it in the sandbox.
		const template = JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as WorkflowJson;
		const json = adaptWorkflow(template, 'custom-extensions');
		const expected = expectedCanvas(json);
		const shot = `editor-import-${path.basename(file, '.json')}`;
		try {
			const id = await importWorkflowFile(page, sandbox.n8n.url, { name: file, json }, expected);
			imported.push(id);

			// Placeholder credentials do not exist here: n8n drops them and may auto-add one
			// credential per node; what is still missing shows as the node's issue marker.
			const before = await inspectCanvas(page);
			expect(before.nodes).toHaveLength(expected.nodes.length);
			const notCredentialRelated = canvasProblems(before, expected).filter(
				(p) => !p.endsWith("shows n8n's issues warning"),
			);
			expect(notCredentialRelated).toEqual([]);

			// Every slot left empty offers the existing credentials; choosing them clears every issue.
			const choices: Record<string, CredentialSlotChoice[]> = {};
			// A slot may offer credentials of every type of its node's authentication choices (n8n's
			// mixed list): the user picks the one of the type the template names.
			const templateTypes = credentialTypesByNode(json);
			for (const node of before.nodes.filter((n) => n.issues)) {
				const named = (templateTypes[node.name] ?? []).map(
					(type) => SANDBOX_CREDENTIAL_IDS[type as keyof typeof SANDBOX_CREDENTIAL_IDS],
				);
				const preferred = [...named.filter(Boolean), ...sandboxCredentialIds];
				choices[node.name] = await selectMissingCredentials(page, node.name, preferred);
			}
			for (const [node, slots] of Object.entries(choices)) {
				for (const slot of slots)
					expect({ node, offered: slot.offered }).toEqual({ node, offered: expect.arrayContaining([slot.chosen]) });
			}
			expect(canvasProblems(await inspectCanvas(page), expected)).toEqual([]);
			// Nodes with a Slack and a Zendesk credential name each slot by its service.
			for (const node of json.nodes.filter((n) => /\.(profileLinker|slackDmReply)$/.test(n.type))) {
				const labels = await credentialSlotLabels(page, String(node.name));
				expect(labels.length).toBeGreaterThan(0);
				for (const label of labels)
					expect({ node: node.name, label }).toEqual({
						node: node.name,
						label: expect.stringMatching(/^(Slack|Zendesk) Credential$/),
					});
				expect({ node: node.name, labels: [...new Set(labels)] }).toEqual({ node: node.name, labels });
			}
			await screenshot(page, shot);

			// Saved (Ctrl+S; 2.41 also autosaves): n8n has every node, the connections, and each
			// credential the template names, set to an existing credential of that type.
			await page.keyboard.press('Control+s');
			const wanted = credentialTypesByNode(json);
			let saved: SavedWorkflow | undefined;
			for (let attempt = 0; attempt < 60; attempt++) {
				// 404 until the first save has landed.
				saved = await sandbox.n8n.rest<SavedWorkflow>('GET', `/rest/workflows/${id}`).catch(() => undefined);
				if (saved && JSON.stringify(credentialTypesByNode(saved)) === JSON.stringify(wanted)) break;
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
			if (!saved) throw new Error(`workflow ${id} was never saved`);
			expect(saved.nodes.map((n) => `${n.name} ${n.type}`).sort()).toEqual(
				json.nodes.map((n) => `${String(n.name)} ${n.type}`).sort(),
			);
			expect(saved.connections).toEqual(json.connections);
			expect(credentialTypesByNode(saved)).toEqual(wanted);
			const existing = new Map(
				(await sandbox.n8n.rest<Array<{ id: string; type: string }>>('GET', '/rest/credentials')).map((c) => [
					c.id,
					c.type,
				]),
			);
			for (const node of saved.nodes) {
				for (const [type, ref] of Object.entries(node.credentials ?? {}))
					expect({ node: node.name, type: existing.get(ref.id) }).toEqual({ node: node.name, type });
			}
		} catch (error) {
			await screenshot(page, `${shot}-failed`).catch(() => undefined);
			throw error;
		}
	});
});

/** node name → the credential types it uses, sorted (what a template asks the user to select). */
function credentialTypesByNode(workflow: {
	nodes: ReadonlyArray<{ [key: string]: unknown }>;
}): Record<string, string[]> {
	const result: Record<string, string[]> = {};
	for (const node of workflow.nodes) {
		const types = Object.keys((node.credentials as Record<string, unknown> | undefined) ?? {}).sort();
		if (types.length) result[String(node.name)] = types;
	}
	return result;
}
