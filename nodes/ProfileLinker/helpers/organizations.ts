/**
 * Pure organization policy of the Profile Linker: Slack Connect partners get one Zendesk
 * organization per partner team (keyed by organizationExternalId), internal employees
 * optionally a configured organization.
 */
import type { IDataObject } from 'n8n-workflow';

import { organizationExternalId } from '../../shared/externalIds';

export type PartnerOrganizationPolicy = 'perTeam' | 'none';
export type EmployeeOrganizationPolicy = 'none' | 'fixed';

export interface OrganizationPolicy {
	partners: PartnerOrganizationPolicy;
	employees: EmployeeOrganizationPolicy;
	/** Used when `employees` is 'fixed'. */
	employeeOrganizationId?: number;
}

export type OrganizationPlan =
	| { kind: 'none' }
	| { kind: 'fixed'; organizationId: number }
	| { kind: 'partnerTeam'; teamId: string; externalId: string };

/** Which organization a new profile joins. */
export function planOrganization(isPartner: boolean, teamId: string, policy: OrganizationPolicy): OrganizationPlan {
	if (isPartner) {
		return policy.partners === 'perTeam' && teamId
			? { kind: 'partnerTeam', teamId, externalId: organizationExternalId(teamId) }
			: { kind: 'none' };
	}
	if (
		policy.employees === 'fixed' &&
		policy.employeeOrganizationId !== undefined &&
		policy.employeeOrganizationId > 0
	) {
		return { kind: 'fixed', organizationId: policy.employeeOrganizationId };
	}
	return { kind: 'none' };
}

/** Body of POST /organizations/create_or_update.json; the external id is the match key (name is not). */
export function buildOrganizationUpsertBody(teamId: string, name: string): IDataObject {
	return { organization: { external_id: organizationExternalId(teamId), name } };
}

/**
 * Organization names are unique in Zendesk: when another organization already has the partner's
 * name, retry once with the team id appended so the partner still gets its own organization.
 */
export function disambiguatedOrganizationName(name: string, teamId: string): string {
	return `${name} (Slack ${teamId})`;
}

/** True for Zendesk's 422 answer to a duplicate organization name. */
export function isDuplicateNameError(statusCode: number, body: unknown): boolean {
	if (statusCode !== 422) return false;
	const text = JSON.stringify(body ?? {}).toLowerCase();
	return text.includes('name') && (text.includes('taken') || text.includes('duplicate'));
}
