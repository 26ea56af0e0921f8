/**
 * Fields of a message event as the trigger's item holds them: its files and who wrote it. Pure.
 */
import type { SlackFileRef } from '../../shared/types';
import type { SlackEventCallback, SlackEventFile, SlackMessageFields } from '../../shared/slack/events';
import { present } from '../../shared/slack/events';
import type { SelfIdentity } from '../../shared/slack/identity';

/** File modes that carry no file any more. */
const GONE_FILE_MODES = new Set(['tombstone', 'hidden_by_limit']);

/** `size` of a file whose event gave none: unknown, not empty (the download finds out). */
export const UNKNOWN_FILE_SIZE = -1;

export function fileRefs(files: SlackEventFile[] | undefined): SlackFileRef[] {
	return (files ?? [])
		.filter((f) => present(f.id) && !GONE_FILE_MODES.has(f.mode ?? ''))
		.map((f) => ({
			id: f.id as string,
			name: present(f.name) ?? present(f.title) ?? (f.id as string),
			mimetype: f.mimetype ?? '',
			filetype: f.filetype ?? '',
			size: typeof f.size === 'number' && Number.isFinite(f.size) && f.size >= 0 ? f.size : UNKNOWN_FILE_SIZE,
			downloadUrl: present(f.url_private_download) ?? present(f.url_private) ?? '',
			isSlackConnectStub: f.file_access === 'check_file_info',
		}));
}

/**
 * Whether the sender is a Slack Connect partner, as far as the event can tell. Another team
 * than ours is external, except inside an Enterprise Grid org: there a colleague from another
 * workspace of the same org has another team id too, and a message event does not say which org
 * the sender's team belongs to. So in Grid a foreign team counts as external only when Slack
 * marks the conversation as shared with another organisation (`is_ext_shared_channel`). The
 * Profile Linker refines this with users.info (is_stranger, enterprise_user.enterprise_id).
 */
export function isExternalUser(
	userTeam: string,
	envelope: Pick<SlackEventCallback, 'enterprise_id' | 'authorizations' | 'is_ext_shared_channel'>,
	self: Pick<SelfIdentity, 'teamId' | 'enterpriseId'>,
): boolean {
	const ourTeams = new Set([
		self.teamId,
		...(envelope.authorizations ?? []).map((a) => present(a.team_id ?? undefined)),
	]);
	if (ourTeams.has(userTeam)) return false;
	const inGrid =
		present(envelope.enterprise_id ?? undefined) !== undefined ||
		self.enterpriseId !== undefined ||
		(envelope.authorizations ?? []).some((a) => present(a.enterprise_id ?? undefined) !== undefined);
	return inGrid ? envelope.is_ext_shared_channel === true : true;
}

export function userTeamOf(message: SlackMessageFields): string | undefined {
	return (
		present(message.user_team) ??
		present(message.team) ??
		present(message.user_profile?.team) ??
		present(message.source_team)
	);
}
