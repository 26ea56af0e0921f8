/**
 * What Slack tells us about a user (users.info) and a team (team.info), reduced to the facts
 * the Profile Linker needs. Pure: the node calls Slack and hands the answers in.
 */
import type { TeamInfoResponse, UsersInfoResponse } from '@slack/web-api';

/** Slack errors after which we still build a profile from what the event told us. */
export const UNDESCRIBABLE_USER_ERRORS = ['user_not_found', 'user_not_visible'];

/** team.info errors after which a partner organization gets a fallback name. */
export const UNDESCRIBABLE_TEAM_ERRORS = [
	'team_not_found',
	'missing_scope',
	'team_access_not_granted',
	'not_allowed_token_type',
];

export interface SlackUserFacts {
	userId: string;
	teamId: string;
	name: string;
	/** Only when Slack shows it (users:read.email, and not hidden for Slack Connect strangers). */
	email?: string;
	/** Slack Connect user from another organisation Slack describes only partially. */
	isStranger: boolean;
	isBot: boolean;
	deleted: boolean;
	/** Enterprise Grid org of the user, when Slack says. */
	enterpriseId?: string;
	/** False when Slack refused to describe the user (user_not_found / user_not_visible). */
	described: boolean;
	/** Slack's error code when it refused. */
	slackError?: string;
}

function nonEmpty(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function plausibleEmail(value: unknown): string | undefined {
	const email = nonEmpty(value);
	return email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email.toLowerCase() : undefined;
}

/**
 * Facts from a users.info answer. `known` is what the event said (user id, team id); it fills
 * whatever Slack does not tell, so a user Slack refuses to describe still gets a profile.
 */
export function slackUserFacts(
	response: UsersInfoResponse | undefined,
	known: { userId: string; teamId: string },
): SlackUserFacts {
	const user = response?.ok ? response.user : undefined;
	if (!user) {
		return {
			userId: known.userId,
			teamId: known.teamId,
			name: fallbackUserName(known.userId),
			isStranger: false,
			isBot: false,
			deleted: false,
			described: false,
			slackError: response?.error,
		};
	}
	const profile = user.profile ?? {};
	const name =
		nonEmpty(profile.real_name) ??
		nonEmpty(user.real_name) ??
		nonEmpty(profile.display_name) ??
		nonEmpty(user.name) ??
		fallbackUserName(known.userId);
	return {
		userId: nonEmpty(user.id) ?? known.userId,
		teamId: nonEmpty(user.team_id) ?? nonEmpty(profile.team) ?? known.teamId,
		name,
		email: plausibleEmail(profile.email),
		isStranger: user.is_stranger === true,
		isBot: user.is_bot === true,
		deleted: user.deleted === true,
		enterpriseId: nonEmpty(user.enterprise_user?.enterprise_id),
		described: true,
	};
}

export function fallbackUserName(userId: string): string {
	return `Slack user ${userId}`;
}

export function fallbackTeamName(teamId: string): string {
	return `Slack team ${teamId}`;
}

/** The partner team's name from team.info, or a fallback naming the team id. */
export function slackTeamName(response: TeamInfoResponse | undefined, teamId: string): string {
	const team = response?.ok ? response.team : undefined;
	if (team && (!team.id || team.id === teamId)) {
		const name = nonEmpty(team.name);
		if (name) return name;
	}
	return fallbackTeamName(teamId);
}

/**
 * True for a Slack Connect partner: Slack calls them a stranger, or their home team is another
 * workspace outside the handle's Enterprise Grid org, or (when users.info cannot tell) the
 * trigger marked them external. users.info naming the handle's own Grid org wins over the
 * trigger's mark: a message event does not say which org a team belongs to, users.info does.
 */
export function isPartnerUser(
	facts: Pick<SlackUserFacts, 'teamId' | 'isStranger' | 'enterpriseId'>,
	handle: { teamId: string; enterpriseId?: string; markedExternal?: boolean },
): boolean {
	if (facts.isStranger) return true;
	const sameGrid = Boolean(handle.enterpriseId) && facts.enterpriseId === handle.enterpriseId;
	if (sameGrid) return false;
	if (handle.markedExternal) return true;
	if (!facts.teamId || facts.teamId === handle.teamId) return false;
	return true;
}
