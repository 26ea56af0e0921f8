/**
 * End of the messaging return path: an agent answers a Zendesk messaging conversation in the agent
 * workspace (Zendesk emulator joined to the Sunshine emulator); the Zendesk Reply Trigger's
 * messaging source emits the reply; Slack DM Reply posts it unchanged into the Slack emulator's DM,
 * text converted to mrkdwn, the agent's image and file fetched from their private `mediaUrl` with
 * the messaging credential; solving the ticket posts the solved notice.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { FIXTURE_IDS, startSlackEmulator } from '../../emulators/slack';
import { startSunshineEmulator, type SunshineEmulator } from '../../emulators/sunshine';
import { startZendeskEmulator, type ZendeskEmulator } from '../../emulators/zendesk';
import { SlackDmReply } from '../../nodes/SlackDmReply/SlackDmReply.node';
import { ZendeskReplyTrigger } from '../../nodes/ZendeskReplyTrigger/ZendeskReplyTrigger.node';
import { resetMessagingState } from '../../nodes/ZendeskReplyTrigger/messaging/messagingState';
import { executeNode, invokeWebhook, runWebhookLifecycle } from '../harness/inProcess';

const trigger = new ZendeskReplyTrigger();
const reply = new SlackDmReply();

let slack: Awaited<ReturnType<typeof startSlackEmulator>>;
let zendesk: ZendeskEmulator;
let sunshine: SunshineEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;
let items: IDataObject[];
let server: http.Server;
let webhookUrl: string;
const staticData: IDataObject = {};

const TRIGGER_PARAMETERS = { source: 'zendeskMessaging', messagingOptions: { solvedEvents: true } };

async function call(method: string, path: string, body?: unknown): Promise<Record<string, { id: string }>> {
	const { appKey, appId } = sunshine.fixtures;
	const response = await fetch(`${sunshine.apiUrl}/v2/apps/${appId}${path}`, {
		method,
		headers: {
			Authorization: `Basic ${Buffer.from(`${appKey.id}:${appKey.secret}`).toString('base64')}`,
			'Content-Type': 'application/json',
		},
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	expect(response.status).toBeLessThan(300);
	return (await response.json()) as Record<string, { id: string }>;
}

/** A Slack DM whose messaging conversation has reached the agent workspace; its ticket id. */
async function conversationFor(dm: string, slackUserId: string): Promise<number> {
	const user = (await call('POST', '/users', { externalId: `slack:${FIXTURE_IDS.teamId}:${slackUserId}` })).user;
	const conversation = (
		await call('POST', '/conversations', {
			type: 'personal',
			participants: [{ userId: user.id }],
			metadata: { slack_conversation: `slack-dm:${FIXTURE_IDS.teamId}:${dm}` },
		})
	).conversation;
	await call('POST', `/conversations/${conversation.id}/messages`, {
		author: { type: 'user', userId: user.id },
		content: { type: 'text', text: 'The VPN drops every hour' },
	});
	await sunshine.flushWebhooks();
	return sunshine.agentWorkspace!.tickets.find((t) => t.conversationId === conversation.id)!.ticketId;
}

/** Slack DM Reply, Send Agent Reply, on the trigger's items as they come. */
function postReplies(replyItems: IDataObject[]) {
	return executeNode(reply, {
		parameters: {
			operation: 'reply',
			postAs: 'bot',
			textSource: 'comment',
			prefixAgentName: true,
			prefixTemplate: '{name}',
			sendAttachments: true,
			authentication: 'zendeskMessaging',
			options: { solvedNotice: true },
		} as never,
		credentials,
		items: replyItems.map((json) => ({ json })),
	});
}

