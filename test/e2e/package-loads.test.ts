/**
 * Real n8n 2.41.1 loads this package both ways users install it, lists its nodes and
 * credentials, and imports, publishes and runs a workflow that uses one of its nodes.
 * Checks node type names only: node behaviour has its own tests.
 */
import { nodesThatRan } from '../harness/n8nExecutions';
import { type LoadMode, type RealN8n, nodeTypeFor, startRealN8n } from '../harness/realN8n';

jest.setTimeout(240_000);

const NODE_NAMES = [
	'slackDmTrigger',
	'profileLinker',
	'attachmentAllowlist',
	'zendeskMessagingUpsert',
	'zendeskReplyTrigger',
	'slackDmReply',
];
const CREDENTIAL_TYPES = ['slackDmApi', 'zendeskDmApi', 'zendeskDmOAuth2Api'];

const credentials = [
	{
		id: 'e2eSlackCred0001',
		name: 'Slack (e2e)',
		type: 'slackDmApi',
		data: { accessToken: 'xoxb-e2e', signingSecret: 'e2e-secret', baseUrl: 'http://127.0.0.1:9/api' },
	},
	{
		id: 'e2eZendeskCred01',
		name: 'Zendesk (e2e)',
		type: 'zendeskDmApi',
		data: { subdomain: 'e2e', email: 'agent@example.com', apiToken: 'e2e-token', baseUrl: 'http://127.0.0.1:9' },
	},
];

const WEBHOOK_PATH = 'package-loads';
// Written with the community-package prefix, as shipped templates are; the harness adapts it.
const workflow = {
	id: 'e2ePackageLoads1',
	name: 'package loads',
	nodes: [
		{
			id: '6f0c2a5e-0000-4000-8000-000000000001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '6f0c2a5e-0000-4000-8000-0000000000aa',
			parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} },
		},
		{
			id: '6f0c2a5e-0000-4000-8000-000000000002',
			name: 'Package node',
			type: 'n8n-nodes-slack-dm-zendesk.attachmentAllowlist',
			typeVersion: 1,
			position: [220, 0],
			parameters: {},
		},
	],
	connections: { Webhook: { main: [[{ node: 'Package node', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

describe.each<LoadMode>(['custom-extensions', 'community-package'])('real n8n with the package as %s', (mode) => {
	let n8n: RealN8n;
	const otherMode: LoadMode = mode === 'custom-extensions' ? 'community-package' : 'custom-extensions';

	beforeAll(async () => {
		n8n = await startRealN8n({ mode, credentials, workflows: [workflow] });
		process.stderr.write(`[e2e] n8n (${mode}) ready in ${JSON.stringify(n8n.timings)}\n`);
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('lists all six nodes under the type names of this install mode, once', async () => {
		const types = await n8n.nodeTypes();
		for (const name of NODE_NAMES) {
			expect(types).toContain(nodeTypeFor(mode, name));
			expect(types).not.toContain(nodeTypeFor(otherMode, name));
		}
	});

	it('lists all three credential types', async () => {
		const types = await n8n.credentialTypes();
		expect(types).toEqual(expect.arrayContaining(CREDENTIAL_TYPES));
	});

	it('has the imported credentials, stored encrypted', async () => {
		const stored = await n8n.rest<Array<{ id: string; type: string; data?: unknown }>>('GET', '/rest/credentials');
		expect(stored.map((c) => [c.id, c.type]).sort()).toEqual(credentials.map((c) => [c.id, c.type]).sort());
		expect(JSON.stringify(stored)).not.toContain('e2e-token');
	});

	it('publishes the imported workflow and runs its package node on a webhook call', async () => {
		const response = await fetch(n8n.webhookUrl(WEBHOOK_PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ hello: 'from the test' }),
		});
		expect(response.status).toBe(200);

		const [execution] = await n8n.waitForExecutions(1, 30_000);
		expect(execution.workflowId).toBe(workflow.id);
		expect(execution.mode).toBe('webhook');
		expect(nodesThatRan(execution)).toEqual(expect.arrayContaining(['Webhook', 'Package node']));
		// Whatever the node does with this input, n8n must have known and run its type.
		const packageRun = execution.data?.resultData.runData['Package node'][0];
		expect(String(packageRun?.error?.message ?? '')).not.toMatch(/unrecognized node type|is not known/i);
	});
});
