/**
 * The Zendesk messaging templates, made from the Support templates so that the two stay in step:
 * `npm run templates:messaging` writes workflows/slack-dm-to-zendesk-messaging.json and
 * workflows/zendesk-messaging-reply-to-slack-dm.json from workflows/slack-dm-to-zendesk.json and
 * workflows/zendesk-reply-to-slack-dm.json; `-- --check` only says whether the committed files
 * differ (test/unit/templates-messaging.test.ts fails when they do).
 *
 * Only what messaging needs changes: the Upsert's mode and credential, the Reply Trigger's source
 * and credential, Slack DM Reply's file credential, brand and group by ID (the pickers' lists read
 * Zendesk Support), their own ids, and the sticky notes that say how to set messaging up. The
 * Profile Linker keeps the Zendesk Support credential: it links Zendesk users.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

type Json = Record<string, unknown>;
interface Node extends Json {
	id: string;
	name: string;
	type: string;
	parameters: Json;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
}
interface Workflow extends Json {
	id: string;
	name: string;
	nodes: Node[];
}

export const TEMPLATE_DIR = path.join(__dirname, '..', 'workflows');

export const SUPPORT_TEMPLATE_FILES = {
	inbound: 'slack-dm-to-zendesk.json',
	outbound: 'zendesk-reply-to-slack-dm.json',
} as const;

export const MESSAGING_TEMPLATE_FILES = {
	inbound: 'slack-dm-to-zendesk-messaging.json',
	outbound: 'zendesk-messaging-reply-to-slack-dm.json',
} as const;

export const MESSAGING_WORKFLOW_IDS = { inbound: 'slackDmZdMsgInbd', outbound: 'slackDmZdMsgRepl' } as const;

/** The placeholder of the Zendesk Messaging (Sunshine Conversations) credential, one id in every template. */
export const MESSAGING_CREDENTIAL = { id: 'zendeskMsgApi001', name: 'Zendesk Messaging (Conversations API)' };

/** Node and webhook ids: the Support template's prefix → the messaging one (uuid v4 shape kept). */
const ID_PREFIXES = {
	inbound: ['7a1e0c55-', '7a1e0c88-'],
	outbound: ['7a1e0c66-', '7a1e0c99-'],
} as const;

const REPO = 'https://github.com/n8n-nodes-slack-dm-zendesk/n8n-nodes-slack-dm-zendesk/blob/main/';
const API_KEYS_ARTICLE = 'https://support.zendesk.com/hc/en-us/articles/4576088682266';
const AGENT_ACCESS_ARTICLE = 'https://support.zendesk.com/hc/en-us/articles/6073485578010';
const MESSAGING_DOC = `[Zendesk messaging](${REPO}docs/zendesk-messaging.md)`;

/** What messaging needs in Zendesk, with the sources (on both messaging templates). */
const REQUIREMENTS_NOTE = [
	'### What Zendesk messaging needs',
	'- **Plan**: Zendesk Suite **Professional** or above (the Conversations API page and API keys come with it; [Zendesk: Using the Conversations API keys](' +
		API_KEYS_ARTICLE +
		')).',
	'- **Agent Workspace** turned on (without it Admin Center does not show the Conversations API page; same article).',
	'- **Messaging** turned on for the account, and agents who answer messaging tickets given access (Chat role *Agent*; [Zendesk: Giving agents access to messaging](' +
		AGENT_ACCESS_ARTICLE +
		')).',
	'- A **Conversations API key**: Admin Center → *Apps and integrations* → *APIs* → *Conversations API* → *Create API key*; copy the App ID, the Key ID and the secret (shown once) into the *Zendesk Messaging (Sunshine Conversations) API* credential, with your subdomain.',
	'',
	`No Sunshine plan or Zendesk Support API limits on messages: one Conversations API request per message. Docs: ${MESSAGING_DOC}.`,
].join('\n');

