/**
 * Trigger condition evaluation, the subset the return path needs
 * (https://developer.zendesk.com/documentation/ticketing/reference-guides/conditions-reference/).
 * Pure: the caller passes the ticket before and after the update.
 */
import { compareStatus } from './search';
import type { Role, TriggerCondition } from './model';

export interface TicketSnapshot {
	id: number;
	status: string;
	priority: string | null;
	type: string | null;
	tags: string[];
	group_id: number | null;
	brand_id: number;
	assignee_id: number | null;
	requester_id: number;
	organization_id: number | null;
	via_id: number;
	custom_fields: Array<{ id: number; value: unknown }>;
}

export interface UpdateContext {
	updateType: 'Create' | 'Change';
	ticket: TicketSnapshot;
	previous: TicketSnapshot | null;
	/** The comment this update added, if any. */
	comment: { public: boolean; author_id: number } | null;
	currentUser: { id: number; role: Role };
	/** Via id of this update (5 = web service/API, 0 = web/agent workspace). */
	currentViaId: number;
}

const FIELD_ALIASES: Record<string, keyof TicketSnapshot> = {
	status: 'status',
	priority: 'priority',
	ticket_type_id: 'type',
	type: 'type',
	group_id: 'group_id',
	brand_id: 'brand_id',
	assignee_id: 'assignee_id',
	requester_id: 'requester_id',
	organization_id: 'organization_id',
	via_id: 'via_id',
};

/** Fields this evaluator understands; others never match (the emulator reports them). */
export function isSupportedCondition(field: string): boolean {
	return (
		field in FIELD_ALIASES ||
		[
			'update_type',
			'comment_is_public',
			'current_via_id',
			'role',
			'current_tags',
			'requester_role',
			'assignee_role',
		].includes(field) ||
		/^ticket_fields_\d+$/.test(field) ||
		field === 'custom_status_id'
	);
}

function str(value: unknown): string {
	return value === null || value === undefined ? '' : String(value);
}

function compareField(op: string, current: unknown, previous: unknown, wanted: unknown, isStatus: boolean): boolean {
	const c = str(current);
	const w = str(wanted);
	switch (op) {
		case 'is':
			return c === w;
		case 'is_not':
			return c !== w;
		case 'less_than':
			return isStatus ? compareStatus(c, '<', w) : Number(c) < Number(w);
		case 'greater_than':
			return isStatus ? compareStatus(c, '>', w) : Number(c) > Number(w);
		case 'changed':
			return previous === undefined || str(previous) !== c;
		case 'not_changed':
			return previous !== undefined && str(previous) === c;
		case 'value':
			return c === w && (previous === undefined || str(previous) !== c);
		case 'value_previous':
			return previous !== undefined && str(previous) === w && str(previous) !== c;
		case 'not_value':
			return c !== w && (previous === undefined || str(previous) !== c);
		case 'not_value_previous':
			return previous !== undefined && str(previous) !== w && str(previous) !== c;
		case 'present':
			return c !== '';
		case 'not_present':
			return c === '';
		default:
			return false;
	}
}

function words(value: unknown): string[] {
	return str(value)
		.split(/\s+/)
		.map((w) => w.trim().toLowerCase())
		.filter(Boolean);
}

function isAgentRole(role: Role): boolean {
	return role === 'agent' || role === 'admin';
}

export function conditionMatches(condition: TriggerCondition, ctx: UpdateContext): boolean {
	const op = condition.operator ?? 'is';
	const value = condition.value;
	const { ticket, previous } = ctx;
	switch (condition.field) {
		case 'update_type':
			return str(value) === ctx.updateType;
		case 'comment_is_public': {
			const v = str(value);
			if (v === 'not_relevant') return true;
			if (v === 'true' || v === 'requester_can_see_comment') return ctx.comment?.public === true;
			if (v === 'false') return ctx.comment !== null && !ctx.comment.public;
			return false;
		}
		case 'current_via_id':
			return compareField(op, ctx.currentViaId, undefined, value, false);
		case 'role': {
			const v = str(value);
			const role = ctx.currentUser.role;
			const matches = v === 'agent' ? isAgentRole(role) : v === 'end_user' ? role === 'end-user' : false;
			return op === 'is_not' ? !matches : matches;
		}
		case 'current_tags': {
			const wanted = words(value);
			const has = (t: string) => ticket.tags.includes(t);
			if (op === 'includes') return wanted.some(has);
			if (op === 'not_includes') return !wanted.some(has);
			return false;
		}
		default:
			break;
	}
	const fieldMatch = /^ticket_fields_(\d+)$/.exec(condition.field);
	if (fieldMatch) {
		const id = Number(fieldMatch[1]);
		const current = ticket.custom_fields.find((f) => f.id === id)?.value;
		const before = previous ? (previous.custom_fields.find((f) => f.id === id)?.value ?? null) : undefined;
		return compareField(op, current, before, value, false);
	}
	const key = FIELD_ALIASES[condition.field];
	if (!key) return false;
	const before = previous ? previous[key] : undefined;
	return compareField(op, ticket[key], before, value, key === 'status');
}

/** Zendesk: every `all` condition must hold, and at least one `any` condition when there are any. */
export function conditionsMatch(
	conditions: { all: TriggerCondition[]; any: TriggerCondition[] },
	ctx: UpdateContext,
): boolean {
	if (!conditions.all.every((c) => conditionMatches(c, ctx))) return false;
	return conditions.any.length === 0 || conditions.any.some((c) => conditionMatches(c, ctx));
}
