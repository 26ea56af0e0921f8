import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { secretDigest, zendeskAccountKey } from '../../nodes/shared/transport/accounts';
import { fromItemJson, hasSlackSender, isSlackDmMessageItem, toItemJson } from '../../nodes/shared/n8n/itemJson';
import { toNodeError } from '../../nodes/shared/n8n/errors';
import { errorItem, runPerItem } from '../../nodes/shared/n8n/perItem';
import {
	WEBHOOK_CREDENTIAL_MAX_AGE_MS,
	credentialData,
	forgetWebhookCredentials,
	webhookCredentialData,
} from '../../nodes/shared/n8n/credentialData';
import { onWebhookAnswer } from '../../nodes/shared/n8n/webhookRequest';
import type { IWebhookFunctions } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

const node: INode = { id: 'n1', name: 'Node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };

function fakeContext(items: INodeExecutionData[], continueOnFail: boolean): IExecuteFunctions {
	return {
		getInputData: () => items,
		getNode: () => node,
		continueOnFail: () => continueOnFail,
	} as unknown as IExecuteFunctions;
}

describe('toNodeError', () => {
	it('wraps a plain error in a NodeOperationError naming the item', () => {
		const error = toNodeError(node, new Error('boom'), 3);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('boom');
		expect(error.context.itemIndex).toBe(3);
	});

	it('keeps an API error an API error and adds the item index', () => {
		const apiError = new NodeApiError(
			node,
			{ message: 'nope' },
			{ message: 'Zendesk POST /tickets failed (HTTP 422): nope' },
		);
		const error = toNodeError(node, apiError, 2);
		expect(error).toBe(apiError);
		expect(error.context.itemIndex).toBe(2);
	});

	it('does not overwrite the item index an error already names', () => {
		const operationError = new NodeOperationError(node, 'bad parameter', { itemIndex: 1 });
		expect(toNodeError(node, operationError, 4).context.itemIndex).toBe(1);
	});

	it('names no item outside an item loop (webhooks, lifecycle methods)', () => {
		const error = toNodeError(node, new Error('no webhook URL'));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.context.itemIndex).toBeUndefined();
		const apiError = new NodeApiError(node, { message: 'nope' });
		expect(toNodeError(node, apiError).context.itemIndex).toBeUndefined();
	});

	it('turns a thrown string into a message', () => {
		expect(toNodeError(node, 'plain text', 0).message).toBe('plain text');
	});
});

describe('errorItem', () => {
	it('regular output: keeps json and binary and adds the error message and extra fields', () => {
		const binary = { data_0: { data: '', mimeType: 'text/plain' } };
		expect(errorItem({ json: { a: 1 }, binary }, 5, 'failed', { extra: { b: 2 } })).toEqual({
			json: { a: 1, b: 2, error: 'failed' },
			binary,
			pairedItem: { item: 5 },
		});
	});

	it('error output: only error and details in json (n8n routes on that and merges the paired input back), binary kept', () => {
		const binary = { data_0: { data: '', mimeType: 'text/plain' } };
		const item = errorItem({ json: { a: 1 }, binary }, 5, 'failed', { errorOutput: true, extra: { b: 2 } });
		expect(item).toEqual({ json: { error: 'failed', details: { b: 2 } }, binary, pairedItem: { item: 5 } });
		// n8n-core's rule (workflow-execute handleNodeErrorOutput): json keys limited to error/message/details, and no item.error (which would replace json).
		expect(Object.keys(item.json).every((key) => ['error', 'message', 'details'].includes(key))).toBe(true);
		expect(item.error).toBeUndefined();
	});
});

