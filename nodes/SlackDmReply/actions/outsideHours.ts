import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkLocale, ScheduleSyntaxError, type BusinessSchedule } from '../helpers/businessHours';
import {
	businessScheduleOf,
	claimOutsideHoursNotice,
	closedSince,
	DEFAULT_OUTSIDE_HOURS_NOTICE,
	isNewUserMessage,
	isNotAMessage,
	planOutsideHours,
	releaseOutsideHoursNotice,
	renderOutsideHoursNotice,
	scheduleClock,
} from '../helpers/outsideHours';
import { escapeSlackText } from '../../shared/slack/mrkdwn';
import { ticketIdOf } from '../helpers/reply';
import { slackErrorCodeOf, UNDELIVERABLE_DM_ERRORS } from '../../shared/transport/slackTransport';
import { toNodeError } from '../../shared/n8n/errors';
import { noticePostedElsewhere } from './noticeElsewhere';

const showForHours = { show: { operation: ['notice'], noticeKind: ['auto', 'outsideHours'] } };

/** Parameters of the out-of-hours notice (Send Status Notice → Outside Business Hours, or From the Item). */
export const outsideHoursProperties: INodeProperties[] = [
	{
		displayName: 'Business Hours',
		name: 'businessHours',
		type: 'string',
		displayOptions: showForHours,
		default: '',
		placeholder: 'Mon-Fri 09:00-17:00; Sat 10:00-14:00',
		description:
			'Open hours per weekday, e.g. "Mon-Fri 09:00-12:00, 13:00-17:00; Sat 10:00-14:00" (an end before the start runs past midnight, 24:00 ends the day). A new message outside them gets the out-of-hours notice. With From the Item, leave empty to not check business hours.',
	},
	{
		displayName: 'Time Zone',
		name: 'businessTimeZone',
		type: 'string',
		displayOptions: showForHours,
		default: '',
		placeholder: 'Europe/Berlin',
		description:
			"IANA time zone of the business hours and holidays. Empty: the workflow's time zone (Workflow Settings → Timezone).",
	},
	{
		displayName: 'Holidays',
		name: 'businessHolidays',
		type: 'string',
		displayOptions: showForHours,
		default: '',
		placeholder: '2025-12-24..2025-12-26, 2026-01-01',
		description: 'Days closed all day: dates (YYYY-MM-DD) or ranges (YYYY-MM-DD..YYYY-MM-DD), separated by commas',
	},
	{
		displayName: 'Outside Hours Notice Text',
		name: 'outsideHoursNoticeText',
		type: 'string',
		typeOptions: { rows: 3 },
		displayOptions: showForHours,
		default: DEFAULT_OUTSIDE_HOURS_NOTICE,
		description:
			'{nextOpening} is replaced by the next opening (weekday, date, time, zone), {ticketId} by the ticket number. Sent once per conversation until the desk opens.',
	},
	{
		displayName: 'Date Locale',
		name: 'openingLocale',
		type: 'string',
		displayOptions: showForHours,
		default: 'en-US',
		placeholder: 'de-DE',
		description: 'Language and format of {nextOpening}, e.g. en-GB, de-DE, fr-FR',
	},
];

export type OutsideHoursOutcome =
	/** `text` as posted, `closedSinceMs` where the look at the DM started (for the look after posting). */
	| { sent: true; nextOpening?: string; text: string; closedSinceMs: number }
	| { sent: false; reason: 'noBusinessHours' | 'notAMessage' | 'open' | 'alreadyNotified' | 'noText' }
	/** Slack cannot post into this DM (channel_not_found, …): logged, the execution goes on. */
	| { sent: false; reason: 'undeliverable'; slackError: string };

