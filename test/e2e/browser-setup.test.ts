/**
 * Issue G4's "Done when", in a browser against a fresh n8n 2.41.1 and the emulators, as a new user
 * sets the package up: a Zendesk OAuth2 credential connected with *Connect my account* (the
 * authorization code flow through n8n's callback and the Zendesk emulator's OAuth endpoints), the
 * templates imported through the editor (Import from File), the credential slots filled from their
 * dropdowns, brand and group picked from the Upsert's pickers, the alert channel from Slack DM
 * Reply's picker, the inbound workflow published with the editor's Publish button; then a DM
 * becomes a ticket in the picked brand and group.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

import { startSlackEmulator, type SlackEmulatorInstance } from '../../emulators/slack';
import { startZendeskEmulator, type ZendeskEmulator } from '../../emulators/zendesk';
import { EMULATOR_OAUTH_CLIENT } from '../../emulators/zendesk/oauth';
import { TEMPLATES_DIR } from '../../sandbox/sandbox';
import { launchChromium, screenshotPaths, type Browser } from '../browser/chromium';
import {
	expectedCanvas,
	importWorkflowFile,
	inspectCanvas,
	selectMissingCredentials,
	signIn,
} from '../browser/n8nEditor';
import { adaptWorkflow, startRealN8n, type RealN8n, type WorkflowJson } from '../harness/realN8n';

jest.setTimeout(420_000);

let zendesk: ZendeskEmulator;
let slack: SlackEmulatorInstance;
let n8n: RealN8n;
let browser: Browser;
let page: Page;

const SLACK_CREDENTIAL = { id: 'setupSlackCred01', name: 'Slack (emulator)' };
let zendeskCredentialId = '';

interface SavedNode {
	name: string;
	type: string;
	webhookId?: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string }>;
}
interface SavedWorkflow {
	id: string;
	active?: boolean;
	activeVersionId?: string | null;
	nodes: SavedNode[];
}

async function shot(name: string): Promise<void> {
	const [first] = screenshotPaths(name);
	await page.screenshot({ path: first }).catch(() => undefined);
}

const template = (file: string) =>
	adaptWorkflow(
		JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as WorkflowJson,
		'custom-extensions',
	);

async function openNode(name: string): Promise<void> {
	await page.locator(`[data-test-id=canvas-node][data-node-name="${name}"]`).dblclick();
	await page.locator('[data-test-id=ndv-close-button]').waitFor({ timeout: 15_000 });
}

async function closeNode(): Promise<void> {
	await page.click('[data-test-id=ndv-close-button]');
	await page
		.locator('[data-test-id=ndv-close-button]')
		.waitFor({ state: 'hidden', timeout: 5_000 })
		.catch(() => undefined);
}

/** Opens a picker's list (the `index`th picker of that parameter name in the panel) and chooses the entry with `entry` in its text. */
async function pick(parameter: string, entry: string, index = 0): Promise<string[]> {
	const locator = page.locator(`[data-test-id=resource-locator-${parameter}]`).nth(index);
	await locator.locator('[data-test-id=rlc-input]').click();
	const items = page.locator('[data-test-id=rlc-item]:visible');
	const failed = page.locator('[data-test-id=rlc-error-container]:visible');
	// The list loads after the dropdown opens (it may first show the saved entry alone).
	const wanted = items.filter({ hasText: entry }).first();
	await Promise.race([wanted.waitFor({ timeout: 15_000 }), failed.first().waitFor({ timeout: 15_000 })]).catch(
		() => undefined,
	);
	if (!(await wanted.count())) {
		await shot(`setup-picker-${parameter}-failed`);
		const dropdown = await page
			.getByText(entry)
			.evaluateAll((els) =>
				els.map((el) =>
					(el as unknown as { parentElement: { outerHTML: string } }).parentElement.outerHTML.slice(0, 600),
				),
			);
		throw new Error(`the ${parameter} picker listed nothing: ${JSON.stringify(dropdown)}`);
	}
	const offered = (await items.allInnerTexts()).map((text) => text.trim());
	await wanted.click();
	return offered;
}

async function savedWorkflow(id: string): Promise<SavedWorkflow> {
	return await n8n.rest<SavedWorkflow>('GET', `/rest/workflows/${id}`);
}

async function saveAndWait(id: string, done: (saved: SavedWorkflow) => boolean): Promise<SavedWorkflow> {
	await page.keyboard.press('Control+s');
	for (let attempt = 0; attempt < 80; attempt++) {
		const saved = await savedWorkflow(id).catch(() => undefined);
		if (saved && done(saved)) return saved;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`workflow ${id} was not saved as expected`);
}

