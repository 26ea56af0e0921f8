/**
 * The whole pipeline in real n8n for end-to-end tests: the Slack and Zendesk emulators started in
 * the test process, n8n started with the shipped templates (workflows/*.json) and credentials
 * that point at the emulators, Slack's events URL set to the inbound trigger's production URL,
 * and the Zendesk Reply Trigger's webhook + trigger created in the Zendesk emulator on activation.
 * With `messaging`, the Sunshine emulator (Zendesk messaging) joins the Zendesk one as its agent
 * workspace, the messaging templates' credential points at it, and a messaging Zendesk Reply
 * Trigger's activation creates its integration and webhook there.
 *
 * Templates are used as shipped: the credentials are imported under the templates' placeholder
 * ids, so nothing but the option under test is patched (`patchNode`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { startSlackEmulator, type SlackEmulatorInstance } from '../../emulators/slack';
import { startSunshineEmulator, type SunshineEmulator } from '../../emulators/sunshine';
import { startZendeskEmulator, type ZendeskEmulator } from '../../emulators/zendesk';
import { emulatorOAuth2Data } from '../../sandbox/settings';
import { MESSAGING_CREDENTIAL } from '../../scripts/messaging-templates';
import { type Execution, type ExecutionData, isFinished, parseFlatted } from './n8nExecutions';
import { REPO_ROOT } from './n8nRuntime';
import { type CredentialJson, type RealN8n, type WorkflowJson, freePort, startRealN8n } from './realN8n';

export const TEMPLATE_FILES = {
	inbound: 'slack-dm-to-zendesk.json',
	outbound: 'zendesk-reply-to-slack-dm.json',
	alerts: 'delivery-failure-alert.json',
	messagingInbound: 'slack-dm-to-zendesk-messaging.json',
	messagingOutbound: 'zendesk-messaging-reply-to-slack-dm.json',
} as const;
export type TemplateName = keyof typeof TEMPLATE_FILES;

/** The placeholder credential references the templates ship with. */
export const TEMPLATE_CREDENTIALS = {
	slack: { id: 'slackDmHandle001', name: 'Slack DM Handle' },
	zendesk: { id: 'zendeskDmToken01', name: 'Zendesk Slack DM (API token)' },
	zendeskOAuth2: { id: 'zendeskDmOAuth01', name: 'Zendesk Slack DM (OAuth2)' },
	zendeskMessaging: MESSAGING_CREDENTIAL,
} as const;

type TemplateNode = WorkflowJson['nodes'][number] & {
	name: string;
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
};

/** A fresh deep copy of a shipped template. */
export function loadTemplate(name: TemplateName): WorkflowJson {
	return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'workflows', TEMPLATE_FILES[name]), 'utf8')) as WorkflowJson;
}

function findNode(workflow: WorkflowJson, nodeName: string): TemplateNode {
	const node = workflow.nodes.find((n) => n.name === nodeName) as TemplateNode | undefined;
	if (!node) throw new Error(`workflow "${workflow.name}" has no node "${nodeName}"`);
	return node;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = { ...target };
	for (const [key, value] of Object.entries(patch)) {
		out[key] =
			isPlainObject(value) && isPlainObject(out[key]) ? deepMerge(out[key] as Record<string, unknown>, value) : value;
	}
	return out;
}

/**
 * A copy of `workflow` with node parameters deep-merged (objects merge, arrays and values
 * replace), e.g. `patchNode(wf, 'Slack DM Trigger', { options: { includeThreadReplies: true } })`.
 * `id`/`name` give the copy its own identity; `webhookIds` its own webhook ids (so two copies of
 * one template can be published side by side); `credentials` replaces credential references.
 */
