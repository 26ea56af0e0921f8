/**
 * One "Handles" configuration, entered in both triggers, must name the same handle on the way in
 * (Slack DM Trigger → the Upsert's slack_handle_ tag) and on the way back (the tag → Zendesk Reply
 * Trigger), or the Switch on handle.name sends the agent's reply through the wrong credential.
 */
import { messageIm, userAuthorization } from '../../emulators/slack/builders';
import { FIXTURE_IDS as F } from '../../emulators/slack/fixtures';
import { ticketExternalId } from '../../nodes/shared/externalIds';
import type { SlackEventCallback } from '../../nodes/shared/slack/events';
import { classifyEnvelope } from '../../nodes/shared/slack/events';
import type { HandleConfig, SelfIdentity } from '../../nodes/shared/slack/identity';
import { resolveHandles } from '../../nodes/shared/slack/identity';
import type { ConfiguredHandle, ZendeskCommentJson, ZendeskUserJson } from '../../nodes/shared/zendesk/replyEvents';
import { buildReplyItem } from '../../nodes/shared/zendesk/replyEvents';
import { classifyEvent, DEFAULT_FILTER_OPTIONS } from '../../nodes/SlackDmTrigger/helpers/classify';
import { ticketTags } from '../../nodes/ZendeskMessagingUpsert/helpers/tickets';
import { ticketRoutingFrom } from '../../nodes/ZendeskMessagingUpsert/helpers/upsertParameters';

const self: SelfIdentity = { userId: F.handleUserId, userName: 'it-help', teamId: F.teamId };

/** The Slack DM Trigger's path: its Handles rows, then the handle it names for a DM to `handleUserId`. */
function slackTriggerHandle(rows: Array<Partial<HandleConfig>>, handleUserId: string) {
	const payload = messageIm(
		{ user: F.employeeId, channel: 'D0HDM', text: 'payslip question' },
		{ authorizations: [userAuthorization(handleUserId)] },
	);
	const parsed = classifyEnvelope(JSON.parse(JSON.stringify(payload)));
	if (parsed.kind !== 'eventCallback') throw new Error(`not an event callback: ${parsed.kind}`);
	const decision = classifyEvent(parsed.envelope as SlackEventCallback, {
		self,
		handles: resolveHandles(rows, self),
		options: DEFAULT_FILTER_OPTIONS,
		receivedAt: '2024-05-01T10:00:00.000Z',
	});
	if (decision.action !== 'emit') throw new Error(`expected emit, got ${decision.action}`);
	return decision.item;
}

/** The Upsert's path: the tags of the ticket it creates for that item. */
function ticketTagsFor(item: ReturnType<typeof slackTriggerHandle>): string[] {
	const routed = ticketRoutingFrom(item, {
		brandId: '',
		groupId: '',
		customFields: [],
		tags: 'vip',
		priority: '',
		ticketType: '',
	});
	if (!routed.ok) throw new Error(routed.problem);
	return routed.routing.tags;
}

/** The Zendesk Reply Trigger's path: the same rows, an agent reply on that ticket. */
function replyTriggerHandle(rows: ConfiguredHandle[], tags: string[]) {
	const comment: ZendeskCommentJson = { id: 70, author_id: 200, body: 'Your payslip is attached', public: true };
	const author: ZendeskUserJson = { id: 200, name: 'Agent', role: 'agent' };
	const ticket = {
		id: 7,
		status: 'open',
		external_id: ticketExternalId({ teamId: F.teamId, channelId: 'D0HDM' }),
		requester_id: 100,
		tags,
	};
	return buildReplyItem({ ticket, comment, author, handles: rows })?.handle;
}

describe('the same Handles rows in both triggers name the same handle', () => {
	const configurations: Array<[string, Array<Partial<HandleConfig>>]> = [
		[
			'names as written',
			[
				{ name: 'IT', userId: F.handleUserId },
				{ name: 'HR & People', userId: F.hrHandleUserId },
			],
		],
		['a row without a name', [{ name: '', userId: F.hrHandleUserId }]],
		['a name of white space only, and padded values', [{ name: '  ', userId: ` ${F.hrHandleUserId} ` }]],
		[
			'a name-only row before the real one, and a repeated user id',
			[
				{ name: 'HR', userId: '' },
				{ name: ' Payroll ', userId: F.hrHandleUserId },
				{ name: 'Other', userId: F.hrHandleUserId },
			],
		],
		[
			'a nameless row next to a named one',
			[
				{ name: 'IT', userId: F.handleUserId },
				{ name: '', userId: F.hrHandleUserId },
			],
		],
	];

	it.each(configurations)('%s', (_name, rows) => {
		const inbound = slackTriggerHandle(rows, F.hrHandleUserId);
		const back = replyTriggerHandle(rows, ticketTagsFor(inbound));
		expect(back).toEqual({ name: inbound.handle.name, userId: inbound.handle.userId, slug: expect.any(String) });
		expect(back?.userId).toBe(F.hrHandleUserId);
	});

	it('a row without a name is named after its user id on both sides', () => {
		const rows = [{ name: '', userId: F.hrHandleUserId }];
		expect(slackTriggerHandle(rows, F.hrHandleUserId).handle.name).toBe(F.hrHandleUserId);
		expect(
			replyTriggerHandle(rows, ticketTags({ handleName: F.hrHandleUserId, isPartner: false, configured: [] })),
		).toEqual({
			name: F.hrHandleUserId,
			slug: F.hrHandleUserId.toLowerCase(),
			userId: F.hrHandleUserId,
		});
	});
});