const valueOf = (parameter: unknown) =>
	parameter && typeof parameter === 'object' ? (parameter as { value?: unknown }).value : parameter;

beforeAll(async () => {
	zendesk = await startZendeskEmulator({});
	slack = await startSlackEmulator({ eventsRetryPolicy: { timeoutMs: 3_000, retryDelaysMs: [1_000] } });
	n8n = await startRealN8n({
		mode: 'custom-extensions',
		credentials: [
			{
				...SLACK_CREDENTIAL,
				type: 'slackDmApi',
				data: { accessToken: slack.fixtures.botToken, signingSecret: slack.signingSecret, baseUrl: slack.apiUrl },
			},
		],
	});
	// What the credential form holds before "Connect my account": the OAuth client from Admin Center.
	const created = await n8n.rest<{ id: string }>('POST', '/rest/credentials', {
		name: 'Zendesk OAuth2 (emulator)',
		type: 'zendeskDmOAuth2Api',
		data: {
			subdomain: zendesk.fixtures.subdomain,
			baseUrl: zendesk.url,
			grantType: 'authorizationCode',
			clientId: EMULATOR_OAUTH_CLIENT.identifier,
			clientSecret: EMULATOR_OAUTH_CLIENT.secret,
			scope: 'read write',
		},
	});
	zendeskCredentialId = created.id;
	browser = await launchChromium();
	page = await browser.context.newPage();
	await signIn(page, n8n.url, n8n.owner);
});

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
	await slack?.close();
	await zendesk?.close();
});

