import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { runPerItem } from '../shared/n8n/perItem';
import { catchUp } from './actions/catchUp';
import { DEFAULT_LOOK_BACK_MINUTES, MAX_LOOK_BACK_MINUTES, catchUpStart, lookBackMinutes } from './helpers/replayPlan';

export class SlackDmCatchUp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack DM Catch-up',
		name: 'slackDmCatchUp',
		icon: { light: 'file:slack.svg', dark: 'file:slack.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{"last " + $parameter["lookBackMinutes"] + " min"}}',
		description:
			"After an n8n worker stopped with an execution, hands the last minutes' Slack DMs to the Slack DM Trigger again, so that a message lost with it reaches Zendesk",
		defaults: { name: 'Slack DM Catch-up' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'slackDmApi', displayName: 'Slack Credential', required: true }],
		properties: [
			{
				displayName:
					"For the error workflow of the Slack DM → Zendesk workflow (after an Error Trigger). When n8n's worker running an execution stops (killed, crashed), n8n keeps none of its data: this node reads the bot's DMs of the last minutes and sends each message to the Slack DM Trigger again, signed as Slack signs. The trigger's filters apply as for Slack's own events, and what is in Zendesk already is not written again.",
				name: 'catchUpNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Trigger URL',
				name: 'triggerUrl',
				type: 'string',
				default: '',
				placeholder: 'https://n8n.example.com/webhook/…/slack-events',
				description:
					"The Slack DM Trigger's production URL: the Request URL you gave Slack under Event Subscriptions. Use the same Slack credential as the trigger (its signing secret signs what is sent).",
			},
			{
				displayName: 'Look Back (Minutes)',
				name: 'lookBackMinutes',
				type: 'number',
				default: DEFAULT_LOOK_BACK_MINUTES,
				typeOptions: { minValue: 1, maxValue: MAX_LOOK_BACK_MINUTES },
				description:
					'How far back to read the DMs. n8n notices a stopped worker within about a minute (QUEUE_WORKER_LOCK_DURATION, QUEUE_WORKER_STALLED_INTERVAL); add the longest time an execution runs.',
			},
			{
				displayName: 'Include Group DMs',
				name: 'includeGroupDms',
				type: 'boolean',
				default: false,
				description:
					"Whether to read the handle's group DMs too (needs mpim:read and mpim:history). Turn on when the Slack DM Trigger's Include Group DMs is on; its setting decides what becomes an item.",
			},
			{
				displayName: 'Include Thread Replies',
				name: 'includeThreadReplies',
				type: 'boolean',
				default: false,
				description:
					"Whether to read the replies of threads with replies in the last minutes too (one conversations.replies call per such thread). Turn on when the Slack DM Trigger's Include Thread Replies is on. A thread whose first message is older than Look Back is not found.",
			},
			{
				displayName: 'Only After a Stopped Worker',
				name: 'onlyAfterStoppedWorker',
				type: 'boolean',
				default: true,
				description:
					'Whether to catch up only for n8n\'s "worker stopped" error. Other failed executions keep their data (n8n\'s Retry runs them again), so for them nothing is read.',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = await runPerItem(this, async (input, itemIndex) => {
			const onlyAfterStoppedWorker = this.getNodeParameter('onlyAfterStoppedWorker', itemIndex, true) as boolean;
			const start = catchUpStart(input.json, onlyAfterStoppedWorker);
			if (!start.run) return { json: { catchUp: { skipped: start.reason } }, pairedItem: { item: itemIndex } };
			const settings = {
				triggerUrl: String(this.getNodeParameter('triggerUrl', itemIndex, '')),
				lookBackMinutes: lookBackMinutes(
					this.getNodeParameter('lookBackMinutes', itemIndex, DEFAULT_LOOK_BACK_MINUTES),
				),
				includeGroupDms: this.getNodeParameter('includeGroupDms', itemIndex, false) === true,
				includeThreadReplies: this.getNodeParameter('includeThreadReplies', itemIndex, false) === true,
			};
			return { json: { catchUp: await catchUp(this, start, settings) }, pairedItem: { item: itemIndex } };
		});
		return [items];
	}
}
