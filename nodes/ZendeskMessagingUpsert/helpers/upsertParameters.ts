/**
 * The Zendesk Messaging Upsert's parameters read into upsert settings, the files it uploads, and
 * its `zendesk` output. Pure: the node reads the raw values and hands them here.
 */
import type { IBinaryKeyData, IDataObject } from 'n8n-workflow';

import type { ProfileLinkFields, SlackDmItem } from '../../shared/types';
import { updateLimitConfig } from '../supportTickets/coalesce';
import type { ParticipantCopyMode, RoutingResult, TicketPriority, TicketType } from './tickets';
import { locatorValue } from '../../shared/zendesk/pickers';
import { parseTagList } from '../../shared/zendesk/tags';
import { DEFAULT_SUBJECT_MAX_LENGTH, agentTicketUrl, ticketTags } from './tickets';
import { threadReplyModeOf } from './ticketsThreads';
import type { UpsertResult, UpsertSettings } from './upsertRequest';

/** An optional Zendesk id: undefined when empty, NaN when it is not a positive integer. */
export function optionalId(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const id = Number(value);
	return Number.isInteger(id) && id > 0 ? id : Number.NaN;
}

/** One row of Routing by Handle: what a handle's new tickets get instead of the node's fields. */
export interface HandleRoute {
	handleName?: unknown;
	brandId?: unknown;
	groupId?: unknown;
	tags?: unknown;
}

/** What a new ticket gets: read only when one is created (often expressions, each costing n8n an isolate call). */
export interface RoutingParameterValues {
	brandId: unknown;
	groupId: unknown;
	customFields: Array<{ id: unknown; value: unknown }> | undefined;
	tags: unknown;
	priority: string;
	ticketType: string;
	handleRoutes?: HandleRoute[];
}

export interface UpsertParameterValues {
	requesterId: unknown;
	subject: unknown;
	options: IDataObject;
}

export type UpsertInputs =
	| { ok: true; requesterId?: number; settings: UpsertSettings }
	| { ok: false; problem: string };

const handleNameKey = (name: unknown) =>
	String(name ?? '')
		.trim()
		.toLowerCase();
const isSet = (value: unknown) => {
	const plain = locatorValue(value);
	return plain !== undefined && plain !== null && String(plain).trim() !== '';
};

/** The Routing by Handle row for a handle name (trimmed, any case); the first one wins. */
export function handleRouteFor(
	routes: HandleRoute[] | undefined,
	handleName: string | undefined,
): HandleRoute | undefined {
	const wanted = handleNameKey(handleName);
	if (!wanted) return undefined;
	return (routes ?? []).find((route) => handleNameKey(route.handleName) === wanted);
}

/**
 * A new ticket's routing from the node's parameters; tags include the package's own. A Routing by
 * Handle row for the DM's handle replaces Tags, Brand ID and Group ID where it sets them.
 */
export function ticketRoutingFrom(item: SlackDmItem, values: RoutingParameterValues): RoutingResult {
	const route = handleRouteFor(values.handleRoutes, item.handle?.name);
	const fromRow = (field: 'brandId' | 'groupId' | 'tags') => Boolean(route && isSet(route[field]));
	// Pickers (node version 2) save resource locators; version 1 and expressions give plain values.
	const pick = (field: 'brandId' | 'groupId' | 'tags') => locatorValue(fromRow(field) ? route![field] : values[field]);
	const brandId = optionalId(pick('brandId'));
	const groupId = optionalId(pick('groupId'));
	const wrong = [
		...(Number.isNaN(brandId) ? ['brandId' as const] : []),
		...(Number.isNaN(groupId) ? ['groupId' as const] : []),
	];
	if (wrong.length) {
		const where = wrong.some(fromRow) ? ` (Routing by Handle, row "${String(route!.handleName).trim()}")` : '';
		return { ok: false, problem: `Brand ID and Group ID must be Zendesk IDs (positive integers)${where}` };
	}
	const customFields: Array<{ id: number; value: unknown }> = [];
	for (const row of values.customFields ?? []) {
		const id = optionalId(locatorValue(row.id));
		if (id === undefined || Number.isNaN(id))
			return { ok: false, problem: `Custom field ID "${String(locatorValue(row.id))}" is not a Zendesk field ID` };
		customFields.push({ id, value: locatorValue(row.value) });
	}
	return {
		ok: true,
		routing: {
			tags: ticketTags({
				handleName: item.handle?.name ?? '',
				isPartner: Boolean(item.user?.isExternal || item.channel?.isExtShared),
				configured: parseTagList(pick('tags')),
			}),
			brandId,
			groupId,
			priority: (values.priority as TicketPriority | '') || undefined,
			type: (values.ticketType as TicketType | '') || undefined,
			customFields,
		},
	};
}

