/**
 * The shipped workflow templates (workflows/*.json) are valid for n8n 2.41.1 and this package:
 * they parse, every node type is ours or exists in the installed n8n's n8n-nodes-base (at the
 * typeVersion used), every parameter name exists in that node's description, connections name
 * existing nodes and outputs, credentials are placeholders of our own types, and nothing secret
 * is in them. Importing and running them in real n8n is test/e2e/pipeline.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { INodeProperties, INodePropertyCollection, INodeType } from 'n8n-workflow';

import * as pkg from '../../index';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const WORKFLOWS_DIR = path.join(REPO_ROOT, 'workflows');
const PACKAGE_PREFIX = 'n8n-nodes-slack-dm-zendesk.';
const BASE_PREFIX = 'n8n-nodes-base.';
const OUR_CREDENTIAL_TYPES = ['slackDmApi', 'zendeskDmApi', 'zendeskDmOAuth2Api', 'zendeskMessagingApi'];
/** The runtime the e2e tests use (scripts/install-runtime.mjs: $N8N_DM_CACHE or ~/.cache/n8n-dm-zendesk). */
const BASE_NODE_TYPES = path.join(
	process.env.N8N_DM_CACHE || path.join(os.homedir(), '.cache', 'n8n-dm-zendesk'),
	'n8n-2.41.1',
	'node_modules',
	'n8n-nodes-base',
	'dist',
	'types',
	'nodes.json',
);

interface TemplateNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
}
interface Connection {
	node: string;
	type: string;
	index: number;
}
interface Template {
	id: string;
	name: string;
	nodes: TemplateNode[];
	connections: Record<string, { main: Connection[][] }>;
	settings: Record<string, unknown>;
	[key: string]: unknown;
}
interface Description {
	name: string;
	version: number | number[];
	properties: INodeProperties[];
	credentials?: Array<{ name: string }>;
	webhooks?: unknown[];
}

const files = fs
	.readdirSync(WORKFLOWS_DIR)
	.filter((f) => f.endsWith('.json'))
	.sort();
const templates = new Map(
	files.map((file) => [file, JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as Template]),
);

const ourNodes = new Map<string, Description>();
for (const exported of Object.values(pkg)) {
	const instance = new (exported as new () => Partial<INodeType>)();
	if (instance.description) ourNodes.set(instance.description.name, instance.description as unknown as Description);
}

function baseNodes(): Description[] {
	if (!fs.existsSync(BASE_NODE_TYPES)) {
		throw new Error(`n8n 2.41.1 is not installed at ${BASE_NODE_TYPES}: run \`npm run runtime\` first`);
	}
	return JSON.parse(fs.readFileSync(BASE_NODE_TYPES, 'utf8')) as Description[];
}

function descriptionFor(node: TemplateNode): Description | undefined {
	if (node.type.startsWith(PACKAGE_PREFIX)) {
		const description = ourNodes.get(node.type.slice(PACKAGE_PREFIX.length));
		const versions = description ? [description.version].flat() : [];
		return description && versions.includes(node.typeVersion) ? description : undefined;
	}
	if (node.type.startsWith(BASE_PREFIX)) {
		const name = node.type.slice(BASE_PREFIX.length);
		return baseNodes().find((d) => d.name === name && [d.version].flat().includes(node.typeVersion));
	}
	return undefined;
}

/** Parameter names (with their path) that the description does not define, at any depth of collections. */
function unknownParameters(values: Record<string, unknown>, properties: INodeProperties[], at: string): string[] {
	const problems: string[] = [];
	for (const [key, value] of Object.entries(values)) {
		const matches = properties.filter((p) => p.name === key);
		if (matches.length === 0) {
			problems.push(`${at}${key}`);
			continue;
		}
		if (!value || typeof value !== 'object') continue;
		for (const property of matches.slice(0, 1)) {
			if (property.type === 'collection') {
				problems.push(
					...unknownParameters(
						value as Record<string, unknown>,
						(property.options ?? []) as INodeProperties[],
						`${at}${key}.`,
					),
				);
			} else if (property.type === 'fixedCollection') {
				const groups = (property.options ?? []) as INodePropertyCollection[];
				for (const [groupName, entries] of Object.entries(value as Record<string, unknown>)) {
					const group = groups.find((g) => g.name === groupName);
					if (!group) {
						problems.push(`${at}${key}.${groupName}`);
						continue;
					}
					for (const entry of [entries].flat()) {
						problems.push(
							...unknownParameters(entry as Record<string, unknown>, group.values, `${at}${key}.${groupName}.`),
						);
					}
				}
			}
		}
	}
	return problems;
}

