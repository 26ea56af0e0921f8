/**
 * The sandbox as a library: real n8n with the package and the templates, wired either to both
 * emulators (plus the sandbox console) or to real Slack and Zendesk accounts. `npm start`
 * (scripts/start.ts) and the browser tests both start it through startSandbox().
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startEmulators, type RunningEmulators } from '../emulators/cli';
import { REPO_ROOT, ensureRuntime, ensureUserFolderTemplate } from '../test/harness/n8nRuntime';
import { type RealN8n, type WorkflowJson, startRealN8n } from '../test/harness/realN8n';
import { startSandboxConsole, type SandboxConsole } from './consoleServer';
import {
	type ReturnPathCheck,
	type SandboxTarget,
	type TemplateSet,
	type TriggerEndpoint,
	handlesOf,
	isPublishable,
	matchReturnPath,
	sandboxCredentials,
	selectTemplateSet,
	templateSetOf,
	triggerEndpoints,
	wireCredentials,
} from './settings';

export const TEMPLATES_DIR = path.join(REPO_ROOT, 'workflows');

/** Every workflow JSON in a folder (a file holds one workflow or an array of them). */
export function readTemplates(dir = TEMPLATES_DIR): WorkflowJson[] {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.flatMap((file) => {
			const parsed = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as WorkflowJson | WorkflowJson[];
			return Array.isArray(parsed) ? parsed : [parsed];
		})
		.filter((wf) => Array.isArray(wf.nodes) && typeof wf.connections === 'object');
}

export interface StartSandboxOptions {
	target: SandboxTarget;
	/** n8n's user folder (emptied first). */
	userFolder: string;
	/** n8n's port; a free one by default. */
	port?: number;
	/** Console port; a free one by default. */
	consolePort?: number;
	templatesDir?: string;
	/** The Support pair of templates (default) or the Zendesk messaging pair; never both. */
	templateSet?: TemplateSet;
	log?: (message: string) => void;
}

export interface Sandbox {
	target: SandboxTarget['kind'];
	templateSet: TemplateSet;
	n8n: RealN8n;
	emulators?: RunningEmulators;
	console?: SandboxConsole;
	/** Imported workflows, as n8n has them (ids assigned). */
	workflows: WorkflowJson[];
	published: string[];
	/** Where Slack must send events (the first published Slack DM Trigger), if any. */
	slackEventsUrl?: string;
	slackTriggers: TriggerEndpoint[];
	/** One entry per published Zendesk Reply Trigger: the webhook and trigger its activation created. */
	returnPath: ReturnPathCheck[];
	/** Human-readable lines for the terminal. */
	summary(): string[];
	stop(): Promise<void>;
}

interface ZendeskAccess {
	baseUrl: string;
	authorization: string;
}

async function zendeskGet<T>(access: ZendeskAccess, apiPath: string): Promise<T> {
	const response = await fetch(`${access.baseUrl}/api/v2${apiPath}`, {
		headers: { authorization: access.authorization, accept: 'application/json' },
	});
	if (!response.ok) throw new Error(`Zendesk GET ${apiPath} answered ${response.status}`);
	return (await response.json()) as T;
}

/** All webhooks and active triggers of the account (following cursor/offset pages). */
async function readReturnPathObjects(access: ZendeskAccess) {
	const webhooks: Array<{ id: string; endpoint?: string; status?: string }> = [];
	let next: string | undefined = '/webhooks?page[size]=100';
	for (let page = 0; next && page < 20; page++) {
		const body: { webhooks?: typeof webhooks; links?: { next?: string | null }; meta?: { has_more?: boolean } } =
			await zendeskGet(access, next);
		webhooks.push(...(body.webhooks ?? []));
		const link = body.meta?.has_more ? body.links?.next : undefined;
		next = link ? link.slice(link.indexOf('/api/v2') + '/api/v2'.length) : undefined;
	}
	const triggers: Array<{
		id: number;
		title?: string;
		active?: boolean;
		actions?: Array<{ field?: string; value?: unknown }>;
	}> = [];
	let nextTriggers: string | undefined = '/triggers/active.json?per_page=100';
	for (let page = 0; nextTriggers && page < 20; page++) {
		const body: { triggers?: typeof triggers; next_page?: string | null } = await zendeskGet(access, nextTriggers);
		triggers.push(...(body.triggers ?? []));
		nextTriggers = body.next_page
			? body.next_page.slice(body.next_page.indexOf('/api/v2') + '/api/v2'.length)
			: undefined;
	}
	return { webhooks, triggers };
}

