/** The pickers' pure parts: list shaping, saved values of both node versions, and the node descriptions. */

import { locatorValue } from '../../../../nodes/shared/zendesk/pickers';

const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });

describe('locatorValue', () => {
	it('reads a resource locator (version 2) and a plain value (version 1, expressions) alike', () => {
		expect(locatorValue(rl('360001'))).toBe('360001');
		expect(locatorValue({ mode: 'id', value: '42' })).toBe('42');
		expect(locatorValue('360001')).toBe('360001');
		expect(locatorValue(360001)).toBe(360001);
		expect(locatorValue(undefined)).toBeUndefined();
		expect(locatorValue({ other: 1 })).toEqual({ other: 1 });
	});
});
