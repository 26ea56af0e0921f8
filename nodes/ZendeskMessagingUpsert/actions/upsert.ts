import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { slackNameLookup } from '../../shared/identity/slackNames';
import { fromItemJson, isSlackDmMessageItem } from '../../shared/n8n/itemJson';
import { NO_AMBIGUOUS_RESEND_POLICY } from '../../shared/transport/retryPolicy';
import { callZendesk } from '../../shared/transport/zendeskTransport';
import type { ProfileLinkFields, RejectedFile, SlackDmItem } from '../../shared/types';
import { needsRefusedFilesNote, refusedFilesNoteHtml } from '../helpers/refusedFilesNote';
import type { FileToUpload } from '../helpers/uploads';
import type { UpsertRequest, UpsertResult, UpsertRunMemo } from '../helpers/upsertRequest';
import type { RoutingParameterValues, UpsertParameterValues } from '../helpers/upsertParameters';
import { agentTicketUrlFor, upsertInputsFrom, upsertOutput, uploadsOf } from '../helpers/upsertParameters';
import { upsertSupportTicket } from '../supportTickets/supportMode';
import { upsertZendeskMessaging } from '../messaging/messagingMode';
import { messagingSettingsOf } from '../messaging/messagingSettings';
import { newUpsertRun } from '../helpers/upsertRequest';
import { zendeskAccount, zendeskAccountKey, zendeskCredentialTypeOfItems } from '../../shared/transport/accounts';
import { credentialData } from '../../shared/n8n/credentialData';
import { MESSAGING_CREDENTIAL_TYPE } from '../../shared/transport/messagingAccount';
import { sunshineAccountKey } from '../../shared/transport/sunshineTransport';
import { DEFAULT_MAX_WAIT_SECONDS, type RetryInfo, waitedOutBefore } from '../../shared/n8n/outageRetry';
import { parksWhenEarlierMissing } from '../lane/earlierGate';

/** One strategy per mode: Support tickets (tickets API) and Zendesk Messaging (Sunshine Conversations). */
const UPSERT_MODES: Record<string, (request: UpsertRequest) => Promise<UpsertResult>> = {
	supportTickets: upsertSupportTicket,
	zendeskMessaging: upsertZendeskMessaging,
};

/** The mode whose credential is Zendesk messaging's (Sunshine Conversations) rather than Zendesk Support's. */
export const MESSAGING_MODE = 'zendeskMessaging';

export interface ZendeskConnection {
	credentialType: string;
	credentials: IDataObject;
	/** zendeskAccountKey: scopes this process's caches to the account and caller. */
	account: string;
	/** This execution's lookups, shared by its items (newUpsertRun). */
	run: UpsertRunMemo;
}

/**
 * The node's connection for this execution: the Zendesk Support credential in the Support Ticket
 * mode, the Zendesk messaging credential (and its app as the account) in the Zendesk Messaging mode.
 */
export async function upsertConnection(ctx: IExecuteFunctions): Promise<ZendeskConnection> {
	if (ctx.getNodeParameter('mode', 0) === MESSAGING_MODE) {
		const credentials = await credentialData(ctx, MESSAGING_CREDENTIAL_TYPE);
		return {
			credentialType: MESSAGING_CREDENTIAL_TYPE,
			credentials,
			account: sunshineAccountKey(credentials),
			run: newUpsertRun(),
		};
	}
	const credentialType = zendeskCredentialTypeOfItems(ctx);
	const { credentials } = await zendeskAccount(ctx, credentialType);
	return {
		credentialType,
		credentials,
		account: zendeskAccountKey(credentialType, credentials),
		run: newUpsertRun(),
	};
}

async function filesOf(ctx: IExecuteFunctions, input: INodeExecutionData, itemIndex: number): Promise<FileToUpload[]> {
	const files: FileToUpload[] = [];
	for (const upload of uploadsOf((input.json as { acceptedFiles?: unknown }).acceptedFiles, input.binary ?? {})) {
		files.push({
			name: upload.name,
			mimetype: upload.mimetype,
			data: await ctx.helpers.getBinaryDataBuffer(itemIndex, upload.binaryKey),
		});
	}
	return files;
}

function parameterValues(ctx: IExecuteFunctions, itemIndex: number): UpsertParameterValues {
	return {
		requesterId: ctx.getNodeParameter('requesterId', itemIndex, ''),
		options: ctx.getNodeParameter('options', itemIndex, {}) as IDataObject,
		subject: ctx.getNodeParameter('subject', itemIndex, ''),
	};
}

