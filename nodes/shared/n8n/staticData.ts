/**
 * How a node writes n8n's workflow static data without harming the workflow's other nodes.
 *
 * n8n saves a workflow's static data whole, and only when a node wrote to it. In queue mode a
 * worker runs an execution without the workflow's static data (n8n 2.x keeps none in the
 * execution's workflow snapshot, `toWorkflowSnapshot`, and a new webhook execution's job asks for
 * no reload), so when a node writes there, the worker's save replaces the workflow's static data by
 * that node's part alone: the triggers' secrets and ledgers of the same workflow are gone
 * (docs/scaling.md, What each process keeps). So a node writes only what changes what is stored:
 * an empty value where nothing is stored is no change, and the same value again is none either.
 * An execution resumed from a wait (its static data not loaded either) writes what it knows, as
 * before. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

function isEmptyValue(value: unknown): boolean {
	if (value === undefined || value === null) return true;
	if (Array.isArray(value)) return value.length === 0;
	return typeof value === 'object' && Object.keys(value).length === 0;
}

/** Whether storing `next` would change what `current` holds (JSON values; empty counts as nothing). */
export function changesStored(current: unknown, next: unknown): boolean {
	if (isEmptyValue(current) && isEmptyValue(next)) return false;
	return JSON.stringify(current) !== JSON.stringify(next);
}

/**
 * Writes `data[key] = value` only when that changes what is stored (see the file comment), or
 * always with `evenIfUnchanged`: an execution resumed from a wait has no static data loaded either
 * (n8n runs it from its own snapshot), so "unchanged" there says nothing about what is stored.
 */
export function writeStaticValue(
	data: IDataObject,
	key: string,
	value: IDataObject | IDataObject[],
	options: { evenIfUnchanged?: boolean } = {},
): boolean {
	if (!options.evenIfUnchanged && !changesStored(data[key], value)) return false;
	data[key] = value;
	return true;
}