/** Reads once, on first use. */
function once<V>(read: () => V): () => V {
	let value: { v: V } | undefined;
	return () => (value ??= { v: read() }).v;
}

/**
 * Settings for one item; the requester defaults to the Profile Linker's zendeskUser. Routing is
 * read through `readRouting` only if the item creates a ticket (most items append a comment).
 */
export function upsertInputsFrom(
	item: SlackDmItem & Partial<ProfileLinkFields>,
	values: UpsertParameterValues,
	credentialType: string,
	readRouting: () => RoutingParameterValues,
): UpsertInputs {
	const requesterId = optionalId(values.requesterId) ?? optionalId(item.zendeskUser?.id);
	if (Number.isNaN(requesterId))
		return { ok: false, problem: 'Requester ID must be a Zendesk user ID (a positive integer)' };
	const options = values.options;
	return {
		ok: true,
		requesterId,
		settings: {
			credentialType,
			routing: once(() => ticketRoutingFrom(item, readRouting())),
			subjectOverride: String(values.subject ?? ''),
			subjectFallback: String(options.subjectFallback ?? 'Slack message'),
			subjectMaxLength: Number(options.subjectMaxLength ?? DEFAULT_SUBJECT_MAX_LENGTH),
			limits: updateLimitConfig(Number(options.updateLimit ?? 30), Number(options.updateWindowSeconds ?? 600)),
			safeUpdates: options.safeUpdates !== false,
			cacheTtlMs: Number(options.cacheMinutes ?? 60) * 60_000,
			participantCopies: (options.participantCopies as ParticipantCopyMode | undefined) ?? 'emailCcs',
			threadReplies: threadReplyModeOf(options.threadReplies),
		},
	};
}

interface AcceptedFileListing {
	binaryKey?: string;
	name?: string;
	mimetype?: string;
}

export interface PlannedUpload {
	binaryKey: string;
	name: string;
	mimetype: string;
}

/**
 * The binary properties uploaded, in order: those the Attachment Allowlist accepted (with the
 * names it gave them), or every binary property when the item has no acceptedFiles list.
 */
export function uploadsOf(acceptedFiles: unknown, binary: IBinaryKeyData): PlannedUpload[] {
	const listing = Array.isArray(acceptedFiles) ? (acceptedFiles as AcceptedFileListing[]) : undefined;
	const keys = listing
		? listing.map((file) => file.binaryKey).filter((key): key is string => typeof key === 'string' && key in binary)
		: Object.keys(binary).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
	return keys.map((binaryKey) => {
		const meta = binary[binaryKey];
		const listed = listing?.find((file) => file.binaryKey === binaryKey);
		return {
			binaryKey,
			name: listed?.name ?? meta.fileName ?? binaryKey,
			mimetype: listed?.mimetype ?? meta.mimeType ?? 'application/octet-stream',
		};
	});
}

/** The `zendesk` output field; optional facts appear only when the upsert reported them. */
export function upsertOutput(result: UpsertResult, ticketUrlOf: (ticketId: number) => string): IDataObject {
	const zendesk: IDataObject = {
		ticketId: result.ticketId,
		ticketUrl: result.ticketId === null ? null : ticketUrlOf(result.ticketId),
		outcome: result.outcome,
		commentId: result.commentId ?? null,
	};
	if (result.followUpSourceId !== undefined) zendesk.followUpSourceId = result.followUpSourceId;
	if (result.dmTicketId !== undefined) zendesk.dmTicketId = result.dmTicketId;
	if (result.coalescedCount !== undefined) zendesk.coalescedCount = result.coalescedCount;
	if (result.reason) zendesk.reason = result.reason;
	if (result.conversationId !== undefined) zendesk.conversationId = result.conversationId;
	if (result.messageIds !== undefined) zendesk.messageIds = result.messageIds;
	return zendesk;
}

/** Links in the output point at the agent UI: the Agent URL Base option, else the credential's address. */
export function agentTicketUrlFor(credentials: IDataObject, agentUrlBase: unknown): (ticketId: number) => string {
	return (ticketId) =>
		agentTicketUrl(
			{
				subdomain: credentials.subdomain as string,
				baseUrl: credentials.baseUrl as string,
				agentUrlBase: agentUrlBase as string,
			},
			ticketId,
		);
}
