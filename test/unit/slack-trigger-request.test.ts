import { DEFAULT_FILTER_OPTIONS } from '../../nodes/shared/slack/classify';
import { memberIds, parseEventBody, scopedDeliveryKeys, triggerFilterOptions } from '../../nodes/shared/slack/triggerRequest';

describe('triggerFilterOptions', () => {
	it('takes the defaults for an empty Options collection', () => {
		expect(triggerFilterOptions({})).toEqual(DEFAULT_FILTER_OPTIONS);
	});

	it('keeps booleans that are set, true and false alike', () => {
		const options = triggerFilterOptions({ includeGroupDms: true, includeEdits: true, ignoreAllBots: false });
		expect(options.includeGroupDms).toBe(true);
		expect(options.includeEdits).toBe(true);
		expect(options.ignoreAllBots).toBe(false);
		expect(options.channelMentions).toBe(DEFAULT_FILTER_OPTIONS.channelMentions);
	});

	it('ignores values that are not booleans (e.g. an unresolved expression string)', () => {
		expect(triggerFilterOptions({ includeThreadReplies: 'true', includeRawEvent: 1 }).includeThreadReplies).toBe(
			DEFAULT_FILTER_OPTIONS.includeThreadReplies,
		);
		expect(triggerFilterOptions({ includeRawEvent: 1 }).includeRawEvent).toBe(DEFAULT_FILTER_OPTIONS.includeRawEvent);
	});

	it('drops options it does not know', () => {
		expect(Object.keys(triggerFilterOptions({ somethingElse: true })).sort()).toEqual(Object.keys(DEFAULT_FILTER_OPTIONS).sort());
	});
});

describe('parseEventBody', () => {
	it('parses a UTF-8 JSON body', () => {
		expect(parseEventBody(Buffer.from('{"type":"url_verification","challenge":"é"}', 'utf8'))).toEqual({
			type: 'url_verification',
			challenge: 'é',
		});
	});

	it('answers undefined for a body that is not JSON', () => {
		expect(parseEventBody(Buffer.from('token=abc&type=event_callback'))).toBeUndefined();
		expect(parseEventBody(Buffer.alloc(0))).toBeUndefined();
	});
});

describe('scopedDeliveryKeys', () => {
	it('prefixes every key with the workflow and node, so two triggers never share a claim', () => {
		expect(scopedDeliveryKeys('wf1', 'node-a', ['e:Ev1', 'm:C1:1.0'])).toEqual(['wf1/node-a|e:Ev1', 'wf1/node-a|m:C1:1.0']);
		expect(scopedDeliveryKeys('wf1', 'node-b', ['e:Ev1'])).not.toEqual(scopedDeliveryKeys('wf1', 'node-a', ['e:Ev1']));
	});

	it('scopes by node alone when the workflow has no id yet (manual test run)', () => {
		expect(scopedDeliveryKeys(undefined, 'node-a', ['e:Ev1'])).toEqual(['/node-a|e:Ev1']);
	});
});

describe('memberIds', () => {
	it('keeps the string ids of a conversations.members answer', () => {
		expect(memberIds(['U1', 42, null, 'U2'])).toEqual(['U1', 'U2']);
	});

	it('answers no members when the list is missing', () => {
		expect(memberIds(undefined)).toEqual([]);
		expect(memberIds({ U1: true })).toEqual([]);
	});
});
