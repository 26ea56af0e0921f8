import { apiKeyMatches, apiKeyOf } from '../../../../../nodes/ZendeskReplyTrigger/messaging/apiKey';

describe('apiKeyOf', () => {
	it('reads X-API-Key whatever its case, the first of repeated values, nothing else', () => {
		expect(apiKeyOf({ 'X-API-Key': 'abc' })).toBe('abc');
		expect(apiKeyOf({ 'x-api-key': ['first', 'second'] })).toBe('first');
		expect(apiKeyOf({ authorization: 'abc' })).toBeUndefined();
		expect(apiKeyOf({ 'x-api-key': 42 })).toBeUndefined();
	});
});

describe('apiKeyMatches', () => {
	it('accepts only the stored secret', () => {
		expect(apiKeyMatches('s3cret', 's3cret')).toBe(true);
		expect(apiKeyMatches('s3creT', 's3cret')).toBe(false);
		expect(apiKeyMatches('s3cret ', 's3cret')).toBe(false);
		expect(apiKeyMatches('s3cre', 's3cret')).toBe(false);
		expect(apiKeyMatches('', 's3cret')).toBe(false);
	});

	it('refuses everything while no secret is stored (not activated)', () => {
		expect(apiKeyMatches('', '')).toBe(false);
		expect(apiKeyMatches('x', undefined)).toBe(false);
		expect(apiKeyMatches(undefined, 's3cret')).toBe(false);
	});
});
