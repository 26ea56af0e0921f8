/**
 * The shipped Slack app manifests (slack/*.json) ask for every scope the package's Slack calls
 * and event subscriptions need, and point at the trigger's webhook path.
 */
import type { AppsManifestCreateArguments } from '@slack/web-api';

import botManifestJson from '../../slack/slack-app-manifest.bot.json';
import userManifestJson from '../../slack/slack-app-manifest.user-handle.json';
import { SlackDmTrigger } from '../../nodes/SlackDmTrigger/SlackDmTrigger.node';

type Manifest = AppsManifestCreateArguments['manifest'];
// JSON imports widen scope names to string, so this is a shape cast, not a scope-name check.
const botManifest = botManifestJson as Manifest;
const userManifest = userManifestJson as Manifest;

/** The scope each event subscription needs (Slack's Events API reference). */
const EVENT_SCOPES: Record<string, string> = {
	'message.im': 'im:history',
	'message.mpim': 'mpim:history',
	'message.channels': 'channels:history',
	'message.groups': 'groups:history',
	app_mention: 'app_mentions:read',
};

/** Scopes of the Web API methods the package calls. */
const METHOD_SCOPES: Record<string, string[]> = {
	'conversations.members (group DM participants)': ['mpim:read'],
	'conversations.open (reply into a DM)': ['im:write'],
	'chat.postMessage': ['chat:write'],
	'users.info (Profile Linker, with email)': ['users:read', 'users:read.email'],
	'team.info (Slack Connect organisations)': ['team:read'],
	'files.info / private downloads': ['files:read'],
	'files.getUploadURLExternal (agent attachments)': ['files:write'],
	'reactions.add (receipt)': ['reactions:write'],
};

const webhookPath = new SlackDmTrigger().description.webhooks?.[0]?.path;

describe.each([
	['bot mode', botManifest, 'bot' as const],
	['user-handle mode', userManifest, 'user' as const],
])('Slack app manifest, %s', (_name, manifest, tokenType) => {
	const scopes = manifest.oauth_config?.scopes?.[tokenType] ?? [];
	const subscriptions = manifest.settings?.event_subscriptions;
	const events = (tokenType === 'bot' ? subscriptions?.bot_events : subscriptions?.user_events) ?? [];

	it('subscribes to DMs and group DMs', () => {
		expect(events).toEqual(expect.arrayContaining(['message.im', 'message.mpim']));
	});

	it('requests the scope of every event it subscribes to', () => {
		for (const event of events) {
			expect(EVENT_SCOPES[event]).toBeDefined();
			expect(scopes).toContain(EVENT_SCOPES[event]);
		}
	});

	it.each(Object.entries(METHOD_SCOPES))('requests the scopes of %s', (_method, needed) => {
		expect(scopes).toEqual(expect.arrayContaining(needed));
	});

	it('uses HTTP event delivery to the trigger\'s webhook path', () => {
		expect(manifest.settings?.socket_mode_enabled).toBe(false);
		expect(subscriptions?.request_url).toMatch(new RegExp(`/${webhookPath}$`));
	});
});

describe('bot mode specifics', () => {
	it('lets people DM the bot (messages tab writable) and hears channel mentions', () => {
		expect(botManifest.features?.app_home?.messages_tab_enabled).toBe(true);
		expect(botManifest.features?.app_home?.messages_tab_read_only_enabled).toBe(false);
		expect(botManifest.features?.bot_user?.display_name).toBeTruthy();
		expect(botManifest.settings?.event_subscriptions?.bot_events).toContain('app_mention');
	});

	it('user-handle mode has no bot scopes, so every post is the handle account\'s own', () => {
		expect(userManifest.oauth_config?.scopes?.bot ?? []).toEqual([]);
	});
});
