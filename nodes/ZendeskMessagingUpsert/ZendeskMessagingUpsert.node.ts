import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { slackNameLookup } from '../shared/identity/slackNames';
import type { ProfileLinkFields, SlackDmItem } from '../shared/types';
import { zendeskCredentialType } from '../shared/transport/zendeskTransport';
import { updateLimitConfig } from '../shared/zendesk/coalesce';
import { zendeskAuthenticationProperty, zendeskCredentials } from '../shared/zendesk/nodeParameters';
import type { ParticipantCopyMode, TicketPriority, TicketRouting, TicketType } from '../shared/zendesk/tickets';
import { agentTicketUrl, parseTagList, ticketTags, DEFAULT_SUBJECT_MAX_LENGTH } from '../shared/zendesk/tickets';
import type { UpsertResult } from '../shared/zendesk/ticketsState';
import type { UpsertRequest, UpsertSettings } from '../shared/zendesk/ticketsSupportMode';
import { upsertSupportTicket } from '../shared/zendesk/ticketsSupportMode';
import type { FileToUpload } from '../shared/zendesk/uploads';

/** One strategy per mode: the Sunshine Conversations mode is added here, beside this one. */
const UPSERT_MODES: Record<string, (request: UpsertRequest) => Promise<UpsertResult>> = {
	supportTickets: upsertSupportTicket,
};

function optionalId(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const id = Number(value);
	return Number.isInteger(id) && id > 0 ? id : Number.NaN;
}

interface AcceptedFileListing {
	binaryKey?: string;
	name?: string;
	mimetype?: string;
}