function routingValues(ctx: IExecuteFunctions, itemIndex: number): RoutingParameterValues {
	return {
		brandId: ctx.getNodeParameter('brandId', itemIndex, ''),
		groupId: ctx.getNodeParameter('groupId', itemIndex, ''),
		customFields: ctx.getNodeParameter('customFields.field', itemIndex, []) as RoutingParameterValues['customFields'],
		tags: ctx.getNodeParameter('tags', itemIndex, ''),
		priority: ctx.getNodeParameter('priority', itemIndex, '') as string,
		ticketType: ctx.getNodeParameter('ticketType', itemIndex, '') as string,
		handleRoutes: ctx.getNodeParameter('handleRouting.route', itemIndex, []) as RoutingParameterValues['handleRoutes'],
	};
}

/**
 * One message item into its conversation ticket; the item goes on with a `zendesk` field.
 * `outage`: the item's earlier park by this node (outageRunner.ts), if it comes back from one, and
 * the node's longest outage wait.
 */
export async function upsertMessage(
	ctx: IExecuteFunctions,
	input: INodeExecutionData,
	itemIndex: number,
	zendesk: ZendeskConnection,
	outage: { previous?: RetryInfo; maxWaitSeconds?: number } = {},
): Promise<INodeExecutionData> {
	const { previous } = outage;
	if (!isSlackDmMessageItem(input.json)) {
		throw new NodeOperationError(
			ctx.getNode(),
			'The item is not a Slack DM message: connect the Slack DM Trigger output',
			{ itemIndex },
		);
	}
	const item = fromItemJson<SlackDmItem & Partial<ProfileLinkFields>>(input.json);
	const mode = ctx.getNodeParameter('mode', itemIndex) as string;
	const strategy = UPSERT_MODES[mode];
	if (!strategy) throw new NodeOperationError(ctx.getNode(), `Unknown mode "${mode}"`, { itemIndex });

	const values = parameterValues(ctx, itemIndex);
	const inputs = upsertInputsFrom(item, values, zendesk.credentialType, () => routingValues(ctx, itemIndex));
	if (!inputs.ok) throw new NodeOperationError(ctx.getNode(), inputs.problem, { itemIndex });

	const files = item.kind === 'message' ? await filesOf(ctx, input, itemIndex) : [];
	const names = slackNameLookup([item.zendeskUser, ...(item.zendeskParticipants ?? [])]);
	const participantIds = (item.zendeskParticipants ?? []).map((participant) => Number(participant?.id));
	const result = await strategy({
		ctx,
		account: zendesk.account,
		run: zendesk.run,
		itemIndex,
		item,
		requesterId: inputs.requesterId,
		files,
		settings: inputs.settings,
		names,
		participantIds,
		rejectedFiles: Array.isArray(rejectedOf(input)) ? (rejectedOf(input) as RejectedFile[]) : undefined,
		messaging: mode === MESSAGING_MODE ? messagingSettingsOf(values.options) : undefined,
		parkWhenEarlierMissing: parksWhenEarlierMissing(
			{ heldBefore: waitedOutBefore(input.json), previous },
			Date.now(),
			outage.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS,
		),
	});
	const output = upsertOutput(result, agentTicketUrlFor(zendesk.credentials, values.options.agentUrlBase));
	const rejected = rejectedOf(input);
	if (item.kind === 'message' && needsRefusedFilesNote(rejected, result.outcome, result.ticketId)) {
		output.refusedFilesNote = await writeRefusedFilesNote(
			ctx,
			zendesk.credentialType,
			result.ticketId as number,
			rejected,
		);
	}
	return { json: { ...input.json, zendesk: output }, binary: input.binary, pairedItem: { item: itemIndex } };
}

function rejectedOf(input: INodeExecutionData): unknown {
	return (input.json as { rejectedFiles?: unknown }).rejectedFiles;
}

/**
 * The internal note naming the refused files, after the message. At most once (never resent after
 * an unanswered attempt) and never failing the item: the message is in the ticket either way, and
 * the output says whether the note is.
 */
async function writeRefusedFilesNote(
	ctx: IExecuteFunctions,
	credentialType: string,
	ticketId: number,
	rejected: RejectedFile[],
): Promise<IDataObject> {
	try {
		await callZendesk(ctx, credentialType, {
			method: 'PUT',
			path: `/tickets/${ticketId}.json`,
			body: { ticket: { comment: { html_body: refusedFilesNoteHtml(rejected), public: false } } },
			policy: NO_AMBIGUOUS_RESEND_POLICY,
		});
		return { written: true };
	} catch (error) {
		return { written: false, error: (error as Error).message };
	}
}
