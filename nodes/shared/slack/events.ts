import { isRecord, nonEmptyString } from '../values';
import { eventShapeProblem } from './eventShape';

/**
 * The parts of Slack's Events API envelope and message events this package reads.
 * Every field is optional: payloads are untrusted input until the classifier has checked them.
 */

export interface SlackEventFile {
	id?: string;
	name?: string;
	title?: string;
	mimetype?: string;
	filetype?: string;
	size?: number;
	url_private?: string;
	url_private_download?: string;
	/** `check_file_info` marks a Slack Connect stub whose details need files.info. */
	file_access?: string;
	mode?: string;
}

export interface SlackMessageFields {
	type?: string;
	subtype?: string;
	user?: string;
	bot_id?: string;
	app_id?: string;
	bot_profile?: { id?: string; app_id?: string; team_id?: string };
	username?: string;
	text?: string;
	blocks?: unknown[];
	files?: SlackEventFile[];
	ts?: string;
	thread_ts?: string;
	/** Set on thread replies only: the author of the thread's first message. */
	parent_user_id?: string;
	team?: string;
	user_team?: string;
	source_team?: string;
	user_profile?: { team?: string };
	edited?: { user?: string; ts?: string };
}

export interface SlackEvent extends SlackMessageFields {
	channel?: string;
	channel_type?: string;
	event_ts?: string;
	hidden?: boolean;
	/** message_changed: the message after the change. */
	message?: SlackMessageFields;
	/** message_changed / message_deleted: the message before. */
	previous_message?: SlackMessageFields;
	/** message_deleted: ts of the deleted message. */
	deleted_ts?: string;
}

export interface SlackAuthorization {
	enterprise_id?: string | null;
	team_id?: string | null;
	user_id?: string;
	is_bot?: boolean;
	is_enterprise_install?: boolean;
}

export interface SlackEventCallback {
	type: 'event_callback';
	token?: string;
	team_id?: string;
	enterprise_id?: string | null;
	api_app_id?: string;
	event: SlackEvent;
	event_id: string;
	event_time?: number;
	authorizations?: SlackAuthorization[];
	authed_users?: string[];
	is_ext_shared_channel?: boolean;
	event_context?: string;
}

export type EnvelopeClassification =
	| { kind: 'urlVerification'; challenge: string }
	| { kind: 'rateLimited'; teamId?: string; appId?: string; minuteRateLimited?: number }
	| { kind: 'eventCallback'; envelope: SlackEventCallback }
	/** Signed and an event, but a field this package reads has another type than Slack sends (eventShape.ts). */
	| { kind: 'unreadable'; eventId?: string; field: string }
	| { kind: 'invalid'; reason: 'notAnObject' | 'missingChallenge' | 'missingEvent' | 'unsupportedEnvelope' };

/** First look at a verified request body: which kind of Events API request is it? */
export function classifyEnvelope(body: unknown): EnvelopeClassification {
	if (!isRecord(body)) return { kind: 'invalid', reason: 'notAnObject' };
	switch (body.type) {
		case 'url_verification':
			return typeof body.challenge === 'string' && body.challenge !== ''
				? { kind: 'urlVerification', challenge: body.challenge }
				: { kind: 'invalid', reason: 'missingChallenge' };
		case 'app_rate_limited':
			return {
				kind: 'rateLimited',
				teamId: typeof body.team_id === 'string' ? body.team_id : undefined,
				appId: typeof body.api_app_id === 'string' ? body.api_app_id : undefined,
				minuteRateLimited: typeof body.minute_rate_limited === 'number' ? body.minute_rate_limited : undefined,
			};
		case 'event_callback':
			if (!isRecord(body.event) || typeof body.event_id !== 'string' || body.event_id === '') {
				return { kind: 'invalid', reason: 'missingEvent' };
			}
			{
				const field = eventShapeProblem(body);
				if (field) return { kind: 'unreadable', eventId: body.event_id, field };
			}
			return { kind: 'eventCallback', envelope: body as unknown as SlackEventCallback };
		default:
			return { kind: 'invalid', reason: 'unsupportedEnvelope' };
	}
}

/** Blank strings in payloads (Slack sends `""` for absent ids in places) count as absent. */
export const present = nonEmptyString;
