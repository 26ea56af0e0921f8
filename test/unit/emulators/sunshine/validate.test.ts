/**
 * Parts of the Sunshine emulator without HTTP: authentication (Basic, JWT rules), message paging,
 * metadata rules, ids, the webhook retry schedule, and what a message shows in a ticket.
 */

import { textOf } from '../../../../emulators/sunshine/agentWorkspace';
import { newId } from '../../../../emulators/sunshine/ids';
import type { StoredMessage } from '../../../../emulators/sunshine/store';
import { metadataOf } from '../../../../emulators/sunshine/validate';
import { MAX_ATTEMPTS, NON_RECOVERABLE, RETRY_INTERVALS_MS } from '../../../../emulators/sunshine/webhooks';

describe('rules', () => {
	it('ids are 24 hex characters and sort in creation order', () => {
		const ids = [newId(1000), newId(1000), newId(5000)];
		expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
		expect([...ids].sort()).toEqual(ids);
	});

	it('metadata is flat, of strings, numbers and booleans, at most 4 KB', () => {
		expect(metadataOf({ a: 'x', b: 1, c: false })).toEqual({ a: 'x', b: 1, c: false });
		expect(metadataOf(undefined)).toBeNull();
		expect(() => metadataOf({ a: null })).toThrow(/flat/);
		expect(() => metadataOf({ a: [1] })).toThrow(/flat/);
		expect(() => metadataOf(['x'])).toThrow(/object/);
		expect(() => metadataOf({ a: 'é'.repeat(2100) })).toThrow(/4KB/);
	});

	it('webhook retries: 5 attempts over 15 minutes, growing intervals, the documented final statuses', () => {
		expect(MAX_ATTEMPTS).toBe(5);
		expect(RETRY_INTERVALS_MS).toHaveLength(MAX_ATTEMPTS - 1);
		expect(RETRY_INTERVALS_MS.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(15 * 60_000);
		for (let i = 1; i < RETRY_INTERVALS_MS.length; i++)
			expect(RETRY_INTERVALS_MS[i]).toBeGreaterThan(RETRY_INTERVALS_MS[i - 1]);
		expect(NON_RECOVERABLE).toEqual([400, 401, 403, 404, 406]);
	});

	it('a message shows in a ticket as its text, a file as text and link', () => {
		const m = (content: Record<string, unknown>) => ({ content }) as StoredMessage;
		expect(textOf(m({ type: 'text', text: 'hi' }))).toBe('hi');
		expect(textOf(m({ type: 'file', mediaUrl: 'https://x/f.pdf', text: 'see' }))).toBe('see\nhttps://x/f.pdf');
		expect(textOf(m({ type: 'carousel', items: [] }))).toBe('[carousel]');
	});
});