/** The admin's text parameters, parsed; their mistakes become a NodeOperationError naming them. */
function readSettings(
	ctx: IExecuteFunctions,
	itemIndex: number,
	required: boolean,
): { schedule: BusinessSchedule; locale: string } | undefined {
	const hours = ctx.getNodeParameter('businessHours', itemIndex, '') as string;
	if (!hours.trim()) {
		if (!required) return undefined;
		throw new NodeOperationError(
			ctx.getNode(),
			'Business Hours is empty: enter the open hours, e.g. "Mon-Fri 09:00-17:00"',
			{ itemIndex },
		);
	}
	const zone = (ctx.getNodeParameter('businessTimeZone', itemIndex, '') as string).trim() || ctx.getTimezone();
	try {
		return {
			schedule: businessScheduleOf({
				hours,
				zone,
				holidays: ctx.getNodeParameter('businessHolidays', itemIndex, '') as string,
			}),
			locale: checkLocale(ctx.getNodeParameter('openingLocale', itemIndex, 'en-US') as string),
		};
	} catch (error) {
		const message =
			error instanceof ScheduleSyntaxError
				? `Business hours: ${error.message}`
				: error instanceof Error
					? error.message
					: String(error);
		throw new NodeOperationError(ctx.getNode(), message, { itemIndex });
	}
}

/** noticePostedElsewhere since the desk closed; when Slack does not answer the look, the notice is sent (twice is better than never). */
async function toldByAnotherProcess(
	ctx: IExecuteFunctions,
	input: { json: IDataObject; channel: string },
	text: string,
	sinceMs: number,
): Promise<boolean> {
	try {
		return await noticePostedElsewhere(ctx, { json: input.json, channel: input.channel, text, sinceMs });
	} catch (error) {
		ctx.logger.warn('Slack DM Reply could not read the DM before the out-of-hours notice; sending it', {
			slackError: slackErrorCodeOf(error) ?? 'unknown',
		});
		return false;
	}
}

/**
 * Posts the out-of-hours notice when the desk is closed and this conversation has not had it in
 * this closed period. `explicit`: the node is set to Outside Business Hours (any message item);
 * otherwise From the Item (only new user messages, and only when business hours are set).
 */
export async function sendOutsideHoursNotice(
	ctx: IExecuteFunctions,
	itemIndex: number,
	input: {
		json: IDataObject;
		explicit: boolean;
		conversationKey: string;
		channel: string;
		post: (mrkdwn: string) => Promise<void>;
	},
): Promise<OutsideHoursOutcome> {
	const settings = readSettings(ctx, itemIndex, input.explicit);
	if (!settings) return { sent: false, reason: 'noBusinessHours' };
	const { schedule, locale } = settings;
	if (input.explicit ? isNotAMessage(input.json) : !isNewUserMessage(input.json))
		return { sent: false, reason: 'notAMessage' };
	const now = scheduleClock.now();
	const plan = planOutsideHours(now, schedule, input.conversationKey);
	if (!plan.closed) return { sent: false, reason: 'open' };
	const template = ctx.getNodeParameter('outsideHoursNoticeText', itemIndex, DEFAULT_OUTSIDE_HOURS_NOTICE) as string;
	const text = renderOutsideHoursNotice(
		template,
		{ nextOpening: plan.nextOpening, locale, ticketId: ticketIdOf(input.json) },
		escapeSlackText,
	);
	if (!text) return { sent: false, reason: 'noText' };
	if (!claimOutsideHoursNotice(plan.claimKey, plan.claimTtlMs, now)) return { sent: false, reason: 'alreadyNotified' };
	// The claim stays: this worker need not look at the DM again in this closed period.
	const closedSinceMs = closedSince(now, schedule);
	if (await toldByAnotherProcess(ctx, input, text, closedSinceMs)) return { sent: false, reason: 'alreadyNotified' };
	try {
		await input.post(text);
	} catch (error) {
		// Not told: the next message in this closed period tries again.
		releaseOutsideHoursNotice(plan.claimKey);
		const slackError = slackErrorCodeOf(error);
		if (!slackError || !UNDELIVERABLE_DM_ERRORS.has(slackError)) throw toNodeError(ctx.getNode(), error, itemIndex);
		// The message itself is in Zendesk already: a notice Slack cannot deliver fails nothing.
		ctx.logger.warn('Slack DM Reply could not post the out-of-hours notice; the execution goes on', {
			slackError,
			itemIndex,
		});
		return { sent: false, reason: 'undeliverable', slackError };
	}
	return { sent: true, nextOpening: plan.nextOpening?.toISO() ?? undefined, text, closedSinceMs };
}
