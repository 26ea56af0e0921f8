import {
	buildTriggerConditions,
	buildTriggerCreateBody,
	buildWebhookCreateBody,
	isActiveTrigger,
	isActiveWebhook,
	isOwnTrigger,
	isOwnWebhook,
	ownedObjectName,
	parseSignatureTimestamp,
	triggerWebhookId,
	verifyZendeskSignature,
	WEBHOOK_PAYLOAD_TEMPLATE,
	zendeskSignature,
} from '../../../../../nodes/ZendeskReplyTrigger/helpers/webhooks';
import {
	buildReplyItem,
	decideEmission,
	needsPipelineCheck,
	newDeliveryClaims,
	isTrustedAttachmentUrl,
	parseReplyWebhookPayload,
	postedByInboundPipeline,
	rememberDelivered,
	selectComment,
	wasDelivered,
	type ZendeskCommentJson,
	type ZendeskTicketJson,
	type ZendeskUserJson,
} from '../../../../../nodes/shared/zendesk/replyEvents';

// Computed independently: printf '%s' "$TS$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
const SECRET = 'test-signing-secret';
const TIMESTAMP = '2021-03-25T05:09:27Z';
const BODY = '{"ticket_id":"1","comment_id":"2"}';
const SIGNATURE = 'DecFVgdDEL+jXSsqaEJT5IT7sP5iEw7YKOAGXCED0PQ=';
const SIGNED_AT = Date.parse(TIMESTAMP);

function headers(signature = SIGNATURE, timestamp = TIMESTAMP) {
	return { 'X-Zendesk-Webhook-Signature': signature, 'X-Zendesk-Webhook-Signature-Timestamp': timestamp };
}

describe('Zendesk webhook signature', () => {
	it('matches the independently computed vector', () => {
		expect(zendeskSignature(SECRET, TIMESTAMP, BODY)).toBe(SIGNATURE);
	});
	it('accepts a valid signature within the window (string and Buffer bodies)', () => {
		expect(
			verifyZendeskSignature({ secret: SECRET, headers: headers(), rawBody: BODY, nowMs: SIGNED_AT + 60_000 }),
		).toEqual({ valid: true });
		expect(
			verifyZendeskSignature({ secret: SECRET, headers: headers(), rawBody: Buffer.from(BODY), nowMs: SIGNED_AT }),
		).toEqual({ valid: true });
	});
	it('reads headers case-insensitively and from arrays', () => {
		const lower = { 'x-zendesk-webhook-signature': [SIGNATURE], 'x-zendesk-webhook-signature-timestamp': TIMESTAMP };
		expect(verifyZendeskSignature({ secret: SECRET, headers: lower, rawBody: BODY, nowMs: SIGNED_AT }).valid).toBe(
			true,
		);
	});
	const failures: Array<[string, Parameters<typeof verifyZendeskSignature>[0], string]> = [
		[
			'a tampered body',
			{ secret: SECRET, headers: headers(), rawBody: BODY.replace('2', '3'), nowMs: SIGNED_AT },
			'mismatch',
		],
		['a wrong secret', { secret: 'other', headers: headers(), rawBody: BODY, nowMs: SIGNED_AT }, 'mismatch'],
		[
			'a signature of another length',
			{ secret: SECRET, headers: headers('abc'), rawBody: BODY, nowMs: SIGNED_AT },
			'mismatch',
		],
		[
			'a shifted timestamp (signature covers it)',
			{ secret: SECRET, headers: headers(SIGNATURE, '2021-03-25T05:09:28Z'), rawBody: BODY, nowMs: SIGNED_AT },
			'mismatch',
		],
		[
			'a stale timestamp',
			{ secret: SECRET, headers: headers(), rawBody: BODY, nowMs: SIGNED_AT + 301_000 },
			'staleTimestamp',
		],
		[
			'a timestamp from the future',
			{ secret: SECRET, headers: headers(), rawBody: BODY, nowMs: SIGNED_AT - 301_000 },
			'staleTimestamp',
		],
		[
			'a garbage timestamp',
			{ secret: SECRET, headers: headers(SIGNATURE, 'yesterday'), rawBody: BODY, nowMs: SIGNED_AT },
			'badTimestamp',
		],
		[
			'no signature',
			{
				secret: SECRET,
				headers: { 'X-Zendesk-Webhook-Signature-Timestamp': TIMESTAMP },
				rawBody: BODY,
				nowMs: SIGNED_AT,
			},
			'missingSignature',
		],
		[
			'no timestamp',
			{ secret: SECRET, headers: { 'X-Zendesk-Webhook-Signature': SIGNATURE }, rawBody: BODY, nowMs: SIGNED_AT },
			'missingTimestamp',
		],
		['no stored secret', { secret: undefined, headers: headers(), rawBody: BODY, nowMs: SIGNED_AT }, 'missingSecret'],
	];
	it.each(failures)('refuses %s', (_name, input, reason) => {
		expect(verifyZendeskSignature(input)).toEqual({ valid: false, reason });
	});
	it('honours a custom tolerance', () => {
		const input = { secret: SECRET, headers: headers(), rawBody: BODY, nowMs: SIGNED_AT + 61_000 };
		expect(verifyZendeskSignature({ ...input, toleranceSeconds: 60 }).valid).toBe(false);
		expect(verifyZendeskSignature({ ...input, toleranceSeconds: 120 }).valid).toBe(true);
	});
	it('parses ISO timestamps with offsets and epoch seconds, rejects others', () => {
		expect(parseSignatureTimestamp('2021-03-25T06:09:27+01:00')).toBe(SIGNED_AT);
		expect(parseSignatureTimestamp(String(SIGNED_AT / 1000))).toBe(SIGNED_AT);
		expect(parseSignatureTimestamp('2021-03-25')).toBeUndefined();
	});
});

