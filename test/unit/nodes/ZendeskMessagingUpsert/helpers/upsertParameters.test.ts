import type { IBinaryKeyData } from 'n8n-workflow';

import type { ProfileLinkFields, SlackDmItem } from '../../../../../nodes/shared/types';
import type {
	RoutingParameterValues,
	UpsertParameterValues,
} from '../../../../../nodes/ZendeskMessagingUpsert/helpers/upsertParameters';
import {
	agentTicketUrlFor,
	optionalId,
	ticketRoutingFrom,
	upsertInputsFrom,
	upsertOutput,
	uploadsOf,
} from '../../../../../nodes/ZendeskMessagingUpsert/helpers/upsertParameters';

function item(overrides: Partial<SlackDmItem & ProfileLinkFields> = {}): SlackDmItem & Partial<ProfileLinkFields> {
	return {
		kind: 'message',
		teamId: 'T1',
		user: { id: 'U1', teamId: 'T1' },
		handle: { name: 'IT', userId: 'UH', teamId: 'T1' },
		channel: { id: 'D1', type: 'im' },
		message: { ts: '1.0', text: 'hello' },
		...overrides,
	} as unknown as SlackDmItem & Partial<ProfileLinkFields>;
}

function values(overrides: Partial<UpsertParameterValues> = {}): UpsertParameterValues {
	return { requesterId: '', subject: '', options: {}, ...overrides };
}

function routingValues(overrides: Partial<RoutingParameterValues> = {}): RoutingParameterValues {
	return { brandId: '', groupId: '', customFields: [], tags: '', priority: '', ticketType: '', ...overrides };
}

/** A routing reader that counts its reads. */
function countingReader(read: RoutingParameterValues = routingValues()) {
	const reader = Object.assign(
		() => {
			reader.reads++;
			return read;
		},
		{ reads: 0 },
	);
	return reader;
}

function routingOf(settings: { routing: () => ReturnType<typeof ticketRoutingFrom> }) {
	const routed = settings.routing();
	if (!routed.ok) throw new Error(routed.problem);
	return routed.routing;
}

describe('optionalId', () => {
	it('is undefined when empty and the number when a positive integer', () => {
		expect(optionalId('')).toBeUndefined();
		expect(optionalId(null)).toBeUndefined();
		expect(optionalId(undefined)).toBeUndefined();
		expect(optionalId('42')).toBe(42);
		expect(optionalId(7)).toBe(7);
	});

	it('is NaN for anything else', () => {
		for (const bad of ['abc', '1.5', 0, -3]) expect(optionalId(bad)).toBeNaN();
	});
});

