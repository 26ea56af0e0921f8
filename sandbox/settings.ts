/**
 * Pure decisions of the sandbox: which accounts it wires (emulators or real ones from the
 * environment), the credentials it imports, which workflows it publishes, and where the
 * Slack events and Zendesk webhooks of the imported triggers end up.
 */
import { EMULATOR_OAUTH_CLIENT } from '../emulators/zendesk/oauth';
import type { CredentialJson, WorkflowJson } from '../test/harness/realN8n';

export const SANDBOX_CREDENTIAL_IDS = {
	slackDmApi: 'sandboxSlackDm01',
	zendeskDmApi: 'sandboxZendesk01',
	zendeskDmOAuth2Api: 'sandboxZendOA001',
	zendeskMessagingApi: 'sandboxZendMsg01',
} as const;

/**
 * Which pair of inbound and outbound templates the sandbox publishes: Support tickets (the
 * default) or Zendesk messaging. Never both: both inbound templates would answer the same Slack
 * app's events, each writing its own ticket.
 */
export type TemplateSet = 'support' | 'messaging';

/** `npm start -- --messaging` or SANDBOX_TEMPLATES=messaging; anything else is the Support pair. */
export function templateSetFrom(argv: string[], env: Record<string, string | undefined>): TemplateSet {
	const fromEnv = (env.SANDBOX_TEMPLATES ?? '').trim().toLowerCase();
	if (fromEnv && fromEnv !== 'support' && fromEnv !== 'messaging')
		throw new Error(`SANDBOX_TEMPLATES must be support or messaging, not ${fromEnv}`);
	return argv.includes('--messaging') || fromEnv === 'messaging' ? 'messaging' : 'support';
}

/**
 * The set a workflow belongs to: `messaging` when its Upsert or Zendesk Reply Trigger uses Zendesk
 * messaging, `support` when it has one of them in the Support mode, none (both sets) otherwise
 * (the error workflow, your own workflows).
 */
export function templateSetOf(workflow: WorkflowJson): TemplateSet | undefined {
	let set: TemplateSet | undefined;
	for (const node of workflow.nodes) {
		if (node.disabled === true) continue;
		const parameters = (node.parameters ?? {}) as Record<string, unknown>;
		const type = localType(node.type);
		if (type === 'zendeskMessagingUpsert')
			set = parameters.mode === 'zendeskMessaging' ? 'messaging' : (set ?? 'support');
		if (type === 'zendeskReplyTrigger')
			set = parameters.source === 'zendeskMessaging' ? 'messaging' : (set ?? 'support');
	}
	return set;
}

/** The workflows of one set, and those of neither. */
export function selectTemplateSet(workflows: WorkflowJson[], set: TemplateSet): WorkflowJson[] {
	return workflows.filter((workflow) => (templateSetOf(workflow) ?? set) === set);
}

/**
 * The Zendesk OAuth2 credential of the emulators: the emulator's OAuth client with client
 * credentials, so n8n gets its own expiring access tokens and renews them (emulators/zendesk/oauth.ts).
 */
export function emulatorOAuth2Data(zendesk: { subdomain: string; url: string }): Record<string, unknown> {
	return {
		subdomain: zendesk.subdomain,
		baseUrl: zendesk.url,
		grantType: 'clientCredentials',
		clientId: EMULATOR_OAUTH_CLIENT.identifier,
		clientSecret: EMULATOR_OAUTH_CLIENT.secret,
		scope: 'read write',
	};
}