describe.each([...templates.keys()])('workflow template %s', (file) => {
	const template = templates.get(file) as Template;
	const names = template.nodes.map((n) => n.name);

	it('is a complete n8n workflow: id, name, nodes, connections, settings.executionOrder v1, no pinData', () => {
		expect(template.id).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(template.name.trim()).not.toBe('');
		expect(template.nodes.length).toBeGreaterThan(1);
		expect(template.settings.executionOrder).toBe('v1');
		expect(template).not.toHaveProperty('pinData');
		expect(template.active).toBe(false);
	});

	it('has unique node names, fixed uuid node ids and unique webhook ids', () => {
		const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
		expect(new Set(names).size).toBe(names.length);
		for (const node of template.nodes) expect(node.id).toMatch(uuid);
		const webhookIds = template.nodes.filter((n) => n.webhookId).map((n) => n.webhookId as string);
		for (const id of webhookIds) expect(id).toMatch(uuid);
		const allIds = [...templates.values()].flatMap((t) => t.nodes.flatMap((n) => [n.id, n.webhookId].filter(Boolean)));
		expect(new Set(allIds).size).toBe(allIds.length);
	});

	it('uses only node types of this package or of n8n-nodes-base 2.41.1, at versions that exist', () => {
		for (const node of template.nodes) {
			expect([node.type, node.typeVersion, Boolean(descriptionFor(node))]).toEqual([node.type, node.typeVersion, true]);
		}
	});

	it('sets only parameters the node descriptions define', () => {
		for (const node of template.nodes) {
			const description = descriptionFor(node) as Description;
			expect([node.name, unknownParameters(node.parameters, description.properties, '')]).toEqual([node.name, []]);
		}
	});

	it('gives every webhook node a webhookId', () => {
		for (const node of template.nodes) {
			const description = descriptionFor(node) as Description;
			if (description.webhooks?.length) expect([node.name, typeof node.webhookId]).toEqual([node.name, 'string']);
		}
	});

	it('connects existing nodes only, on outputs the source node has', () => {
		for (const [source, outputs] of Object.entries(template.connections)) {
			expect(names).toContain(source);
			const sourceNode = template.nodes.find((n) => n.name === source) as TemplateNode;
			expect(Object.keys(outputs)).toEqual(['main']);
			if (sourceNode.type === `${BASE_PREFIX}switch`) {
				const rules = (sourceNode.parameters.rules as { values: unknown[] }).values.length;
				const fallback =
					(sourceNode.parameters.options as { fallbackOutput?: string }).fallbackOutput === 'extra' ? 1 : 0;
				expect(outputs.main.length).toBe(rules + fallback);
			} else {
				// Wait Out Outages gives the package's node a second output, Service Unavailable.
				expect(outputs.main.length).toBe(sourceNode.parameters.waitOutOutages === true ? 2 : 1);
			}
			for (const target of outputs.main.flat()) {
				expect(names).toContain(target.node);
				expect(target).toMatchObject({ type: 'main', index: 0 });
			}
		}
	});

	it('leaves no node except sticky notes and triggers unconnected', () => {
		const targets = new Set(Object.values(template.connections).flatMap((o) => o.main.flat().map((c) => c.node)));
		for (const node of template.nodes) {
			if (node.type === `${BASE_PREFIX}stickyNote`) continue;
			const isTrigger = /trigger/i.test(node.type);
			expect([node.name, isTrigger ? node.name in template.connections : targets.has(node.name)]).toEqual([
				node.name,
				true,
			]);
		}
	});

	it("references only credential placeholders of this package's types, which the node accepts", () => {
		for (const node of template.nodes) {
			const description = descriptionFor(node) as Description;
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				expect(OUR_CREDENTIAL_TYPES).toContain(type);
				expect((description.credentials ?? []).map((c) => c.name)).toContain(type);
				expect(reference).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9]{16}$/), name: expect.any(String) });
			}
		}
		// One id per credential type across all templates: users create each credential once.
		const byType = new Map<string, Set<string>>();
		for (const node of [...templates.values()].flatMap((t) => t.nodes)) {
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				byType.set(type, (byType.get(type) ?? new Set()).add(JSON.stringify(reference)));
			}
		}
		for (const references of byType.values()) expect(references.size).toBe(1);
	});

	it('gives every package node the credentials its description requires for the chosen authentication', () => {
		for (const node of template.nodes.filter((n) => n.type.startsWith(PACKAGE_PREFIX))) {
			const description = descriptionFor(node) as Description & {
				credentials: Array<{
					name: string;
					required?: boolean;
					displayOptions?: { show?: Record<string, unknown[]>; hide?: Record<string, unknown[]> };
				}>;
			};
			for (const credential of description.credentials) {
				if (!credential.required) continue;
				const valueOf = (parameter: string) =>
					node.parameters[parameter] ?? description.properties.find((p) => p.name === parameter)?.default;
				const shown =
					Object.entries(credential.displayOptions?.show ?? {}).every(([parameter, allowed]) =>
						allowed.includes(valueOf(parameter)),
					) &&
					!Object.entries(credential.displayOptions?.hide ?? {}).some(([parameter, hidden]) =>
						hidden.includes(valueOf(parameter)),
					);
				if (shown)
					expect([node.name, Object.keys(node.credentials ?? {})]).toEqual([
						node.name,
						expect.arrayContaining([credential.name]),
					]);
			}
		}
	});

	it('contains no secrets: no tokens, signing secrets, passwords or emulator credentials', () => {
		const text = JSON.stringify(template);
		expect(text).not.toMatch(/xox[abpre]-/);
		expect(text).not.toMatch(/emulator-(signing-secret|verification-token)|zd-emulator/);
		expect(text).not.toMatch(/"(accessToken|apiToken|signingSecret|password|clientSecret|token)":/);
		expect(text).not.toMatch(/Bearer [A-Za-z0-9]/);
	});

	it('explains setup on the canvas with sticky notes', () => {
		const notes = template.nodes.filter((n) => n.type === `${BASE_PREFIX}stickyNote`);
		expect(notes.length).toBeGreaterThan(0);
		expect(notes.map((n) => String(n.parameters.content)).join('\n')).toMatch(/set up/i);
	});
});

