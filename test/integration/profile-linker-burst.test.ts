/**
 * A burst of first contacts against the Zendesk emulator with its rate limits on (Zendesk's
 * documented limits: create_or_update user 1 per second per account and 5 per minute per user).
 * The benchmark found 36 of 60 executions failing here with 429s after 5 attempts; no item may fail.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ProfileLinker } from '../../nodes/ProfileLinker/ProfileLinker.node';
import type { LinkedZendeskUser } from '../../nodes/shared/types';
import { createOrUpdateUser } from '../../nodes/ProfileLinker/transport/usersApi';
import { nodeCredentials, useEmulators } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { fixtureHandle, slackDmItem } from '../harness/items';

// Fresh emulators per test; Zendesk's rate limits are on by default.
const { slack, zendesk } = useEmulators({ slack: {}, zendesk: {}, lifetime: 'test' });

const credentials = () => nodeCredentials(slack, zendesk);

function dmItem(userId: string): INodeExecutionData {
	const ts = '1700000000.000100';
	const item = slackDmItem({
		...fixtureHandle(slack.fixtures),
		eventId: `Ev-${userId}`,
		userId,
		channelId: `D-${userId}`,
		ts,
		text: 'Hello',
		receivedAt: 0,
	});
	return { json: item as unknown as IDataObject };
}

const zendeskCalls = (route: string) => zendesk.server.callsTo(route).filter((c) => c.path.startsWith('/api/v2'));
const allZendeskStatuses = () =>
	zendesk.server
		.callsTo()
		.filter((c) => c.path.startsWith('/api/v2'))
		.map((c) => c.status);

/** The most calls of a route that started within any one second. */
function mostPerSecond(route: string): number {
	const times = zendeskCalls(route)
		.map((c) => c.at)
		.sort((a, b) => a - b);
	let most = 0;
	for (let i = 0; i < times.length; i++)
		most = Math.max(most, times.filter((t) => t >= times[i] && t < times[i] + 1000).length);
	return most;
}

describe('Profile Linker: a burst of new users', () => {
	it('links 30 new users DMing at once: all linked, 30 users created, no item failed, no 429', async () => {
		const f = slack.fixtures;
		const userIds = Array.from({ length: 30 }, (_, i) => `U0BURST${String(i).padStart(2, '0')}`);
		for (const id of userIds)
			slack.addUser({
				id,
				teamId: f.teamId,
				name: id.toLowerCase(),
				realName: `Burst ${id}`,
				email: `${id.toLowerCase()}@acme.test`,
			});

		// 10 parallel executions of 3 items each, as the trigger's executions arrive together.
		const started = Date.now();
		const batches = Array.from({ length: 10 }, (_, b) => userIds.slice(b * 3, b * 3 + 3));
		const outputs = await Promise.all(
			batches.map(
				async (batch) =>
					(
						await executeNode(new ProfileLinker(), {
							parameters: {},
							credentials: credentials(),
							items: batch.map(dmItem),
							continueOnFail: true,
						})
					).outputs[0],
			),
		);
		const items = outputs.flat();
		const elapsed = Date.now() - started;

		expect(items).toHaveLength(30);
		expect(items.filter((item) => item.json.error !== undefined)).toEqual([]);
		const linked = items.map((item) => item.json.zendeskUser as unknown as LinkedZendeskUser);
		expect(linked.map((user) => user.externalId).sort()).toEqual(userIds.map((id) => `slack:${f.teamId}:${id}`).sort());
		expect(linked.every((user) => user.linkedBy === 'created')).toBe(true);
		expect(new Set(linked.map((user) => user.id)).size).toBe(30);

		const created = [...zendesk.store.users.values()].filter((user) =>
			user.external_id?.startsWith(`slack:${f.teamId}:U0BURST`),
		);
		expect(created).toHaveLength(30);
		expect(
			created.every(
				(user) =>
					user.role === 'end-user' && user.email === `${user.external_id!.split(':')[2].toLowerCase()}@acme.test`,
			),
		).toBe(true);
		// Created with POST /users.json (no per-second limit); create_or_update is never needed here.
		expect(zendeskCalls('POST /api/v2/users.json').map((c) => c.status)).toEqual(Array.from({ length: 30 }, () => 201));
		expect(mostPerSecond('POST /api/v2/users/create_or_update.json')).toBeLessThanOrEqual(1);
		expect(allZendeskStatuses().filter((status) => status === 429)).toEqual([]);
		expect(elapsed).toBeLessThan(30_000);
	}, 60_000);
});

/** A node whose execution sends one create_or_update user per item, all at once (the linker's fallback path). */
class ConcurrentCreateOrUpdate extends ProfileLinker {
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const answers = await Promise.all(
			this.getInputData().map(
				async (item) =>
					await createOrUpdateUser(this, 'zendeskDmApi', {
						user: { name: String(item.json.name), external_id: String(item.json.externalId), skip_verify_email: true },
					}),
			),
		);
		return [answers.map((answer) => ({ json: answer as unknown as IDataObject }))];
	}
}

describe("create_or_update user: paced at Zendesk's limits", () => {
	it('sends concurrent calls of parallel executions one per second, in order, and none is refused', async () => {
		const runs = [0, 1].map(async (execution) => {
			const items = [0, 1, 2].map((i) => ({
				json: { name: `Paced ${execution}-${i}`, externalId: `slack:T0PACE:U${execution}${i}` },
			}));
			return (await executeNode(new ConcurrentCreateOrUpdate(), { parameters: {}, credentials: credentials(), items }))
				.outputs[0];
		});
		const answers = (await Promise.all(runs)).flat().map((item) => item.json as { created?: boolean });
		expect(answers.map((answer) => answer.created)).toEqual([true, true, true, true, true, true]);
		const calls = zendeskCalls('POST /api/v2/users/create_or_update.json');
		expect(calls.map((c) => c.status)).toEqual([201, 201, 201, 201, 201, 201]);
		const gaps = calls.slice(1).map((c, i) => c.at - calls[i].at);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
		expect(mostPerSecond('POST /api/v2/users/create_or_update.json')).toBe(1);
	}, 30_000);

	it("waits out another process's use of the limit (429s) past the old 5 attempts, within the time budget", async () => {
		// Another process (or integration) holds the slot: Zendesk answers 429 eight times in a row.
		zendesk.server.injectFault(
			'POST /api/v2/users/create_or_update.json',
			{ kind: 'rateLimit', retryAfterSeconds: 0 },
			8,
		);
		const { outputs } = await executeNode(new ConcurrentCreateOrUpdate(), {
			parameters: {},
			credentials: credentials(),
			items: [{ json: { name: 'Patient', externalId: 'slack:T0PACE:UPATIENT' } }],
		});
		expect(outputs[0][0].json).toMatchObject({ created: true });
		expect(zendeskCalls('POST /api/v2/users/create_or_update.json').map((c) => c.status)).toEqual([
			...Array.from({ length: 8 }, () => 429),
			201,
		]);
	}, 30_000);
});
