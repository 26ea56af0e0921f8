/**
 * The Zendesk Reply Trigger applies its rules in stages, each needing only what the stages before
 * read (ticket, then comment, then author). The audit marker, the one rule that costs audit
 * reads, comes last: a comment a cheap rule drops is reported by that rule.
 */
import type {
	ZendeskCommentJson,
	ZendeskTicketJson,
	ZendeskUserJson,
} from '../../../../../nodes/shared/zendesk/replyEvents';
import {
	decideEmission,
	skipForAuthor,
	skipForComment,
	skipForTicket,
} from '../../../../../nodes/shared/zendesk/replyEvents';

const ticket: ZendeskTicketJson = { id: 5, status: 'open', external_id: 'slack-dm:T1:D1', requester_id: 10 };
const agent: ZendeskUserJson = { id: 20, name: 'Anna', role: 'agent' };
const apiPolicy = { includeApiComments: true };
const comment = (overrides: Partial<ZendeskCommentJson> = {}): ZendeskCommentJson => ({
	id: 100,
	author_id: 20,
	body: 'Hello',
	public: true,
	via: { channel: 'api' },
	...overrides,
});

describe('emission stages', () => {
	it('the ticket alone decides a ticket that is not ours, before the comment is read', () => {
		expect(skipForTicket({ ...ticket, external_id: 'CRM-1' })).toBe('notOurTicket');
		expect(skipForTicket(ticket)).toBeUndefined();
	});

	it("the comment decides missing, private and the requester's own, before any user is read", () => {
		expect(skipForComment(ticket, undefined)).toBe('commentNotFound');
		expect(skipForComment(ticket, comment({ public: false }))).toBe('privateComment');
		expect(skipForComment(ticket, comment({ author_id: 10 }))).toBe('authorIsRequester');
		expect(skipForComment(ticket, comment())).toBeUndefined();
	});

	it('the author decides the rest except the marker', () => {
		expect(
			skipForAuthor({
				comment: comment({ author_id: 30 }),
				author: { id: 30, name: 'CC', role: 'end-user' },
				policy: apiPolicy,
			}),
		).toBe('authorNotAgent');
		expect(skipForAuthor({ comment: comment(), author: agent, policy: { includeApiComments: false } })).toBe(
			'postedViaApi',
		);
		expect(skipForAuthor({ comment: comment({ body: ' ' }), author: agent, policy: apiPolicy })).toBe('emptyComment');
		expect(skipForAuthor({ comment: comment(), author: agent, policy: apiPolicy })).toBeUndefined();
	});

	const markedButDroppedEarlier: Array<[string, Parameters<typeof decideEmission>[0], string]> = [
		[
			'not our ticket',
			{
				ticket: { ...ticket, external_id: null },
				comment: comment(),
				author: agent,
				policy: apiPolicy,
				postedByBridge: true,
			},
			'notOurTicket',
		],
		[
			'a private note',
			{ ticket, comment: comment({ public: false }), author: agent, policy: apiPolicy, postedByBridge: true },
			'privateComment',
		],
		[
			"the requester's own message",
			{ ticket, comment: comment({ author_id: 10 }), author: undefined, policy: apiPolicy, postedByBridge: true },
			'authorIsRequester',
		],
		[
			'an end user who is not the requester',
			{
				ticket,
				comment: comment({ author_id: 30 }),
				author: { id: 30, name: 'CC', role: 'end-user' },
				policy: apiPolicy,
				postedByBridge: true,
			},
			'authorNotAgent',
		],
	];
	it.each(markedButDroppedEarlier)(
		'the marker is checked last: %s is dropped by its cheap rule',
		(_name, input, reason) => {
			expect(decideEmission(input)).toEqual({ emit: false, reason });
		},
	);

	it('only a comment every cheap rule lets through is decided by the marker', () => {
		expect(
			decideEmission({ ticket, comment: comment(), author: agent, policy: apiPolicy, postedByBridge: true }),
		).toEqual({ emit: false, reason: 'postedByBridge' });
		expect(
			decideEmission({ ticket, comment: comment(), author: agent, policy: apiPolicy, postedByBridge: false }),
		).toEqual({ emit: true });
	});
});
