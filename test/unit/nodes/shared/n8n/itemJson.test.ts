import {
	fromItemJson,
	hasSlackSender,
	isSlackDmMessageItem,
	toItemJson,
} from '../../../../../nodes/shared/n8n/itemJson';

describe('item JSON', () => {
	it('round-trips a contract object', () => {
		const value = { kind: 'message', user: { id: 'U1' } };
		expect(fromItemJson<typeof value>(toItemJson(value))).toBe(value);
	});

	it('recognises a Slack DM message item', () => {
		expect(isSlackDmMessageItem({ message: { ts: '1.0' }, channel: { id: 'D1' }, teamId: 'T1' })).toBe(true);
		expect(isSlackDmMessageItem({ message: { ts: '1.0' }, channel: { id: 'D1' } })).toBe(false);
		expect(isSlackDmMessageItem({ channel: { id: 'D1' }, teamId: 'T1' })).toBe(false);
		expect(isSlackDmMessageItem(undefined)).toBe(false);
	});

	it('recognises an item naming its Slack sender by user id and a workspace', () => {
		expect(hasSlackSender({ user: { id: 'U1', teamId: 'T1' } })).toBe(true);
		expect(hasSlackSender({ user: { id: 'U1' }, teamId: 'T1' })).toBe(true);
		expect(hasSlackSender({ user: { id: 'U1' } })).toBe(false);
		expect(hasSlackSender({ user: { teamId: 'T1' } })).toBe(false);
		expect(hasSlackSender({})).toBe(false);
	});
});