/** Environment variables that switch `npm start` from the emulators to real accounts. */
export const REAL_ACCOUNT_VARIABLES = {
	SLACK_BOT_TOKEN: 'Bot token (xoxb-…) or handle user token (xoxp-…) of your Slack app',
	SLACK_SIGNING_SECRET: 'Signing secret of the Slack app (Basic Information → App Credentials)',
	ZENDESK_SUBDOMAIN: 'Your Zendesk subdomain: acme for acme.zendesk.com',
	ZENDESK_EMAIL: 'Email of the Zendesk admin the API token belongs to',
	ZENDESK_API_TOKEN: 'Zendesk API token (Admin Center → Apps and integrations → Zendesk API)',
	SANDBOX_PUBLIC_URL: 'Public https URL that reaches n8n on this machine (a tunnel to the printed port)',
} as const;

export type RealAccountVariable = keyof typeof REAL_ACCOUNT_VARIABLES;

export type SandboxTarget =
	| { kind: 'emulators' }
	| {
			kind: 'real';
			slack: { token: string; signingSecret: string };
			zendesk: { subdomain: string; email: string; apiToken: string };
			/** Where Slack and Zendesk reach n8n's webhooks (n8n's N8N_WEBHOOK_URL). */
			publicUrl: string;
	  };

/**
 * Emulators unless a real-account variable is set; then all of them must be, so a half-set
 * environment never mixes a real Slack with an emulated Zendesk by accident.
 */
