/**
 * The Slack DM Catch-up, for one input item: after n8n's "worker stopped" error, read the DMs of
 * the last minutes (conversations.list, conversations.history) and hand each message to the Slack
 * DM Trigger again as a signed event (shared/slack/catchUp.ts). The trigger's rules decide what
 * becomes an item; the Upsert writes only what is not in Zendesk yet.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { credentialData } from '../../shared/n8n/credentialData';
import { type SelfIdentity, selfIdentityFromAuthTest } from '../../shared/slack/identity';
import { type HistoryMessage, readConversationSince, readThreadSince } from '../../shared/transport/slackHistory';
import { SLACK_CREDENTIAL_TYPE, type SlackResponse, callSlack } from '../../shared/transport/slackTransport';
import { handedOverHere } from '../catchUpState';
import {
	type CatchUpStart,
	catchUpWindow,
	handOverOutcome,
	messagesToHandOver,
	repliesInWindow,
	replayEnvelope,
	threadsWithNewReplies,
	triggerUrlProblem,
} from '../helpers/replayPlan';
import { postSignedEvent } from '../transport/triggerPost';

export interface CatchUpSettings {
	triggerUrl: string;
	lookBackMinutes: number;
	/** Read group DMs too (the trigger's Include Group DMs decides whether they become items). */
	includeGroupDms: boolean;
	/** Read the replies of threads with replies in the window too (as the trigger's Include Thread Replies). */
	includeThreadReplies: boolean;
}

/** At most this many pages of 1,000 DMs (Slack's page limit for conversations.list). */
const MAX_LIST_PAGES = 20;

type ListPage = SlackResponse & {
	channels?: Array<{ id?: string; is_mpim?: boolean; is_user_deleted?: boolean }>;
	response_metadata?: { next_cursor?: string };
};

/** A DM to read: its id and kind. */
export interface DirectMessage {
	id: string;
	type: 'im' | 'mpim';
}

/** The handle's 1:1 DMs (users deleted since left out), and its group DMs when asked. */
async function directMessages(ctx: IExecuteFunctions, includeGroupDms: boolean): Promise<DirectMessage[]> {
	const found: DirectMessage[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < MAX_LIST_PAGES; page++) {
		const answer = await callSlack<ListPage>(ctx, 'conversations.list', {
			types: includeGroupDms ? 'im,mpim' : 'im',
			exclude_archived: true,
			limit: 1000,
			...(cursor ? { cursor } : {}),
		});
		for (const channel of answer.channels ?? [])
			if (typeof channel.id === 'string' && channel.is_user_deleted !== true)
				found.push({ id: channel.id, type: channel.is_mpim === true ? 'mpim' : 'im' });
		cursor = answer.response_metadata?.next_cursor;
		if (!cursor) break;
	}
	return found;
}

async function handOverSetup(ctx: IExecuteFunctions, settings: CatchUpSettings) {
	const problem = triggerUrlProblem(settings.triggerUrl);
	if (problem)
		throw new NodeOperationError(ctx.getNode(), problem, {
			description:
				"Set Trigger URL to the Slack DM Trigger's production URL: the Request URL of your Slack app's Event Subscriptions.",
		});
	const signingSecret = (await credentialData(ctx, SLACK_CREDENTIAL_TYPE)).signingSecret;
	if (typeof signingSecret !== 'string' || signingSecret === '')
		throw new NodeOperationError(ctx.getNode(), 'The Slack credential has no signing secret', {
			description:
				"The catch-up signs what it hands over as Slack does: add the app's signing secret to the credential.",
		});
	const self = selfIdentityFromAuthTest(await callSlack(ctx, 'auth.test'));
	if (!self) throw new NodeOperationError(ctx.getNode(), "Slack auth.test did not name the credential's user");
	return { target: { url: settings.triggerUrl.trim(), signingSecret }, self };
}

interface Tally {
	conversations: number;
	messages: number;
	handedOver: number;
	duplicates: number;
	ignored: Record<string, number>;
	alreadyHandedOverHere: number;
	refused: string[];
	/** DMs whose history could not be read (after the transport's retries), with Slack's error. */
	unreadable: string[];
}

