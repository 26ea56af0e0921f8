/**
 * Parts of the Sunshine emulator without HTTP: authentication (Basic, JWT rules), message paging,
 * metadata rules, ids, the webhook retry schedule, and what a message shows in a ticket.
 */

import { messagePage } from '../../../../emulators/sunshine/api';
import { newId } from '../../../../emulators/sunshine/ids';
import type { StoredMessage } from '../../../../emulators/sunshine/store';

describe('messagePage', () => {
	const all = Array.from({ length: 7 }, (_, i) => ({ id: newId(1_700_000_000_000 + i * 1000) }) as StoredMessage);

	it('returns the latest page by default and pages back and forward', () => {
		expect(messagePage(all, {}, 3)).toEqual({ items: all.slice(4), hasMore: true, direction: 'before' });
		expect(messagePage(all, { before: all[4].id }, 3)).toEqual({
			items: all.slice(1, 4),
			hasMore: true,
			direction: 'before',
		});
		expect(messagePage(all, { before: all[1].id }, 3)).toEqual({
			items: all.slice(0, 1),
			hasMore: false,
			direction: 'before',
		});
		expect(messagePage(all, { after: all[0].id }, 3)).toEqual({
			items: all.slice(1, 4),
			hasMore: true,
			direction: 'after',
		});
	});

	it('refuses both cursors at once and malformed cursors', () => {
		expect(() => messagePage(all, { before: all[1].id, after: all[0].id })).toThrow(/Only one/);
		expect(() => messagePage(all, { before: 'x' })).toThrow(/24-character/);
	});
});