export function patchWorkflow(
	workflow: WorkflowJson,
	changes: {
		id?: string;
		name?: string;
		nodes?: Record<string, Record<string, unknown>>;
		credentials?: Record<string, Record<string, { id: string; name: string }>>;
		webhookIds?: Record<string, string>;
		settings?: Record<string, unknown>;
	},
): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson;
	if (changes.id) copy.id = changes.id;
	if (changes.name) copy.name = changes.name;
	if (changes.settings) copy.settings = { ...(copy.settings as Record<string, unknown>), ...changes.settings };
	for (const [nodeName, patch] of Object.entries(changes.nodes ?? {})) {
		const node = findNode(copy, nodeName);
		node.parameters = deepMerge(node.parameters ?? {}, patch);
	}
	for (const [nodeName, credentials] of Object.entries(changes.credentials ?? {})) {
		const node = findNode(copy, nodeName);
		node.credentials = { ...(node.credentials ?? {}), ...credentials };
	}
	for (const [nodeName, webhookId] of Object.entries(changes.webhookIds ?? {})) {
		findNode(copy, nodeName).webhookId = webhookId;
	}
	return copy;
}

/** Shorthand for patching one node's parameters. */
export function patchNode(workflow: WorkflowJson, nodeName: string, parameters: Record<string, unknown>): WorkflowJson {
	return patchWorkflow(workflow, { nodes: { [nodeName]: parameters } });
}

/** The webhook id of a node (the trigger's production URL is `/webhook/<id>/<path>`). */
export function webhookIdOf(workflow: WorkflowJson, nodeName: string): string {
	const id = findNode(workflow, nodeName).webhookId;
	if (!id) throw new Error(`node "${nodeName}" has no webhookId`);
	return id;
}

export interface SlackWorkspaceSpec {
	/** Credential id for this emulator (the first one uses the templates' placeholder id). */
	credentialId: string;
	/** The inbound workflow (by id) whose Slack DM Trigger gets this emulator's events. */
	eventsToWorkflow: string;
}

export interface PipelineOptions {
	/** Workflows to import and publish; built once the emulators are up. */
	workflows: WorkflowJson[];
	/** Slack emulators by name; each gets a credential and sends its events to one inbound workflow. */
	slack: Record<string, SlackWorkspaceSpec>;
	/** Slack event retry policy (default: 3 s timeout, one quick retry). */
	eventsRetryDelaysMs?: number[];
	/** Extra environment for n8n (e.g. queue mode's) and whether to start one `n8n worker` too. */
	n8nEnv?: Record<string, string>;
	worker?: boolean;
	/** The scale-out topology (test/harness/topology.ts): workers, webhook processes, the load balancer's URL. */
	scaleOut?: { workers: number; webhookPorts: number[]; front: string };
	/** Keep n8n's user folder and port so that restartN8n() can stop and start the same n8n. */
	restartable?: boolean;
	/** Start the Sunshine emulator joined to the Zendesk one (the messaging templates). */
	messaging?: boolean;
}

export interface Pipeline {
	n8n: RealN8n;
	slack: Record<string, SlackEmulatorInstance>;
	zendesk: ZendeskEmulator;
	/** With `messaging`: the Sunshine emulator, the Zendesk emulator's agent workspace. */
	sunshine?: SunshineEmulator;
	/** Executions of `workflowId` that finished since the last call for that workflow (waits for at least `count`). */
	newExecutions(workflowId: string, count: number, timeoutMs?: number): Promise<Execution[]>;
	/** Executions of `workflowId` started (finished or not) that no newExecutions call returned yet. */
	unseenExecutions(workflowId: string): Promise<Execution[]>;
	/** Marks every execution of `workflowId` listed now as seen (a failed test's leftovers do not leak into the next). */
	skipExisting(workflowId: string): Promise<void>;
	/** Waits for all Zendesk webhook deliveries and Slack event deliveries in flight. */
	settle(): Promise<void>;
	/** Stops n8n and starts it again on the same database and port (needs `restartable`). */
	restartN8n(): Promise<void>;
	timings: Record<string, number>;
	stop(): Promise<void>;
}

function scaleOutOptions(options: PipelineOptions) {
	const scaleOut = options.scaleOut;
	return scaleOut
		? { workers: scaleOut.workers, webhookPorts: scaleOut.webhookPorts, webhookBaseUrl: scaleOut.front }
		: {};
}