describe('runPerItem', () => {
	const items: INodeExecutionData[] = [{ json: { n: 0 } }, { json: { n: 1 } }, { json: { n: 2 } }];
	const failOnOne = async (input: INodeExecutionData, itemIndex: number) => {
		if (input.json.n === 1) throw new Error('item one failed');
		return { json: { ...input.json, done: true }, pairedItem: { item: itemIndex } };
	};

	it('runs the items in order and returns one output per item', async () => {
		const seen: number[] = [];
		const out = await runPerItem(fakeContext(items, false), async (input, itemIndex) => {
			seen.push(itemIndex);
			return { json: { ...input.json, index: itemIndex } };
		});
		expect(seen).toEqual([0, 1, 2]);
		expect(out.map((item) => item.json.index)).toEqual([0, 1, 2]);
	});

	it('stops at the first failure with the item index when Continue On Fail is off', async () => {
		await expect(runPerItem(fakeContext(items, false), failOnOne)).rejects.toMatchObject({
			message: 'item one failed',
			context: { itemIndex: 1 },
		});
	});

	it('turns the failure into an error item and goes on when Continue On Fail is on', async () => {
		const out = await runPerItem(fakeContext(items, true), failOnOne);
		expect(out).toEqual([
			{ json: { n: 0, done: true }, pairedItem: { item: 0 } },
			{ json: { n: 1, error: 'item one failed' }, binary: undefined, pairedItem: { item: 1 } },
			{ json: { n: 2, done: true }, pairedItem: { item: 2 } },
		]);
	});
});

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

describe('secretDigest', () => {
	it('tells secrets apart without containing them', () => {
		const digest = secretDigest('xoxb-secret-token');
		expect(digest).toMatch(/^[0-9a-f]{16}$/);
		expect(digest).not.toContain('secret');
		expect(secretDigest('xoxb-other-token')).not.toBe(digest);
		expect(secretDigest('xoxb-secret-token')).toBe(digest);
	});

	it('digests a missing secret like an empty one', () => {
		expect(secretDigest(undefined)).toBe(secretDigest(''));
	});
});

describe('zendeskAccountKey', () => {
	const apiToken = { subdomain: 'acme', email: 'bridge@acme.test', apiToken: 'tok-secret-1' };
	it('tells accounts and callers apart, and holds no secret', () => {
		const key = zendeskAccountKey('zendeskDmApi', apiToken);
		expect(key).toBe(zendeskAccountKey('zendeskDmApi', { ...apiToken }));
		expect(key).not.toContain('tok-secret-1');
		expect(key).toContain('https://acme.zendesk.com');
		expect(zendeskAccountKey('zendeskDmApi', { ...apiToken, subdomain: 'other' })).not.toBe(key);
		expect(zendeskAccountKey('zendeskDmApi', { ...apiToken, baseUrl: 'http://127.0.0.1:9' })).not.toBe(key);
		expect(zendeskAccountKey('zendeskDmApi', { ...apiToken, email: 'someone@acme.test' })).not.toBe(key);
		expect(zendeskAccountKey('zendeskDmOAuth2Api', { subdomain: 'acme', clientId: 'a' })).not.toBe(
			zendeskAccountKey('zendeskDmOAuth2Api', { subdomain: 'acme', clientId: 'b' }),
		);
	});
});

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

describe('onWebhookAnswer', () => {
	/** The parts of Node's ServerResponse n8n answers through (express's json/send end in end). */
	class Response {
		statusCode = 200;
		ended: unknown[] = [];
		status(code: number) {
			this.statusCode = code;
			return this;
		}
		json(body: unknown) {
			return this.end(JSON.stringify(body));
		}
		end(...args: unknown[]) {
			this.ended.push(args[0]);
			return this;
		}
	}
	const contextFor = (response: Response) => ({ getResponseObject: () => response }) as unknown as IWebhookFunctions;

	it('tells the status n8n answers with, once, and still sends the answer', () => {
		const response = new Response();
		const statuses: number[] = [];
		onWebhookAnswer(contextFor(response), (status) => statuses.push(status));
		expect(statuses).toEqual([]);
		expect(response.status(500).json({ message: 'Error in workflow' })).toBe(response);
		response.end();
		expect(statuses).toEqual([500]);
		expect(response.ended).toEqual(['{"message":"Error in workflow"}', undefined]);
	});

	it('reports the default 200 when n8n sets no status', () => {
		const response = new Response();
		const statuses: number[] = [];
		onWebhookAnswer(contextFor(response), (status) => statuses.push(status));
		response.json({ message: 'Workflow was started' });
		expect(statuses).toEqual([200]);
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