describe('webhook and trigger set-up', () => {
	const name = ownedObjectName({ workflowId: 'wf1', nodeId: 'node-a' });
	it('names objects per workflow and node', () => {
		expect(name).toContain('wf1/node-a');
		expect(ownedObjectName({ workflowId: 'wf2', nodeId: 'node-a' })).not.toBe(name);
		expect(ownedObjectName({ workflowId: 'wf1', nodeId: 'node-b' })).not.toBe(name);
	});
	it('creates a trigger-connected JSON POST webhook', () => {
		const body = buildWebhookCreateBody(name, 'https://n8n.example/webhook/abc');
		expect(body.webhook).toMatchObject({
			name,
			endpoint: 'https://n8n.example/webhook/abc',
			http_method: 'POST',
			request_format: 'json',
			status: 'active',
			subscriptions: ['conditional_ticket_events'],
		});
	});
	it('trigger fires on public agent comments on tagged tickets, not via the API', () => {
		const conditions = buildTriggerConditions({ ticketTag: 'slack_dm', excludeApiUpdates: true });
		expect(conditions.all).toEqual(
			expect.arrayContaining([
				{ field: 'update_type', value: 'Change' },
				{ field: 'comment_is_public', operator: 'is', value: 'true' },
				{ field: 'role', operator: 'is', value: 'agent' },
				{ field: 'current_tags', operator: 'includes', value: 'slack_dm' },
				{ field: 'current_via_id', operator: 'is_not', value: '5' },
			]),
		);
		const withApi = buildTriggerConditions({ ticketTag: 'x', excludeApiUpdates: false });
		expect(withApi.all.some((c) => c.field === 'current_via_id')).toBe(false);
	});
	it('trigger notifies our webhook with an ids-only JSON body', () => {
		const body = buildTriggerCreateBody(name, '01ABC', { ticketTag: 'slack_dm', excludeApiUpdates: true });
		expect(body.trigger.title).toBe(name);
		expect(body.trigger.actions).toEqual([
			{ field: 'notification_webhook', value: ['01ABC', WEBHOOK_PAYLOAD_TEMPLATE] },
		]);
		const template = JSON.parse(WEBHOOK_PAYLOAD_TEMPLATE);
		expect(template).toMatchObject({ ticket_id: '{{ticket.id}}', comment_id: '{{ticket.latest_comment.id}}' });
		expect(WEBHOOK_PAYLOAD_TEMPLATE).not.toMatch(/latest_comment\.(value|html)/);
	});
	it('recognises only its own webhook and trigger', () => {
		const url = 'https://n8n.example/webhook/abc';
		expect(isOwnWebhook({ id: '1', name, endpoint: `${url}/` }, name, url)).toBe(true);
		expect(isOwnWebhook({ id: '1', name, endpoint: 'https://other.example/webhook/abc' }, name, url)).toBe(false);
		expect(
			isOwnWebhook(
				{ id: '1', name: ownedObjectName({ workflowId: 'wf2', nodeId: 'node-a' }), endpoint: url },
				name,
				url,
			),
		).toBe(false);
		const trigger = { id: 7, title: name, actions: [{ field: 'notification_webhook', value: ['01ABC', '{}'] }] };
		expect(triggerWebhookId(trigger)).toBe('01ABC');
		expect(isOwnTrigger(trigger, name, '01ABC')).toBe(true);
		expect(isOwnTrigger(trigger, name, '01XYZ')).toBe(false);
		expect(isOwnTrigger({ ...trigger, title: 'someone else' }, name, '01ABC')).toBe(false);
		// Same title (another instance imported from the same template) but another webhook: not ours.
		expect(isOwnTrigger(trigger, name, ['01XYZ', '01QRS'])).toBe(false);
		expect(isOwnTrigger(trigger, name, ['01XYZ', '01ABC'])).toBe(true);
		expect(isOwnTrigger(trigger, name, [])).toBe(false);
		expect(isOwnTrigger({ ...trigger, actions: [] }, name, '01ABC')).toBe(false);
	});
	it('tells active webhooks and triggers from deactivated ones', () => {
		expect(isActiveWebhook({ id: '1', status: 'active' })).toBe(true);
		expect(isActiveWebhook({ id: '1' })).toBe(true);
		expect(isActiveWebhook({ id: '1', status: 'inactive' })).toBe(false);
		expect(isActiveTrigger({ id: 1, active: true })).toBe(true);
		expect(isActiveTrigger({ id: 1, active: false })).toBe(false);
	});
});

