/** The sandbox's wiring decisions: account variables, credentials, publishing, trigger URLs, return-path matching, template sets. */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	REAL_ACCOUNT_VARIABLES,
	SANDBOX_CREDENTIAL_IDS,
	handlesOf,
	isPublishable,
	matchReturnPath,
	sandboxCredentials,
	selectTemplateSet,
	targetFromEnv,
	templateSetFrom,
	templateSetOf,
	triggerEndpoints,
} from '../../../sandbox/settings';
import type { WorkflowJson } from '../../harness/realN8n';

const REAL_ENV = {
	SLACK_BOT_TOKEN: 'xoxb-real',
	SLACK_SIGNING_SECRET: 'real-secret',
	ZENDESK_SUBDOMAIN: 'acme',
	ZENDESK_EMAIL: 'admin@acme.test',
	ZENDESK_API_TOKEN: 'zd-real',
	SANDBOX_PUBLIC_URL: 'https://tunnel.example.com/',
};

describe('targetFromEnv', () => {
	it('uses the emulators when no account variable is set', () => {
		expect(targetFromEnv({ PATH: '/bin', SLACK_BOT_TOKEN: '  ' })).toEqual({ kind: 'emulators' });
	});

	it('uses real accounts when all variables are set, normalising the URL and subdomain', () => {
		const target = targetFromEnv({ ...REAL_ENV, ZENDESK_SUBDOMAIN: 'https://acme.zendesk.com/' });
		expect(target).toEqual({
			kind: 'real',
			slack: { token: 'xoxb-real', signingSecret: 'real-secret' },
			zendesk: { subdomain: 'acme', email: 'admin@acme.test', apiToken: 'zd-real' },
			publicUrl: 'https://tunnel.example.com',
		});
	});

	it('refuses a half-set environment and names what is missing without echoing values', () => {
		const { ZENDESK_API_TOKEN: _token, SANDBOX_PUBLIC_URL: _url, ...partial } = REAL_ENV;
		let message = '';
		try {
			targetFromEnv(partial);
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toContain('ZENDESK_API_TOKEN');
		expect(message).toContain('SANDBOX_PUBLIC_URL');
		expect(message).not.toContain('xoxb-real');
		expect(message).not.toContain('real-secret');
	});

	it('refuses a public URL that is not http(s)', () => {
		expect(() => targetFromEnv({ ...REAL_ENV, SANDBOX_PUBLIC_URL: 'tunnel.example.com' })).toThrow(
			'SANDBOX_PUBLIC_URL',
		);
	});

	it('documents every variable it reads', () => {
		expect(Object.keys(REAL_ACCOUNT_VARIABLES).sort()).toEqual(Object.keys(REAL_ENV).sort());
	});
});

describe('sandboxCredentials', () => {
	it('real accounts: the real Slack API and Zendesk by subdomain (no base URL override)', () => {
		const credentials = sandboxCredentials(targetFromEnv(REAL_ENV));
		const byType = Object.fromEntries(credentials.map((c) => [c.type, c.data]));
		expect(byType.slackDmApi).toEqual({
			accessToken: 'xoxb-real',
			signingSecret: 'real-secret',
			baseUrl: 'https://slack.com/api',
		});
		expect(byType.zendeskDmApi).toEqual({
			subdomain: 'acme',
			email: 'admin@acme.test',
			apiToken: 'zd-real',
			baseUrl: '',
		});
	});

	it('emulators: the fixture accounts and local URLs', () => {
		const credentials = sandboxCredentials(
			{ kind: 'emulators' },
			{
				slack: { botToken: 'xoxb-emu', signingSecret: 's', apiUrl: 'http://127.0.0.1:1/api' },
				zendesk: { subdomain: 'acme', email: 'bridge@acme.test', apiToken: 't', url: 'http://127.0.0.1:2' },
			},
		);
		expect(credentials.find((c) => c.type === 'slackDmApi')?.data.baseUrl).toBe('http://127.0.0.1:1/api');
		expect(credentials.find((c) => c.type === 'zendeskDmApi')?.data.baseUrl).toBe('http://127.0.0.1:2');
		expect(() => sandboxCredentials({ kind: 'emulators' })).toThrow();
	});
});

const node = (type: string, extra: Record<string, unknown> = {}) => ({ name: type, type, parameters: {}, ...extra });

describe('isPublishable', () => {
	it('publishes workflows with an activatable trigger of any package prefix', () => {
		expect(isPublishable({ nodes: [node('CUSTOM.slackDmTrigger')], connections: {} })).toBe(true);
		expect(isPublishable({ nodes: [node('n8n-nodes-slack-dm-zendesk.zendeskReplyTrigger')], connections: {} })).toBe(
			true,
		);
		expect(isPublishable({ nodes: [node('n8n-nodes-base.webhook')], connections: {} })).toBe(true);
	});

	it('does not publish error, manual or sub-workflow triggers, nor disabled triggers', () => {
		expect(
			isPublishable({ nodes: [node('n8n-nodes-base.errorTrigger'), node('n8n-nodes-base.slack')], connections: {} }),
		).toBe(false);
		expect(isPublishable({ nodes: [node('n8n-nodes-base.manualTrigger')], connections: {} })).toBe(false);
		expect(isPublishable({ nodes: [node('n8n-nodes-base.executeWorkflowTrigger')], connections: {} })).toBe(false);
		expect(isPublishable({ nodes: [node('CUSTOM.slackDmTrigger', { disabled: true })], connections: {} })).toBe(false);
	});
});

describe('triggerEndpoints', () => {
	const inbound: WorkflowJson = {
		id: 'wfIn',
		name: 'Inbound',
		nodes: [
			node('CUSTOM.slackDmTrigger', {
				name: 'DMs',
				webhookId: 'abc-123',
				parameters: {
					handles: {
						handle: [
							{ name: 'IT', userId: 'U0HANDLEBOT' },
							{ name: 'HR', userId: '={{ $env.HR }}' },
						],
					},
				},
			}),
			node('CUSTOM.slackDmTrigger', { name: 'Off', webhookId: 'off', disabled: true }),
		],
		connections: {},
	};
	const outbound: WorkflowJson = {
		id: 'wfOut',
		nodes: [node('CUSTOM.zendeskReplyTrigger', { webhookId: 'zzz' })],
		connections: {},
	};
	const draft: WorkflowJson = {
		id: 'wfDraft',
		nodes: [node('CUSTOM.slackDmTrigger', { webhookId: 'draft' })],
		connections: {},
	};

	it('gives the production URL <base>/webhook/<webhookId>/<path> of enabled triggers in published workflows', () => {
		const slack = triggerEndpoints(
			[inbound, outbound, draft],
			['wfIn', 'wfOut'],
			'slackDmTrigger',
			'http://127.0.0.1:5678/',
		);
		expect(slack.map((e) => e.url)).toEqual(['http://127.0.0.1:5678/webhook/abc-123/slack-events']);
		expect(slack[0]).toMatchObject({ workflowId: 'wfIn', workflowName: 'Inbound', nodeName: 'DMs' });
		const replies = triggerEndpoints(
			[inbound, outbound],
			['wfIn', 'wfOut'],
			'zendeskReplyTrigger',
			'https://t.example.com',
		);
		expect(replies.map((e) => e.url)).toEqual(['https://t.example.com/webhook/zzz/zendesk-reply']);
	});

	it('lists the literal handles of a Slack DM Trigger (expressions are skipped)', () => {
		const [endpoint] = triggerEndpoints([inbound], ['wfIn'], 'slackDmTrigger', 'http://x');
		expect(handlesOf(endpoint)).toEqual([{ userId: 'U0HANDLEBOT', name: 'IT' }]);
	});
});

describe('matchReturnPath', () => {
	const endpoint = 'http://n8n/webhook/zzz/zendesk-reply';
	it('finds the active webhook posting to the endpoint and the active trigger that notifies it', () => {
		const checks = matchReturnPath(
			[endpoint],
			[
				{ id: 'other', endpoint: 'http://elsewhere', status: 'active' },
				{ id: 'wh1', endpoint, status: 'active' },
			],
			[
				{ id: 1, title: 'unrelated', active: true, actions: [{ field: 'status', value: 'open' }] },
				{ id: 2, title: 'n8n reply', active: true, actions: [{ field: 'notification_webhook', value: ['wh1', '{}'] }] },
			],
		);
		expect(checks).toEqual([
			{ endpoint, webhook: { id: 'wh1', status: 'active' }, trigger: { id: 2, title: 'n8n reply' } },
		]);
	});

	it('reports a missing trigger, an inactive webhook and an inactive trigger', () => {
		expect(matchReturnPath([endpoint], [{ id: 'wh1', endpoint }], [])[0].trigger).toBeUndefined();
		expect(matchReturnPath([endpoint], [{ id: 'wh1', endpoint, status: 'inactive' }], [])[0].webhook).toBeUndefined();
		const inactive = matchReturnPath(
			[endpoint],
			[{ id: 'wh1', endpoint }],
			[{ id: 3, active: false, actions: [{ field: 'notification_webhook', value: ['wh1', '{}'] }] }],
		);
		expect(inactive[0].trigger).toBeUndefined();
	});
});

describe('the template set (npm start -- --messaging)', () => {
	const dir = path.join(__dirname, '..', '..', '..', 'workflows');
	const shipped = fs
		.readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file, json: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as WorkflowJson }));
	const filesOf = (workflows: WorkflowJson[]) => shipped.filter((s) => workflows.includes(s.json)).map((s) => s.file);

	it('is Support by default; --messaging or SANDBOX_TEMPLATES=messaging switch to messaging; a typo is refused', () => {
		expect(templateSetFrom(['node', 'start.ts'], {})).toBe('support');
		expect(templateSetFrom(['node', 'start.ts', '--port', '5700'], { SANDBOX_TEMPLATES: 'support' })).toBe('support');
		expect(templateSetFrom(['node', 'start.ts', '--messaging'], {})).toBe('messaging');
		expect(templateSetFrom(['node', 'start.ts'], { SANDBOX_TEMPLATES: ' Messaging ' })).toBe('messaging');
		expect(() => templateSetFrom([], { SANDBOX_TEMPLATES: 'messagin' })).toThrow(/support or messaging/);
	});

	it('classifies the shipped templates: each inbound/outbound pair in its set, the error workflow in both', () => {
		expect(Object.fromEntries(shipped.map((s) => [s.file, templateSetOf(s.json) ?? 'both']))).toEqual({
			'delivery-failure-alert.json': 'both',
			'slack-dm-to-zendesk-messaging.json': 'messaging',
			'slack-dm-to-zendesk.json': 'support',
			'zendesk-messaging-reply-to-slack-dm.json': 'messaging',
			'zendesk-reply-to-slack-dm.json': 'support',
		});
	});

	it('publishes one inbound template per Slack app: never both Slack DM Triggers of the two sets', () => {
		const all = shipped.map((s) => s.json);
		expect(filesOf(selectTemplateSet(all, 'support'))).toEqual([
			'delivery-failure-alert.json',
			'slack-dm-to-zendesk.json',
			'zendesk-reply-to-slack-dm.json',
		]);
		expect(filesOf(selectTemplateSet(all, 'messaging'))).toEqual([
			'delivery-failure-alert.json',
			'slack-dm-to-zendesk-messaging.json',
			'zendesk-messaging-reply-to-slack-dm.json',
		]);
		for (const set of ['support', 'messaging'] as const) {
			const slackTriggers = selectTemplateSet(all, set).flatMap((wf) =>
				wf.nodes.filter((n) => n.type.endsWith('.slackDmTrigger')),
			);
			expect(slackTriggers).toHaveLength(1);
		}
	});

	it('a disabled messaging node does not make a workflow messaging', () => {
		const workflow: WorkflowJson = {
			nodes: [{ type: 'CUSTOM.zendeskMessagingUpsert', parameters: { mode: 'zendeskMessaging' }, disabled: true }],
			connections: {},
		};
		expect(templateSetOf(workflow)).toBeUndefined();
	});

	it('with the Sunshine emulator: a Zendesk messaging credential (Basic, Base URL Override) for the messaging templates', () => {
		const credentials = sandboxCredentials(
			{ kind: 'emulators' },
			{
				slack: { botToken: 'xoxb-1', signingSecret: 's', apiUrl: 'http://127.0.0.1:1/api' },
				zendesk: { subdomain: 'acme', email: 'a@b', apiToken: 't', url: 'http://127.0.0.1:2' },
				sunshine: { subdomain: 'acme', appId: 'app1', keyId: 'app_k', secret: 'sec', url: 'http://127.0.0.1:3' },
			},
		);
		expect(credentials.find((c) => c.type === 'zendeskMessagingApi')).toEqual({
			id: SANDBOX_CREDENTIAL_IDS.zendeskMessagingApi,
			name: expect.any(String),
			type: 'zendeskMessagingApi',
			data: {
				subdomain: 'acme',
				appId: 'app1',
				keyId: 'app_k',
				secret: 'sec',
				authMethod: 'basic',
				baseUrl: 'http://127.0.0.1:3',
			},
		});
	});
});
