/**
 * `npm run emulators`: both emulators standalone, for pointing a real n8n or a script at them.
 *   npm run emulators -- --slack-port 4010 --zendesk-port 4020
 * Ports default to free ephemeral ones. Ctrl-C stops them.
 */
import { startSlackEmulator } from './slack';
import { startZendeskEmulator } from './zendesk';

export interface RunningEmulators {
	slack: Awaited<ReturnType<typeof startSlackEmulator>>;
	zendesk: Awaited<ReturnType<typeof startZendeskEmulator>>;
	close(): Promise<void>;
}

export async function startEmulators(ports: { slack?: number; zendesk?: number } = {}): Promise<RunningEmulators> {
	const slack = await startSlackEmulator({ port: ports.slack });
	const zendesk = await startZendeskEmulator({ port: ports.zendesk });
	return {
		slack,
		zendesk,
		close: async () => {
			await Promise.allSettled([slack.close(), zendesk.close()]);
		},
	};
}

/** What to put into the package's credentials to use the emulators (fixture accounts). */
export function emulatorCredentialSummary({ slack, zendesk }: RunningEmulators): string[] {
	return [
		`Slack emulator    ${slack.url}`,
		`  credential "Slack DM Handle API": Access Token ${slack.fixtures.botToken}, Signing Secret ${slack.signingSecret}, API Base URL ${slack.apiUrl}`,
		`Zendesk emulator  ${zendesk.url}`,
		`  credential "Zendesk Slack DM Token API": Subdomain ${zendesk.fixtures.subdomain}, Email ${zendesk.fixtures.bridge.email}, API Token ${zendesk.fixtures.bridge.apiToken}, Base URL Override ${zendesk.url}`,
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
	const emulators = await startEmulators({ slack: portArg('--slack-port'), zendesk: portArg('--zendesk-port') });
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