const INBOUND_SETUP = [
	'## Slack DM → Zendesk messaging',
	'',
	'Every direct message to your Slack handle becomes a message in a Zendesk **messaging** conversation; the Agent Workspace turns it into a messaging ticket that agents answer live (one ticket at a time per conversation; after it is solved, the next message opens a new one). For classic Support tickets use **Slack DM → Zendesk ticket** instead, never both for the same Slack app.',
	'',
	'**Set up**',
	`1. Slack: create the app from the manifest [slack-app-manifest.bot.json](${REPO}slack/slack-app-manifest.bot.json) (or the [user-handle manifest](${REPO}slack/slack-app-manifest.user-handle.json)), install it, copy the token and the signing secret.`,
	`2. Credentials: **Slack DM Trigger**: the *Slack DM Handle API* credential. **Profile Linker**: the *Zendesk Slack DM OAuth2 API* credential ([how](${REPO}docs/zendesk-oauth.md)); it links each Slack user to a Zendesk user, who becomes the requester. **Zendesk Messaging Upsert**: the *Zendesk Messaging (Sunshine Conversations) API* credential (subdomain, App ID, Key ID, secret; see *What Zendesk messaging needs*).`,
	'3. In **Zendesk Messaging Upsert**, enter your brand and group IDs (the fields for IT and every other handle, the *Routing by Handle* row for HR): the IDs in the template are the sandbox\u2019s.',
	'4. Publish (activate) the workflow, copy the trigger\u2019s **Production URL** (ends in `/slack-events`) into the Slack app\u2019s *Event Subscriptions → Request URL*.',
	'5. Import **Zendesk messaging reply → Slack DM** and **Slack DM delivery failure alert** for the way back.',
	'',
	`Docs: ${MESSAGING_DOC}, [Slack set-up](${REPO}docs/slack-setup.md) (also in the package under \`docs/\`).`,
].join('\n');

const INBOUND_ROUTING = [
	'### Routing by handle',
	'The trigger names the handle a DM was sent to in `handle.name` ("IT", "HR", …). To serve several handles from one app, list them in the trigger\u2019s **Handles** (Slack user id → name).',
	'',
	'**Zendesk Messaging Upsert** hands each new conversation to the Agent Workspace with the tags, brand and group of its handle (Zendesk\u2019s data capture): its *Routing by Handle* row "HR" for HR, its Tags / Brand / Group fields for IT and every other handle. In messaging mode brand and group are given **by ID** (or expression): the lists read Zendesk Support. Add a row per handle.',
].join('\n');

const OUTBOUND_SETUP = [
	'## Zendesk messaging reply → Slack DM',
	'',
	'When an agent answers a Slack DM conversation in the Agent Workspace, the message (text and files) is posted into the user\u2019s Slack DM. Internal notes never leave Zendesk; the user\u2019s own messages and bots\u2019 messages never come back.',
	'',
	'**Set up**',
	'1. **Zendesk Reply Trigger**: the *Zendesk Messaging (Sunshine Conversations) API* credential of **Slack DM → Zendesk messaging**. When you publish, it creates its own Conversations integration with one webhook (and deletes exactly that one when you unpublish); nothing to paste.',
	'2. **Slack DM Reply**: the *Slack DM Handle API* credential and the same messaging credential (it fetches the agents\u2019 files).',
	'3. Import **Slack DM delivery failure alert** first, then select it under *Workflow settings → Error workflow* (an import through the editor does not keep it).',
	'4. Publish (activate) the workflow.',
	'',
	`Docs: ${MESSAGING_DOC}, [the way back](${REPO}docs/return-path.md).`,
].join('\n');

const OUTBOUND_DELIVERY = [
	'### Delivery',
	'Slack DM Reply retries 429 (honouring Retry-After), 5xx and network errors. A reply that still cannot be posted fails the execution, and the **error workflow** posts an alert to the team channel.',
	'',
	'Options: agent name prefix (e.g. `{name} (IT Support)`), post as the bot or the handle user.',
	'',
	'**Solved notice**: switch on *Emit Ticket Solved Events* in **Zendesk Reply Trigger** (Options) and *Notify When Solved* in **Slack DM Reply** (Options; both off as shipped): the user gets "Your request has been marked as solved" when the agent solves the messaging ticket.',
].join('\n');

function rewriteIds(workflow: Workflow, [from, to]: readonly [string, string]): void {
	const swap = (id: string) => {
		if (!id.startsWith(from)) throw new Error(`${workflow.name}: id ${id} does not start with ${from}`);
		return to + id.slice(from.length);
	};
	for (const node of workflow.nodes) {
		node.id = swap(node.id);
		if (node.webhookId) node.webhookId = swap(node.webhookId);
	}
}

function nodeNamed(workflow: Workflow, name: string): Node {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`${workflow.name} has no node "${name}": update scripts/messaging-templates.ts`);
	return node;
}

function setNote(workflow: Workflow, name: string, content: string): void {
	const note = nodeNamed(workflow, name);
	note.parameters = { ...note.parameters, content };
}

function addRequirementsNote(workflow: Workflow, id: string): void {
	workflow.nodes.splice(1, 0, {
		id,
		name: 'Zendesk messaging needs',
		type: 'n8n-nodes-base.stickyNote',
		typeVersion: 1,
		position: [-1000, -40],
		parameters: { content: REQUIREMENTS_NOTE, height: 560, width: 440, color: 3 },
	});
}

