import type { TeamInfoResponse, UsersInfoResponse } from '@slack/web-api';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { userExternalId } from '../shared/identity/externalIds';
import type { LinkerPorts, LinkOptions } from '../shared/identity/profileLinking';
import { LinkerState, ProfileLinkError, linkSlackUser } from '../shared/identity/profileLinking';
import { UNDESCRIBABLE_TEAM_ERRORS, UNDESCRIBABLE_USER_ERRORS } from '../shared/slack/users';
import { callSlack, SLACK_CREDENTIAL_TYPE, slackBaseUrl } from '../shared/transport/slackTransport';
import { zendeskBaseUrl, zendeskCredentialType } from '../shared/transport/zendeskTransport';
import type { SlackDmItem } from '../shared/types';
import { zendeskAuthenticationProperty } from '../shared/zendesk/nodeParameters';
import type { EmployeeOrganizationPolicy, PartnerOrganizationPolicy } from '../shared/zendesk/organizations';
import { upsertPartnerOrganization } from '../shared/zendesk/organizationsApi';
import { decideMerge, parseTagList, toLinkedUser, userWithExternalId } from '../shared/zendesk/users';
import {
	addUserIdentity,
	createOrUpdateUser,
	findUsersByEmail,
	findUsersByExternalIds,
	getUser,
	mergeUsers,
	setUserExternalId,
} from '../shared/zendesk/usersApi';

/** One per process: links and Slack profiles are cached here for the cache period. */
const linkerState = new LinkerState();

const MINUTE_MS = 60_000;

function linkPorts(ctx: IExecuteFunctions, zendeskCredential: string): LinkerPorts {
	return {
		slackUserInfo: async (userId) =>
			(await callSlack(ctx, 'users.info', { user: userId }, { allowErrors: UNDESCRIBABLE_USER_ERRORS })) as unknown as UsersInfoResponse,
		slackTeamInfo: async (teamId) =>
			(await callSlack(ctx, 'team.info', { team: teamId }, { allowErrors: UNDESCRIBABLE_TEAM_ERRORS })) as unknown as TeamInfoResponse,
		findUsersByExternalIds: async (ids) => await findUsersByExternalIds(ctx, zendeskCredential, ids),
		findUsersByEmail: async (email) => await findUsersByEmail(ctx, zendeskCredential, email),
		createOrUpdateUser: async (body) => await createOrUpdateUser(ctx, zendeskCredential, body),
		addIdentity: async (userId, body) => await addUserIdentity(ctx, zendeskCredential, userId, body),
		setUserExternalId: async (userId, externalId) => await setUserExternalId(ctx, zendeskCredential, userId, externalId),
		upsertPartnerOrganization: async (teamId, name) => await upsertPartnerOrganization(ctx, zendeskCredential, teamId, name),
	};
}

function userFieldsFrom(raw: unknown): IDataObject {
	const entries = ((raw as { field?: Array<{ key?: string; value?: unknown }> } | undefined)?.field ?? []).filter(
		(entry) => typeof entry.key === 'string' && entry.key.trim() !== '',
	);
	return Object.fromEntries(entries.map((entry) => [String(entry.key).trim(), entry.value ?? null])) as IDataObject;
}

function linkOptionsFrom(options: IDataObject): LinkOptions {
	const cacheMinutes = typeof options.cachePeriod === 'number' ? options.cachePeriod : 60;
	return {
		cacheTtlMs: Math.max(0, cacheMinutes) * MINUTE_MS,
		tags: parseTagList(options.tags as string | undefined),
		userFields: userFieldsFrom(options.userFields),
		organizationPolicy: {
			partners: (options.partnerOrganization as PartnerOrganizationPolicy | undefined) ?? 'perTeam',
			employees: (options.employeeOrganization as EmployeeOrganizationPolicy | undefined) ?? 'none',
			employeeOrganizationId: typeof options.employeeOrganizationId === 'number' ? options.employeeOrganizationId : undefined,
		},
	};
}

function asSlackDmItem(ctx: IExecuteFunctions, json: IDataObject, itemIndex: number): SlackDmItem {
	const item = json as unknown as Partial<SlackDmItem>;
	if (!item.user?.id || !(item.user.teamId || item.teamId)) {
		throw new NodeOperationError(ctx.getNode(), 'The item is not a Slack DM Trigger item: user.id and user.teamId are missing', {
			itemIndex,
			description: 'Connect the Profile Linker after the Slack DM Trigger, or use "Link to Existing Profile" with explicit ids.',
		});
	}
	return item as SlackDmItem;
}

