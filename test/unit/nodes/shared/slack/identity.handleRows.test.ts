/**
 * One "Handles" configuration, entered in both triggers, must name the same handle on the way in
 * (Slack DM Trigger → the Upsert's slack_handle_ tag) and on the way back (the tag → Zendesk Reply
 * Trigger), or the Switch on handle.name sends the agent's reply through the wrong credential.
 */
import { FIXTURE_IDS as F } from '../../../../../emulators/slack/fixtures';
import type { SelfIdentity } from '../../../../../nodes/shared/slack/identity';
import { parseHandleRows, resolveHandles } from '../../../../../nodes/shared/slack/identity';

const self: SelfIdentity = { userId: F.handleUserId, userName: 'it-help', teamId: F.teamId };

describe('parseHandleRows (both triggers)', () => {
	it('trims, names a nameless row after its user id, and ignores rows without a user id and repeated ids', () => {
		expect(
			parseHandleRows([
				{ name: ' IT ', userId: ' U1 ' },
				{ name: '', userId: 'U2' },
				{ name: 'HR', userId: '  ' },
				{ name: 'dup', userId: 'U1' },
				{ userId: 'U3' },
			]),
		).toEqual([
			{ name: 'IT', userId: 'U1' },
			{ name: 'U2', userId: 'U2' },
			{ name: 'U3', userId: 'U3' },
		]);
		expect(parseHandleRows(undefined)).toEqual([]);
	});

	it('takes numbers from expressions as text and ignores other values', () => {
		expect(
			parseHandleRows([
				{ name: 42, userId: 'U1' },
				{ name: 'x', userId: { id: 'U2' } },
			]),
		).toEqual([{ name: '42', userId: 'U1' }]);
	});

	it('the Slack DM Trigger falls back to its own identity only when no row is a handle', () => {
		expect(resolveHandles([{ name: 'HR', userId: '' }], self)).toEqual([{ userId: F.handleUserId, name: 'it-help' }]);
	});
});
