/** Slack object shapes (users.info user, team.info team, conversation, file, message) from workspace records. */
import type {
	ChannelRecord,
	FileRecord,
	MessageRecord,
	SlackWorkspace,
	TeamRecord,
	TokenRecord,
	UserRecord,
} from './state';
import { filetypeOf } from './state';

const AVATAR = 'https://secure.gravatar.com/avatar/00000000000000000000000000000000.jpg?s=';

export function userObject(ws: SlackWorkspace, user: UserRecord, viewer: TokenRecord): Record<string, unknown> {
	const external = user.teamId !== viewer.teamId;
	const showEmail =
		Boolean(user.email) && !user.emailHidden && viewer.scopes.includes('users:read.email') && !user.isBot;
	const [firstName, ...rest] = user.realName.split(' ');
	const profile: Record<string, unknown> = {
		title: user.title,
		phone: '',
		skype: '',
		real_name: user.realName,
		real_name_normalized: user.realName,
		display_name: user.isBot ? '' : user.name,
		display_name_normalized: user.isBot ? '' : user.name,
		status_text: '',
		status_emoji: '',
		status_expiration: 0,
		avatar_hash: 'g0000000000a',
		first_name: firstName,
		last_name: rest.join(' '),
		image_24: `${AVATAR}24`,
		image_32: `${AVATAR}32`,
		image_48: `${AVATAR}48`,
		image_72: `${AVATAR}72`,
		image_192: `${AVATAR}192`,
		image_512: `${AVATAR}512`,
		status_text_canonical: '',
		team: user.teamId,
	};
	if (showEmail) profile.email = user.email;
	if (user.isBot) {
		profile.bot_id = user.botId;
		profile.api_app_id = user.appId;
		profile.always_active = true;
	}
	const result: Record<string, unknown> = {
		id: user.id,
		team_id: user.teamId,
		name: user.name,
		deleted: user.deleted,
		color: '9f69e7',
		real_name: user.realName,
		tz: user.tz,
		tz_label: 'Central European Time',
		tz_offset: 3600,
		profile,
		is_admin: user.isAdmin,
		is_owner: false,
		is_primary_owner: false,
		is_restricted: false,
		is_ultra_restricted: false,
		is_bot: user.isBot,
		is_app_user: false,
		updated: 1700000000,
		is_email_confirmed: !user.isBot,
		who_can_share_contact_card: 'EVERYONE',
	};
	if (external) {
		result.is_stranger = user.isStranger;
		// Slack does not tell other organisations whether an external user is an admin.
		for (const key of ['is_admin', 'is_owner', 'is_primary_owner', 'is_restricted', 'is_ultra_restricted'])
			delete result[key];
		delete result.tz;
		delete result.tz_label;
		delete result.tz_offset;
	}
	if (ws.teams.get(user.teamId) === undefined) delete result.team_id;
	return result;
}

export function teamObject(team: TeamRecord, viewer: TokenRecord): Record<string, unknown> {
	const base = 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-';
	const result: Record<string, unknown> = {
		id: team.id,
		name: team.name,
		url: `https://${team.domain}.slack.com/`,
		domain: team.domain,
		email_domain: team.id === viewer.teamId ? team.emailDomain : '',
		icon: {
			image_default: true,
			image_34: `${base}34.png`,
			image_44: `${base}44.png`,
			image_68: `${base}68.png`,
			image_88: `${base}88.png`,
			image_102: `${base}102.png`,
			image_132: `${base}132.png`,
			image_230: `${base}230.png`,
		},
		avatar_base_url: 'https://ca.slack-edge.com/',
		is_verified: false,
		lob_sales_home_enabled: false,
	};
	return result;
}

export function conversationObject(
	ws: SlackWorkspace,
	channel: ChannelRecord,
	viewer: TokenRecord,
	options: { numMembers?: boolean } = {},
): Record<string, unknown> {
	const created = channel.created;
	if (channel.kind === 'im') {
		const other = channel.members.find((m) => m !== viewer.userId) ?? channel.members[0];
		return {
			id: channel.id,
			created,
			is_archived: false,
			is_im: true,
			is_org_shared: false,
			context_team_id: viewer.teamId,
			updated: created * 1000,
			user: other,
			is_user_deleted: ws.users.get(other)?.deleted ?? false,
			priority: 0,
		};
	}
	const teams = [...new Set(channel.members.map((m) => ws.users.get(m)?.teamId ?? channel.teamId))];
	const result: Record<string, unknown> = {
		id: channel.id,
		name: channel.name,
		is_channel: channel.kind === 'channel',
		is_group: channel.kind !== 'channel',
		is_im: false,
		is_mpim: channel.kind === 'mpim',
		is_private: channel.kind !== 'channel',
		created,
		is_archived: false,
		is_general: false,
		unlinked: 0,
		name_normalized: channel.name,
		is_shared: channel.isExtShared,
		is_org_shared: false,
		is_pending_ext_shared: false,
		pending_shared: [],
		context_team_id: viewer.teamId,
		updated: created * 1000,
		creator: channel.creator,
		is_ext_shared: channel.isExtShared,
		shared_team_ids: channel.isExtShared ? teams : [channel.teamId],
		pending_connected_team_ids: [],
		is_member: channel.members.includes(viewer.userId),
		last_read: '0000000000.000000',
		topic: { value: channel.topic, creator: '', last_set: 0 },
		purpose: { value: channel.purpose, creator: channel.kind === 'mpim' ? channel.creator : '', last_set: 0 },
		previous_names: [],
	};
	if (channel.isExtShared) result.conversation_host_id = channel.teamId;
	if (options.numMembers) result.num_members = channel.members.length;
	return result;
}

