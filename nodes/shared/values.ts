/**
 * Small readers for untrusted values (webhook bodies, API answers): each returns the value when it
 * has the expected type, or undefined. Pure; the bottom of the `nodes/shared` stack.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string, or undefined for anything else (numbers are not strings here). */
export function stringOf(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** A non-empty string: Slack sends `""` for absent ids in places, which counts as absent. */
export function nonEmptyString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A string with something besides white space, as given (not trimmed). */
export function nonBlankString(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A string's trimmed text when it has any. */
export function trimmedText(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** Trimmed text, or a finite number as text (expressions may give numbers, e.g. ids). */
export function textOrNumber(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return trimmedText(value);
}

/** The value when it is a plain object, else an empty one (to read optional fields from). */
export function recordOrEmpty(value: unknown): Record<string, unknown> {
	return isRecord(value) ? value : {};
}

export function booleanOf(value: unknown): boolean | undefined {
	return typeof value === 'boolean' ? value : undefined;
}

export function finiteNumberOf(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The record elements of an array (anything else in it is left out); undefined when not an array. */
export function recordsOf(value: unknown): Array<Record<string, unknown>> | undefined {
	return Array.isArray(value) ? value.filter(isRecord) : undefined;
}

/** The string elements of an array; undefined when not an array. */
export function stringsOf(value: unknown): string[] | undefined {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/**
 * Copies the named fields that hold a value of the wanted kind; the others are left out, so the
 * result's type can be trusted.
 */
export function pickTyped<T extends object>(
	source: Record<string, unknown>,
	fields: { [K in keyof T]?: (value: unknown) => T[K] | undefined },
): T {
	const out: Record<string, unknown> = {};
	for (const [name, read] of Object.entries(fields) as Array<[string, (value: unknown) => unknown]>) {
		if (!(name in source)) continue;
		const value = read(source[name]);
		if (value !== undefined) out[name] = value;
	}
	return out as T;
}

/**
 * The value of a picker parameter, saved either as a resource locator (`{__rl, mode, value}`) or
 * as the plain value earlier node versions saved (and expressions still give).
 */
export function locatorValue(value: unknown): unknown {
	if (value && typeof value === 'object' && 'value' in value && ('__rl' in value || 'mode' in value))
		return (value as { value: unknown }).value;
	return value;
}
