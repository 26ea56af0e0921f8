/** JSON shapes of the emulator's records, field for field as the spec's schemas declare them. */
import type {
	Conversation,
	Integration,
	MessagingUser,
	StoredMessage,
	SunshineStore,
	SwitchboardIntegration,
	Webhook,
} from './store';

type Json = Record<string, unknown>;

export function userView(u: MessagingUser): Json {
	// `identities` is read-only: filled by authentication or SyncUser, never from `profile.email` (spec, SyncUser).
	const identities: unknown[] = [];
	return {
		id: u.id,
		externalId: u.externalId,
		zendeskId: u.zendeskId,
		authenticated: false,
		signedUpAt: u.signedUpAt,
		toBeRetained: u.toBeRetained,
		profile: { ...u.profile },
		metadata: { ...u.metadata },
		identities,
	};
}

/** `userTruncated` (webhook payloads without includeFullUser). */
export function userTruncatedView(u: MessagingUser): Json {
	return { id: u.id, authenticated: false, externalId: u.externalId, zendeskId: u.zendeskId };
}

export function switchboardIntegrationWebhookView(si: SwitchboardIntegration): Json {
	return { id: si.id, name: si.name, integrationId: si.integrationId, integrationType: si.integrationType };
}

/** `conversationTruncated`: what webhook payloads carry. */
export function conversationTruncatedView(c: Conversation, store: SunshineStore): Json {
	const active = c.activeSwitchboardIntegrationId
		? store.switchboardIntegrations.get(c.activeSwitchboardIntegrationId)
		: undefined;
	return {
		id: c.id,
		type: c.type,
		metadata: c.metadata,
		...(active ? { activeSwitchboardIntegration: switchboardIntegrationWebhookView(active) } : {}),
	};
}

export function conversationView(c: Conversation, store: SunshineStore): Json {
	return {
		...conversationTruncatedView(c, store),
		activeSwitchboardIntegration: c.activeSwitchboardIntegrationId
			? switchboardIntegrationWebhookView(store.switchboardIntegrations.get(c.activeSwitchboardIntegrationId)!)
			: null,
		pendingSwitchboardIntegration: null,
		isDefault: false,
		displayName: c.displayName,
		businessLastRead: null,
		lastUpdatedAt: c.lastUpdatedAt,
		createdAt: c.createdAt,
	};
}

export function messageView(m: StoredMessage): Json {
	return {
		id: m.id,
		received: m.received,
		author: { ...m.author },
		content: { ...m.content },
		source: { ...m.source },
		metadata: m.metadata,
		deleted: false,
	};
}

/**
 * `messageWebhook`: the author as `authorWebhook` declares it (type, userId, user: `subtypes`,
 * `displayName` and `avatarUrl` are "available in responses only" and not part of that schema).
 */
export function messageWebhookView(m: StoredMessage, user: MessagingUser | undefined, webhook: Webhook): Json {
	const author: Json = { type: m.author.type };
	if (m.author.type === 'user' && user) {
		author.userId = user.id;
		author.user = webhook.includeFullUser ? userView(user) : userTruncatedView(user);
	}
	const source: Json = { type: m.source.type };
	if (typeof m.source.integrationId === 'string') source.integrationId = m.source.integrationId;
	return {
		id: m.id,
		received: m.received,
		author,
		content: { ...m.content },
		source,
		metadata: m.metadata,
		deleted: false,
	};
}

export function webhookView(w: Webhook): Json {
	return {
		id: w.id,
		version: 'v2',
		target: w.target,
		triggers: [...w.triggers],
		secret: w.secret,
		includeFullUser: w.includeFullUser,
		includeFullSource: w.includeFullSource,
	};
}

export function integrationView(i: Integration, store: SunshineStore): Json {
	const webhooks = [...store.webhooks.values()].filter((w) => w.integrationId === i.id).map(webhookView);
	return { id: i.id, type: i.type, status: 'active', displayName: i.displayName, webhooks };
}

export function switchboardIntegrationView(si: SwitchboardIntegration): Json {
	return {
		id: si.id,
		name: si.name,
		integrationId: si.integrationId,
		integrationType: si.integrationType,
		deliverStandbyEvents: si.deliverStandbyEvents,
		nextSwitchboardIntegrationId: si.nextSwitchboardIntegrationId,
		messageHistoryCount: si.messageHistoryCount,
	};
}