const delay = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
	const t0 = Date.now();
	const timings: Record<string, number> = {};
	const zendesk = await startZendeskEmulator({ webhookRetryDelayMs: 500, webhookTimeoutMs: 10_000 });
	// Sunshine retries after 1, 2, 4, 8 minutes: scaled to 0.6 s steps, with n8n's 10 s to answer.
	const sunshine = options.messaging
		? await startSunshineEmulator({ zendesk, webhookTimeScale: 0.01, webhookTimeoutMs: 10_000 })
		: undefined;
	const closeEmulators = async () => {
		await Promise.all([zendesk.close(), ...Object.values(slack).map(async (s) => await s.close())]);
		await sunshine?.close();
	};
	const slack: Record<string, SlackEmulatorInstance> = {};
	// Every emulator seeds the same workspace (team T0ACME) but has its own id space
	// (startSlackEmulator's idPrefix), so Zendesk keys (`slack-dm:{team}:{channel}`) never collide.
	for (const name of Object.keys(options.slack)) {
		slack[name] = await startSlackEmulator({
			eventsRetryPolicy: { timeoutMs: 3_000, retryDelaysMs: options.eventsRetryDelaysMs ?? [1_000] },
		});
	}
	timings.emulators = Date.now() - t0;

	const credentials: CredentialJson[] = [
		{
			id: TEMPLATE_CREDENTIALS.zendesk.id,
			name: TEMPLATE_CREDENTIALS.zendesk.name,
			type: 'zendeskDmApi',
			data: {
				subdomain: zendesk.fixtures.subdomain,
				email: zendesk.fixtures.bridge.email,
				apiToken: zendesk.fixtures.bridge.apiToken,
				baseUrl: zendesk.url,
			},
		},
		{
			// The templates' default: the emulator's OAuth client, n8n fetching and renewing its own tokens.
			id: TEMPLATE_CREDENTIALS.zendeskOAuth2.id,
			name: TEMPLATE_CREDENTIALS.zendeskOAuth2.name,
			type: 'zendeskDmOAuth2Api',
			data: emulatorOAuth2Data({ subdomain: zendesk.fixtures.subdomain, url: zendesk.url }),
		},
		...(sunshine
			? [
					{
						id: TEMPLATE_CREDENTIALS.zendeskMessaging.id,
						name: TEMPLATE_CREDENTIALS.zendeskMessaging.name,
						type: 'zendeskMessagingApi',
						data: {
							subdomain: sunshine.fixtures.subdomain,
							appId: sunshine.fixtures.appId,
							keyId: sunshine.fixtures.appKey.id,
							secret: sunshine.fixtures.appKey.secret,
							authMethod: 'basic',
							baseUrl: sunshine.url,
						},
					},
				]
			: []),
		...Object.entries(options.slack).map(([name, spec]) => ({
			id: spec.credentialId,
			name:
				spec.credentialId === TEMPLATE_CREDENTIALS.slack.id
					? TEMPLATE_CREDENTIALS.slack.name
					: `Slack DM Handle (${name})`,
			type: 'slackDmApi',
			data: {
				accessToken: slack[name].fixtures.botToken,
				signingSecret: slack[name].signingSecret,
				baseUrl: slack[name].apiUrl,
			},
		})),
	];

	let n8n: RealN8n;
	const userFolder = options.restartable ? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-restart-')) : undefined;
	const port = options.restartable ? await freePort() : undefined;
	try {
		n8n = await startRealN8n({
			mode: 'custom-extensions',
			workflows: options.workflows,
			credentials,
			env: options.n8nEnv,
			worker: options.worker,
			...scaleOutOptions(options),
			userFolder,
			port,
		});
	} catch (error) {
		await closeEmulators();
		throw error;
	}
	timings.n8n = Date.now() - t0;

	const stop = async () => {
		await n8n.stop();
		await closeEmulators();
		if (userFolder && process.env.N8N_DM_KEEP_USER_FOLDER !== '1')
			fs.rmSync(userFolder, { recursive: true, force: true });
	};

	try {
		for (const [name, spec] of Object.entries(options.slack)) {
			const workflow = n8n.workflows.find((w) => w.id === spec.eventsToWorkflow);
			if (!workflow) throw new Error(`no workflow ${spec.eventsToWorkflow} for Slack emulator "${name}"`);
			const trigger = workflow.nodes.find((n) => /\.slackDmTrigger$/.test(n.type)) as TemplateNode | undefined;
			if (!trigger?.webhookId)
				throw new Error(`workflow ${spec.eventsToWorkflow} has no Slack DM Trigger with a webhookId`);
			slack[name].setEventsUrl(n8n.webhookUrl(`${trigger.webhookId}/slack-events`));
		}
		// Published reply triggers create their Zendesk webhook + trigger (messaging: their Sunshine
		// integration and webhook) during activation.
		const replyTriggers = n8n.workflows.flatMap((w) =>
			w.nodes.filter((n) => /\.zendeskReplyTrigger$/.test(n.type)),
		) as TemplateNode[];
		const messagingTriggers = replyTriggers.filter((n) => n.parameters?.source === 'zendeskMessaging').length;
		const supportTriggers = replyTriggers.length - messagingTriggers;
		const deadline = Date.now() + 30_000;
		while (
			zendesk.store.webhooks.size < supportTriggers ||
			zendesk.store.triggers.size < supportTriggers ||
			(sunshine?.store.webhooks.size ?? 0) < messagingTriggers
		) {
			if (Date.now() > deadline) {
				throw new Error(
					`the Zendesk Reply Trigger did not set up Zendesk (webhooks ${zendesk.store.webhooks.size}, triggers ${zendesk.store.triggers.size}, Sunshine webhooks ${sunshine?.store.webhooks.size ?? 'no emulator'})\n${n8n.logs().slice(-4000)}`,
				);
			}
			await delay(200);
		}
	} catch (error) {
		await stop();
		throw error;
	}
	timings.ready = Date.now() - t0;

	// Summaries only while polling (the newest 100 are plenty for one test); data for the new ones.
	const summaries = async (workflowId: string): Promise<Execution[]> => {
		const query = new URLSearchParams({ limit: '100', filter: JSON.stringify({ workflowId }) });
		const { results } = await n8n.rest<{ results: Execution[] }>('GET', `/rest/executions?${query}`);
		return results.sort((a, b) => Number(a.id) - Number(b.id));
	};
	const withData = async (summary: Execution): Promise<Execution> => {
		const full = await n8n.rest<Execution & { data: string }>('GET', `/rest/executions/${summary.id}`);
		return { ...summary, status: full.status, data: parseFlatted(full.data) as ExecutionData };
	};
	const seen = new Map<string, Set<string>>();
	const seenFor = (workflowId: string) =>
		seen.get(workflowId) ?? (seen.set(workflowId, new Set()).get(workflowId) as Set<string>);

	return {
		get n8n() {
			return n8n;
		},
		slack,
		zendesk,
		sunshine,
		timings,
		async newExecutions(workflowId, count, timeoutMs = 30_000) {
			const known = seenFor(workflowId);
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const fresh = (await summaries(workflowId)).filter((e) => !known.has(e.id));
				const finished = fresh.filter(isFinished);
				// Only count a run as new once everything older has finished too, so runs come back in order.
				if (finished.length >= count && finished.length === fresh.length) {
					for (const e of finished) known.add(e.id);
					return await Promise.all(finished.map(withData));
				}
				if (Date.now() > deadline) {
					throw new Error(
						`timed out waiting for ${count} new execution(s) of ${workflowId} (have ${finished.length} finished of ${fresh.length})`,
					);
				}
				await delay(250);
			}
		},
		async unseenExecutions(workflowId) {
			const known = seenFor(workflowId);
			return await Promise.all((await summaries(workflowId)).filter((e) => !known.has(e.id)).map(withData));
		},
		async skipExisting(workflowId) {
			const known = seenFor(workflowId);
			for (const e of await summaries(workflowId)) known.add(e.id);
		},
		async restartN8n() {
			if (!userFolder) throw new Error('restartN8n needs startPipeline({ restartable: true })');
			await n8n.stop();
			// Nothing to import: the workflows, credentials and waiting executions are in the kept database.
			n8n = await startRealN8n({
				mode: 'custom-extensions',
				env: options.n8nEnv,
				worker: options.worker,
				...scaleOutOptions(options),
				userFolder,
				port,
			});
		},
		async settle() {
			await Promise.all([
				zendesk.flushWebhooks(),
				sunshine?.flushWebhooks(),
				...Object.values(slack).map(async (s) => await s.waitForEvents()),
			]);
		},
		stop,
	};
}
