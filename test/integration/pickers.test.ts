/**
 * The pickers: list search of brands, groups, custom ticket fields and their options (Zendesk
 * emulator) and of the alert channel (Slack emulator), through the package transport in n8n-core
 * contexts; and the values they save (resource locators, node version 2) create tickets in the
 * chosen brand and group, as the plain IDs of version 1 still do.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchChannels } from '../../nodes/SlackDmReply/methods/channels';
import { searchSlackUsers } from '../../nodes/shared/slack/userPicker';
import { SlackDmReply } from '../../nodes/SlackDmReply/SlackDmReply.node';
import { listSearch } from '../../nodes/ZendeskMessagingUpsert/methods/listSearch';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { slackCredentials, useEmulators, zendeskCredentials } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { linkedDmItems } from '../harness/items';

const { slack, zendesk } = useEmulators({
	slack: {},
	zendesk: { rateLimits: false },
	lifetime: 'file',
	resetEachTest: true,
	upsertClock: true,
});

type Search = (
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
) => Promise<INodeListSearchResult>;

/**
 * Runs a list search inside a real n8n-core node context (credentials, httpRequestWithAuthentication);
 * `current` stands in for the editor's current parameter values (getCurrentNodeParameter).
 */
async function search(
	method: Search,
	current: Record<string, unknown>,
	filter?: string,
): Promise<INodeListSearchResult> {
	let result: INodeListSearchResult | undefined;
	const probe: INodeType = {
		description: {
			displayName: 'Picker Probe',
			name: 'pickerProbe',
			group: ['transform'],
			version: 1,
			description: 'Runs a list search',
			defaults: { name: 'Picker Probe' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [
				{ name: 'slackDmApi', required: false },
				{ name: 'zendeskDmApi', required: false },
			],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const ctx = Object.assign(Object.create(this) as ILoadOptionsFunctions, {
				getCurrentNodeParameter: (name: string) => current[name],
			});
			result = await method.call(ctx, filter);
			return [[]];
		},
	};
	await executeNode(probe, {
		credentials: { slackDmApi: slackCredentials(slack), zendeskDmApi: zendeskCredentials(zendesk) },
		items: [{ json: {} }],
	});
	return result!;
}

const names = (result: INodeListSearchResult) => result.results.map((entry) => `${entry.name}=${String(entry.value)}`);

describe('Zendesk pickers (list search against the emulator)', () => {
	it('lists brands and groups by name, filtered as typed', async () => {
		const f = zendesk.fixtures;
		expect(names(await search(listSearch.searchBrands, { authentication: 'apiToken' }))).toEqual([
			`HR=${f.brands.hr.id}`,
			`IT (default)=${f.brands.it.id}`,
		]);
		expect(names(await search(listSearch.searchBrands, { authentication: 'apiToken' }, 'h'))).toEqual([
			`HR=${f.brands.hr.id}`,
		]);
		expect(names(await search(listSearch.searchGroups, { authentication: 'apiToken' }, 'support'))).toEqual([
			`IT Support=${f.groups.itSupport.id}`,
		]);
		const calls = zendesk.server.calls.map(
			(call) => `${call.method} ${call.path}?${new URLSearchParams(call.request.query).toString()}`,
		);
		expect(calls).toContain('GET /api/v2/brands.json?page=1&per_page=100');
	});

	it('lists the custom ticket fields, and the options of the field chosen in the same row', async () => {
		const f = zendesk.fixtures;
		const fields = await search(listSearch.searchTicketFields, { authentication: 'apiToken' });
		expect(fields.results.map((entry) => entry.value)).toEqual(
			expect.arrayContaining([String(f.ticketFields.requestType), String(f.ticketFields.slackChannelId)]),
		);
		const requestType = fields.results.find((entry) => entry.value === String(f.ticketFields.requestType));
		expect(requestType?.name).toMatch(/options\)$/);

		// The row's Field is a resource locator in version 2, a plain ID in version 1.
		for (const id of [
			{ __rl: true, mode: 'list', value: String(f.ticketFields.requestType) },
			String(f.ticketFields.requestType),
		]) {
			const options = await search(listSearch.searchTicketFieldOptions, { authentication: 'apiToken', '&id': id });
			expect(options.results.length).toBeGreaterThan(0);
			expect(options.results.every((entry) => typeof entry.value === 'string' && entry.value !== '')).toBe(true);
		}
		expect(
			(
				await search(listSearch.searchTicketFieldOptions, {
					authentication: 'apiToken',
					'&id': String(f.ticketFields.slackChannelId),
				})
			).results,
		).toEqual([]);
	});
});

describe('Alert channel picker (conversations.list against the Slack emulator)', () => {
	it('lists the channels the credential can see, filtered by name with or without #', async () => {
		const all = await search(searchChannels, {});
		expect(all.results.map((entry) => entry.value)).toEqual(expect.arrayContaining([slack.fixtures.helpChannelId]));
		expect(all.results.every((entry) => String(entry.name).startsWith('#'))).toBe(true);
		const help = all.results.find((entry) => entry.value === slack.fixtures.helpChannelId)!;
		const filtered = await search(searchChannels, {}, String(help.name));
		expect(filtered.results.map((entry) => entry.value)).toEqual([slack.fixtures.helpChannelId]);
		const call = slack.server.calls.find((entry) => entry.route === 'conversations.list');
		expect(call?.request.query).toMatchObject({ types: 'public_channel,private_channel', exclude_archived: 'true' });
	});
});

