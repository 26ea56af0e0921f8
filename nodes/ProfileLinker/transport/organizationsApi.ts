/** Zendesk organization endpoint the Profile Linker calls, through callZendesk. */
import type { HttpContext } from '../../shared/transport/http';
import { callZendesk, zendeskErrorMessage } from '../../shared/transport/zendeskTransport';
import {
	buildOrganizationUpsertBody,
	disambiguatedOrganizationName,
	isDuplicateNameError,
} from '../helpers/organizations';

interface OrganizationBody {
	organization?: { id?: number };
}

/**
 * POST /organizations/create_or_update.json keyed by the partner team's external id. When the
 * name belongs to another organization (422), retries once with the team id in the name.
 */
export async function upsertPartnerOrganization(
	ctx: HttpContext,
	credentialType: string,
	teamId: string,
	name: string,
): Promise<number> {
	for (const candidate of [name, disambiguatedOrganizationName(name, teamId)]) {
		const result = await callZendesk<OrganizationBody>(ctx, credentialType, {
			method: 'POST',
			path: '/organizations/create_or_update.json',
			body: buildOrganizationUpsertBody(teamId, candidate),
			acceptStatuses: [422],
		});
		const id = result.body?.organization?.id;
		if (result.statusCode < 300 && typeof id === 'number') return id;
		if (!isDuplicateNameError(result.statusCode, result.body)) {
			throw new Error(`Zendesk refused the organization for Slack team ${teamId}: ${zendeskErrorMessage(result.body)}`);
		}
	}
	throw new Error(`Zendesk refused both names for the organization of Slack team ${teamId}`);
}
