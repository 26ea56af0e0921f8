/**
 * The "Wait Out Outages" parameters and the outputs they give a node (docs/outages.md): one
 * description for every node that waits out outages, shown from the node version that has them.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { OutageSettings } from './outageRetry';
import {
	DEFAULT_GIVE_UP_MINUTES,
	DEFAULT_MAX_WAIT_SECONDS,
	MIN_DURABLE_WAIT_SECONDS,
	outageSettings,
} from './outageRetry';

/** The index of the Service Unavailable output. */
export const UNAVAILABLE_OUTPUT = 1;

/**
 * The node's outputs: with Wait Out Outages on, a second one for items that wait. An expression,
 * so that versions without the parameter (and nodes that turned it off) keep their one output.
 */
export const OUTAGE_OUTPUTS =
	'={{ $parameter.waitOutOutages === true ? [{ type: "main", displayName: "Done" }, { type: "main", displayName: "Service Unavailable" }] : [{ type: "main" }] }}';

/** The parameters, shown from `sinceVersion` on (earlier versions run as before: no second output). */
export function outageProperties(service: string, sinceVersion: number): INodeProperties[] {
	const since = { '@version': [{ _cnd: { gte: sinceVersion } }] };
	return [
		{
			displayName: 'Wait Out Outages',
			name: 'waitOutOutages',
			type: 'boolean',
			default: true,
			displayOptions: { show: since },
			description: `Whether an item ${service} cannot take for now (no answer, 5xx, 429 after the node's own retries) leaves on the Service Unavailable output with retry details instead of failing. Connect that output through a Wait node (Resume: After Time Interval, Wait Amount: the item's retry.waitSeconds, in seconds) back into this node.`,
		},
		{
			displayName: 'Give Up After (Minutes)',
			name: 'outageGiveUpMinutes',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_GIVE_UP_MINUTES,
			displayOptions: { show: { ...since, waitOutOutages: [true] } },
			description:
				"How long an item keeps waiting after its first failure; then it fails the execution with its data intact and the workflow's error workflow alerts the team",
		},
		{
			displayName: 'Longest Wait (Seconds)',
			name: 'outageMaxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: MIN_DURABLE_WAIT_SECONDS },
			default: DEFAULT_MAX_WAIT_SECONDS,
			displayOptions: { show: { ...since, waitOutOutages: [true] } },
			description: `Waits start at ${MIN_DURABLE_WAIT_SECONDS} s (the shortest wait n8n keeps in its database) and double up to this, so that items drain soon after ${service} is back`,
		},
	];
}

/** The node's outage settings, or undefined when it does not wait out outages (option off, older version). */
export function outageSettingsOf(ctx: IExecuteFunctions): OutageSettings | undefined {
	if (ctx.getNodeParameter('waitOutOutages', 0, false) !== true) return undefined;
	return outageSettings(
		ctx.getNodeParameter('outageGiveUpMinutes', 0, DEFAULT_GIVE_UP_MINUTES),
		ctx.getNodeParameter('outageMaxWaitSeconds', 0, DEFAULT_MAX_WAIT_SECONDS),
	);
}
