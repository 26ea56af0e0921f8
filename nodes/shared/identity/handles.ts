/**
 * The Slack handles a trigger is configured with ("Handles" rows: name → Slack user id) and the
 * Zendesk tag that records which handle a ticket belongs to. Pure.
 *
 * Both triggers read their rows with parseHandleRows: the Slack DM Trigger names the handle in
 * its items, the Upsert turns that name into the ticket's handle tag, and the Zendesk Reply
 * Trigger finds the row again from that tag. With one rule on both sides, one configuration
 * names the same handle on the way in and on the way back.
 */
import type { HandleConfig } from '../slack/identity';
import { tagSlug } from '../zendesk/tags';
import { textOrNumber } from '../values';

/** Prefix of the ticket tag naming a handle; the rest is the handle name's tag slug. */
export const HANDLE_TAG_PREFIX = 'slack_handle_';

/** A parameter value as text: expressions may give numbers; anything else counts as empty. */
function text(value: unknown): string {
	return textOrNumber(value) ?? '';
}

/**
 * The configured handles, in order. A row without a user id is not a handle (no trigger can
 * answer for it or route to it) and is ignored, as is a repeated user id. A row without a name
 * is named after its user id, so routing (Switch on handle.name) and the ticket tag never see an
 * empty name.
 */
export function parseHandleRows(rows: ReadonlyArray<Partial<Record<keyof HandleConfig, unknown>>> | undefined): HandleConfig[] {
	const handles: HandleConfig[] = [];
	for (const row of rows ?? []) {
		const userId = text(row?.userId);
		if (!userId || handles.some((handle) => handle.userId === userId)) continue;
		handles.push({ userId, name: text(row?.name) || userId });
	}
	return handles;
}

/** The ticket tag of a handle name ("HR & People" → "slack_handle_hr_people"); undefined when no tag-safe character is left. */
export function handleTag(name: string): string | undefined {
	const slug = tagSlug(name);
	return slug ? `${HANDLE_TAG_PREFIX}${slug}` : undefined;
}

/** The slug a handle tag carries ("slack_handle_it" → "it"); undefined for any other tag. */
export function handleSlugOfTag(tag: unknown): string | undefined {
	if (typeof tag !== 'string' || !tag.startsWith(HANDLE_TAG_PREFIX)) return undefined;
	const slug = tag.slice(HANDLE_TAG_PREFIX.length);
	return slug === '' ? undefined : slug;
}