describe('upsertInputsFrom', () => {
	it('takes the requester from the Profile Linker when the parameter is empty, and the parameter when set', () => {
		const linked = item({ zendeskUser: { id: 500 } as ProfileLinkFields['zendeskUser'] });
		const fromLinker = upsertInputsFrom(linked, values(), 'zendeskDmApi', countingReader());
		const explicit = upsertInputsFrom(linked, values({ requesterId: '77' }), 'zendeskDmApi', countingReader());
		expect(fromLinker.ok && fromLinker.requesterId).toBe(500);
		expect(explicit.ok && explicit.requesterId).toBe(77);
	});

	it('uses the documented defaults for unset options', () => {
		const read = upsertInputsFrom(item(), values(), 'zendeskDmOAuth2Api', countingReader());
		if (!read.ok) throw new Error(read.problem);
		expect(read.settings).toMatchObject({
			credentialType: 'zendeskDmOAuth2Api',
			subjectOverride: '',
			subjectFallback: 'Slack message',
			safeUpdates: true,
			cacheTtlMs: 3_600_000,
			participantCopies: 'emailCcs',
			threadReplies: 'joinConversation',
			limits: { limit: 30, windowMs: 600_000 },
		});
		expect(routingOf(read.settings)).toMatchObject({
			brandId: undefined,
			groupId: undefined,
			priority: undefined,
			type: undefined,
			customFields: [],
		});
		expect(routingOf(read.settings).tags).toContain('slack_dm');
	});

	it('reads routing and options', () => {
		const read = upsertInputsFrom(
			item(),
			values({
				options: {
					safeUpdates: false,
					cacheMinutes: 0,
					participantCopies: 'off',
					updateLimit: 9,
					updateWindowSeconds: 60,
					threadReplies: 'ticketPerThread',
				},
			}),
			'zendeskDmApi',
			countingReader(
				routingValues({
					brandId: '3',
					groupId: 4,
					priority: 'high',
					ticketType: 'question',
					tags: 'vip, onboarding',
					customFields: [{ id: '360001', value: 'x' }],
				}),
			),
		);
		if (!read.ok) throw new Error(read.problem);
		expect(routingOf(read.settings)).toMatchObject({
			brandId: 3,
			groupId: 4,
			priority: 'high',
			type: 'question',
			customFields: [{ id: 360001, value: 'x' }],
		});
		expect(routingOf(read.settings).tags).toEqual(expect.arrayContaining(['vip', 'onboarding']));
		expect(read.settings).toMatchObject({
			safeUpdates: false,
			cacheTtlMs: 0,
			participantCopies: 'off',
			threadReplies: 'ticketPerThread',
			limits: { limit: 9, windowMs: 60_000 },
		});
	});

	it('reads the routing parameters only when asked for, and once', () => {
		const reader = countingReader(routingValues({ tags: 'vip' }));
		const read = upsertInputsFrom(item(), values(), 'zendeskDmApi', reader);
		if (!read.ok) throw new Error(read.problem);
		expect(reader.reads).toBe(0);
		expect(routingOf(read.settings).tags).toContain('vip');
		expect(routingOf(read.settings).tags).toContain('vip');
		expect(reader.reads).toBe(1);
	});

	it('names the wrong parameter', () => {
		expect(upsertInputsFrom(item(), values({ requesterId: 'someone' }), 'zendeskDmApi', countingReader())).toEqual({
			ok: false,
			problem: 'Requester ID must be a Zendesk user ID (a positive integer)',
		});
		expect(ticketRoutingFrom(item(), routingValues({ groupId: 'support' }))).toMatchObject({
			ok: false,
			problem: expect.stringMatching(/Group ID/),
		});
		expect(ticketRoutingFrom(item(), routingValues({ brandId: '1.5' }))).toMatchObject({
			ok: false,
			problem: expect.stringMatching(/Brand ID/),
		});
		expect(ticketRoutingFrom(item(), routingValues({ customFields: [{ id: '', value: 1 }] }))).toEqual({
			ok: false,
			problem: 'Custom field ID "" is not a Zendesk field ID',
		});
	});
});

describe('ticketRoutingFrom: Routing by Handle', () => {
	const routes = [
		{ handleName: ' hr ', brandId: '20', groupId: '21', tags: 'hr, people' },
		{ handleName: 'IT', groupId: '31' },
		{ handleName: 'hr', brandId: '99' },
	];
	const hr = item({ handle: { name: 'HR', userId: 'UHR', teamId: 'T1' } } as never);
	const it_ = item();
	const other = item({ handle: { name: 'Facilities', userId: 'UF', teamId: 'T1' } } as never);
	const fallback = routingValues({ brandId: '10', groupId: '11', tags: 'general', handleRoutes: routes });
	const routed = (forItem: ReturnType<typeof item>, values = fallback) => {
		const result = ticketRoutingFrom(forItem, values);
		if (!result.ok) throw new Error(result.problem);
		return result.routing;
	};

	it("a handle's row (trimmed, any case, first match) replaces tags, brand and group", () => {
		expect(routed(hr)).toMatchObject({ brandId: 20, groupId: 21 });
		expect(routed(hr).tags).toEqual(expect.arrayContaining(['hr', 'people', 'slack_dm', 'slack_handle_hr']));
		expect(routed(hr).tags).not.toContain('general');
	});

	it('fields a row leaves empty come from the node; handles without a row use the node', () => {
		expect(routed(it_)).toMatchObject({ brandId: 10, groupId: 31 });
		expect(routed(it_).tags).toContain('general');
		expect(routed(other)).toMatchObject({ brandId: 10, groupId: 11 });
		expect(routed(item({ handle: undefined } as never))).toMatchObject({ brandId: 10, groupId: 11 });
	});

	it("names the row of a wrong ID, and applies no row's mistake to other handles", () => {
		const values = routingValues({ handleRoutes: [{ handleName: 'HR', brandId: 'people' }] });
		expect(ticketRoutingFrom(hr, values)).toEqual({
			ok: false,
			problem: 'Brand ID and Group ID must be Zendesk IDs (positive integers) (Routing by Handle, row "HR")',
		});
		expect(ticketRoutingFrom(other, values).ok).toBe(true);
		// The row's brand is fine; the node's Group ID is wrong: the row is not blamed.
		const nodeMistake = routingValues({ groupId: 'support', handleRoutes: [{ handleName: 'HR', brandId: '20' }] });
		expect(ticketRoutingFrom(hr, nodeMistake)).toEqual({
			ok: false,
			problem: 'Brand ID and Group ID must be Zendesk IDs (positive integers)',
		});
	});
});

