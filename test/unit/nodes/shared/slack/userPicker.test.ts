/** The triggers' Handle picker: what users.list shows (slackUserResults), the versioned Handles parameter, and rows saved by the picker. */
import { handlesProperties } from '../../../../../nodes/shared/slack/handleParameters';
import { parseHandleRows } from '../../../../../nodes/shared/slack/identity';
import { slackUserResults } from '../../../../../nodes/shared/slack/userPicker';

describe('slackUserResults', () => {
	const members = [
		{ id: 'U0B', name: 'hr-desk', profile: { display_name: 'HR Desk' } },
		{ id: 'U0A', name: 'erin', real_name: 'Erin Example', profile: { display_name: '', real_name: 'Erin Example' } },
		{ id: 'U0BOT', name: 'it-help', is_bot: true, profile: { real_name: 'IT Help' } },
		{ id: 'USLACKBOT', name: 'slackbot', profile: { real_name: 'Slackbot' } },
		{ id: 'U0GONE', name: 'gone', deleted: true },
	];

	it('lists people and bots by label, never Slackbot or deleted accounts', () => {
		expect(slackUserResults(members)).toEqual([
			{ name: 'Erin Example (@erin)', value: 'U0A' },
			{ name: 'HR Desk (@hr-desk)', value: 'U0B' },
			{ name: 'IT Help (@it-help) · bot', value: 'U0BOT' },
		]);
	});

	it('filters by label or id, ignoring case', () => {
		expect(slackUserResults(members, 'desk').map((r) => r.value)).toEqual(['U0B']);
		expect(slackUserResults(members, 'u0bot').map((r) => r.value)).toEqual(['U0BOT']);
	});
});

describe('the Handles parameter by node version', () => {
	const [legacy, picker] = handlesProperties({ description: 'd', nameDescription: 'n' });
	const userField = (property: typeof legacy) =>
		(
			property.options as Array<{
				values: Array<{ name: string; type: string; modes?: Array<{ typeOptions?: { searchListMethod?: string } }> }>;
			}>
		)[0].values.find((v) => v.name === 'userId')!;

	it('versions 1 and 2 type the ID; version 3 picks it from users.list, or takes an ID', () => {
		expect(legacy.displayOptions).toEqual({ show: { '@version': [1, 2] } });
		expect(userField(legacy).type).toBe('string');
		expect(picker.displayOptions).toEqual({ show: { '@version': [{ _cnd: { gte: 3 } }] } });
		expect(userField(picker).type).toBe('resourceLocator');
		expect(userField(picker).modes?.[0].typeOptions?.searchListMethod).toBe('searchSlackUsers');
	});

	it('reads rows saved by the picker and rows of earlier versions alike', () => {
		expect(
			parseHandleRows([
				{ name: 'HR', userId: { __rl: true, mode: 'list', value: 'U0HR' } },
				{ name: 'IT', userId: 'U0IT' },
				{ name: 'Empty', userId: { __rl: true, mode: 'list', value: '' } },
			]),
		).toEqual([
			{ name: 'HR', userId: 'U0HR' },
			{ name: 'IT', userId: 'U0IT' },
		]);
	});
});