describe('the templates together', () => {
	const byFile = (name: string) => templates.get(name) as Template;

	it('ships the inbound, outbound and error workflow, and the inbound and outbound in Zendesk messaging', () => {
		expect(files).toEqual([
			'delivery-failure-alert.json',
			'slack-dm-to-zendesk-messaging.json',
			'slack-dm-to-zendesk.json',
			'zendesk-messaging-reply-to-slack-dm.json',
			'zendesk-reply-to-slack-dm.json',
		]);
	});

	it('inbound: Slack DM Trigger (responds at once) → Profile Linker → Attachment Allowlist → Upsert (routing by handle) → out-of-hours reply', () => {
		const inbound = byFile('slack-dm-to-zendesk.json');
		const node = (type: string) => inbound.nodes.filter((n) => n.type === type);
		const [trigger] = node(`${PACKAGE_PREFIX}slackDmTrigger`);
		expect(trigger.parameters.responseMode).toBe('onReceived');
		const next = (name: string) => inbound.connections[name].main.map((out) => out.map((c) => c.node));
		expect(next(trigger.name)).toEqual([['Profile Linker']]);
		expect(next('Profile Linker')).toEqual([
			['Attachment Allowlist'],
			['Queued notice', 'Wait out outage (Profile Linker)'],
		]);
		expect(next('Attachment Allowlist')).toEqual([
			['Zendesk Messaging Upsert'],
			['Wait out outage (Attachment Allowlist)'],
		]);
		expect(next('Zendesk Messaging Upsert')).toEqual([
			['Out-of-hours reply'],
			['Queued notice', 'Wait out outage (Upsert)'],
		]);
		// Routing without expressions: each one costs n8n an isolate call per item.
		const upsert = node(`${PACKAGE_PREFIX}zendeskMessagingUpsert`)[0];
		const picked = (value: string) => ({
			__rl: true,
			mode: 'list',
			value,
			cachedResultName: expect.stringMatching(/example/),
		});
		expect(upsert.typeVersion).toBe(3);
		expect(upsert.parameters).toMatchObject({
			tags: 'it',
			brandId: picked('360001'),
			groupId: picked('360101'),
			handleRouting: {
				route: [{ handleName: 'HR', tags: 'hr', brandId: picked('360002'), groupId: picked('360102') }],
			},
		});
		// The Wait nodes' amount is an expression, evaluated only for messages that wait out an outage.
		const expressions = inbound.nodes
			.filter((n) => !n.type.endsWith('stickyNote') && n.type !== `${BASE_PREFIX}wait`)
			.flatMap((n) => JSON.stringify(n.parameters).match(/"=[^"]*\{\{/g) ?? []);
		expect(expressions).toEqual([]);
	});

	it('inbound: outages are waited out in n8n (Wait node back into the node), told once, and alerted on give-up', () => {
		const inbound = byFile('slack-dm-to-zendesk.json');
		const named = (name: string) => inbound.nodes.find((n) => n.name === name) as TemplateNode;
		const next = (name: string) => inbound.connections[name].main.map((out) => out.map((c) => c.node));
		for (const [node, wait] of [
			['Profile Linker', 'Wait out outage (Profile Linker)'],
			['Attachment Allowlist', 'Wait out outage (Attachment Allowlist)'],
			['Zendesk Messaging Upsert', 'Wait out outage (Upsert)'],
		]) {
			expect(named(node).parameters.waitOutOutages).toBe(true);
			expect(next(wait)).toEqual([[node]]);
			// Durable (in n8n's database) only from 65 s: the node's waitSeconds is never less.
			expect(named(wait)).toMatchObject({
				type: `${BASE_PREFIX}wait`,
				typeVersion: 1.1,
				parameters: { resume: 'timeInterval', amount: '={{ $json.retry.waitSeconds }}', unit: 'seconds' },
			});
			// n8n (execution order v1) runs a node's children top to bottom: the notice before the wait.
			expect(named('Queued notice').position[1]).toBeLessThan(named(wait).position[1]);
		}
		expect(named('Queued notice').parameters).toMatchObject({ operation: 'notice', noticeKind: 'queued' });
		expect(inbound.settings.errorWorkflow).toBe(byFile('delivery-failure-alert.json').id);
	});

	it('outbound: Zendesk Reply Trigger → Slack DM Reply, with the error workflow set to the alert template', () => {
		const outbound = byFile('zendesk-reply-to-slack-dm.json');
		expect(outbound.connections['Zendesk Reply Trigger'].main).toEqual([
			[{ node: 'Slack DM Reply', type: 'main', index: 0 }],
		]);
		expect(outbound.settings.errorWorkflow).toBe(byFile('delivery-failure-alert.json').id);
	});

	it('outbound (Support and messaging): a Slack outage is waited out in n8n (Wait node back into Slack DM Reply), alerted on give-up', () => {
		for (const file of ['zendesk-reply-to-slack-dm.json', 'zendesk-messaging-reply-to-slack-dm.json']) {
			const outbound = byFile(file);
			const named = (name: string) => outbound.nodes.find((n) => n.name === name) as TemplateNode;
			const next = (name: string) => outbound.connections[name].main.map((out) => out.map((c) => c.node));
			const wait = 'Wait out outage (Slack DM Reply)';
			expect(named('Slack DM Reply')).toMatchObject({
				typeVersion: 3,
				parameters: { operation: 'reply', waitOutOutages: true },
			});
			// Done: nothing follows; Service Unavailable: the Wait node, which goes back into the node.
			expect(next('Slack DM Reply')).toEqual([[], [wait]]);
			expect(next(wait)).toEqual([['Slack DM Reply']]);
			expect(named(wait)).toMatchObject({
				type: `${BASE_PREFIX}wait`,
				typeVersion: 1.1,
				parameters: { resume: 'timeInterval', amount: '={{ $json.retry.waitSeconds }}', unit: 'seconds' },
			});
			expect(outbound.settings.errorWorkflow).toBe(byFile('delivery-failure-alert.json').id);
		}
	});

	it('error workflow: Error Trigger → Slack DM Reply "Alert Channel" with the channel picker left for you to pick', () => {
		const alerts = byFile('delivery-failure-alert.json');
		const [trigger] = alerts.nodes.filter((n) => n.type === `${BASE_PREFIX}errorTrigger`);
		const [target] = alerts.connections[trigger.name].main.flat();
		const alertNode = alerts.nodes.find((n) => n.name === target.node) as TemplateNode;
		expect(alertNode.type).toBe(`${PACKAGE_PREFIX}slackDmReply`);
		expect(alertNode.typeVersion).toBe(2);
		expect(alertNode.parameters).toMatchObject({
			operation: 'alert',
			alertChannelId: { __rl: true, mode: 'list', value: '' },
		});
	});
});