export function targetFromEnv(env: Record<string, string | undefined>): SandboxTarget {
	const names = Object.keys(REAL_ACCOUNT_VARIABLES) as RealAccountVariable[];
	const value = (name: RealAccountVariable) => (env[name] ?? '').trim();
	const present = names.filter((name) => value(name) !== '');
	if (present.length === 0) return { kind: 'emulators' };
	const missing = names.filter((name) => value(name) === '');
	if (missing.length) {
		throw new Error(
			`Real accounts need all of these variables; missing: ${missing
				.map((name) => `${name} (${REAL_ACCOUNT_VARIABLES[name]})`)
				.join(', ')}. Unset ${present.join(', ')} to use the emulators.`,
		);
	}
	const publicUrl = value('SANDBOX_PUBLIC_URL').replace(/\/+$/, '');
	if (!/^https?:\/\/[^/]+/.test(publicUrl)) throw new Error('SANDBOX_PUBLIC_URL must be an http(s) URL');
	const subdomain = value('ZENDESK_SUBDOMAIN')
		.replace(/^https?:\/\//, '')
		.replace(/\.zendesk\.com.*$/, '');
	return {
		kind: 'real',
		slack: { token: value('SLACK_BOT_TOKEN'), signingSecret: value('SLACK_SIGNING_SECRET') },
		zendesk: { subdomain, email: value('ZENDESK_EMAIL'), apiToken: value('ZENDESK_API_TOKEN') },
		publicUrl,
	};
}

/** What the emulators need in the credentials (their fixture accounts and local URLs). */
export interface EmulatorAccounts {
	slack: { botToken: string; signingSecret: string; apiUrl: string };
	zendesk: { subdomain: string; email: string; apiToken: string; url: string };
	/** The Sunshine emulator (Zendesk messaging), for the messaging templates' credential. */
	sunshine?: { subdomain: string; appId: string; keyId: string; secret: string; url: string };
}

export function sandboxCredentials(target: SandboxTarget, emulators?: EmulatorAccounts): CredentialJson[] {
	if (target.kind === 'real') {
		return [
			{
				id: SANDBOX_CREDENTIAL_IDS.slackDmApi,
				name: 'Slack (from SLACK_BOT_TOKEN)',
				type: 'slackDmApi',
				data: {
					accessToken: target.slack.token,
					signingSecret: target.slack.signingSecret,
					baseUrl: 'https://slack.com/api',
				},
			},
			{
				id: SANDBOX_CREDENTIAL_IDS.zendeskDmApi,
				name: `Zendesk ${target.zendesk.subdomain}`,
				type: 'zendeskDmApi',
				data: {
					subdomain: target.zendesk.subdomain,
					email: target.zendesk.email,
					apiToken: target.zendesk.apiToken,
					baseUrl: '',
				},
			},
		];
	}
	if (!emulators) throw new Error('the emulator target needs the running emulators');
	return [
		{
			id: SANDBOX_CREDENTIAL_IDS.slackDmApi,
			name: 'Slack (sandbox emulator)',
			type: 'slackDmApi',
			data: {
				accessToken: emulators.slack.botToken,
				signingSecret: emulators.slack.signingSecret,
				baseUrl: emulators.slack.apiUrl,
			},
		},
		{
			id: SANDBOX_CREDENTIAL_IDS.zendeskDmApi,
			name: 'Zendesk (sandbox emulator)',
			type: 'zendeskDmApi',
			data: {
				subdomain: emulators.zendesk.subdomain,
				email: emulators.zendesk.email,
				apiToken: emulators.zendesk.apiToken,
				baseUrl: emulators.zendesk.url,
			},
		},
		{
			id: SANDBOX_CREDENTIAL_IDS.zendeskDmOAuth2Api,
			name: 'Zendesk OAuth2 (sandbox emulator)',
			type: 'zendeskDmOAuth2Api',
			data: emulatorOAuth2Data(emulators.zendesk),
		},
		...(emulators.sunshine ? [messagingCredential(emulators.sunshine)] : []),
	];
}

function messagingCredential(sunshine: NonNullable<EmulatorAccounts['sunshine']>): CredentialJson {
	return {
		id: SANDBOX_CREDENTIAL_IDS.zendeskMessagingApi,
		name: 'Zendesk messaging (sandbox emulator)',
		type: 'zendeskMessagingApi',
		data: {
			subdomain: sunshine.subdomain,
			appId: sunshine.appId,
			keyId: sunshine.keyId,
			secret: sunshine.secret,
			authMethod: 'basic',
			baseUrl: sunshine.url,
		},
	};
}

/**
 * Points every node's credential of a sandbox type at the sandbox credential. The templates use
 * Zendesk OAuth2; with real accounts the sandbox has an API token only, so those nodes switch to it
 * (authentication apiToken).
 */
export function wireCredentials(workflow: WorkflowJson, credentials: CredentialJson[]): WorkflowJson {
	const byType = new Map(credentials.map((c) => [c.type, { id: c.id, name: c.name }]));
	const tokenOnly = !byType.has('zendeskDmOAuth2Api') && byType.has('zendeskDmApi');
	return {
		...workflow,
		nodes: workflow.nodes.map((node) => {
			const used = node.credentials as Record<string, unknown> | undefined;
			if (!used) return node;
			const switchToToken = tokenOnly && 'zendeskDmOAuth2Api' in used;
			const wired = Object.fromEntries(
				Object.entries(used).map(([type, ref]) => {
					const wiredType = switchToToken && type === 'zendeskDmOAuth2Api' ? 'zendeskDmApi' : type;
					return [wiredType, byType.get(wiredType) ?? ref];
				}),
			);
			const parameters = switchToToken
				? { ...(node.parameters as Record<string, unknown>), authentication: 'apiToken' }
				: node.parameters;
			return { ...node, parameters, credentials: wired } as typeof node;
		}),
	};
}

/** The node's type name without the package prefix (`CUSTOM.` or `n8n-nodes-…`). */
function localType(type: string): string {
	return type.slice(type.lastIndexOf('.') + 1);
}

// Triggers n8n never activates: they start workflows from the editor, from errors or from other workflows.
const NOT_ACTIVATABLE = new Set(['manualTrigger', 'errorTrigger', 'executeWorkflowTrigger', 'start']);

/** Only workflows with a trigger n8n activates can be published. */
export function isPublishable(workflow: WorkflowJson): boolean {
	return workflow.nodes.some((node) => {
		if (node.disabled === true) return false;
		const name = localType(node.type);
		return /trigger$|^webhook$/i.test(name) && !NOT_ACTIVATABLE.has(name);
	});
}

export interface TriggerEndpoint {
	workflowId: string;
	workflowName: string;
	nodeName: string;
	/** The production webhook URL n8n serves for this node. */
	url: string;
	/** The node's parameters (handles of a Slack DM Trigger, for example). */
	parameters: Record<string, unknown>;
}

/** Webhook paths as declared by the nodes' descriptions (`webhooks[].path`). */
export const TRIGGER_WEBHOOK_PATHS = {
	slackDmTrigger: 'slack-events',
	zendeskReplyTrigger: 'zendesk-reply',
} as const;

/**
 * Production URLs of the enabled trigger nodes of one type in published workflows: n8n serves
 * a node webhook with a `webhookId` at `<base>/webhook/<webhookId>/<path>`.
 */
export function triggerEndpoints(
	workflows: WorkflowJson[],
	publishedIds: string[],
	nodeType: keyof typeof TRIGGER_WEBHOOK_PATHS,
	webhookBaseUrl: string,
): TriggerEndpoint[] {
	const base = webhookBaseUrl.replace(/\/+$/, '');
	return workflows
		.filter((wf) => publishedIds.includes(String(wf.id)))
		.flatMap((wf) =>
			wf.nodes
				.filter((node) => localType(node.type) === nodeType && node.disabled !== true)
				.map((node) => {
					const webhookId = typeof node.webhookId === 'string' && node.webhookId ? node.webhookId : undefined;
					const tail = TRIGGER_WEBHOOK_PATHS[nodeType];
					return {
						workflowId: String(wf.id),
						workflowName: String(wf.name ?? wf.id),
						nodeName: String(node.name ?? nodeType),
						// Without a webhookId n8n serves the plain path (and the editor would add one on save).
						url: webhookId ? `${base}/webhook/${webhookId}/${tail}` : `${base}/webhook/${tail}`,
						parameters: (node.parameters as Record<string, unknown> | undefined) ?? {},
					};
				}),
		);
}

/** The handles a Slack DM Trigger lists (fixedCollection `handles.handle[]`), literal ids only. */
export function handlesOf(endpoint: TriggerEndpoint): Array<{ userId: string; name: string }> {
	const collection = endpoint.parameters.handles as
		| { handle?: Array<{ name?: unknown; userId?: unknown }> }
		| undefined;
	return (collection?.handle ?? [])
		.filter((h) => typeof h.userId === 'string' && /^[UW][A-Z0-9]+$/.test(h.userId))
		.map((h) => ({ userId: String(h.userId), name: typeof h.name === 'string' && h.name ? h.name : String(h.userId) }));
}

interface ZendeskWebhookLike {
	id: string;
	endpoint?: string;
	status?: string;
}
interface ZendeskTriggerLike {
	id: number;
	title?: string;
	active?: boolean;
	actions?: Array<{ field?: string; value?: unknown }>;
}

export interface ReturnPathCheck {
	endpoint: string;
	webhook?: { id: string; status?: string };
	trigger?: { id: number; title?: string };
}

/** For each reply endpoint: the Zendesk webhook that posts to it and the active trigger that fires that webhook. */
export function matchReturnPath(
	endpoints: string[],
	webhooks: ZendeskWebhookLike[],
	triggers: ZendeskTriggerLike[],
): ReturnPathCheck[] {
	return endpoints.map((endpoint) => {
		const webhook = webhooks.find((w) => w.endpoint === endpoint && (w.status ?? 'active') === 'active');
		const trigger = webhook
			? triggers.find(
					(t) =>
						t.active !== false &&
						(t.actions ?? []).some(
							(a) => a.field === 'notification_webhook' && Array.isArray(a.value) && String(a.value[0]) === webhook.id,
						),
				)
			: undefined;
		return {
			endpoint,
			webhook: webhook && { id: webhook.id, status: webhook.status },
			trigger: trigger && { id: trigger.id, title: trigger.title },
		};
	});
}
