/**
 * What the Zendesk Messaging mode's integration tests share: the node run with the messaging
 * credential, linked items with the Profile Linker's full user, the bridge's own switchboard
 * integration as the default (so the Upsert's passControl opens the ticket), the Sunshine routes
 * by name, and the agent workspace's tickets of a conversation.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { SunshineEmulator } from '../../emulators/sunshine';
import type { ZendeskEmulator } from '../../emulators/zendesk';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { executeNode } from './inProcess';
import type { LinkedDmItem } from './items';

const APP = '/sc/v2/apps/:appId';
export const SUNSHINE_ROUTE = {
	listConversations: `GET ${APP}/conversations`,
	createConversation: `POST ${APP}/conversations`,
	getConversation: `GET ${APP}/conversations/:conversationId`,
	createUser: `POST ${APP}/users`,
	postMessage: `POST ${APP}/conversations/:conversationId/messages`,
	listMessages: `GET ${APP}/conversations/:conversationId/messages`,
	passControl: `POST ${APP}/conversations/:conversationId/passControl`,
	upload: `POST ${APP}/attachments`,
};
export const POST_MESSAGE = SUNSHINE_ROUTE.postMessage;

export interface MessagingOutput {
	ticketId: number | null;
	outcome: string;
	conversationId: string;
	messageIds: string[];
	reason?: string;
}

type Body = ReturnType<typeof JSON.parse>;

export function messagingHarness(sunshine: () => SunshineEmulator, zendesk: () => ZendeskEmulator) {
	const credentials = () => {
		const { appId, appKey } = sunshine().fixtures;
		return {
			zendeskMessagingApi: {
				subdomain: 'acme',
				appId,
				keyId: appKey.id,
				secret: appKey.secret,
				authMethod: 'basic',
				baseUrl: sunshine().url,
			},
		};
	};

	async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
		const { appKey, appId } = sunshine().fixtures;
		const response = await fetch(`${sunshine().apiUrl}/v2/apps/${appId}${path}`, {
			method,
			headers: {
				Authorization: `Basic ${Buffer.from(`${appKey.id}:${appKey.secret}`).toString('base64')}`,
				'Content-Type': 'application/json',
			},
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const text = await response.text();
		return { status: response.status, body: text ? JSON.parse(text) : {} };
	}

	return {
		call,
		/** Runs the node on items (one execution) in the Zendesk Messaging mode. */
		async run(
			list: Array<{ json: LinkedDmItem; binary?: Record<string, unknown> }>,
			parameters: INodeParameters = {},
		): Promise<MessagingOutput[]> {
			const { outputs } = await executeNode(new ZendeskMessagingUpsert(), {
				parameters: { mode: 'zendeskMessaging', ...parameters },
				credentials: credentials(),
				items: list as never,
			});
			return outputs[0].map((out) => out.json.zendesk as unknown as MessagingOutput);
		},
		async send(item: LinkedDmItem, parameters: INodeParameters = {}): Promise<MessagingOutput> {
			return (await this.run([{ json: item }], parameters))[0];
		},
		/** The Profile Linker's whole user (the emulator's end user Erin). */
		linked(item: LinkedDmItem): LinkedDmItem {
			const erin = zendesk().fixtures.erin;
			return {
				...item,
				zendeskUser: { ...erin, externalId: `slack:${item.user.teamId}:${item.user.id}`, linkedBy: 'email' },
			} as LinkedDmItem;
		},
		/** A custom integration (the bridge) whose switchboard integration is the default, ahead of the agent workspace. */
		async bridgeAsDefault(target: string): Promise<void> {
			const integration = (
				await call('POST', '/integrations', {
					type: 'custom',
					webhooks: [{ target, triggers: ['conversation:message'] }],
				})
			).body.integration;
			const board = sunshine().store.switchboard.id;
			const si = (
				await call('POST', `/switchboards/${board}/switchboardIntegrations`, {
					name: 'slack-bridge',
					integrationId: integration.id,
					deliverStandbyEvents: true,
					nextSwitchboardIntegrationId: sunshine().fixtures.agentWorkspaceSwitchboardIntegrationId,
				})
			).body.switchboardIntegration;
			await call('PATCH', `/switchboards/${board}`, { defaultSwitchboardIntegrationId: si.id });
			sunshine().server.resetCalls();
		},
		ticketsOf(conversationId: string) {
			const ids = (sunshine().agentWorkspace?.tickets ?? [])
				.filter((t) => t.conversationId === conversationId)
				.map((t) => t.ticketId);
			return ids.map(
				(id) =>
					zendesk()
						.tickets()
						.find((t) => t.ticket.id === id)!,
			);
		},
		/** An agent solves the ticket in the agent workspace (which releases control, reason ticketClosed). */
		solve(ticketId: number): void {
			zendesk().messaging.updateTicket(ticketId, { status: 'solved' }, zendesk().fixtures.anna.id);
		},
	};
}
