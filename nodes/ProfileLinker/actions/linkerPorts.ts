import type { TeamInfoResponse, UsersInfoResponse } from '@slack/web-api';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { LinkerPorts } from '../helpers/profileLinking';
import { LinkerState } from '../helpers/profileLinking';
import { UNDESCRIBABLE_TEAM_ERRORS, UNDESCRIBABLE_USER_ERRORS } from '../helpers/slackUsers';
import { callSlack } from '../../shared/transport/slackTransport';
import { upsertPartnerOrganization } from '../transport/organizationsApi';
import {
	addUserIdentity,
	createOrUpdateUser,
	createUser,
	findUsersByEmail,
	findUsersByExternalIds,
	setUserExternalId,
	userEmails,
} from '../transport/usersApi';

/** One per process: links and Slack profiles are cached here for the cache period. */
export const linkerState = new LinkerState();

/** The linker's calls, bound to this execution's credentials. */
export function linkPorts(ctx: IExecuteFunctions, zendeskCredential: string): LinkerPorts {
	return {
		slackUserInfo: async (userId) =>
			(await callSlack(
				ctx,
				'users.info',
				{ user: userId },
				{ allowErrors: UNDESCRIBABLE_USER_ERRORS },
			)) as unknown as UsersInfoResponse,
		slackTeamInfo: async (teamId) =>
			(await callSlack(
				ctx,
				'team.info',
				{ team: teamId },
				{ allowErrors: UNDESCRIBABLE_TEAM_ERRORS },
			)) as unknown as TeamInfoResponse,
		findUsersByExternalIds: async (ids) => await findUsersByExternalIds(ctx, zendeskCredential, ids),
		findUsersByEmail: async (email) => await findUsersByEmail(ctx, zendeskCredential, email),
		userEmails: async (userId) => await userEmails(ctx, zendeskCredential, userId),
		warn: (message) => ctx.logger.warn(`Profile Linker: ${message}`),
		createUser: async (body) => await createUser(ctx, zendeskCredential, body),
		createOrUpdateUser: async (body) => await createOrUpdateUser(ctx, zendeskCredential, body),
		addIdentity: async (userId, body) => await addUserIdentity(ctx, zendeskCredential, userId, body),
		setUserExternalId: async (userId, externalId) =>
			await setUserExternalId(ctx, zendeskCredential, userId, externalId),
		upsertPartnerOrganization: async (teamId, name) =>
			await upsertPartnerOrganization(ctx, zendeskCredential, teamId, name),
	};
}

/** What every operation needs of the execution: the Zendesk credential and its account. */
export interface ZendeskTarget {
	credentialType: string;
	account: string;
}