describe('a new user sets the package up in the editor (issue G4, Done when)', () => {
	let inboundId = '';

	it('connects the Zendesk OAuth2 credential: Connect my account runs the authorization code flow against the emulator', async () => {
		await page.goto(`${n8n.url}/home/credentials/${zendeskCredentialId}`);
		const banner = page.locator('[data-test-id=oauth-not-connected-banner]');
		await banner.waitFor({ timeout: 30_000 });
		const [popup] = await Promise.all([
			browser.context.waitForEvent('page', { timeout: 15_000 }),
			banner.locator('button').first().click(),
		]);
		await popup.waitForEvent('close', { timeout: 30_000 }).catch(() => undefined);
		await page.locator('[data-test-id=oauth-connect-success-banner]').waitFor({ timeout: 30_000 });
		await shot('setup-oauth-connected');
		const calls = zendesk.server.calls.map((call) => `${call.status} ${call.route}`);
		expect(calls).toEqual(expect.arrayContaining(['302 GET /oauth/authorizations/new', '200 POST /oauth/tokens']));
		const exchange = zendesk.server.calls.find((call) => call.route === 'POST /oauth/tokens');
		expect(exchange?.request.body).toMatchObject({
			grant_type: 'authorization_code',
			redirect_uri: expect.stringMatching(/\/rest\/oauth2-credential\/callback$/),
		});
		await page.keyboard.press('Escape');
	});

	it('imports the alert template, fills its slot and picks the alert channel from Slack; Slack DM Reply shows its Operation selector', async () => {
		const json = template('delivery-failure-alert.json');
		const id = await importWorkflowFile(
			page,
			n8n.url,
			{ name: 'delivery-failure-alert.json', json },
			expectedCanvas(json),
		);
		for (const node of (await inspectCanvas(page)).nodes.filter((n) => n.issues))
			await selectMissingCredentials(page, node.name, [SLACK_CREDENTIAL.id]);
		await openNode('Alert support channel');
		await expect(page.locator('[data-test-id=parameter-input-operation]').first().isVisible()).resolves.toBe(true);
		const offered = await pick('alertChannelId', '#it-help');
		expect(offered).toEqual(expect.arrayContaining([expect.stringMatching(/^#it-help/)]));
		await closeNode();
		await shot('setup-alert-channel-picked');
		const saved = await saveAndWait(
			id,
			(wf) =>
				valueOf(wf.nodes.find((n) => n.name === 'Alert support channel')?.parameters.alertChannelId) ===
				slack.fixtures.helpChannelId,
		);
		expect(saved.nodes.find((n) => n.name === 'Alert support channel')?.parameters.alertChannelId).toMatchObject({
			mode: 'list',
			value: slack.fixtures.helpChannelId,
		});
	});

	it('imports the inbound template, fills the slots (Zendesk: the OAuth2 credential) and picks brand and group from Zendesk', async () => {
		const json = template('slack-dm-to-zendesk.json');
		inboundId = await importWorkflowFile(
			page,
			n8n.url,
			{ name: 'slack-dm-to-zendesk.json', json },
			expectedCanvas(json),
		);
		for (const node of (await inspectCanvas(page)).nodes.filter((n) => n.issues))
			await selectMissingCredentials(page, node.name, [SLACK_CREDENTIAL.id, zendeskCredentialId]);
		await openNode('Zendesk Messaging Upsert');
		const brands = await pick('brandId', 'HR');
		expect(brands).toEqual(expect.arrayContaining(['HR', 'IT (default)']));
		const groups = await pick('groupId', 'HR');
		expect(groups).toEqual(expect.arrayContaining(['HR', 'IT Support']));
		// The Routing by Handle row "HR" has its own pickers (the second of each name in the panel).
		expect(await pick('groupId', 'IT Support', 1)).toEqual(expect.arrayContaining(['HR', 'IT Support']));
		await closeNode();
		await shot('setup-brand-group-picked');
		const f = zendesk.fixtures;
		const rowGroup = (wf: SavedWorkflow) =>
			valueOf(
				(
					wf.nodes.find((n) => n.name === 'Zendesk Messaging Upsert')?.parameters.handleRouting as
						| { route?: Array<{ groupId?: unknown }> }
						| undefined
				)?.route?.[0]?.groupId,
			);
		const saved = await saveAndWait(
			inboundId,
			(wf) =>
				valueOf(wf.nodes.find((n) => n.name === 'Zendesk Messaging Upsert')?.parameters.groupId) ===
					String(f.groups.hr.id) && rowGroup(wf) === String(f.groups.itSupport.id),
		);
		const upsert = saved.nodes.find((n) => n.name === 'Zendesk Messaging Upsert')!;
		expect(upsert.parameters).toMatchObject({
			authentication: 'oAuth2',
			brandId: { value: String(f.brands.hr.id) },
			groupId: { value: String(f.groups.hr.id) },
		});
		expect(upsert.credentials?.zendeskDmOAuth2Api?.id).toBe(zendeskCredentialId);
		expect(upsert.parameters.handleRouting).toMatchObject({
			route: [{ handleName: 'HR', groupId: { value: String(f.groups.itSupport.id) } }],
		});
		expect(canvasIssues(await inspectCanvas(page))).toEqual([]);
	});

	it('publishes the inbound workflow, and a DM becomes a ticket in the picked brand and group', async () => {
		await page.click('[data-test-id=workflow-open-publish-modal-button]');
		await page.locator('[data-test-id=workflow-publish-button]').click({ timeout: 15_000 });
		let saved = await savedWorkflow(inboundId);
		for (let attempt = 0; attempt < 80 && !(saved.active || saved.activeVersionId); attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 250));
			saved = await savedWorkflow(inboundId);
		}
		expect(Boolean(saved.active || saved.activeVersionId)).toBe(true);
		const trigger = saved.nodes.find((n) => n.type.endsWith('.slackDmTrigger'))!;
		slack.setEventsUrl(n8n.webhookUrl(`${trigger.webhookId}/slack-events`));

		const sent = await slack.userSends({ userId: slack.fixtures.employeeId, text: 'The office printer is on fire' });
		let ticket: Record<string, unknown> | undefined;
		for (let attempt = 0; attempt < 120 && !ticket; attempt++) {
			ticket = zendesk
				.tickets()
				.find((t) => t.ticket.external_id === `slack-dm:${slack.fixtures.teamId}:${sent.channel}`)?.ticket;
			if (!ticket) await new Promise((resolve) => setTimeout(resolve, 250));
		}
		expect(ticket).toMatchObject({
			brand_id: zendesk.fixtures.brands.hr.id,
			group_id: zendesk.fixtures.groups.hr.id,
			subject: 'The office printer is on fire',
		});
		// Every Zendesk call of the run carried an OAuth2 access token the emulator issued.
		const apiCalls = zendesk.server.calls.filter((call) => call.path.startsWith('/api/v2/'));
		expect(apiCalls.length).toBeGreaterThan(0);
		expect(apiCalls.every((call) => /^Bearer [0-9a-f]{48}$/.test(String(call.request.headers.authorization)))).toBe(
			true,
		);
	});
});

function canvasIssues(report: Awaited<ReturnType<typeof inspectCanvas>>): string[] {
	return report.nodes.filter((n) => n.issues).map((n) => n.name);
}
