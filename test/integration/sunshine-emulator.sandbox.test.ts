/**
 * The sandbox console with Zendesk messaging: a messaging ticket comes with its live conversation
 * (user and agent lines), an agent reply from the console lands in the conversation, an internal
 * note does not; Support tickets carry no conversation.
 */
import { startSlackEmulator } from '../../emulators/slack';
import type { SlackEmulatorInstance } from '../../emulators/slack';
import { startSunshineEmulator } from '../../emulators/sunshine';
import type { SunshineEmulator } from '../../emulators/sunshine';
import { startZendeskEmulator } from '../../emulators/zendesk';
import type { ZendeskEmulator } from '../../emulators/zendesk';
import { startSandboxConsole } from '../../sandbox/consoleServer';
import type { SandboxConsole } from '../../sandbox/consoleServer';

type Body = ReturnType<typeof JSON.parse>;

let slack: SlackEmulatorInstance;
let zendesk: ZendeskEmulator;
let sunshine: SunshineEmulator;
let sandbox: SandboxConsole;

async function consoleApi(path: string, body?: unknown): Promise<Body> {
	const response = await fetch(
		`${sandbox.url}${path}`,
		body === undefined
			? {}
			: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
	);
	expect(response.status).toBe(200);
	return response.json();
}

beforeAll(async () => {
	slack = await startSlackEmulator();
	zendesk = await startZendeskEmulator({ rateLimits: false });
	sunshine = await startSunshineEmulator({ zendesk });
	sandbox = await startSandboxConsole({ slack, zendesk, sunshine });
});

afterAll(async () => {
	await sandbox.close();
	await sunshine.close();
	await zendesk.close();
	await slack.close();
});

it('shows a messaging ticket as its live conversation; console replies reach it, internal notes do not', async () => {
	const { messaging } = sunshine;
	const user = messaging.createUser({ externalId: 'slack:T1:SBX', profile: { givenName: 'Sia' } });
	const conversation = messaging.createConversation({ type: 'personal', participants: [{ userId: user.id }] });
	messaging.postMessage(
		conversation,
		messaging.messageInputOf(conversation, {
			author: { type: 'user', userId: user.id },
			content: { type: 'text', text: 'VPN is down' },
		}),
	);
	zendesk.store.createTicket(
		{ subject: 'A Support ticket', comment: { body: 'email' } },
		zendesk.store.getUser(zendesk.fixtures.erin.id),
	);
	const [ticketId] = sunshine.agentWorkspace!.tickets.map((t) => t.ticketId);
	expect(ticketId).toBeDefined();

	expect(
		(
			await fetch(`${sandbox.url}/api/zendesk/tickets/${ticketId}/reply`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ body: 'Restarting it now' }),
			})
		).status,
	).toBe(200);
	await consoleApi(`/api/zendesk/tickets/${ticketId}/reply`, { body: 'check the firewall', public: false });

	const { tickets } = await consoleApi('/api/zendesk/tickets');
	const messagingTicket = tickets.find((t: Body) => t.ticket.id === ticketId);
	expect(messagingTicket.messaging.conversationId).toBe(conversation.id);
	expect(messagingTicket.messaging.messages.map((m: Body) => [m.side, m.from, m.text])).toEqual([
		['user', 'Sia', 'VPN is down'],
		['agent', zendesk.fixtures.anna.name, 'Restarting it now'],
	]);
	expect(messagingTicket.comments.filter((c: Body) => !c.public).map((c: Body) => c.text)).toEqual([
		'check the firewall',
	]);
	expect(tickets.find((t: Body) => t.ticket.subject === 'A Support ticket').messaging).toBeUndefined();
});
