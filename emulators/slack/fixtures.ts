/**
 * Ids of the default emulated workspace. Tests import these (through `emulator.fixtures`)
 * instead of hard-coding strings; the event builders use them as defaults.
 */
export const FIXTURE_IDS = {
	teamId: 'T0ACME',
	teamName: 'Acme',
	teamDomain: 'acme',
	partnerTeamId: 'T0PARTNER',
	partnerTeamName: 'Partner Co',
	partnerTeamDomain: 'partnerco',
	appId: 'A0BRIDGE',
	botUserId: 'U0HANDLEBOT',
	botId: 'B0BRIDGE',
	botToken: 'xoxb-emulator-bot',
	handleUserId: 'U0HANDLE',
	handleToken: 'xoxp-emulator-handle',
	hrHandleUserId: 'U0HRHANDLE',
	hrHandleToken: 'xoxp-emulator-hr',
	employeeId: 'U0EMPLOYEE',
	employeeEmail: 'erin@acme.test',
	employee2Id: 'U0EMP2',
	employee2Email: 'sam@acme.test',
	partnerUserId: 'U0PARTNER',
	partnerUserEmail: 'pat@partner.test',
	signingSecret: 'emulator-signing-secret',
	/** Legacy verification token carried in every envelope's `token` field. */
	verificationToken: 'emulator-verification-token',
	/** A public channel of Acme with the employees and the bot. */
	helpChannelId: 'C0ITHELP',
	/** A Slack Connect channel shared with Partner Co; the handle and the bot are members. */
	sharedChannelId: 'C0SHARED',
} as const;

export type SlackFixtureIds = typeof FIXTURE_IDS;

/** Scopes the emulator grants by default (as an installed app with every scope this package asks for). */
export const DEFAULT_BOT_SCOPES = [
	'app_mentions:read',
	'channels:history',
	'channels:read',
	'chat:write',
	'chat:write.customize',
	'files:read',
	'files:write',
	'groups:history',
	'groups:read',
	'im:history',
	'im:read',
	'im:write',
	'mpim:history',
	'mpim:read',
	'mpim:write',
	'reactions:write',
	'team:read',
	'users:read',
	'users:read.email',
];

/** User tokens cannot hold chat:write.customize (bot-only scope). */
export const DEFAULT_USER_SCOPES = DEFAULT_BOT_SCOPES.filter(
	(s) => s !== 'chat:write.customize' && s !== 'app_mentions:read',
);
