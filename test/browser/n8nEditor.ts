/**
 * The n8n 2.41 editor as a user sees it: sign in through the form, open a workflow, and read
 * what the canvas rendered. Selectors are n8n's own test ids (`data-test-id`), which its
 * Playwright suite relies on too; the icon check reads the rendered icon (svg or loaded img),
 * so an unknown node's "?" placeholder is caught without depending on hashed class names.
 */
import type { Page } from 'playwright-core';

import type { WorkflowJson } from '../harness/realN8n';

export interface CanvasNodeReport {
	name: string;
	type: string;
	/** The node shows its real icon: an svg, or an img that loaded. */
	iconRendered: boolean;
	/** n8n's fallback for a type it does not know: the icon slot shows "?". */
	placeholderIcon: boolean;
	brokenImages: string[];
	/** n8n's "Install this node to use it" badge (unknown community node). */
	notInstalled: boolean;
	/** n8n's warning triangle: parameter, credential or type issues. */
	issues: boolean;
}

export interface CanvasReport {
	nodes: CanvasNodeReport[];
	stickies: number;
	/** Texts n8n shows for nodes it cannot load, anywhere on the page. */
	unknownNodeTexts: string[];
}

export async function signIn(page: Page, baseUrl: string, owner: { email: string; password: string }): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	// A page of a context that already signed in is sent on from /signin.
	await page.waitForFunction(
		`!location.pathname.startsWith('/signin') || Boolean(document.querySelector('input[name=emailOrLdapLoginId]'))`,
		undefined,
		{ timeout: 60_000 },
	);
	if (!new URL(page.url()).pathname.startsWith('/signin')) return;
	await page.fill('input[name=emailOrLdapLoginId]', owner.email);
	await page.fill('input[name=password]', owner.password);
	await page.click('[data-test-id=form-submit-button]');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 60_000 });
}

/** Nodes on the canvas of a template: stickies are drawn as their own kind of canvas element. */
export function expectedCanvas(workflow: WorkflowJson): { nodes: string[]; stickies: number } {
	const isSticky = (type: string) => type === 'n8n-nodes-base.stickyNote';
	return {
		nodes: workflow.nodes.filter((n) => !isSticky(n.type)).map((n) => String(n.name)),
		stickies: workflow.nodes.filter((n) => isSticky(n.type)).length,
	};
}

/** Opens /workflow/<id> and waits until the canvas shows `expected` elements with their icons loaded. */
// Runs in the page (plain JS: this project compiles without the DOM library).
const CANVAS_READY = `({ nodes, stickies }) =>
	document.querySelectorAll('[data-test-id=canvas-node]').length >= nodes &&
	document.querySelectorAll('[data-test-id=sticky]').length >= stickies &&
	[...document.querySelectorAll('[data-test-id=canvas-node]')].every((el) => {
		// Icons arrive after the node: ready once each shows an svg, a loaded img, or n8n's "?".
		const icon = el.querySelector('.n8n-node-icon');
		if (!icon) return false;
		const images = [...icon.querySelectorAll('img')];
		return icon.querySelectorAll('svg').length > 0 ||
			(images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0)) ||
			icon.textContent.trim() === '?';
	})`;

const INSPECT_CANVAS = `(() => {
	const nodes = [...document.querySelectorAll('[data-test-id=canvas-node]')].map((el) => {
		const icon = el.querySelector('.n8n-node-icon');
		const images = icon ? [...icon.querySelectorAll('img')] : [];
		const broken = images.filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.getAttribute('src') || '');
		const svgs = icon ? icon.querySelectorAll('svg').length : 0;
		return {
			name: el.dataset.nodeName || '',
			type: el.dataset.nodeType || '',
			iconRendered: Boolean(icon) && (svgs > 0 || (images.length > 0 && broken.length === 0)),
			placeholderIcon: Boolean(icon) && icon.textContent.trim() === '?',
			brokenImages: broken,
			notInstalled: Boolean(el.querySelector('[data-test-id=node-not-installed]')),
			issues: Boolean(el.querySelector('[data-test-id=node-issues]')),
		};
	});
	const text = document.body.innerText;
	const patterns = [/Install this node/i, /not currently installed/i, /type \\([^)]*\\) is unknown/i];
	return {
		nodes,
		stickies: document.querySelectorAll('[data-test-id=sticky]').length,
		unknownNodeTexts: patterns.filter((p) => p.test(text)).map((p) => p.source),
	};
})()`;

