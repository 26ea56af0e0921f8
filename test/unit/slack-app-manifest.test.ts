/**
 * The shipped Slack app manifests (slack/*.json) ask for every scope the package's Slack calls
 * (found by scanning nodes/ for callSlack('<method>') and file downloads) and event subscriptions
 * need, and nothing more; and they point at the trigger's webhook path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Scopes per Slack Web API method (Slack's method reference), for both token types unless a
 * bot-only scope is named in BOT_ONLY_SCOPES. A method the code calls but this table lacks fails
 * the test, so a new call cannot ship without its scope in the manifests.
 */
const METHOD_SCOPES: Record<string, string[]> = {
	'auth.test': [],
	'chat.postMessage': ['chat:write'],
	'chat.postEphemeral': ['chat:write'],
	// A notice another worker posted first in the same instant: this one is deleted (own messages only).
	'chat.delete': ['chat:write'],
	// The package opens 1:1 DMs only (users = one id).
	'conversations.open': ['im:write'],
	// Group DM participants, and who an IM is with (the addressed handle when Slack's
	// authorizations name someone else).
	'conversations.members': ['mpim:read', 'im:read'],
	// The Alert Channel picker: public and private channels; the Slack DM Catch-up: the bot's 1:1 DMs.
	'conversations.list': ['channels:read', 'groups:read', 'im:read'],
	// Slack DM Reply back from a Slack outage: what of a reply already reached the DM (1:1 DMs only);
	// the Slack DM Catch-up: the DMs' messages of the last minutes.
	'conversations.history': ['im:history'],
	// The Profile Linker in queue mode: a thread reply's earlier replies in its thread.
	'conversations.replies': ['im:history'],
	'users.info': ['users:read', 'users:read.email'],
	// The triggers' Handle picker.
	'users.list': ['users:read'],
	'team.info': ['team:read'],
	'files.info': ['files:read'],
	'files.getUploadURLExternal': ['files:write'],
	'files.completeUploadExternal': ['files:write'],
};

/** Calls that are not Web API methods but need scopes: private file downloads (url_private_download). */
const DOWNLOAD_SCOPES = ['files:read'];

/** Bot-token scopes: a custom username/icon (Slack DM Reply's options) needs chat:write.customize. */
const BOT_ONLY_SCOPES = ['chat:write.customize'];

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return entry.name.endsWith('.ts') ? [path] : [];
	});
}

const nodesSource = sourceFiles(join(__dirname, '../../nodes')).map((file) => readFileSync(file, 'utf8'));

/** Every Slack method the package calls: callSlack / callSlackForm('<method>' …), across lines and type arguments. */
const calledMethods = [
	...new Set(
		nodesSource.flatMap((source) =>
			[
				...source.matchAll(/callSlack\w*(?:<[^>]*>)?\(\s*[\w.]+\s*,\s*'([a-z]+\.[a-zA-Z.]+)'/g),
				// Calls made without callSlack (the pickers' list searches) name their URL.
				...source.matchAll(/slackBaseUrl\([^)]*\)\}\/([a-z]+\.[a-zA-Z.]+)`/g),
			].map((match) => match[1]),
		),
	),
].sort();
const downloadsFiles = nodesSource.some((source) => source.includes('downloadSlackFile('));
const customisesBotAppearance = nodesSource.some((source) => /\bicon_emoji\b|\bicon_url\b/.test(source));

function neededScopes(tokenType: 'bot' | 'user'): string[] {
	const scopes = new Set(calledMethods.flatMap((method) => METHOD_SCOPES[method] ?? []));
	if (downloadsFiles) DOWNLOAD_SCOPES.forEach((scope) => scopes.add(scope));
	if (tokenType === 'bot' && customisesBotAppearance) scopes.add('chat:write.customize');
	return [...scopes].sort();
}

describe('the Slack methods the code calls', () => {
	it('are found by the scan (the scan itself works)', () => {
		expect(calledMethods).toEqual(
			expect.arrayContaining([
				'auth.test',
				'chat.postMessage',
				'conversations.list',
				'conversations.members',
				'files.getUploadURLExternal',
			]),
		);
		expect(downloadsFiles).toBe(true);
	});

	it('each have their scopes in the table above', () => {
		expect(calledMethods.filter((method) => !(method in METHOD_SCOPES))).toEqual([]);
	});
});

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

	it('requests the scopes of every method the code calls', () => {
		expect(scopes).toEqual(expect.arrayContaining(neededScopes(tokenType)));
	});

	it('requests no scope that nothing uses', () => {
		const used = new Set([...neededScopes(tokenType), ...events.map((event) => EVENT_SCOPES[event])]);
		expect(scopes.filter((scope) => !used.has(scope))).toEqual([]);
	});

	it("uses HTTP event delivery to the trigger's webhook path", () => {
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

	it("user-handle mode has no bot scopes, so every post is the handle account's own", () => {
		expect(userManifest.oauth_config?.scopes?.bot ?? []).toEqual([]);
		expect(userManifest.oauth_config?.scopes?.user ?? []).not.toEqual(expect.arrayContaining(BOT_ONLY_SCOPES));
	});

	it('bot mode may post with the custom username and icon Slack DM Reply offers', () => {
		expect(customisesBotAppearance).toBe(true);
		expect(botManifest.oauth_config?.scopes?.bot).toContain('chat:write.customize');
	});
});
