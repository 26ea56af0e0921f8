/**
 * `npm run emulators`: the emulators standalone, for pointing a real n8n or a script at them.
 *   npm run emulators -- --slack-port 4010 --zendesk-port 4020 --sunshine-port 4030
 * The Sunshine Conversations (Zendesk messaging) emulator's agent workspace is joined to the Zendesk one.
 * Ports default to free ephemeral ones. Ctrl-C stops them.
 */
import { startSlackEmulator } from './slack';
import { startSunshineEmulator } from './sunshine';
import { startZendeskEmulator } from './zendesk';

export interface RunningEmulators {
	slack: Awaited<ReturnType<typeof startSlackEmulator>>;
	zendesk: Awaited<ReturnType<typeof startZendeskEmulator>>;
	sunshine: Awaited<ReturnType<typeof startSunshineEmulator>>;
	close(): Promise<void>;
}

export async function startEmulators(
	ports: { slack?: number; zendesk?: number; sunshine?: number } = {},
): Promise<RunningEmulators> {
	const slack = await startSlackEmulator({ port: ports.slack });
	const zendesk = await startZendeskEmulator({ port: ports.zendesk });
	const sunshine = await startSunshineEmulator({ port: ports.sunshine, zendesk });
	return {
		slack,
		zendesk,
		sunshine,
		close: async () => {
			await sunshine.close();
			await Promise.allSettled([slack.close(), zendesk.close()]);
		},
	};
}

/** What to put into the package's credentials to use the emulators (fixture accounts). */
export function emulatorCredentialSummary({ slack, zendesk, sunshine }: RunningEmulators): string[] {
	return [
		`Slack emulator    ${slack.url}`,
		`  credential "Slack DM Handle API": Access Token ${slack.fixtures.botToken}, Signing Secret ${slack.signingSecret}, API Base URL ${slack.apiUrl}`,
		`Zendesk emulator  ${zendesk.url}`,
		`  credential "Zendesk Slack DM Token API": Subdomain ${zendesk.fixtures.subdomain}, Email ${zendesk.fixtures.bridge.email}, API Token ${zendesk.fixtures.bridge.apiToken}, Base URL Override ${zendesk.url}`,
		`Sunshine emulator ${sunshine.apiUrl} (Zendesk messaging; agent workspace joined to the Zendesk emulator)`,
		`  credential "Zendesk Messaging (Sunshine Conversations) API": Subdomain ${sunshine.fixtures.subdomain}, App ID ${sunshine.fixtures.appId}, Key ID ${sunshine.fixtures.appKey.id}, Secret Key ${sunshine.fixtures.appKey.secret}, Base URL Override ${sunshine.url}`,
	];
}

function portArg(name: string): number | undefined {
	const index = process.argv.indexOf(name);
	if (index === -1) return undefined;
	const port = Number(process.argv[index + 1]);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} needs a port number`);
	return port;
}

async function main(): Promise<void> {
	const emulators = await startEmulators({
		slack: portArg('--slack-port'),
		zendesk: portArg('--zendesk-port'),
		sunshine: portArg('--sunshine-port'),
	});
	console.log(['Emulators running (Ctrl-C to stop):', ...emulatorCredentialSummary(emulators)].join('\n'));
	const shutdown = () => {
		void emulators.close().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
