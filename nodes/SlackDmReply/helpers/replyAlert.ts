/**
 * Team alerts for failed deliveries: what the Slack DM Reply node's "Alert Channel" operation
 * posts into a support channel when a workflow failed (an Error Trigger item) or an item came out
 * of a node with Continue On Fail. Pure: the node does the HTTP.
 */
import { isWorkerStoppedError } from '../../shared/n8n/workerStopped';
import { recordOrEmpty, textOrNumber } from '../../shared/values';

/** What the team needs to act on a failed delivery. */
export interface DeliveryAlert {
	workflowName?: string;
	workflowId?: string;
	failedNode?: string;
	errorMessage?: string;
	executionUrl?: string;
	executionId?: string;
	ticketId?: string;
}

const obj = recordOrEmpty;
const text = textOrNumber;

/** `ticket #123` as Slack DM Reply's delivery errors write it (see `deliveryErrorMessage`). */
const TICKET_IN_MESSAGE = /\bticket #(\d+)\b/i;

/** The ticket id a message names, if any. */
export function ticketIdInMessage(message: string | undefined): string | undefined {
	return message ? TICKET_IN_MESSAGE.exec(message)?.[1] : undefined;
}

/**
 * The error message of a delivery failure, naming the ticket so the team can find it. Only the
 * ticket number is added: the message itself comes from the node's own errors, which never hold
 * secrets.
 */
export function deliveryErrorMessage(ticketId: string | undefined, message: string): string {
	if (!ticketId || ticketIdInMessage(message) === ticketId) return message;
	return `Reply for ticket #${ticketId} was not delivered to Slack: ${message}`;
}

/** The ticket id an item carries: the Zendesk Reply Trigger's `ticketId`, the Upsert's `zendesk.ticketId`. */
function ticketIdOfItem(json: Record<string, unknown>): string | undefined {
	const zendesk = obj(json.zendesk);
	return text(json.ticketId) ?? text(zendesk.ticketId) ?? text(obj(json.ticket).id);
}

/**
 * Reads an alert from an item: n8n's Error Trigger item (`execution`, `workflow`; or `trigger`
 * when the trigger itself failed), or an item a node emitted with Continue On Fail (`error`).
 */
export function alertFromItem(json: Record<string, unknown>): DeliveryAlert {
	const execution = obj(json.execution);
	const workflow = obj(json.workflow);
	const triggerFailure = obj(json.trigger);
	const error = obj(execution.error ?? triggerFailure.error);
	const errorMessage = text(error.message) ?? text(json.error) ?? text(obj(json.error).message);
	const failedNode = text(obj(error.node).name) ?? text(execution.lastNodeExecuted);
	const ticketId =
		ticketIdOfItem(json) ?? ticketIdInMessage(errorMessage) ?? ticketIdInMessage(text(error.description));
	const alert: DeliveryAlert = {};
	const set = (key: keyof DeliveryAlert, value: string | undefined) => {
		if (value) alert[key] = value;
	};
	set('workflowName', text(workflow.name));
	set('workflowId', text(workflow.id));
	set('failedNode', failedNode);
	set('errorMessage', errorMessage);
	set('executionUrl', text(execution.url));
	set('executionId', text(execution.id));
	set('ticketId', ticketId);
	return alert;
}

/** Only http(s) URLs become links; anything else is shown as escaped text. */
function safeUrl(url: string | undefined): string | undefined {
	if (!url) return undefined;
	try {
		const parsed = new URL(url);
		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
		// Inside <url|label>, `|` and `>` would end the URL early; `&` is escaped as Slack asks.
		return parsed.toString().replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/&/g, '&amp;');
	} catch {
		return undefined;
	}
}

/** What the team should know beyond n8n's error text, if anything. Pure. */
export function alertExplanation(errorMessage: string | undefined): string | undefined {
	if (!isWorkerStoppedError(errorMessage)) return undefined;
	return 'the n8n worker running this execution stopped (killed or crashed) and n8n does not run it again; it keeps none of its data, so a Slack message it carried may be missing in Zendesk: a Slack DM Catch-up in the error workflow reads the DMs of the last minutes again, or look at the DMs received just before the execution started (docs/scaling.md, A worker dies)';
}

/** Longest error message quoted in an alert; the execution has the rest. */
export const ALERT_MESSAGE_LIMIT = 1500;

/**
 * The alert as Slack mrkdwn. Every value is escaped (error messages can quote agent or user
 * text), so an alert can never mention `@channel` or a user; the ticket link uses
 * `ticketUrlBase` (e.g. `https://acme.zendesk.com/agent/tickets/`) when given.
 */
export function renderAlert(
	alert: DeliveryAlert,
	options: { title?: string; ticketUrlBase?: string },
	escape: (value: string) => string,
): string {
	const lines: string[] = [];
	const title = text(options.title) ?? 'A Slack DM delivery failed';
	lines.push(`:rotating_light: *${escape(title).replace(/\*/g, '')}*`);
	if (alert.ticketId) {
		const base = safeUrl(text(options.ticketUrlBase));
		const ticket = `#${alert.ticketId}`;
		lines.push(`*Ticket:* ${base ? `<${base.replace(/\/?$/, '/')}${alert.ticketId}|${ticket}>` : ticket}`);
	}
	if (alert.workflowName || alert.workflowId)
		lines.push(`*Workflow:* ${escape(alert.workflowName ?? alert.workflowId ?? '')}`);
	if (alert.failedNode) lines.push(`*Failed node:* ${escape(alert.failedNode)}`);
	const message = alert.errorMessage ?? 'No error message';
	const shortened = message.length > ALERT_MESSAGE_LIMIT ? `${message.slice(0, ALERT_MESSAGE_LIMIT)}…` : message;
	lines.push(`*Error:* ${escape(shortened.replace(/\s+/g, ' '))}`);
	const explanation = alertExplanation(alert.errorMessage);
	if (explanation) lines.push(`*What happened:* ${escape(explanation)}`);
	const url = safeUrl(alert.executionUrl);
	if (url) lines.push(`*Execution:* <${url}|open in n8n>`);
	else if (alert.executionId) lines.push(`*Execution:* ${escape(alert.executionId)}`);
	return lines.join('\n');
}
