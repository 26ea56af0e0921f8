import { nextPageRequest, nextPath, splitPath } from '../../../../../nodes/ZendeskReplyTrigger/helpers/pagination';
import {
	deliveryClaimKey,
	forgetSetup,
	rememberSetup,
} from '../../../../../nodes/ZendeskReplyTrigger/helpers/returnPathSetup';
import type { ReturnPathStaticData } from '../../../../../nodes/ZendeskReplyTrigger/helpers/webhooks';

describe('Zendesk pagination', () => {
	it('takes the path below /api/v2 of an offset or cursor next link', () => {
		expect(nextPath('https://acme.zendesk.com/api/v2/triggers.json?page=2&per_page=100')).toBe(
			'/triggers.json?page=2&per_page=100',
		);
		expect(nextPath('http://127.0.0.1:4000/api/v2/webhooks?page[after]=abc')).toBe('/webhooks?page[after]=abc');
	});

	it('has no next path for a missing link or one outside the API', () => {
		expect(nextPath(null)).toBeUndefined();
		expect(nextPath('')).toBeUndefined();
		expect(nextPath(42)).toBeUndefined();
		expect(nextPath('https://acme.zendesk.com/agent/tickets/1')).toBeUndefined();
	});

	it('splits the query string into decoded parameters', () => {
		expect(splitPath('/webhooks?filter%5Bname_contains%5D=n8n&page%5Bafter%5D=x%3D')).toEqual({
			path: '/webhooks',
			qs: { 'filter[name_contains]': 'n8n', 'page[after]': 'x=' },
		});
		expect(splitPath('/triggers.json')).toEqual({ path: '/triggers.json', qs: {} });
	});

	it('answers the next page request, or none on the last page', () => {
		expect(nextPageRequest('https://acme.zendesk.com/api/v2/tickets/1/comments.json?page=3')).toEqual({
			path: '/tickets/1/comments.json',
			qs: { page: '3' },
		});
		expect(nextPageRequest(null)).toBeUndefined();
	});
});

describe('return path static data', () => {
	const owned = {
		webhookId: 'W1',
		triggerId: 7,
		signingSecret: 'secret',
		endpoint: 'https://n8n/webhook/x',
		name: 'n8n-dm wf/node',
	};

	it('remembers the objects and forgets them again, keeping the delivered comment ids', () => {
		const data: ReturnPathStaticData = { deliveredCommentIds: [1, 2] };
		rememberSetup(data, owned);
		expect(data).toEqual({ deliveredCommentIds: [1, 2], ...owned });
		forgetSetup(data);
		expect(data).toEqual({ deliveredCommentIds: [1, 2] });
	});

	it('claims a delivery per webhook and comment, by node before the webhook is known', () => {
		expect(deliveryClaimKey({ ticketId: 1, commentId: 55 }, 'W1', 'node-a')).toBe('W1:55');
		expect(deliveryClaimKey({ ticketId: 1, commentId: 55 }, undefined, 'node-a')).toBe('node-a:55');
	});

	it('claims nothing for a payload without a comment id', () => {
		expect(deliveryClaimKey({ ticketId: 1 }, 'W1', 'node-a')).toBeUndefined();
	});
});