/** Activation runs the Zendesk Reply Trigger's create() while n8n starts: wait for its objects. */
async function verifyReturnPath(
	access: ZendeskAccess,
	endpoints: string[],
	timeoutMs: number,
): Promise<ReturnPathCheck[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { webhooks, triggers } = await readReturnPathObjects(access);
		const checks = matchReturnPath(endpoints, webhooks, triggers);
		if (checks.every((c) => c.webhook && c.trigger) || Date.now() > deadline) return checks;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

export async function startSandbox(options: StartSandboxOptions): Promise<Sandbox> {
	const { target } = options;
	const log = options.log ?? (() => undefined);
	const emulators = target.kind === 'emulators' ? await startEmulators() : undefined;
	const cleanups: Array<() => Promise<void>> = [];
	if (emulators) cleanups.push(async () => await emulators.close());
	const stopAll = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
		cleanups.length = 0;
	};

	try {
		const credentials = sandboxCredentials(
			target,
			emulators && {
				slack: {
					botToken: emulators.slack.fixtures.botToken,
					signingSecret: emulators.slack.signingSecret,
					apiUrl: emulators.slack.apiUrl,
				},
				zendesk: {
					subdomain: emulators.zendesk.fixtures.subdomain,
					email: emulators.zendesk.fixtures.bridge.email,
					apiToken: emulators.zendesk.fixtures.bridge.apiToken,
					url: emulators.zendesk.url,
				},
				sunshine: {
					subdomain: emulators.sunshine.fixtures.subdomain,
					appId: emulators.sunshine.fixtures.appId,
					keyId: emulators.sunshine.fixtures.appKey.id,
					secret: emulators.sunshine.fixtures.appKey.secret,
					url: emulators.sunshine.url,
				},
			},
		);
		const templateSet = options.templateSet ?? 'support';
		if (templateSet === 'messaging' && target.kind === 'real')
			throw new Error('The messaging templates run with the emulators only: unset the real-account variables.');
		const templates = selectTemplateSet(readTemplates(options.templatesDir), templateSet).map((wf) =>
			wireCredentials(wf, credentials),
		);
		const publish = templates
			.filter(isPublishable)
			.map((wf) => wf.id as string)
			.filter(Boolean);

		fs.rmSync(options.userFolder, { recursive: true, force: true });
		const env: Record<string, string> = {};
		if (target.kind === 'real') {
			// Real secrets are not encrypted with the tests' fixed key: a fresh key per run.
			const key = randomBytes(24).toString('base64url');
			fs.cpSync(ensureUserFolderTemplate(ensureRuntime()), options.userFolder, {
				recursive: true,
				filter: (src) => path.basename(src) !== '.complete',
			});
			fs.writeFileSync(
				path.join(options.userFolder, '.n8n', 'config'),
				JSON.stringify({ encryptionKey: key }, null, '\t'),
				{ mode: 0o600 },
			);
			env.N8N_ENCRYPTION_KEY = key;
			env.N8N_WEBHOOK_URL = `${target.publicUrl}/`;
		}
		log(`starting n8n with ${templates.length} workflow(s) from workflows/ (${publish.length} to publish)…`);
		const n8n = await startRealN8n({
			mode: 'custom-extensions',
			credentials,
			workflows: templates,
			publish,
			port: options.port,
			userFolder: options.userFolder,
			env,
		});
		cleanups.push(async () => await n8n.stop());

		const webhookBase = target.kind === 'real' ? target.publicUrl : n8n.url;
		const slackTriggers = triggerEndpoints(n8n.workflows, publish, 'slackDmTrigger', webhookBase);
		// Support reply triggers set up a Zendesk webhook and trigger; messaging ones a Sunshine integration.
		const messagingIds = n8n.workflows.filter((wf) => templateSetOf(wf) === 'messaging').map((wf) => String(wf.id));
		const allReplyTriggers = triggerEndpoints(n8n.workflows, publish, 'zendeskReplyTrigger', webhookBase);
		const replyTriggers = allReplyTriggers.filter((t) => !messagingIds.includes(t.workflowId));
		const messagingReplyUrls = allReplyTriggers.filter((t) => messagingIds.includes(t.workflowId)).map((t) => t.url);
		const slackEventsUrl = slackTriggers[0]?.url;
		if (slackTriggers.length > 1) {
			log(
				`${slackTriggers.length} Slack DM Triggers are published; Slack events go to the first (${slackTriggers[0].workflowName}).`,
			);
		}

		const zendeskAccess: ZendeskAccess =
			target.kind === 'real'
				? {
						baseUrl: `https://${target.zendesk.subdomain}.zendesk.com`,
						authorization: `Basic ${Buffer.from(`${target.zendesk.email}/token:${target.zendesk.apiToken}`).toString('base64')}`,
					}
				: {
						baseUrl: (emulators as RunningEmulators).zendesk.url,
						authorization: `Basic ${Buffer.from(
							`${(emulators as RunningEmulators).zendesk.fixtures.bridge.email}/token:${(emulators as RunningEmulators).zendesk.fixtures.bridge.apiToken}`,
						).toString('base64')}`,
					};
		const replyUrls = replyTriggers.map((t) => t.url);
		let returnPath: ReturnPathCheck[] = [];
		if (replyUrls.length) {
			returnPath = await verifyReturnPath(zendeskAccess, replyUrls, 30_000).catch((error: Error) => {
				// A real account may refuse the listing (an agent's token): say so, keep running.
				log(`could not read Zendesk's webhooks and triggers: ${error.message}`);
				return replyUrls.map((endpoint) => ({ endpoint }));
			});
		}
		if (messagingReplyUrls.length && emulators) {
			returnPath.push(...(await verifyMessagingReturnPath(emulators, messagingReplyUrls, 30_000)));
		}
		for (const check of returnPath) {
			if (!check.webhook || !check.trigger) {
				log(
					`WARNING: no Zendesk ${check.webhook ? 'trigger' : 'webhook'} posts to ${check.endpoint}; agent replies will not come back (see n8n's log).`,
				);
			}
		}

		let sandboxConsole: SandboxConsole | undefined;
		if (emulators) {
			if (slackEventsUrl) emulators.slack.setEventsUrl(slackEventsUrl);
			const handles = slackTriggers.flatMap(handlesOf).filter((h) => emulators.slack.ws.users.has(h.userId));
			const unique = [...new Map(handles.map((h) => [h.userId, h])).values()];
			sandboxConsole = await startSandboxConsole({
				slack: emulators.slack,
				zendesk: emulators.zendesk,
				sunshine: emulators.sunshine,
				handles: unique.length ? unique : undefined,
				editorUrl: n8n.url,
				port: options.consolePort,
				status: () => ({
					workflows: n8n.workflows.map((wf) => ({
						id: String(wf.id),
						name: String(wf.name ?? wf.id),
						published: publish.includes(String(wf.id)),
					})),
					slackEventsUrl: slackEventsUrl ?? null,
					returnPath: returnPath.every((c) => c.webhook && c.trigger) && returnPath.length > 0,
				}),
			});
			const consoleRef = sandboxConsole;
			cleanups.push(async () => await consoleRef.close());
		}

		const sandbox: Sandbox = {
			target: target.kind,
			templateSet,
			n8n,
			emulators,
			console: sandboxConsole,
			workflows: n8n.workflows,
			published: publish,
			slackEventsUrl,
			slackTriggers,
			returnPath,
			summary: () => summaryLines(sandbox),
			stop: stopAll,
		};
		return sandbox;
	} catch (error) {
		await stopAll();
		throw error;
	}
}