async function filesOf(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<FileToUpload[]> {
	const binary = item.binary ?? {};
	const listing = (item.json as { acceptedFiles?: unknown }).acceptedFiles;
	const keys = Array.isArray(listing)
		? (listing as AcceptedFileListing[]).map((file) => file.binaryKey).filter((key): key is string => typeof key === 'string' && key in binary)
		: Object.keys(binary).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
	const files: FileToUpload[] = [];
	for (const key of keys) {
		const meta = binary[key];
		const listed = Array.isArray(listing) ? (listing as AcceptedFileListing[]).find((file) => file.binaryKey === key) : undefined;
		files.push({
			name: listed?.name ?? meta.fileName ?? key,
			mimetype: listed?.mimetype ?? meta.mimeType ?? 'application/octet-stream',
			data: await ctx.helpers.getBinaryDataBuffer(itemIndex, key),
		});
	}
	return files;
}

export class ZendeskMessagingUpsert implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zendesk Messaging Upsert',
		name: 'zendeskMessagingUpsert',
		icon: { light: 'file:zendesk.svg', dark: 'file:zendesk.dark.svg' },
		subtitle: '={{$parameter["mode"] === "supportTickets" ? "Support ticket" : $parameter["mode"]}}',
		group: ['transform'],
		version: 1,
		description: 'Adds each Slack DM message to its conversation ticket in Zendesk, exactly once',
		defaults: { name: 'Zendesk Messaging Upsert' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: zendeskCredentials,
		properties: [
			zendeskAuthenticationProperty,
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Support Ticket',
						value: 'supportTickets',
						description: 'One ticket per conversation through the Zendesk Support tickets API',
					},
				],
				default: 'supportTickets',
			},
			{
				displayName: 'Requester ID',
				name: 'requesterId',
				type: 'string',
				default: '',
				description: 'Zendesk user ID of the requester. Leave empty to use zendeskUser.ID from the Profile Linker.',
			},
			{
				displayName: 'Subject',
				name: 'subject',
				type: 'string',
				default: '',
				description: 'Subject of a new ticket. Leave empty to use the first line of the message.',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'vip, onboarding',
				description: 'Comma-separated tags for new tickets, added to slack_dm, slack_handle_{handle} and slack_connect (partners)',
			},
			{
				displayName: 'Brand ID',
				name: 'brandId',
				type: 'string',
				default: '',
				description: 'Brand of new tickets (ID). Leave empty for the default brand.',
			},
			{
				displayName: 'Group ID',
				name: 'groupId',
				type: 'string',
				default: '',
				description: 'Group of new tickets (ID). Leave empty to let triggers route.',
			},
			{
				displayName: 'Priority',
				name: 'priority',
				type: 'options',
				options: [
					{ name: 'High', value: 'high' },
					{ name: 'Low', value: 'low' },
					{ name: 'Normal', value: 'normal' },
					{ name: 'Not Set', value: '' },
					{ name: 'Urgent', value: 'urgent' },
				],
				default: '',
			},
			{
				displayName: 'Ticket Type',
				name: 'ticketType',
				type: 'options',
				options: [
					{ name: 'Incident', value: 'incident' },
					{ name: 'Not Set', value: '' },
					{ name: 'Problem', value: 'problem' },
					{ name: 'Question', value: 'question' },
					{ name: 'Task', value: 'task' },
				],
				default: '',
			},
			{
				displayName: 'Custom Fields',
				name: 'customFields',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Custom Field',
				default: {},
				options: [
					{
						displayName: 'Field',
						name: 'field',
						values: [
							{ displayName: 'Field ID', name: 'id', type: 'string', default: '', description: 'ID of the ticket field' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Agent URL Base',
						name: 'agentUrlBase',
						type: 'string',
						default: '',
						placeholder: 'https://acme.zendesk.com',
						description: 'Base of the ticket links in the output. Leave empty for the credential\'s Zendesk address.',
					},
					{
						displayName: 'Collision Protection',
						name: 'safeUpdates',
						type: 'boolean',
						default: true,
						description: 'Whether comments are sent as safe updates, so a copy of the same message sent by another n8n process is noticed',
					},
					{
						displayName: 'Conversation Cache (Minutes)',
						name: 'cacheMinutes',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 60,
						description: 'How long this process remembers the ticket of a conversation. 0 looks it up for every message.',
					},
					{
						displayName: 'Group DM Participants',
						name: 'participantCopies',
						type: 'options',
						options: [
							{
								name: 'Copy as Email CCs',
								value: 'emailCcs',
								description: 'Adds the linked participants (Profile Linker) as CCs on creation and when new ones appear (accounts with CCs and followers)',
							},
							{
								name: 'Copy as Collaborators',
								value: 'collaborators',
								description: 'Adds them as collaborators, for accounts still on legacy CCs',
							},
							{ name: 'Do Not Copy', value: 'off' },
						],
						default: 'emailCcs',
						description: 'How the other people of a group DM are copied on the ticket',
					},
					{
						displayName: 'Subject Fallback',
						name: 'subjectFallback',
						type: 'string',
						default: 'Slack message',
						description: 'Subject when the first message has no text (only files)',
					},
					{
						displayName: 'Subject Max Length',
						name: 'subjectMaxLength',
						type: 'number',
						typeOptions: { minValue: 10 },
						default: DEFAULT_SUBJECT_MAX_LENGTH,
					},
					{
						displayName: 'Ticket Update Limit',
						name: 'updateLimit',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 30,
						description: 'Updates Zendesk allows per user per ticket in the window below. Near it, waiting messages are combined into one comment.',
					},
					{
						displayName: 'Ticket Update Window (Seconds)',
						name: 'updateWindowSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 600,
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];
		const credentialType = zendeskCredentialType(this.getNodeParameter('authentication', 0));
		const credentials = await this.getCredentials(credentialType);

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const input = items[itemIndex];
			try {
				const item = input.json as unknown as SlackDmItem & Partial<ProfileLinkFields>;
				if (!item?.message || !item.channel || !item.teamId) {
					throw new NodeOperationError(this.getNode(), 'The item is not a Slack DM message: connect the Slack DM Trigger output', { itemIndex });
				}
				const mode = this.getNodeParameter('mode', itemIndex) as string;
				const strategy = UPSERT_MODES[mode];
				if (!strategy) throw new NodeOperationError(this.getNode(), `Unknown mode "${mode}"`, { itemIndex });

				const requesterParam = this.getNodeParameter('requesterId', itemIndex, '') as string | number;
				const requesterId = optionalId(requesterParam) ?? optionalId(item.zendeskUser?.id);
				if (Number.isNaN(requesterId)) throw new NodeOperationError(this.getNode(), 'Requester ID must be a Zendesk user ID (a positive integer)', { itemIndex });
				const brandId = optionalId(this.getNodeParameter('brandId', itemIndex, ''));
				const groupId = optionalId(this.getNodeParameter('groupId', itemIndex, ''));
				if (Number.isNaN(brandId) || Number.isNaN(groupId)) {
					throw new NodeOperationError(this.getNode(), 'Brand ID and Group ID must be Zendesk IDs (positive integers)', { itemIndex });
				}
				const customFieldRows = (this.getNodeParameter('customFields.field', itemIndex, []) as Array<{ id: string; value: unknown }>) ?? [];
				const customFields = customFieldRows.map((row) => {
					const id = optionalId(row.id);
					if (id === undefined || Number.isNaN(id)) throw new NodeOperationError(this.getNode(), `Custom field ID "${row.id}" is not a Zendesk field ID`, { itemIndex });
					return { id, value: row.value };
				});
				const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
				const routing: TicketRouting = {
					tags: ticketTags({
						handleName: item.handle?.name ?? '',
						isPartner: Boolean(item.user?.isExternal || item.channel?.isExtShared),
						configured: parseTagList(this.getNodeParameter('tags', itemIndex, '')),
					}),
					brandId,
					groupId,
					priority: (this.getNodeParameter('priority', itemIndex, '') as TicketPriority | '') || undefined,
					type: (this.getNodeParameter('ticketType', itemIndex, '') as TicketType | '') || undefined,
					customFields,
				};
				const settings: UpsertSettings = {
					credentialType,
					routing,
					subjectOverride: String(this.getNodeParameter('subject', itemIndex, '') ?? ''),
					subjectFallback: String(options.subjectFallback ?? 'Slack message'),
					subjectMaxLength: Number(options.subjectMaxLength ?? DEFAULT_SUBJECT_MAX_LENGTH),
					limits: updateLimitConfig(Number(options.updateLimit ?? 30), Number(options.updateWindowSeconds ?? 600)),
					safeUpdates: options.safeUpdates !== false,
					cacheTtlMs: Number(options.cacheMinutes ?? 60) * 60_000,
					participantCopies: (options.participantCopies as ParticipantCopyMode | undefined) ?? 'emailCcs',
				};
				const files = item.kind === 'message' ? await filesOf(this, input, itemIndex) : [];
				const names = slackNameLookup([item.zendeskUser, ...(item.zendeskParticipants ?? [])]);
				const participantIds = (item.zendeskParticipants ?? []).map((participant) => Number(participant?.id));
				const result = await strategy({ ctx: this, itemIndex, item, requesterId, files, settings, names, participantIds });
				const zendesk: IDataObject = {
					ticketId: result.ticketId,
					ticketUrl:
						result.ticketId === null
							? null
							: agentTicketUrl(
									{ subdomain: credentials.subdomain as string, baseUrl: credentials.baseUrl as string, agentUrlBase: options.agentUrlBase as string },
									result.ticketId,
								),
					outcome: result.outcome,
					commentId: result.commentId ?? null,
				};
				if (result.followUpSourceId !== undefined) zendesk.followUpSourceId = result.followUpSourceId;
				if (result.coalescedCount !== undefined) zendesk.coalescedCount = result.coalescedCount;
				if (result.reason) zendesk.reason = result.reason;
				returnData.push({ json: { ...input.json, zendesk }, binary: input.binary, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (this.continueOnFail()) {
					returnData.push({ json: { ...input.json, error: (error as Error).message }, binary: input.binary, pairedItem: { item: itemIndex } });
					continue;
				}
				throw error instanceof NodeApiError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			}
		}
		return [returnData];
	}
}