/** Hands over one DM's messages of the window, counting what the trigger made of them. */
async function handOverConversation(
	ctx: IExecuteFunctions,
	run: {
		target: { url: string; signingSecret: string };
		self: SelfIdentity;
		start: Extract<CatchUpStart, { run: true }>;
	},
	channel: DirectMessage,
	history: HistoryMessage[],
	tally: Tally,
): Promise<void> {
	for (const message of messagesToHandOver(history, run.self)) {
		tally.messages += 1;
		const key = `${run.target.url}|${channel.id}|${message.ts}`;
		if (handedOverHere.get(key)) {
			tally.alreadyHandedOverHere += 1;
			continue;
		}
		const envelope = replayEnvelope({
			self: run.self,
			channel: channel.id,
			channelType: channel.type,
			message,
			mark: run.start.mark,
		});
		const answer = await postSignedEvent(ctx, run.target, envelope);
		const { outcome, detail } = handOverOutcome(answer.statusCode, answer.body);
		if (outcome === 'refused') tally.refused.push(`${channel.id} ${message.ts}: ${detail}`);
		else handedOverHere.set(key, true);
		if (outcome === 'handedOver') tally.handedOver += 1;
		if (outcome === 'duplicate') tally.duplicates += 1;
		if (outcome === 'ignored') tally.ignored[detail ?? 'unknown'] = (tally.ignored[detail ?? 'unknown'] ?? 0) + 1;
	}
}

/** The replies of the DM's threads with replies inside the window; a thread that cannot be read is named, not fatal. */
async function threadRepliesOf(
	ctx: IExecuteFunctions,
	channel: DirectMessage,
	history: HistoryMessage[],
	window: { oldest: string; latest: string },
	tally: Tally,
): Promise<HistoryMessage[]> {
	const replies: HistoryMessage[] = [];
	for (const threadTs of threadsWithNewReplies(history, window.oldest)) {
		const read = await readThreadSince(ctx, { channel: channel.id, threadTs }, window.oldest, window.latest).catch(
			(error: Error) => {
				tally.unreadable.push(`${channel.id} thread ${threadTs}: ${error.message}`);
				return [];
			},
		);
		replies.push(...repliesInWindow(read, window.oldest));
	}
	return replies;
}

/**
 * After every DM had its turn: what could not be handed over. A refusal names the message (a 401:
 * the credential's signing secret is not the trigger's); an unreadable DM names Slack's error.
 */
function incompleteCatchUp(ctx: IExecuteFunctions, tally: Tally): NodeOperationError {
	const parts = [
		tally.refused.length > 0 ? `the trigger refused ${tally.refused.length} of ${tally.messages} message(s)` : '',
		tally.unreadable.length > 0 ? `${tally.unreadable.length} of ${tally.conversations} DM(s) could not be read` : '',
	].filter(Boolean);
	const listed = [...tally.refused, ...tally.unreadable].slice(0, 20).join('; ');
	return new NodeOperationError(ctx.getNode(), `The catch-up is incomplete: ${parts.join(', ')}`, {
		description: `${listed}. A 401: this credential's signing secret is not the trigger's. Run the error workflow's execution again once fixed (what was handed over is not written twice).`,
	});
}

/** The catch-up of one started item: its summary, or an error naming what it could not hand over. */
export async function catchUp(
	ctx: IExecuteFunctions,
	start: Extract<CatchUpStart, { run: true }>,
	settings: CatchUpSettings,
): Promise<IDataObject> {
	const setup = await handOverSetup(ctx, settings);
	const nowMs = Date.now();
	const window = catchUpWindow(nowMs, settings.lookBackMinutes);
	const channels = await directMessages(ctx, settings.includeGroupDms);
	const tally: Tally = {
		conversations: channels.length,
		messages: 0,
		handedOver: 0,
		duplicates: 0,
		ignored: {},
		alreadyHandedOverHere: 0,
		refused: [],
		unreadable: [],
	};
	for (const channel of channels) {
		const history = await readConversationSince(ctx, channel.id, window.oldest, window.latest).catch((error: Error) => {
			tally.unreadable.push(`${channel.id}: ${error.message}`);
			return undefined;
		});
		if (!history) continue;
		const replies = settings.includeThreadReplies ? await threadRepliesOf(ctx, channel, history, window, tally) : [];
		await handOverConversation(ctx, { ...setup, start }, channel, [...history, ...replies], tally);
	}
	if (tally.refused.length > 0 || tally.unreadable.length > 0) throw incompleteCatchUp(ctx, tally);
	const { conversations, messages, handedOver, duplicates, ignored, alreadyHandedOverHere } = tally;
	return {
		executionId: start.mark.executionId,
		since: new Date(nowMs - settings.lookBackMinutes * 60_000).toISOString(),
		until: new Date(nowMs).toISOString(),
		...{ conversations, messages, handedOver, duplicates, ignored, alreadyHandedOverHere },
	};
}