/** Opens /workflow/<id> and waits until the canvas shows `expected` elements with their icons loaded. */
export async function openWorkflow(
	page: Page,
	baseUrl: string,
	workflowId: string,
	expected: { nodes: string[]; stickies: number },
): Promise<void> {
	await page.goto(`${baseUrl}/workflow/${workflowId}`);
	await page.waitForSelector('[data-test-id=canvas-wrapper]', { timeout: 60_000 });
	await page
		.waitForFunction(
			`(${CANVAS_READY})(${JSON.stringify({ nodes: expected.nodes.length, stickies: expected.stickies })})`,
			undefined,
			{ timeout: 30_000 },
		)
		// A canvas that never reaches the expected count is reported by inspectCanvas, with details.
		.catch(() => undefined);
	// n8n's "Production Checklist" popover covers part of the canvas.
	const checklist = page.locator('[data-test-id=suggested-actions-close]');
	if (await checklist.isVisible().catch(() => false)) await checklist.click().catch(() => undefined);
}

export async function inspectCanvas(page: Page): Promise<CanvasReport> {
	return (await page.evaluate(INSPECT_CANVAS)) as CanvasReport;
}

/** Everything wrong with a rendered canvas compared with its template; empty when all is well. */
export function canvasProblems(report: CanvasReport, expected: { nodes: string[]; stickies: number }): string[] {
	const problems: string[] = [];
	const rendered = report.nodes.map((n) => n.name).sort();
	const wanted = [...expected.nodes].sort();
	if (JSON.stringify(rendered) !== JSON.stringify(wanted))
		problems.push(`nodes rendered ${JSON.stringify(rendered)}, template has ${JSON.stringify(wanted)}`);
	if (report.stickies !== expected.stickies)
		problems.push(`${report.stickies} sticky notes rendered, template has ${expected.stickies}`);
	for (const node of report.nodes) {
		if (node.placeholderIcon) problems.push(`${node.name} (${node.type}) shows the unknown-node "?" icon`);
		else if (!node.iconRendered)
			problems.push(
				`${node.name} (${node.type}) has no rendered icon${node.brokenImages.length ? ` (broken: ${node.brokenImages.join(', ')})` : ''}`,
			);
		if (node.notInstalled) problems.push(`${node.name} (${node.type}) is marked "install this node"`);
		if (node.issues) problems.push(`${node.name} (${node.type}) shows n8n's issues warning`);
	}
	for (const text of report.unknownNodeTexts) problems.push(`page says ${text}`);
	return problems;
}

/**
 * Imports a workflow file the way a user does in the editor: a new workflow, then the workflow
 * menu (…) → Import → From file, answering the browser's file chooser. Returns the id n8n gave
 * the new workflow (2.41 creates it when /workflow/new opens and autosaves the import).
 */