function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof ProfileLinkError) return new NodeOperationError(ctx.getNode(), error.message, { itemIndex });
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

export class ProfileLinker implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Profile Linker',
		name: 'profileLinker',
		icon: { light: 'file:bridge.svg', dark: 'file:bridge.dark.svg' },
		subtitle: '={{$parameter["operation"] === "linkToExisting" ? "Link to Existing Profile" : "Link Slack User"}}',
		group: ['transform'],
		version: 1,
		description: 'Links the Slack user of a DM to the right Zendesk end user, creating the profile and partner organization when needed',
		defaults: { name: 'Profile Linker' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'slackDmApi', required: true, displayOptions: { show: { operation: ['link'] } } },
			{ name: 'zendeskDmApi', required: true, displayOptions: { show: { authentication: ['apiToken'] } } },
			{ name: 'zendeskDmOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		],
		properties: [
			zendeskAuthenticationProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Profile', value: 'profile' }],
				default: 'profile',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['profile'] } },
				options: [
					{
						name: 'Link Slack User',
						value: 'link',
						description: 'Find or create the Zendesk end user of the DM\'s Slack user (and of group DM participants)',
						action: 'Link a slack user to a zendesk user',
					},
					{
						name: 'Link to Existing Profile',
						value: 'linkToExisting',
						description: 'Merge the profile created for a Slack user into an existing Zendesk end user',
						action: 'Link a slack user to an existing zendesk profile',
					},
				],
				default: 'link',
			},
			{
				displayName: 'Slack User ID',
				name: 'slackUserId',
				type: 'string',
				required: true,
				default: '={{ $json.user.id }}',
				displayOptions: { show: { operation: ['linkToExisting'] } },
				description: 'The Slack user whose profile is linked, e.g. U0123ABC',
			},
			{
				displayName: 'Slack Team ID',
				name: 'slackTeamId',
				type: 'string',
				required: true,
				default: '={{ $json.user.teamId }}',
				displayOptions: { show: { operation: ['linkToExisting'] } },
				description: 'The Slack user\'s home workspace, e.g. T0123ABC',
			},
			{
				displayName: 'Existing Zendesk User ID',
				name: 'targetUserId',
				type: 'number',
				required: true,
				default: 0,
				displayOptions: { show: { operation: ['linkToExisting'] } },
				description: 'The end user to keep. Agents and admins are refused.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { operation: ['link'] } },
				options: [
					{
						displayName: 'Cache Period (Minutes)',
						name: 'cachePeriod',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 60,
						description: 'How long a linked user and a Slack profile are remembered in this n8n process. While remembered, a user costs no Slack or Zendesk call. 0 turns the cache off.',
					},
					{
						displayName: 'Employee Organization',
						name: 'employeeOrganization',
						type: 'options',
						options: [
							{ name: 'None', value: 'none', description: 'New employee profiles join no organization' },
							{ name: 'Fixed Organization', value: 'fixed', description: 'New employee profiles join the organization below' },
						],
						default: 'none',
					},
					{
						displayName: 'Employee Organization ID',
						name: 'employeeOrganizationId',
						type: 'number',
						default: 0,
						description: 'Zendesk organization for new profiles of the handle\'s own workspace (with Employee Organization "Fixed Organization")',
					},
					{
						displayName: 'Link Group DM Participants',
						name: 'linkParticipants',
						type: 'boolean',
						default: true,
						description: 'Whether to also link every participant of a group DM (output as zendeskParticipants, e.g. for CCs)',
					},
					{
						displayName: 'Partner Organization',
						name: 'partnerOrganization',
						type: 'options',
						options: [
							{
								name: 'One per Partner Team',
								value: 'perTeam',
								description: 'Slack Connect partners join a Zendesk organization per partner workspace, created on first contact',
							},
							{ name: 'None', value: 'none', description: 'Partner profiles join no organization' },
						],
						default: 'perTeam',
					},
					{
						displayName: 'Tags',
						name: 'tags',
						type: 'string',
						default: '',
						placeholder: 'slack, partner',
						description: 'Comma-separated user tags for profiles this node creates',
					},
					{
						displayName: 'User Fields',
						name: 'userFields',
						type: 'fixedCollection',
						typeOptions: { multipleValues: true },
						default: {},
						placeholder: 'Add User Field',
						description: 'Custom user field values for profiles this node creates',
						options: [
							{
								displayName: 'Field',
								name: 'field',
								values: [
									{ displayName: 'Key', name: 'key', type: 'string', default: '', description: 'The user field key in Zendesk' },
									{ displayName: 'Value', name: 'value', type: 'string', default: '' },
								],
							},
						],
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		const zendeskCredential = zendeskCredentialType(this.getNodeParameter('authentication', 0));
		const zendeskAccount = zendeskBaseUrl(await this.getCredentials(zendeskCredential));
		const out: INodeExecutionData[] = [];

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const input = items[itemIndex];
			try {
				const json =
					operation === 'linkToExisting'
						? await linkToExisting(this, itemIndex, input.json, zendeskCredential, zendeskAccount)
						: await linkItem(this, itemIndex, input.json, zendeskCredential, zendeskAccount);
				out.push({ ...input, json, pairedItem: { item: itemIndex } });
			} catch (error) {
				const nodeError = toNodeError(this, error, itemIndex);
				if (!this.continueOnFail()) throw nodeError;
				out.push({ ...input, json: { ...input.json, error: nodeError.message }, pairedItem: { item: itemIndex } });
			}
		}
		return [out];
	}
}

