import { ObservableObject, type IDataObject } from 'n8n-workflow';

import { changesStored, writeStaticValue } from '../../../../../nodes/shared/n8n/staticData';

/** A workflow's static data as n8n's Workflow keeps it, with a node's part as getStaticData('node') makes it. */
function workflowStaticData(stored: IDataObject = {}) {
	const root = ObservableObject.create(stored, undefined, { ignoreEmptyOnFirstChild: true });
	if (root['node:Slack DM Reply'] === undefined)
		root['node:Slack DM Reply'] = ObservableObject.create({}, root as Parameters<typeof ObservableObject.create>[1]);
	return { root: root as IDataObject & { __dataChanged?: boolean }, node: root['node:Slack DM Reply'] as IDataObject };
}

describe('writing workflow static data only when it changes what is stored', () => {
	it('an empty ledger where nothing is stored marks nothing changed (a queue-mode worker then saves nothing)', () => {
		const { root, node } = workflowStaticData();
		expect(writeStaticValue(node, 'parkedMessages', {})).toBe(false);
		expect(root.__dataChanged).not.toBe(true);
	});

	it('the same value again marks nothing changed', () => {
		const stored = { 'node:Slack DM Reply': { parkedMessages: { D1: [['k', 1, 2]] } } };
		const { root, node } = workflowStaticData(stored as unknown as IDataObject);
		expect(writeStaticValue(node, 'parkedMessages', { D1: [['k', 1, 2]] } as unknown as IDataObject)).toBe(false);
		expect(root.__dataChanged).not.toBe(true);
	});

	it('a new value, or emptying a stored one, is written and marks the workflow changed', () => {
		const { root, node } = workflowStaticData();
		expect(writeStaticValue(node, 'parkedMessages', { D1: [['k', 1, 2]] } as unknown as IDataObject)).toBe(true);
		expect(root.__dataChanged).toBe(true);
		expect(writeStaticValue(node, 'parkedMessages', {})).toBe(true);
		expect(node.parkedMessages).toEqual({});
	});

	it('treats undefined, null, {} and [] as nothing stored', () => {
		expect(changesStored(undefined, {})).toBe(false);
		expect(changesStored(null, [])).toBe(false);
		expect(changesStored({}, undefined)).toBe(false);
		expect(changesStored(undefined, { a: 1 })).toBe(true);
		expect(changesStored({ a: 1 }, { a: 2 })).toBe(true);
	});
});
