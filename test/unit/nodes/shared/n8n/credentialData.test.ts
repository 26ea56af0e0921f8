import type { INode } from 'n8n-workflow';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import {
	credentialData,
	forgetWebhookCredentials,
	WEBHOOK_CREDENTIAL_MAX_AGE_MS,
	webhookCredentialData,
} from '../../../../../nodes/shared/n8n/credentialData';

describe('credentialData', () => {
	const reader = (answers: Array<() => Promise<ICredentialDataDecryptedObject>>) => {
		const calls: string[] = [];
		return {
			calls,
			getCredentials: async (type: string) => {
				calls.push(type);
				const next = answers.shift();
				if (!next) throw new Error('no more answers');
				return await next();
			},
		};
	};

	it('reads each credential type once per context, concurrent reads included', async () => {
		const ctx = reader([async () => ({ token: 'a' }), async () => ({ token: 'b' })]);
		const [first, second] = await Promise.all([credentialData(ctx, 'slackDmApi'), credentialData(ctx, 'slackDmApi')]);
		expect(first).toEqual({ token: 'a' });
		expect(second).toBe(first);
		expect(await credentialData(ctx, 'zendeskDmApi')).toEqual({ token: 'b' });
		expect(ctx.calls).toEqual(['slackDmApi', 'zendeskDmApi']);
	});

	it('another context (the next node run or request) reads again', async () => {
		const one = reader([async () => ({ token: 'old' })]);
		const two = reader([async () => ({ token: 'rotated' })]);
		expect(await credentialData(one, 'slackDmApi')).toEqual({ token: 'old' });
		expect(await credentialData(two, 'slackDmApi')).toEqual({ token: 'rotated' });
	});

	it('a failed read is not kept: the next read tries again', async () => {
		const ctx = reader([async () => await Promise.reject(new Error('database busy')), async () => ({ token: 'a' })]);
		await expect(credentialData(ctx, 'slackDmApi')).rejects.toThrow('database busy');
		expect(await credentialData(ctx, 'slackDmApi')).toEqual({ token: 'a' });
		expect(ctx.calls).toHaveLength(2);
	});
});

describe("webhookCredentialData (a trigger's credential across requests)", () => {
	beforeEach(() => forgetWebhookCredentials());
	afterEach(() => jest.useRealTimers());

	/** One webhook request's context: its node names credential `id` (or none). */
	const request = (id: string | undefined, secret: () => string) => {
		const calls: string[] = [];
		return {
			calls,
			getNode: () => ({ credentials: id ? { slackDmApi: { id, name: 'Slack' } } : {} }) as unknown as INode,
			getCredentials: async (type: string) => {
				calls.push(type);
				return { signingSecret: secret() };
			},
		};
	};

	it('the next request uses the data an earlier one read, and so do its own later reads', async () => {
		const first = request('7', () => 'one');
		expect(await webhookCredentialData(first, 'slackDmApi')).toEqual({
			data: { signingSecret: 'one' },
			remembered: false,
		});
		const second = request('7', () => 'two');
		expect(await webhookCredentialData(second, 'slackDmApi')).toEqual({
			data: { signingSecret: 'one' },
			remembered: true,
		});
		expect(await credentialData(second, 'slackDmApi')).toEqual({ signingSecret: 'one' });
		expect(second.calls).toEqual([]);
	});

	it('fresh reads the current data and remembers it for the requests after', async () => {
		await webhookCredentialData(
			request('7', () => 'old'),
			'slackDmApi',
		);
		const rotated = request('7', () => 'new');
		expect(await webhookCredentialData(rotated, 'slackDmApi', { fresh: true })).toEqual({
			data: { signingSecret: 'new' },
			remembered: false,
		});
		expect(await credentialData(rotated, 'slackDmApi')).toEqual({ signingSecret: 'new' });
		expect(
			(
				await webhookCredentialData(
					request('7', () => 'unused'),
					'slackDmApi',
				)
			).data,
		).toEqual({ signingSecret: 'new' });
	});

	it('keeps credentials apart by id, and forgets them after the maximum age', async () => {
		jest.useFakeTimers({ now: 1_000_000 });
		await webhookCredentialData(
			request('7', () => 'seven'),
			'slackDmApi',
		);
		expect(
			(
				await webhookCredentialData(
					request('8', () => 'eight'),
					'slackDmApi',
				)
			).data,
		).toEqual({ signingSecret: 'eight' });
		jest.setSystemTime(1_000_000 + WEBHOOK_CREDENTIAL_MAX_AGE_MS + 1);
		const later = request('7', () => 'edited');
		expect(await webhookCredentialData(later, 'slackDmApi')).toEqual({
			data: { signingSecret: 'edited' },
			remembered: false,
		});
		expect(later.calls).toEqual(['slackDmApi']);
	});

	it('without a credential id every request reads', async () => {
		await webhookCredentialData(
			request(undefined, () => 'a'),
			'slackDmApi',
		);
		const next = request(undefined, () => 'b');
		expect(await webhookCredentialData(next, 'slackDmApi')).toEqual({
			data: { signingSecret: 'b' },
			remembered: false,
		});
	});
});