describe('uploadsOf', () => {
	const binary = {
		data_10: { data: '', mimeType: 'text/plain', fileName: 'ten.txt' },
		data_2: { data: '', mimeType: 'image/png', fileName: 'two.png' },
		other: { data: '', mimeType: 'application/pdf' },
	} as IBinaryKeyData;

	it('uploads the accepted files in their order with the names the allowlist gave them', () => {
		const accepted = [
			{ binaryKey: 'data_10', name: 'report.txt', mimetype: 'text/plain' },
			{ binaryKey: 'missing', name: 'gone.pdf' },
			{ binaryKey: 'data_2' },
		];
		expect(uploadsOf(accepted, binary)).toEqual([
			{ binaryKey: 'data_10', name: 'report.txt', mimetype: 'text/plain' },
			{ binaryKey: 'data_2', name: 'two.png', mimetype: 'image/png' },
		]);
	});

	it('uploads every binary property, in natural order, without an acceptedFiles list', () => {
		expect(uploadsOf(undefined, binary).map((upload) => upload.binaryKey)).toEqual(['data_2', 'data_10', 'other']);
		expect(uploadsOf(undefined, binary)[2]).toEqual({ binaryKey: 'other', name: 'other', mimetype: 'application/pdf' });
	});

	it('uploads nothing without binary data', () => {
		expect(uploadsOf([{ binaryKey: 'data_0' }], {})).toEqual([]);
	});
});

describe('upsertOutput', () => {
	const url = (id: number) => `https://acme.zendesk.com/agent/tickets/${id}`;

	it('reports the ticket, its link and the outcome', () => {
		expect(upsertOutput({ ticketId: 12, outcome: 'created', commentId: 99 }, url)).toEqual({
			ticketId: 12,
			ticketUrl: 'https://acme.zendesk.com/agent/tickets/12',
			outcome: 'created',
			commentId: 99,
		});
	});

	it('adds the optional facts only when reported, and no link without a ticket', () => {
		expect(upsertOutput({ ticketId: null, outcome: 'skipped', reason: 'edit of an unknown message' }, url)).toEqual({
			ticketId: null,
			ticketUrl: null,
			outcome: 'skipped',
			commentId: null,
			reason: 'edit of an unknown message',
		});
		expect(
			upsertOutput({ ticketId: 5, outcome: 'appended', followUpSourceId: 4, coalescedCount: 2 }, url),
		).toMatchObject({
			followUpSourceId: 4,
			coalescedCount: 2,
		});
	});
});

describe('agentTicketUrlFor', () => {
	it("prefers the Agent URL Base option, then the credential's address", () => {
		expect(agentTicketUrlFor({ subdomain: 'acme' }, 'https://help.example.com/')(3)).toBe(
			'https://help.example.com/agent/tickets/3',
		);
		expect(agentTicketUrlFor({ subdomain: 'acme' }, undefined)(3)).toBe('https://acme.zendesk.com/agent/tickets/3');
	});
});
