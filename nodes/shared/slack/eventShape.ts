/**
 * Checks that a signed Events API envelope has the field types this package reads, before any
 * of its code touches them: Slack's own events always do, so a field of another type (a `files`
 * that is a string, a `null` in a list, `text` as a number, `authorizations` as an object) makes
 * the whole event unreadable. The trigger answers such an event 200 and ignores it with the
 * reason (Slack must not retry it), and never throws. Fields not named here are not read and not
 * checked; `null` counts as absent for a single value (Slack sends null for optional ids).
 * Field names and types: specs/slack/event-samples and event-wrapper-schema.json.
 */
import { isRecord } from '../values';

const LIST = Symbol('list');
type Kind = 'string' | 'number' | 'boolean' | 'record' | Shape | ListKind;
interface ListKind {
	[LIST]: Kind;
}
interface Shape {
	[field: string]: Kind;
}

function listOf(item: Kind): ListKind {
	return { [LIST]: item };
}

const FILE: Shape = {
	id: 'string',
	name: 'string',
	title: 'string',
	mimetype: 'string',
	filetype: 'string',
	size: 'number',
	url_private: 'string',
	url_private_download: 'string',
	file_access: 'string',
	mode: 'string',
};

const MESSAGE: Shape = {
	type: 'string',
	subtype: 'string',
	user: 'string',
	bot_id: 'string',
	app_id: 'string',
	bot_profile: { id: 'string', app_id: 'string', team_id: 'string' },
	username: 'string',
	text: 'string',
	blocks: listOf('record'),
	files: listOf(FILE),
	ts: 'string',
	thread_ts: 'string',
	parent_user_id: 'string',
	team: 'string',
	user_team: 'string',
	source_team: 'string',
	user_profile: { team: 'string' },
	edited: { user: 'string', ts: 'string' },
};

const EVENT: Shape = {
	...MESSAGE,
	channel: 'string',
	channel_type: 'string',
	event_ts: 'string',
	hidden: 'boolean',
	deleted_ts: 'string',
	message: MESSAGE,
	previous_message: MESSAGE,
};

const ENVELOPE: Shape = {
	token: 'string',
	team_id: 'string',
	enterprise_id: 'string',
	api_app_id: 'string',
	event_id: 'string',
	event_time: 'number',
	authorizations: listOf({
		enterprise_id: 'string',
		team_id: 'string',
		user_id: 'string',
		is_bot: 'boolean',
		is_enterprise_install: 'boolean',
	}),
	authed_users: listOf('string'),
	is_ext_shared_channel: 'boolean',
	event_context: 'string',
};

/** Event types whose fields the classifier reads; other types are dropped without reading them. */
const READ_EVENT_TYPES = new Set(['message', 'app_mention']);

function kindProblem(value: unknown, kind: Kind, path: string): string | undefined {
	if (kind === 'record') return isRecord(value) ? undefined : `${path} is not an object`;
	if (typeof kind === 'string') {
		if (kind === 'number')
			return typeof value === 'number' && Number.isFinite(value) ? undefined : `${path} is not a number`;
		return typeof value === kind ? undefined : `${path} is not a ${kind}`;
	}
	if (LIST in kind) return listProblem(value, (kind as ListKind)[LIST], path);
	return shapeProblem(value, kind as Shape, path);
}

function listProblem(value: unknown, item: Kind, path: string): string | undefined {
	if (!Array.isArray(value)) return `${path} is not a list`;
	for (let i = 0; i < value.length; i++) {
		const problem = kindProblem(value[i], item, `${path}[${i}]`);
		if (problem) return problem;
	}
	return undefined;
}

function shapeProblem(value: unknown, shape: Shape, path: string): string | undefined {
	if (!isRecord(value)) return `${path} is not an object`;
	for (const [field, kind] of Object.entries(shape)) {
		const fieldValue = value[field];
		if (fieldValue === undefined || fieldValue === null) continue;
		const problem = kindProblem(fieldValue, kind, path ? `${path}.${field}` : field);
		if (problem) return problem;
	}
	return undefined;
}

/**
 * The first field of an `event_callback` envelope (and of its event, when it is a message or
 * mention) whose type is not the one Slack sends, as a path such as `event.files[0]`; undefined
 * when every field this package reads is readable.
 */
export function eventShapeProblem(body: Record<string, unknown>): string | undefined {
	const envelopeProblem = shapeProblem(body, ENVELOPE, '');
	if (envelopeProblem) return envelopeProblem;
	const event = body.event;
	if (!isRecord(event)) return 'event is not an object';
	if (!READ_EVENT_TYPES.has(event.type as string)) return undefined;
	return shapeProblem(event, EVENT, 'event');
}
