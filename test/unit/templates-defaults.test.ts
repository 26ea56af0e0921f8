/**
 * What a new user gets from the shipped templates (issue G4): Zendesk OAuth2 everywhere, pickers
 * instead of raw IDs, the solved notice one switch away, and sticky notes whose references reach
 * the user (links to the repository; the files also ship in the package).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { wireCredentials, sandboxCredentials, SANDBOX_CREDENTIAL_IDS } from '../../sandbox/settings';
import type { WorkflowJson } from '../harness/realN8n';

const ROOT = path.join(__dirname, '..', '..');
const TEMPLATE_DIR = path.join(ROOT, 'workflows');
const REPO = 'https://github.com/n8n-nodes-slack-dm-zendesk/n8n-nodes-slack-dm-zendesk/blob/main/';

interface Node {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}
const templates = fs
	.readdirSync(TEMPLATE_DIR)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({
		file,
		json: JSON.parse(fs.readFileSync(path.join(TEMPLATE_DIR, file), 'utf8')) as WorkflowJson & { nodes: Node[] },
	}));
const allNodes = templates.flatMap((t) => t.json.nodes);
const notes = allNodes.filter((n) => n.type.endsWith('stickyNote')).map((n) => String(n.parameters.content));

describe('shipped templates', () => {
	it('every Zendesk Support call uses the OAuth2 credential (the messaging templates: test/unit/templates-messaging.test.ts)', () => {
		const supportNodes = templates.filter((t) => !t.file.includes('messaging')).flatMap((t) => t.json.nodes);
		const zendeskNodes = supportNodes.filter((n) => 'authentication' in n.parameters);
		expect(zendeskNodes.map((n) => n.name).sort()).toEqual([
			'Profile Linker',
			'Slack DM Reply',
			'Zendesk Messaging Upsert',
			'Zendesk Reply Trigger',
		]);
		for (const node of zendeskNodes) {
			expect({ node: node.name, authentication: node.parameters.authentication }).toEqual({
				node: node.name,
				authentication: 'oAuth2',
			});
			expect({
				node: node.name,
				credentials: Object.keys(node.credentials ?? {}).filter((type) => type.startsWith('zendesk')),
			}).toEqual({ node: node.name, credentials: ['zendeskDmOAuth2Api'] });
		}
	});

	it('uses the picker versions of the Upsert (3: also Wait Out Outages) and Slack DM Reply (3 for agent replies: Wait Out Outages), with no raw placeholder ids left', () => {
		for (const node of allNodes.filter((n) => /\.(zendeskMessagingUpsert|slackDmReply)$/.test(n.type)))
			expect({ node: node.name, v: node.typeVersion }).toEqual({
				node: node.name,
				v: node.type.endsWith('zendeskMessagingUpsert') || node.parameters.operation === 'reply' ? 3 : 2,
			});
		expect(JSON.stringify(templates.map((t) => t.json))).not.toContain('C0REPLACEME');
	});

	it('the solved notice is wired in the outbound template: off, one switch (Notify When Solved) to turn on', () => {
		const reply = allNodes.find((n) => n.name === 'Slack DM Reply')!;
		expect(reply.parameters).toMatchObject({ operation: 'reply', options: { solvedNotice: false } });
		expect(notes.join('\n')).toMatch(/Notify When Solved/);
	});

	it('sticky notes link the docs and manifests they name, and those files ship in the package', () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
		const allLinks = notes.flatMap((note) => [...note.matchAll(/\]\((https:[^)]+)\)/g)].map((m) => m[1]));
		// The one other kind of link: Zendesk's own articles, the source of what messaging needs.
		const vendor = allLinks.filter((link) => !link.startsWith(REPO));
		for (const link of vendor) expect(link).toMatch(/^https:\/\/support\.zendesk\.com\/hc\/en-us\/articles\/\d+$/);
		const links = allLinks.filter((link) => link.startsWith(REPO));
		expect(links.length).toBeGreaterThan(0);
		for (const link of links) {
			const file = link.slice(REPO.length);
			expect({ link, exists: fs.existsSync(path.join(ROOT, file)) }).toEqual({ link, exists: true });
			expect({
				file,
				shipped: pkg.files.some((pattern) =>
					new RegExp(`^${pattern.replace('.', '\\.').replace('*', '[^/]+')}$`).test(file),
				),
			}).toEqual({ file, shipped: true });
		}
		// A bare path (`docs/x.md`) in a note is not a link: every one must also be linked.
		const bare = notes.flatMap((note) => [...note.matchAll(/`((?:docs|slack)\/[^`]+)`/g)].map((m) => m[1]));
		expect(bare).toEqual([]);
	});
});

describe('sandbox wiring of the OAuth2 templates', () => {
	const inbound = templates.find((t) => t.file === 'slack-dm-to-zendesk.json')!.json;
	const emulators = {
		slack: { botToken: 'xoxb-1', signingSecret: 's', apiUrl: 'http://127.0.0.1:1/api' },
		zendesk: { subdomain: 'acme', email: 'a@b', apiToken: 't', url: 'http://127.0.0.1:2' },
	};

	it('with the emulators: OAuth2 through the emulator OAuth client (client credentials)', () => {
		const credentials = sandboxCredentials({ kind: 'emulators' }, emulators);
		const oauth = credentials.find((c) => c.type === 'zendeskDmOAuth2Api');
		expect(oauth).toMatchObject({
			id: SANDBOX_CREDENTIAL_IDS.zendeskDmOAuth2Api,
			data: { grantType: 'clientCredentials', baseUrl: 'http://127.0.0.1:2' },
		});
		const upsert = (wireCredentials(inbound, credentials).nodes as unknown as Node[]).find(
			(n) => n.name === 'Zendesk Messaging Upsert',
		)!;
		expect(upsert.parameters.authentication).toBe('oAuth2');
		expect(upsert.credentials).toEqual({
			zendeskDmOAuth2Api: { id: SANDBOX_CREDENTIAL_IDS.zendeskDmOAuth2Api, name: oauth!.name },
		});
	});

	it('with real accounts (an API token only): the Zendesk nodes switch to the API token', () => {
		const credentials = sandboxCredentials({
			kind: 'real',
			slack: { token: 'xoxb-1', signingSecret: 's' },
			zendesk: { subdomain: 'acme', email: 'a@b', apiToken: 't' },
			publicUrl: 'https://x',
		});
		const wired = wireCredentials(inbound, credentials).nodes as unknown as Node[];
		for (const node of wired.filter((n) => 'authentication' in n.parameters)) {
			expect(node.parameters.authentication).toBe('apiToken');
			expect(Object.keys(node.credentials ?? {})).toContain('zendeskDmApi');
			expect(Object.keys(node.credentials ?? {})).not.toContain('zendeskDmOAuth2Api');
		}
	});
});