/** A resource locator picked from a list → the same value by ID (the list needs a Support credential). */
function byId(locator: unknown): unknown {
	if (!locator || typeof locator !== 'object') return locator;
	const { value } = locator as { value?: unknown };
	return { __rl: true, mode: 'id', value };
}

function messagingUpsert(node: Node): void {
	const parameters: Json = { ...node.parameters, mode: 'zendeskMessaging' };
	parameters.brandId = byId(parameters.brandId);
	parameters.groupId = byId(parameters.groupId);
	const routing = parameters.handleRouting as { route?: Json[] } | undefined;
	if (routing?.route) {
		parameters.handleRouting = {
			route: routing.route.map((row) => ({ ...row, brandId: byId(row.brandId), groupId: byId(row.groupId) })),
		};
	}
	node.parameters = parameters;
	node.credentials = { zendeskMessagingApi: MESSAGING_CREDENTIAL };
}

export function messagingInbound(support: Workflow): Workflow {
	const workflow = JSON.parse(JSON.stringify(support)) as Workflow;
	workflow.id = MESSAGING_WORKFLOW_IDS.inbound;
	workflow.name = 'Slack DM → Zendesk messaging';
	rewriteIds(workflow, ID_PREFIXES.inbound);
	messagingUpsert(nodeNamed(workflow, 'Zendesk Messaging Upsert'));
	setNote(workflow, 'Setup', INBOUND_SETUP);
	setNote(workflow, 'Routing', INBOUND_ROUTING);
	addRequirementsNote(workflow, `${ID_PREFIXES.inbound[1]}0000-4000-8000-000000000900`);
	return workflow;
}

export function messagingOutbound(support: Workflow): Workflow {
	const workflow = JSON.parse(JSON.stringify(support)) as Workflow;
	workflow.id = MESSAGING_WORKFLOW_IDS.outbound;
	workflow.name = 'Zendesk messaging reply → Slack DM';
	rewriteIds(workflow, ID_PREFIXES.outbound);
	const trigger = nodeNamed(workflow, 'Zendesk Reply Trigger');
	trigger.parameters = { source: 'zendeskMessaging', messagingOptions: {} };
	trigger.credentials = { zendeskMessagingApi: MESSAGING_CREDENTIAL };
	const reply = nodeNamed(workflow, 'Slack DM Reply');
	reply.parameters = { ...reply.parameters, authentication: 'zendeskMessaging' };
	reply.credentials = { slackDmApi: reply.credentials!.slackDmApi, zendeskMessagingApi: MESSAGING_CREDENTIAL };
	setNote(workflow, 'Setup', OUTBOUND_SETUP);
	setNote(workflow, 'Delivery', OUTBOUND_DELIVERY);
	addRequirementsNote(workflow, `${ID_PREFIXES.outbound[1]}0000-4000-8000-000000000900`);
	return workflow;
}

/** The files the generator makes, by name, as they are written (tab-free JSON, 2 spaces, final newline). */
export function messagingTemplateFiles(dir = TEMPLATE_DIR): Record<string, string> {
	const read = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Workflow;
	const text = (workflow: Workflow) => `${JSON.stringify(workflow, null, 2)}\n`;
	return {
		[MESSAGING_TEMPLATE_FILES.inbound]: text(messagingInbound(read(SUPPORT_TEMPLATE_FILES.inbound))),
		[MESSAGING_TEMPLATE_FILES.outbound]: text(messagingOutbound(read(SUPPORT_TEMPLATE_FILES.outbound))),
	};
}

/** The generated files whose committed text differs (or is missing). */
export function staleMessagingTemplates(dir = TEMPLATE_DIR): string[] {
	return Object.entries(messagingTemplateFiles(dir))
		.filter(
			([file, text]) => !fs.existsSync(path.join(dir, file)) || fs.readFileSync(path.join(dir, file), 'utf8') !== text,
		)
		.map(([file]) => file);
}

function main(): void {
	if (process.argv.includes('--check')) {
		const stale = staleMessagingTemplates();
		if (stale.length) {
			console.error(`out of date: ${stale.join(', ')}; run npm run templates:messaging`);
			process.exit(1);
		}
		console.log('messaging templates are up to date');
		return;
	}
	for (const [file, text] of Object.entries(messagingTemplateFiles())) {
		fs.writeFileSync(path.join(TEMPLATE_DIR, file), text);
		console.log(`wrote workflows/${file}`);
	}
}

if (require.main === module) main();