describe('Handle picker of both triggers (users.list against the Slack emulator)', () => {
	it("lists the workspace's people and bots by name, without Slackbot or deleted accounts, filtered as typed", async () => {
		const all = await search(searchSlackUsers, {});
		const ids = all.results.map((entry) => entry.value);
		expect(ids).toEqual(
			expect.arrayContaining([slack.fixtures.botUserId, slack.fixtures.hrHandleUserId, slack.fixtures.employeeId]),
		);
		expect(ids).not.toContain('USLACKBOT');
		const names = all.results.map((entry) => String(entry.name));
		expect([...names].sort((a, b) => a.localeCompare(b, 'en'))).toEqual(names);
		const hr = all.results.find((entry) => entry.value === slack.fixtures.hrHandleUserId)!;
		const filtered = await search(searchSlackUsers, {}, String(hr.name).slice(0, 4));
		expect(filtered.results.map((entry) => entry.value)).toContain(slack.fixtures.hrHandleUserId);
		expect(filtered.results.length).toBeLessThan(all.results.length);
		expect(slack.server.calls.find((entry) => entry.route === 'users.list')?.request.query).toMatchObject({
			limit: '200',
		});
	});
});

describe('what the pickers save creates the ticket where it was picked', () => {
	const { newChannel, item } = linkedDmItems(zendesk);
	const upsertV1: INodeType = (() => {
		const node = new ZendeskMessagingUpsert();
		node.description = { ...node.description, version: 1, defaultVersion: 1 };
		return node;
	})();
	const rl = (value: number | string, mode = 'list') => ({ __rl: true, mode, value: String(value) });

	async function created(
		parameters: INodeParameters,
		nodeType: INodeType = new ZendeskMessagingUpsert(),
		handle?: string,
	) {
		const json = item(newChannel(), 'Printer on fire') as unknown as IDataObject;
		if (handle) json.handle = { ...(json.handle as IDataObject), name: handle };
		const { outputs } = await executeNode(nodeType, {
			parameters,
			credentials: { zendeskDmApi: zendeskCredentials(zendesk) },
			items: [{ json }],
		});
		const ticketId = (outputs[0][0].json.zendesk as { ticketId: number }).ticketId;
		return zendesk.tickets().find((t) => t.ticket.id === ticketId)!.ticket;
	}

	it('version 2: brand, group and a custom field option picked from the lists', async () => {
		const f = zendesk.fixtures;
		const ticket = await created({
			brandId: rl(f.brands.hr.id),
			groupId: rl(f.groups.hr.id, 'id'),
			customFields: {
				field: [{ id: rl(f.ticketFields.slackChannelId), value: { __rl: true, mode: 'text', value: 'C0X' } }],
			},
		});
		expect(ticket).toMatchObject({ brand_id: f.brands.hr.id, group_id: f.groups.hr.id });
		expect(ticket.custom_fields).toEqual(expect.arrayContaining([{ id: f.ticketFields.slackChannelId, value: 'C0X' }]));
	});

	it('version 2: a Routing by Handle row picks brand and group for its handle; an empty picker in the row keeps the node field', async () => {
		const f = zendesk.fixtures;
		const parameters: INodeParameters = {
			brandId: rl(f.brands.it.id),
			groupId: rl(f.groups.itSupport.id),
			handleRouting: { route: [{ handleName: 'HR', brandId: rl(f.brands.hr.id), groupId: rl('', 'list') }] },
		};
		expect(await created(parameters, new ZendeskMessagingUpsert(), 'HR')).toMatchObject({
			brand_id: f.brands.hr.id,
			group_id: f.groups.itSupport.id,
		});
		expect(await created(parameters, new ZendeskMessagingUpsert(), 'IT')).toMatchObject({
			brand_id: f.brands.it.id,
			group_id: f.groups.itSupport.id,
		});
	});

	it('version 1: the plain IDs earlier versions saved still work, in the fields and in the rows', async () => {
		const f = zendesk.fixtures;
		const parameters: INodeParameters = {
			brandId: String(f.brands.it.id),
			groupId: String(f.groups.itSupport.id),
			handleRouting: {
				route: [{ handleName: 'HR', brandId: String(f.brands.hr.id), groupId: String(f.groups.hr.id) }],
			},
			customFields: { field: [{ id: String(f.ticketFields.slackChannelId), value: 'C0Y' }] },
		};
		const hr = await created(parameters, upsertV1, 'HR');
		expect(hr).toMatchObject({ brand_id: f.brands.hr.id, group_id: f.groups.hr.id });
		expect(hr.custom_fields).toEqual(expect.arrayContaining([{ id: f.ticketFields.slackChannelId, value: 'C0Y' }]));
	});

	it('Slack DM Reply: an alert channel picked (version 2) or typed as an ID (version 1) gets the alert', async () => {
		const channel = slack.fixtures.helpChannelId;
		const errorItem = { json: { execution: { id: '7', error: { message: 'boom' } }, workflow: { name: 'Reply' } } };
		const replyV1: INodeType = (() => {
			const node = new SlackDmReply();
			node.description = { ...node.description, version: 1, defaultVersion: 1 };
			return node;
		})();
		for (const [nodeType, alertChannelId] of [
			[new SlackDmReply(), { __rl: true, mode: 'list', value: channel }],
			[replyV1, channel],
		] as const) {
			const { outputs } = await executeNode(nodeType, {
				parameters: { operation: 'alert', alertChannelId } as INodeParameters,
				credentials: { slackDmApi: slackCredentials(slack) },
				items: [errorItem],
			});
			expect(outputs[0][0].json.slackReply).toMatchObject({ delivered: true, channelId: channel });
		}
	});
});
