/**
 * What the Sunshine Conversations emulator keeps: one app (Zendesk gives each account one), its API
 * keys, messaging users, personal conversations and their messages, attachments, custom
 * integrations with their webhooks, and the app's switchboard with the agent workspace entry.
 * Shapes follow the spec's schemas (specs/sunshine-conversations/openapi.yaml).
 */
import type { EmulatorClock } from '../zendesk/clock';
import { newId } from './ids';

export type Metadata = Record<string, string | number | boolean>;

export interface ApiKey {
	id: string;
	secret: string;
	displayName: string;
}

export interface App {
	id: string;
	displayName: string;
	subdomain: string;
	metadata: Metadata | null;
}

export interface Profile {
	givenName?: string;
	surname?: string;
	email?: string;
	avatarUrl?: string;
	locale?: string;
}

export interface MessagingUser {
	id: string;
	externalId: string | null;
	/** The core Zendesk user this messaging user is linked to (set when a ticket is opened for it). */
	zendeskId: string | null;
	signedUpAt: string;
	toBeRetained: boolean;
	profile: Profile;
	metadata: Metadata;
}

export interface Conversation {
	id: string;
	type: 'personal';
	userId: string;
	displayName: string | null;
	metadata: Metadata | null;
	activeSwitchboardIntegrationId: string | null;
	createdAt: string;
	lastUpdatedAt: string;
}

export interface StoredMessage {
	id: string;
	conversationId: string;
	received: string;
	author: Record<string, unknown>;
	content: Record<string, unknown>;
	source: Record<string, unknown>;
	metadata: Metadata | null;
}

export interface StoredAttachment {
	id: string;
	fileName: string;
	mediaType: string;
	access: 'public' | 'private';
	content: Buffer;
	conversationId: string | null;
}

export interface Webhook {
	id: string;
	integrationId: string;
	target: string;
	triggers: string[];
	secret: string;
	includeFullUser: boolean;
	includeFullSource: boolean;
}

export interface Integration {
	id: string;
	type: 'custom';
	displayName: string | null;
}

export interface Switchboard {
	id: string;
	enabled: boolean;
	defaultSwitchboardIntegrationId: string | null;
}

export interface SwitchboardIntegration {
	id: string;
	name: string;
	integrationId: string;
	integrationType: string;
	deliverStandbyEvents: boolean;
	nextSwitchboardIntegrationId: string | null;
	messageHistoryCount: number | null;
}

export interface SunshineFixtures {
	subdomain: string;
	appId: string;
	/** App-scoped API key (Basic: id/secret; JWT: `kid` id, HS256 with secret, `scope: app`). */
	appKey: ApiKey;
	switchboardId: string;
	/** The switchboard integration of Zendesk's agent workspace (name zd-agentWorkspace). */
	agentWorkspaceSwitchboardIntegrationId: string;
	agentWorkspaceIntegrationId: string;
}

export function buildSunshineFixtures(subdomain: string, now: number): SunshineFixtures {
	return {
		subdomain,
		// Fixed, like the other emulators' fixture tokens, so a saved credential keeps working across restarts.
		appId: '65a000000000000000000a01',
		appKey: { id: 'app_65a000000000000000000b01', secret: 'sc-emulator-secret-5f3e9a', displayName: 'Emulator key' },
		switchboardId: newId(now),
		agentWorkspaceSwitchboardIntegrationId: newId(now),
		agentWorkspaceIntegrationId: newId(now),
	};
}

export class SunshineStore {
	app!: App;
	keys = new Map<string, ApiKey>();
	users = new Map<string, MessagingUser>();
	conversations = new Map<string, Conversation>();
	/** Messages per conversation, oldest first. */
	messages = new Map<string, StoredMessage[]>();
	attachments = new Map<string, StoredAttachment>();
	integrations = new Map<string, Integration>();
	webhooks = new Map<string, Webhook>();
	switchboard!: Switchboard;
	switchboardIntegrations = new Map<string, SwitchboardIntegration>();

	constructor(
		readonly clock: EmulatorClock,
		readonly fixtures: SunshineFixtures,
	) {
		this.reset();
	}

	reset(): void {
		for (const map of [
			this.keys,
			this.users,
			this.conversations,
			this.messages,
			this.attachments,
			this.integrations,
			this.webhooks,
			this.switchboardIntegrations,
		])
			map.clear();
		const f = this.fixtures;
		this.app = { id: f.appId, displayName: `${f.subdomain} messaging`, subdomain: f.subdomain, metadata: null };
		this.keys.set(f.appKey.id, { ...f.appKey });
		// A Zendesk account's switchboard: the agent workspace gets new conversations by default
		// (spec examples listSwitchboardIntegrations / createSwitchboardIntegration).
		this.switchboard = {
			id: f.switchboardId,
			enabled: true,
			defaultSwitchboardIntegrationId: f.agentWorkspaceSwitchboardIntegrationId,
		};
		this.switchboardIntegrations.set(f.agentWorkspaceSwitchboardIntegrationId, {
			id: f.agentWorkspaceSwitchboardIntegrationId,
			name: 'zd-agentWorkspace',
			integrationId: f.agentWorkspaceIntegrationId,
			integrationType: 'zd:agentWorkspace',
			deliverStandbyEvents: false,
			nextSwitchboardIntegrationId: null,
			messageHistoryCount: null,
		});
	}

	newId(): string {
		return newId(this.clock.now());
	}

	/** `YYYY-MM-DDThh:mm:ss.SSSZ`, as the spec's timestamps. */
	iso(): string {
		return new Date(this.clock.now()).toISOString();
	}

	userByIdOrExternalId(ref: string): MessagingUser | undefined {
		return this.users.get(ref) ?? [...this.users.values()].find((u) => u.externalId === ref);
	}

	messagesOf(conversationId: string): StoredMessage[] {
		let list = this.messages.get(conversationId);
		if (!list) {
			list = [];
			this.messages.set(conversationId, list);
		}
		return list;
	}

	/** The switchboard integration a `switchboardIntegration` reference names: id, then name, then integrationType. */
	resolveSwitchboardIntegration(ref: string): SwitchboardIntegration[] {
		const all = [...this.switchboardIntegrations.values()];
		const byId = all.filter((si) => si.id === ref);
		if (byId.length > 0) return byId;
		const byName = all.filter((si) => si.name === ref);
		if (byName.length > 0) return byName;
		return all.filter((si) => si.integrationType === ref);
	}

	switchboardIntegrationOf(integrationId: string): SwitchboardIntegration | undefined {
		return [...this.switchboardIntegrations.values()].find((si) => si.integrationId === integrationId);
	}
}
