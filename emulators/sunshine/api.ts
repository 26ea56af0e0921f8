/**
 * Conversations API v2 routes a channel integration uses: the app, users, personal conversations,
 * messages and switchboard actions (paths, bodies and statuses from specs/sunshine-conversations).
 */
import { badRequest, notFound } from './errors';
import { deepQuery, operation } from './http';
import type { SunshineHost } from './http';
import type { Messaging } from './messaging';
import type { StoredMessage } from './store';
import { metadataOf } from './validate';
import { conversationView, messageView, userView } from './views';

/** "The page size limit is fixed at 100 messages per page" (ListMessages). */
export const MESSAGE_PAGE_SIZE = 100;

const APP = '/v2/apps/:appId';
const CONVERSATION = `${APP}/conversations/:conversationId`;

export function registerConversationsApi(host: SunshineHost, messaging: Messaging): void {
	const { store } = host;
	operation(host, 'GET', APP, () => ({
		status: 200,
		body: { app: { id: store.app.id, displayName: store.app.displayName, settings: {}, metadata: store.app.metadata } },
	}));

	operation(host, 'POST', `${APP}/users`, ({ body }) => ({
		status: 201,
		body: { user: userView(messaging.createUser(body)) },
	}));
	operation(host, 'GET', `${APP}/users/:userIdOrExternalId`, ({ req }) => ({
		status: 200,
		body: { user: userView(messaging.getUser(req.params.userIdOrExternalId)) },
	}));

	operation(host, 'POST', `${APP}/conversations`, ({ body }) => ({
		status: 201,
		body: { conversation: conversationView(messaging.createConversation(body), store) },
	}));
	operation(host, 'GET', `${APP}/conversations`, ({ req }) => {
		const filter = deepQuery(req, 'filter');
		const ref = filter.userId ?? filter.userExternalId;
		if (!ref) throw badRequest('filter[userId] or filter[userExternalId] is required');
		const user = filter.userId ? store.users.get(ref) : store.userByIdOrExternalId(ref);
		if (!user) throw notFound('user');
		const conversations = [...store.conversations.values()]
			.filter((c) => c.userId === user.id)
			.map((c) => conversationView(c, store));
		return { status: 200, body: { conversations, meta: { hasMore: false }, links: {} } };
	});
	operation(host, 'GET', CONVERSATION, ({ req }) => ({
		status: 200,
		body: { conversation: conversationView(messaging.getConversation(req.params.conversationId), store) },
	}));

	operation(host, 'POST', `${CONVERSATION}/messages`, ({ req, body }) => {
		const conversation = messaging.getConversation(req.params.conversationId);
		const message = messaging.postMessage(conversation, messaging.messageInputOf(conversation, body));
		return { status: 201, body: { messages: [messageView(message)] } };
	});
	operation(host, 'GET', `${CONVERSATION}/messages`, ({ req }) => {
		const conversation = messaging.getConversation(req.params.conversationId);
		const page = messagePage(store.messagesOf(conversation.id), deepQuery(req, 'page'));
		const link = (key: 'before' | 'after', id: string) =>
			`${host.baseUrl()}/sc/v2/apps/${store.app.id}/conversations/${conversation.id}/messages?page[${key}]=${id}`;
		const meta: Record<string, unknown> = { hasMore: page.hasMore };
		const links: Record<string, string> = {};
		if (page.hasMore && page.direction === 'before' && page.items.length > 0) {
			meta.beforeCursor = page.items[0].id;
			links.prev = link('before', page.items[0].id);
		}
		if (page.hasMore && page.direction === 'after' && page.items.length > 0) {
			meta.afterCursor = page.items[page.items.length - 1].id;
			links.next = link('after', page.items[page.items.length - 1].id);
		}
		return { status: 200, body: { messages: page.items.map(messageView), meta, links } };
	});

	operation(host, 'POST', `${CONVERSATION}/passControl`, ({ req, body }) => {
		const conversation = messaging.getConversation(req.params.conversationId);
		messaging.passControl(conversation, body.switchboardIntegration, metadataOf(body.metadata));
		return { status: 200, body: {} };
	});
	operation(host, 'POST', `${CONVERSATION}/releaseControl`, ({ req, body }) => {
		const conversation = messaging.getConversation(req.params.conversationId);
		messaging.releaseControl(conversation, metadataOf(body.metadata));
		return { status: 200, body: {} };
	});
}

/**
 * Cursor pagination "in the backwards direction, with the most recent page … by default";
 * `page[before]` pages back, `page[after]` forward; only one of them may be given.
 */
export function messagePage(
	all: StoredMessage[],
	page: Record<string, string>,
	size = MESSAGE_PAGE_SIZE,
): { items: StoredMessage[]; hasMore: boolean; direction: 'before' | 'after' } {
	if (page.before && page.after) throw badRequest('Only one of page[before] or page[after] may be provided');
	for (const cursor of [page.before, page.after])
		if (cursor !== undefined && !/^[0-9a-f]{24}$/.test(cursor)) throw badRequest('page cursors are 24-character ids');
	if (page.after) {
		const newer = all.filter((m) => m.id > page.after);
		return { items: newer.slice(0, size), hasMore: newer.length > size, direction: 'after' };
	}
	const older = page.before ? all.filter((m) => m.id < page.before) : all;
	return { items: older.slice(Math.max(0, older.length - size)), hasMore: older.length > size, direction: 'before' };
}
