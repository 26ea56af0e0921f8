/**
 * The Zendesk messaging templates are the Support templates with only what messaging needs
 * changed, and the committed files are exactly what scripts/messaging-templates.ts makes from
 * the Support templates (run `npm run templates:messaging` after changing a Support template).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	MESSAGING_CREDENTIAL,
	MESSAGING_TEMPLATE_FILES,
	SUPPORT_TEMPLATE_FILES,
	TEMPLATE_DIR,
	messagingInbound,
	messagingTemplateFiles,
	staleMessagingTemplates,
} from '../../scripts/messaging-templates';

type Json = Record<string, unknown>;
interface Node {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: number[];
	parameters: Json;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
}
interface Workflow {
	id: string;
	name: string;
	nodes: Node[];
	connections: Json;
	settings: Json;
}

const read = (file: string) => JSON.parse(fs.readFileSync(path.join(TEMPLATE_DIR, file), 'utf8')) as Workflow;
const support = { inbound: read(SUPPORT_TEMPLATE_FILES.inbound), outbound: read(SUPPORT_TEMPLATE_FILES.outbound) };
const messaging = {
	inbound: read(MESSAGING_TEMPLATE_FILES.inbound),
	outbound: read(MESSAGING_TEMPLATE_FILES.outbound),
};
const STICKY = 'n8n-nodes-base.stickyNote';
const node = (workflow: Workflow, name: string) => workflow.nodes.find((n) => n.name === name) as Node;
const notes = (workflow: Workflow) =>
	workflow.nodes
		.filter((n) => n.type === STICKY)
		.map((n) => String(n.parameters.content))
		.join('\n');

describe('the messaging templates are generated from the Support templates', () => {
	it('the committed files are what `npm run templates:messaging` makes (run it after editing a Support template)', () => {
		expect(staleMessagingTemplates()).toEqual([]);
	});

	it('a changed Support template makes the committed messaging files stale', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msg-templates-'));
		try {
			for (const file of [...Object.values(SUPPORT_TEMPLATE_FILES), ...Object.values(MESSAGING_TEMPLATE_FILES)])
				fs.copyFileSync(path.join(TEMPLATE_DIR, file), path.join(dir, file));
			expect(staleMessagingTemplates(dir)).toEqual([]);
			const inbound = read(SUPPORT_TEMPLATE_FILES.inbound);
			node(inbound, 'Attachment Allowlist').parameters.noticeMode = 'none';
			fs.writeFileSync(path.join(dir, SUPPORT_TEMPLATE_FILES.inbound), JSON.stringify(inbound));
			expect(staleMessagingTemplates(dir)).toEqual([MESSAGING_TEMPLATE_FILES.inbound]);
			const generated = JSON.parse(messagingTemplateFiles(dir)[MESSAGING_TEMPLATE_FILES.inbound]) as Workflow;
			expect(node(generated, 'Attachment Allowlist').parameters.noticeMode).toBe('none');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('refuses a Support template that lost a node it changes, rather than making a half messaging template', () => {
		const inbound = JSON.parse(JSON.stringify(support.inbound)) as Workflow;
		inbound.nodes = inbound.nodes.filter((n) => n.name !== 'Zendesk Messaging Upsert');
		expect(() => messagingInbound(inbound as never)).toThrow(/no node "Zendesk Messaging Upsert"/);
	});
});

describe.each([
	['inbound', ['Zendesk Messaging Upsert']],
	['outbound', ['Zendesk Reply Trigger', 'Slack DM Reply']],
] as const)('%s: only what messaging needs differs', (which, changed) => {
	const from = support[which];
	const to = messaging[which];

	it('has its own workflow id, node ids and webhook ids; the same error workflow and settings', () => {
		expect(to.id).not.toBe(from.id);
		expect(to.name).toMatch(/messaging/);
		const ids = (w: Workflow) => w.nodes.flatMap((n) => [n.id, n.webhookId].filter(Boolean));
		expect(ids(to).filter((id) => ids(from).includes(id))).toEqual([]);
		expect(to.settings).toEqual(from.settings);
	});

	it('has the same nodes, positions and connections (plus one sticky note on what messaging needs)', () => {
		const shape = (w: Workflow) => w.nodes.map((n) => [n.name, n.type, n.typeVersion, n.position]);
		expect(shape(to).filter(([name]) => name !== 'Zendesk messaging needs')).toEqual(shape(from));
		expect(node(to, 'Zendesk messaging needs').type).toBe(STICKY);
		expect(to.connections).toEqual(from.connections);
	});

	it(`changes no node but ${changed.join(' and ')} and sticky notes`, () => {
		for (const original of from.nodes.filter(
			(n) => n.type !== STICKY && !(changed as readonly string[]).includes(n.name),
		)) {
			const copy = node(to, original.name);
			expect([copy.name, copy.parameters, copy.credentials]).toEqual([
				original.name,
				original.parameters,
				original.credentials,
			]);
		}
	});

	it('says on the canvas which plan and set-up messaging needs, citing Zendesk', () => {
		const text = notes(to);
		expect(text).toMatch(/Suite \*\*Professional\*\* or above/);
		expect(text).toMatch(/Agent Workspace\*\* turned on/);
		expect(text).toMatch(/\*\*Messaging\*\* turned on/);
		expect(text).toMatch(
			/Admin Center → \*Apps and integrations\* → \*APIs\* → \*Conversations API\* → \*Create API key\*/,
		);
		expect(text).toContain('https://support.zendesk.com/hc/en-us/articles/4576088682266');
		expect(text).toContain('docs/zendesk-messaging.md');
	});
});