/**
 * A published messaging Zendesk Reply Trigger creates a Sunshine custom integration whose webhook
 * posts to its URL: reported as a return-path check (the integration's webhook, no Zendesk trigger needed).
 */
async function verifyMessagingReturnPath(
	emulators: RunningEmulators,
	endpoints: string[],
	timeoutMs: number,
): Promise<ReturnPathCheck[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const webhooks = [...emulators.sunshine.store.webhooks.values()];
		const checks = endpoints.map((endpoint) => {
			const webhook = webhooks.find((w) => w.target === endpoint);
			return {
				endpoint,
				webhook: webhook && { id: webhook.id },
				trigger: webhook && { id: 0, title: 'Sunshine custom integration (no Zendesk trigger needed)' },
			};
		});
		if (checks.every((c) => c.webhook) || Date.now() > deadline) return checks;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

function summaryLines(sandbox: Sandbox): string[] {
	const { n8n } = sandbox;
	const lines: string[] = [];
	const names = sandbox.workflows.map(
		(wf) => `${wf.name ?? wf.id}${sandbox.published.includes(String(wf.id)) ? ' (published)' : ''}`,
	);
	lines.push(`  n8n editor   ${n8n.url}`);
	lines.push(`               log in as ${n8n.owner.email} / ${n8n.owner.password}`);
	if (sandbox.console)
		lines.push(`  console      ${sandbox.console.url}   ← write a DM as an employee, answer it as an agent`);
	lines.push('');
	lines.push(`  workflows    ${names.join(', ') || '(none yet in workflows/)'}`);
	lines.push(
		sandbox.templateSet === 'messaging'
			? '  templates    Zendesk messaging (npm start -- --messaging): DMs become messaging tickets through the Sunshine emulator'
			: '  templates    Support tickets (npm start -- --messaging publishes the Zendesk messaging pair instead)',
	);
	if (sandbox.target === 'real') {
		if (sandbox.slackEventsUrl) {
			lines.push('  Slack        set this as the Request URL under Event Subscriptions in your Slack app:');
			lines.push(`               ${sandbox.slackEventsUrl}`);
			lines.push(
				'               and subscribe to the bot events message.im (and message.mpim, app_mention if you opt in)',
			);
		} else {
			lines.push('  Slack        no published Slack DM Trigger: nothing to set in Slack yet');
		}
	} else if (sandbox.slackEventsUrl) {
		lines.push(`  Slack events the emulator delivers DMs to ${sandbox.slackEventsUrl}`);
	}
	for (const check of sandbox.returnPath) {
		lines.push(
			check.webhook && check.trigger?.id === 0
				? `  Zendesk      messaging integration webhook ${check.webhook.id} posts agent messages to ${check.endpoint}`
				: check.webhook && check.trigger
					? `  Zendesk      webhook ${check.webhook.id} + trigger ${check.trigger.id} post agent replies to ${check.endpoint}`
					: `  Zendesk      MISSING ${check.webhook ? 'trigger' : 'webhook'} for ${check.endpoint}: agent replies will not come back`,
		);
	}
	if (sandbox.emulators) {
		lines.push(
			`  emulators    Slack ${sandbox.emulators.slack.url}, Zendesk ${sandbox.emulators.zendesk.url}, Zendesk messaging (Sunshine) ${sandbox.emulators.sunshine.apiUrl}`,
		);
	}
	return lines;
}
