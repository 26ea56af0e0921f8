/** nodes/shared/values.ts: the one set of readers for untrusted values. */
import {
	isRecord,
	nonBlankString,
	nonEmptyString,
	recordOrEmpty,
	recordsOf,
	stringsOf,
	textOrNumber,
	trimmedText,
} from '../../../../nodes/shared/values';

describe('value readers', () => {
	it('tell records from arrays, null and scalars', () => {
		expect([{}, [], null, 'x', 1].map(isRecord)).toEqual([true, false, false, false, false]);
		expect(recordOrEmpty([1])).toEqual({});
		expect(recordOrEmpty({ a: 1 })).toEqual({ a: 1 });
	});

	it('read strings strictly: empty, blank, trimmed and numbers', () => {
		expect([nonEmptyString(''), nonEmptyString(' '), nonEmptyString(1)]).toEqual([undefined, ' ', undefined]);
		expect([nonBlankString(' '), nonBlankString(' a ')]).toEqual([undefined, ' a ']);
		expect([trimmedText(' a '), trimmedText('  '), trimmedText(3)]).toEqual(['a', undefined, undefined]);
		expect([textOrNumber(42), textOrNumber(Number.NaN), textOrNumber(' x ')]).toEqual(['42', undefined, 'x']);
	});

	it('keep only the elements of the wanted kind', () => {
		expect(recordsOf([{ a: 1 }, null, 'x', [1]])).toEqual([{ a: 1 }]);
		expect(stringsOf(['a', 1, null])).toEqual(['a']);
		expect(recordsOf('no')).toBeUndefined();
	});
});