describe('the messaging nodes', () => {
	it('inbound: the Upsert in Zendesk Messaging mode with the messaging credential, brand and group by ID', () => {
		const upsert = node(messaging.inbound, 'Zendesk Messaging Upsert');
		const original = node(support.inbound, 'Zendesk Messaging Upsert');
		expect(upsert.parameters.mode).toBe('zendeskMessaging');
		expect(upsert.credentials).toEqual({ zendeskMessagingApi: MESSAGING_CREDENTIAL });
		const value = (locator: unknown) => (locator as { value: string }).value;
		expect(upsert.parameters.brandId).toEqual({ __rl: true, mode: 'id', value: value(original.parameters.brandId) });
		expect(upsert.parameters.groupId).toEqual({ __rl: true, mode: 'id', value: value(original.parameters.groupId) });
		const [row] = (upsert.parameters.handleRouting as { route: Json[] }).route;
		expect(row).toMatchObject({ handleName: 'HR', tags: 'hr', brandId: { mode: 'id', value: '360002' } });
		expect(upsert.parameters.tags).toBe(original.parameters.tags);
	});

	it('inbound: the Profile Linker keeps the Zendesk Support credential (it links Zendesk users)', () => {
		expect(Object.keys(node(messaging.inbound, 'Profile Linker').credentials ?? {})).toEqual([
			'slackDmApi',
			'zendeskDmOAuth2Api',
		]);
	});

	it('outbound: the Reply Trigger listens to messaging; Slack DM Reply fetches agent files with the messaging credential', () => {
		const trigger = node(messaging.outbound, 'Zendesk Reply Trigger');
		expect(trigger.parameters).toEqual({ source: 'zendeskMessaging', messagingOptions: {} });
		expect(trigger.credentials).toEqual({ zendeskMessagingApi: MESSAGING_CREDENTIAL });
		const reply = node(messaging.outbound, 'Slack DM Reply');
		expect(reply.parameters).toMatchObject({
			operation: 'reply',
			authentication: 'zendeskMessaging',
			sendAttachments: true,
		});
		expect(Object.keys(reply.credentials ?? {})).toEqual(['slackDmApi', 'zendeskMessagingApi']);
		expect(notes(messaging.outbound)).toMatch(/Emit Ticket Solved Events[\s\S]*Notify When Solved/);
	});
});