beforeAll(async () => {
	slack = await startSlackEmulator();
	zendesk = await startZendeskEmulator({ rateLimits: false });
	sunshine = await startSunshineEmulator({
		zendesk,
		webhookTimeScale: 0.001,
		webhookTimeoutMs: 5_000,
		privateAttachments: true,
	});
	const { appId, appKey } = sunshine.fixtures;
	credentials = {
		slackDmApi: { accessToken: FIXTURE_IDS.botToken, baseUrl: slack.apiUrl },
		zendeskMessagingApi: {
			subdomain: 'acme',
			appId,
			keyId: appKey.id,
			secret: appKey.secret,
			authMethod: 'basic',
			baseUrl: sunshine.url,
		},
	};
	server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
			void invokeWebhook(trigger, {
				workflowId: 'wf-chain',
				parameters: TRIGGER_PARAMETERS as never,
				credentials,
				staticData,
				headers,
				rawBody: Buffer.concat(chunks),
			}).then((result) => {
				items.push(...(result.workflowData?.[0] ?? []).map((item) => item.json));
				res.writeHead(result.status, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(result.body ?? {}));
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/zendesk-reply`;
	expect(
		await runWebhookLifecycle(
			trigger,
			{ workflowId: 'wf-chain', parameters: TRIGGER_PARAMETERS as never, credentials, staticData, webhookUrl },
			'create',
		),
	).toBe(true);
});

afterAll(async () => {
	await sunshine.flushWebhooks();
	await runWebhookLifecycle(
		trigger,
		{ workflowId: 'wf-chain', parameters: TRIGGER_PARAMETERS as never, credentials, staticData, webhookUrl },
		'delete',
	);
	await new Promise<void>((resolve) => server.close(() => resolve()));
	await sunshine.close();
	await zendesk.close();
	await slack.close();
});

beforeEach(() => {
	items = [];
	slack.reset();
	resetMessagingState();
});

describe('agent reply → Slack DM', () => {
	it('posts the text as mrkdwn with the agent name, and the image and the file from their private mediaUrl', async () => {
		const dm = slack.openDm(FIXTURE_IDS.botUserId, FIXTURE_IDS.employeeId);
		const ticketId = await conversationFor(dm, FIXTURE_IDS.employeeId);
		const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
		const pdf = Buffer.from('%PDF-1.4\n% steps\n');
		await zendesk.agentReply(ticketId, {
			body: 'Please try **this** first',
			public: true,
			attachments: [
				{ filename: 'screen.png', contentType: 'image/png', content: png },
				{ filename: 'steps.pdf', contentType: 'application/pdf', content: pdf },
			],
		});
		await sunshine.flushWebhooks();
		expect(items).toHaveLength(3);
		// The mediaUrl is private: without the app's key it is refused.
		const mediaUrl = String(
			(items.find((item) => (item.attachments as unknown[]).length > 0)!.attachments as IDataObject[])[0].contentUrl,
		);
		expect((await fetch(mediaUrl)).status).toBe(401);

		const ordered = [...items].sort((a, b) =>
			String((a.comment as IDataObject).createdAt).localeCompare(String((b.comment as IDataObject).createdAt)),
		);
		const { outputs } = await postReplies(ordered);
		const anna = zendesk.fixtures.anna.name;
		const texts = slack
			.messagesIn(dm)
			.filter((m) => m.subtype !== 'file_share')
			.map((m) => m.text);
		expect(texts).toContain(`*${anna}:*\nPlease try *this* first`);
		expect(slack.uploadedFiles.map((file) => [file.filename, file.channel])).toEqual(
			expect.arrayContaining([
				['screen.png', dm],
				['steps.pdf', dm],
			]),
		);
		expect(slack.uploadedFiles.find((file) => file.filename === 'screen.png')!.bytes.equals(png)).toBe(true);
		expect(slack.uploadedFiles.find((file) => file.filename === 'steps.pdf')!.bytes.equals(pdf)).toBe(true);
		expect(outputs[0].every((item) => (item.json.slackReply as IDataObject).delivered === true)).toBe(true);
	});

	it('solving the ticket posts the solved notice (no ticket number: messaging names none)', async () => {
		const dm = slack.openDm(FIXTURE_IDS.botUserId, FIXTURE_IDS.employee2Id);
		const ticketId = await conversationFor(dm, FIXTURE_IDS.employee2Id);
		await zendesk.agentReply(ticketId, { body: 'Fixed on our side', public: true, status: 'solved' });
		await sunshine.flushWebhooks();
		expect(items.map((item) => item.event).sort()).toEqual(['agentReply', 'ticketSolved']);
		await postReplies(items.filter((item) => item.event === 'agentReply'));
		const { outputs } = await postReplies(items.filter((item) => item.event === 'ticketSolved'));
		expect(slack.messagesIn(dm).map((m) => m.text)).toEqual([
			`*${zendesk.fixtures.anna.name}:*\nFixed on our side`,
			'Your request has been marked as solved. Reply here if you need anything else.',
		]);
		expect(outputs[0][0].json.slackReply).toMatchObject({ delivered: true, notice: 'ticketSolved' });
	});
});
