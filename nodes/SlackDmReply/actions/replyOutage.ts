/**
 * Wait Out Outages for Send Agent Reply (version 3): the shared parameters (shared/n8n/outageParameters.ts),
 * shown for replies only, and the Service Unavailable output for replies only. Alerts and notices
 * keep one output: nothing in the templates waits for them, and an item sent to an output nothing
 * is connected to would be lost.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { outageProperties, outageSettingsOf } from '../../shared/n8n/outageParameters';
import type { OutageSettings } from '../../shared/n8n/outageRetry';

/** The version from which Send Agent Reply waits out Slack outages. */
export const REPLY_OUTAGE_VERSION = 3;

/** Done and Service Unavailable for a reply with Wait Out Outages on; one output otherwise. */
export const REPLY_OUTAGE_OUTPUTS =
	'={{ $parameter.operation !== "alert" && $parameter.operation !== "notice" && $parameter.waitOutOutages === true ? [{ type: "main", displayName: "Done" }, { type: "main", displayName: "Service Unavailable" }] : [{ type: "main" }] }}';

export const replyOutageProperties: INodeProperties[] = outageProperties('Slack', REPLY_OUTAGE_VERSION).map(
	(property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...property.displayOptions?.show, operation: ['reply'] },
		},
	}),
);

/** The outage settings of a reply node that waits out outages; undefined for alerts, notices, option off, versions 1-2. */
export function replyOutageSettings(ctx: IExecuteFunctions): OutageSettings | undefined {
	if (ctx.getNode().typeVersion < REPLY_OUTAGE_VERSION) return undefined;
	if (ctx.getNodeParameter('operation', 0, 'reply') !== 'reply') return undefined;
	return outageSettingsOf(ctx);
}