async function linkItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
	zendeskCredential: string,
	zendeskAccount: string,
): Promise<IDataObject> {
	const item = asSlackDmItem(ctx, json, itemIndex);
	const rawOptions = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const options = linkOptionsFrom(rawOptions);
	const slackAccount = slackBaseUrl(await ctx.getCredentials(SLACK_CREDENTIAL_TYPE));
	const ports = linkPorts(ctx, zendeskCredential);
	const handleTeamId = item.handle?.teamId || item.teamId || item.user.teamId;
	const base = { zendeskAccount, slackAccount, handleTeamId, handleEnterpriseId: item.enterpriseId };

	const zendeskUser = await linkSlackUser(
		linkerState,
		ports,
		{ ...base, userId: item.user.id, teamId: item.user.teamId || item.teamId, markedExternal: item.user.isExternal },
		options,
	);
	const result: IDataObject = { ...json, zendeskUser: zendeskUser as unknown as IDataObject };

	const participants = (item.channel?.participants ?? []).filter((id) => id !== item.user.id && id !== item.handle?.userId);
	if (rawOptions.linkParticipants !== false && participants.length > 0) {
		const linked = [];
		// One at a time: create_or_update user is limited to 1 request per second per account.
		for (const userId of participants) linked.push(await linkSlackUser(linkerState, ports, { ...base, userId }, options));
		result.zendeskParticipants = linked as unknown as IDataObject[];
	}
	return result;
}

async function linkToExisting(
	ctx: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
	zendeskCredential: string,
	zendeskAccount: string,
): Promise<IDataObject> {
	const slackUserId = String(ctx.getNodeParameter('slackUserId', itemIndex)).trim();
	const slackTeamId = String(ctx.getNodeParameter('slackTeamId', itemIndex)).trim();
	const targetUserId = Number(ctx.getNodeParameter('targetUserId', itemIndex));
	if (!slackUserId || !slackTeamId || !(targetUserId > 0)) {
		throw new NodeOperationError(ctx.getNode(), 'Slack User ID, Slack Team ID and Existing Zendesk User ID are all required', { itemIndex });
	}
	const externalId = userExternalId(slackTeamId, slackUserId);
	const source = userWithExternalId(await findUsersByExternalIds(ctx, zendeskCredential, [externalId]), externalId);
	const target = await getUser(ctx, zendeskCredential, targetUserId);
	const decision = decideMerge(source, target, externalId);
	if (decision.action === 'refuse') throw new NodeOperationError(ctx.getNode(), decision.reason, { itemIndex });

	let kept = target!;
	if (decision.action === 'merge') kept = await mergeUsers(ctx, zendeskCredential, decision.sourceId, decision.targetId);
	if (decision.action !== 'nothing' && decision.setExternalIdOnTarget) {
		kept = await setUserExternalId(ctx, zendeskCredential, decision.targetId, externalId);
	}
	linkerState.forgetLink(zendeskAccount, externalId);
	return {
		...json,
		zendeskUser: toLinkedUser(kept, externalId, 'externalId') as unknown as IDataObject,
		profileLink: {
			action: decision.action,
			mergedUserId: decision.action === 'merge' ? decision.sourceId : null,
			targetUserId: decision.targetId,
		} as JsonObject,
	};
}