const requester: ZendeskUserJson = { id: 10, name: 'Requester', role: 'end-user', external_id: 'slack:T1:U1' };
const agent: ZendeskUserJson = { id: 20, name: 'Anna', role: 'agent' };
const ticket: ZendeskTicketJson = { id: 5, status: 'open', external_id: 'slack-dm:T1:D1', requester_id: 10 };
const comment = (overrides: Partial<ZendeskCommentJson> = {}): ZendeskCommentJson => ({
	id: 100,
	author_id: 20,
	body: 'Hello',
	html_body: '<p>Hello</p>',
	public: true,
	via: { channel: 'web' },
	attachments: [],
	...overrides,
});
const policy = { includeApiComments: false };

describe('which comments are emitted', () => {
	it('emits a public web comment by an agent or admin', () => {
		expect(decideEmission({ ticket, comment: comment(), author: agent, policy })).toEqual({ emit: true });
		expect(decideEmission({ ticket, comment: comment(), author: { ...agent, role: 'admin' }, policy })).toEqual({
			emit: true,
		});
	});
	const skips: Array<[string, Parameters<typeof decideEmission>[0], string]> = [
		[
			'a ticket without our external id',
			{ ticket: { ...ticket, external_id: 'CRM-1' }, comment: comment(), author: agent, policy },
			'notOurTicket',
		],
		[
			'a ticket without any external id',
			{ ticket: { ...ticket, external_id: null }, comment: comment(), author: agent, policy },
			'notOurTicket',
		],
		['a missing comment', { ticket, comment: undefined, author: agent, policy }, 'commentNotFound'],
		['an internal note', { ticket, comment: comment({ public: false }), author: agent, policy }, 'privateComment'],
		[
			"the requester's own message posted by the bridge through the API",
			{ ticket, comment: comment({ author_id: 10, via: { channel: 'api' } }), author: requester, policy },
			'authorIsRequester',
		],
		[
			'an end user who is not the requester (CC)',
			{ ticket, comment: comment({ author_id: 30 }), author: { id: 30, name: 'CC', role: 'end-user' }, policy },
			'authorNotAgent',
		],
		[
			'an author record that does not match',
			{ ticket, comment: comment({ author_id: 21 }), author: agent, policy },
			'authorNotAgent',
		],
		[
			'an agent comment made through the API',
			{ ticket, comment: comment({ via: { channel: 'api' } }), author: agent, policy },
			'postedViaApi',
		],
		[
			'an agent comment with numeric via 5',
			{ ticket, comment: comment({ via: { channel: 5 } }), author: agent, policy },
			'postedViaApi',
		],
		[
			'what the inbound pipeline posted (audit marker), whoever the author',
			{ ticket, comment: comment(), author: agent, policy: { includeApiComments: true }, postedByBridge: true },
			'postedByBridge',
		],
		[
			'an empty comment without files',
			{ ticket, comment: comment({ body: '', html_body: ' ' }), author: agent, policy },
			'emptyComment',
		],
	];
	it.each(skips)('skips %s', (_name, input, reason) => {
		expect(decideEmission(input)).toEqual({ emit: false, reason });
	});
	it('lets API comments by agents through when asked', () => {
		expect(
			decideEmission({
				ticket,
				comment: comment({ via: { channel: 'api' } }),
				author: agent,
				policy: { includeApiComments: true },
			}),
		).toEqual({ emit: true });
	});
	it('emits an attachment-only comment', () => {
		const files = [{ id: 1, file_name: 'a.pdf', content_url: 'https://x/a', content_type: 'application/pdf', size: 3 }];
		expect(
			decideEmission({
				ticket,
				comment: comment({ body: '', html_body: '', attachments: files }),
				author: agent,
				policy,
			}),
		).toEqual({ emit: true });
	});
});