export async function importWorkflowFile(
	page: Page,
	baseUrl: string,
	file: { name: string; json: unknown },
	expected: { nodes: string[]; stickies: number },
): Promise<string> {
	await page.goto(`${baseUrl}/workflow/new`);
	await page.waitForSelector('[data-test-id=canvas-wrapper]', { timeout: 60_000 });
	await page.click('[data-test-id=workflow-menu]');
	await page.hover('[data-test-id=workflow-menu-item-import]');
	const [chooser] = await Promise.all([
		page.waitForEvent('filechooser'),
		page.click('[data-test-id=workflow-menu-item-import-from-file]'),
	]);
	await chooser.setFiles({
		name: file.name,
		mimeType: 'application/json',
		buffer: Buffer.from(JSON.stringify(file.json, null, 2)),
	});
	await page
		.waitForFunction(
			`(${CANVAS_READY})(${JSON.stringify({ nodes: expected.nodes.length, stickies: expected.stickies })})`,
			undefined,
			{ timeout: 30_000 },
		)
		.catch(() => undefined);
	const id = /\/workflow\/([^/?#]+)/.exec(page.url())?.[1];
	if (!id || id === 'new') throw new Error(`the editor did not give the imported workflow an id (at ${page.url()})`);
	return id;
}

export interface CredentialSlotChoice {
	/** The credentials n8n offers in the slot's dropdown (their ids). */
	offered: string[];
	chosen: string;
}

/** Opens a node and reads the label of each credential slot it shows, top to bottom. */
export async function credentialSlotLabels(page: Page, nodeName: string): Promise<string[]> {
	await page.locator(`[data-test-id=canvas-node][data-node-name="${nodeName}"]`).dblclick();
	const labels = page.locator('[data-test-id=node-credentials-slot] [data-test-id=credentials-label]');
	await labels.first().waitFor({ timeout: 15_000 });
	// The label wraps the slot's dropdown too: its first line is the label text.
	const texts = (await labels.allInnerTexts()).map((text) =>
		text
			.split('\n')[0]
			.replace(/\s*\*$/, '')
			.trim(),
	);
	await page.click('[data-test-id=ndv-close-button]');
	await page
		.locator('[data-test-id=ndv-close-button]')
		.waitFor({ state: 'hidden', timeout: 5_000 })
		.catch(() => undefined);
	return texts;
}

/**
 * Opens a node and fills each empty credential slot with the first credential its dropdown
 * offers (the first of `preferred` that it offers), as a user does after importing a template whose
 * placeholders do not exist in this n8n. Returns what each empty slot offered and what was chosen.
 */
export async function selectMissingCredentials(
	page: Page,
	nodeName: string,
	preferred: string[] = [],
): Promise<CredentialSlotChoice[]> {
	await page.locator(`[data-test-id=canvas-node][data-node-name="${nodeName}"]`).dblclick();
	const selects = page.locator('[data-test-id=node-credentials-select]');
	await selects.first().waitFor({ timeout: 15_000 });
	const choices: CredentialSlotChoice[] = [];
	const count = await selects.count();
	for (let i = 0; i < count; i++) {
		const input = selects.nth(i).locator('input');
		if ((await input.inputValue()) !== '') continue;
		// Only the list that is open now (aria-hidden false): another slot's list may still be fading out.
		const openList = '.el-select__popper[aria-hidden="false"]';
		const items = page.locator(`${openList} li[data-test-id^=node-credentials-select-item-]:visible`);
		// The input says when its list is open (aria-expanded). A slot shown right after the panel
		// opened may ignore the first click on its input (seen on Slack DM Reply's second Zendesk
		// slot): a click on the select itself opens it. Never click again once it is open (that closes it).
		const expanded = async (timeout: number) =>
			await input
				.and(page.locator('[aria-expanded=true]'))
				.waitFor({ timeout })
				.then(() => true)
				.catch(() => false);
		await input.click();
		if (!(await expanded(8_000))) {
			await selects.nth(i).click();
			await expanded(10_000);
		}
		await items
			.first()
			.waitFor({ timeout: 5_000 })
			.catch(() => undefined);
		const offered = (await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-test-id') ?? ''))).map(
			(t) => t.replace('node-credentials-select-item-', ''),
		);
		const chosen = preferred.find((id) => offered.includes(id)) ?? offered[0];
		if (chosen) await page.click(`${openList} li[data-test-id="node-credentials-select-item-${chosen}"]:visible`);
		else await page.keyboard.press('Escape');
		choices.push({ offered, chosen: chosen ?? '' });
	}
	await page.click('[data-test-id=ndv-close-button]');
	await page
		.locator('[data-test-id=ndv-close-button]')
		.waitFor({ state: 'hidden', timeout: 5_000 })
		.catch(() => undefined);
	return choices;
}