export function fileUrls(
	baseUrl: string,
	file: FileRecord,
): { url_private: string; url_private_download: string; permalink: string } {
	const name = encodeURIComponent(file.name);
	return {
		url_private: `${baseUrl}/files-pri/${file.teamId}-${file.id}/${name}`,
		url_private_download: `${baseUrl}/files-pri/${file.teamId}-${file.id}/download/${name}`,
		permalink: `${baseUrl}/files/${file.ownerId}/${file.id}/${name}`,
	};
}

/** A full file object, as files.info and (outside Slack Connect) file_share events carry it. */
export function fileObject(
	ws: SlackWorkspace,
	baseUrl: string,
	file: FileRecord,
	options: { forEvent?: boolean } = {},
): Record<string, unknown> {
	const { pretty } = filetypeOf(file.mimetype, file.name);
	const shares: Record<string, Record<string, unknown[]>> = {};
	const channels: string[] = [];
	const groups: string[] = [];
	const ims: string[] = [];
	for (const share of file.shares) {
		const channel = ws.channels.get(share.channel);
		const visibility = channel?.kind === 'channel' ? 'public' : 'private';
		shares[visibility] ??= {};
		const entry: Record<string, unknown> = {
			reply_users: [],
			reply_users_count: 0,
			reply_count: 0,
			ts: share.ts,
			team_id: channel?.teamId ?? file.teamId,
			share_user_id: share.userId,
			source: 'UNKNOWN',
		};
		if (channel?.kind === 'channel') entry.channel_name = channel.name;
		if (share.threadTs) entry.thread_ts = share.threadTs;
		(shares[visibility][share.channel] ??= []).push(entry);
		if (channel?.kind === 'im') ims.push(share.channel);
		else if (channel?.kind === 'channel') channels.push(share.channel);
		else groups.push(share.channel);
	}
	const owner = ws.users.get(file.ownerId);
	const object: Record<string, unknown> = {
		id: file.id,
		created: file.created,
		timestamp: file.created,
		name: file.name,
		title: file.title,
		mimetype: file.mimetype,
		filetype: file.filetype,
		pretty_type: pretty,
		user: file.ownerId,
		user_team: owner?.teamId ?? file.teamId,
		editable: false,
		size: file.content.length,
		mode: 'hosted',
		is_external: false,
		external_type: '',
		is_public: channels.length > 0,
		public_url_shared: false,
		display_as_bot: false,
		username: '',
		...fileUrls(baseUrl, file),
		permalink_public: `https://slack-files.com/${file.teamId}-${file.id}-0000000000`,
		is_starred: false,
		shares,
		channels,
		groups,
		ims,
		has_more_shares: false,
		has_rich_preview: false,
		file_access: 'visible',
		media_display_type: 'unknown',
		comments_count: 0,
	};
	// Event payloads carry shares but not the older channels/groups/ims lists (event samples lack them).
	if (options.forEvent) {
		delete object.channels;
		delete object.groups;
		delete object.ims;
	}
	return object;
}

/** The file object a Slack Connect event carries: call files.info to get the rest. */
export function fileStub(file: FileRecord): Record<string, unknown> {
	return {
		id: file.id,
		mode: 'file_access',
		file_access: 'check_file_info',
		created: 0,
		timestamp: 0,
		user: file.ownerId,
		filetype: '',
		editable: false,
	};
}

/** A stored message as the Web API answers it (chat.postMessage's `message`). */
export function messageObject(ws: SlackWorkspace, message: MessageRecord, baseUrl: string): Record<string, unknown> {
	const result: Record<string, unknown> = { type: 'message' };
	if (message.subtype) result.subtype = message.subtype;
	for (const key of [
		'user',
		'bot_id',
		'app_id',
		'text',
		'username',
		'icons',
		'thread_ts',
		'parent_user_id',
		'blocks',
		'attachments',
		'edited',
		'client_msg_id',
		'upload',
		'reply_count',
		'reply_users',
		'latest_reply',
	] as const) {
		if (message[key] !== undefined) result[key] = message[key];
	}
	// A thread's parent carries its replies' summary (objs_message in the Web API spec).
	if (message.reply_users) result.reply_users_count = message.reply_users.length;
	result.ts = message.ts;
	result.team = message.team;
	if (message.bot_id) {
		const bot = [...ws.users.values()].find((u) => u.botId === message.bot_id);
		result.bot_profile = {
			id: message.bot_id,
			deleted: false,
			name: bot?.name ?? 'bot',
			updated: 1700000000,
			app_id: message.app_id ?? bot?.appId ?? '',
			icons: {
				image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png',
				image_48: 'https://a.slack-edge.com/80588/img/plugins/app/bot_48.png',
				image_72: 'https://a.slack-edge.com/80588/img/plugins/app/service_72.png',
			},
			team_id: message.team,
		};
	}
	if (message.files) {
		result.files = message.files
			.map((id) => ws.files.get(id))
			.filter(Boolean)
			.map((f) => fileObject(ws, baseUrl, f!));
	}
	return result;
}