describe('payload, comment selection and output', () => {
	it('parses string and number ids and refuses garbage', () => {
		expect(parseReplyWebhookPayload({ ticket_id: '5', comment_id: '100' })).toEqual({ ticketId: 5, commentId: 100 });
		expect(parseReplyWebhookPayload({ ticket_id: 5, comment_id: '' })).toEqual({ ticketId: 5 });
		expect(parseReplyWebhookPayload({ ticket_id: '{{ticket.id}}' })).toBeUndefined();
		expect(parseReplyWebhookPayload({ ticket_id: '-1' })).toBeUndefined();
		expect(parseReplyWebhookPayload('x')).toBeUndefined();
	});
	it('selects the named comment, or the newest public one', () => {
		const list = [comment({ id: 1 }), comment({ id: 2 }), comment({ id: 3, public: false })];
		expect(selectComment(list, 1)?.id).toBe(1);
		expect(selectComment(list, 9)).toBeUndefined();
		expect(selectComment(list, undefined)?.id).toBe(2);
	});
	it('builds the item with the Slack destination from the external ids', () => {
		const files = [
			{
				id: 1,
				file_name: 'a.pdf',
				content_url: 'https://acme.zendesk.com/attachments/token/t/?name=a.pdf',
				content_type: 'application/pdf',
				size: 3,
			},
		];
		const item = buildReplyItem({ ticket, comment: comment({ attachments: files }), author: agent, requester });
		expect(item).toEqual({
			ticketId: 5,
			ticketStatus: 'open',
			ticketExternalId: 'slack-dm:T1:D1',
			comment: { id: 100, body: 'Hello', htmlBody: '<p>Hello</p>', author: { id: 20, name: 'Anna' } },
			attachments: [
				{
					id: 1,
					fileName: 'a.pdf',
					contentUrl: files[0].content_url,
					contentType: 'application/pdf',
					size: 3,
					inline: false,
				},
			],
			slack: { teamId: 'T1', userId: 'U1', channelId: 'D1' },
		});
	});
	it('carries the thread of threaded conversations and omits an unknown user', () => {
		const item = buildReplyItem({
			ticket: { ...ticket, external_id: 'slack-dm:T1:D1:1700000000.000100' },
			comment: comment(),
			author: agent,
		});
		expect(item?.slack).toEqual({
			teamId: 'T1',
			channelId: 'D1',
			threadTs: '1700000000.000100',
			threadKey: 'D1:1700000000.000100',
		});
	});
});

describe('redelivery dedupe', () => {
	it('remembers delivered ids, bounded, newest kept', () => {
		let history: number[] | undefined;
		for (let id = 1; id <= 5; id++) history = rememberDelivered(history, id, 3);
		expect(history).toEqual([3, 4, 5]);
		expect(wasDelivered(history, 5)).toBe(true);
		expect(wasDelivered(history, 1)).toBe(false);
		expect(rememberDelivered(history, 4, 3)).toEqual([3, 5, 4]);
	});
	it('claims a key once until released or expired', () => {
		const claims = newDeliveryClaims(1000, 10);
		expect(claims.claim('w:1', 0)).toBe(true);
		expect(claims.claim('w:1', 10)).toBe(false);
		claims.release('w:1');
		expect(claims.claim('w:1', 20)).toBe(true);
		expect(claims.claim('w:1', 1021)).toBe(true);
	});
	it('evicts the oldest claims beyond its size', () => {
		const claims = newDeliveryClaims(1000, 2);
		claims.claim('a', 0);
		claims.claim('b', 0);
		claims.claim('c', 0);
		expect(claims.claim('a', 1)).toBe(true);
		expect(claims.claim('c', 1)).toBe(false);
	});
});

describe('attachment download host', () => {
	it('downloads only from the Zendesk account host', () => {
		expect(
			isTrustedAttachmentUrl('https://acme.zendesk.com/attachments/token/t/?name=a.pdf', 'https://acme.zendesk.com'),
		).toBe(true);
		expect(isTrustedAttachmentUrl('http://127.0.0.1:4020/attachments/token/t/', 'http://127.0.0.1:4020')).toBe(true);
		expect(isTrustedAttachmentUrl('http://127.0.0.1:9999/attachments/token/t/', 'http://127.0.0.1:4020')).toBe(false);
		expect(isTrustedAttachmentUrl('https://evil.example/attachments/token/t/', 'https://acme.zendesk.com')).toBe(false);
		expect(isTrustedAttachmentUrl('http://acme.zendesk.com/x', 'https://acme.zendesk.com')).toBe(false);
		expect(isTrustedAttachmentUrl('not a url', 'https://acme.zendesk.com')).toBe(false);
	});
});

describe('comments the inbound pipeline posted (audit marker)', () => {
	const audits = [
		{ id: 900, metadata: { custom: {} }, events: [{ id: 100, type: 'Comment' }] },
		{ id: 901, metadata: { custom: { slack_dm_keys: 'T1:D1:1.1 T1:D1:1.2' } }, events: [{ id: 101, type: 'Comment' }] },
		{ id: 902, metadata: { custom: { slack_dm_keys: 'T1:D1:1.3' } }, events: [] },
	];
	it('recognises a comment whose update carries the marker, by comment id or by audit id', () => {
		expect(postedByInboundPipeline(audits, { id: 101 })).toBe(true);
		expect(postedByInboundPipeline(audits, { id: 100, audit_id: 900 })).toBe(false);
		expect(postedByInboundPipeline(audits, { id: 555, audit_id: 902 })).toBe(true);
		expect(postedByInboundPipeline([], { id: 101, audit_id: 901 })).toBe(false);
	});
	it('asks the audits only for API comments the policy would let through', () => {
		const apiComment = comment({ via: { channel: 'api' } });
		expect(needsPipelineCheck(apiComment, { includeApiComments: true })).toBe(true);
		expect(needsPipelineCheck(apiComment, { includeApiComments: false })).toBe(false);
		expect(needsPipelineCheck(comment({ via: { channel: 'web' } }), { includeApiComments: true })).toBe(false);
		expect(needsPipelineCheck(undefined, { includeApiComments: true })).toBe(false);
	});
});
