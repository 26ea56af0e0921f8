import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	REPLY_OUTAGE_OUTPUTS,
	replyOutageProperties,
	replyOutageSettings,
} from '../../../../../nodes/SlackDmReply/actions/replyOutage';
import { SlackDmReply } from '../../../../../nodes/SlackDmReply/SlackDmReply.node';

function ctx(typeVersion: number, parameters: Record<string, unknown>): IExecuteFunctions {
	return {
		getNode: () => ({ typeVersion }),
		getNodeParameter: (name: string, _index: number, fallback?: unknown) =>
			name in parameters ? parameters[name] : fallback,
	} as unknown as IExecuteFunctions;
}

describe('Slack DM Reply: Wait Out Outages', () => {
	it('version 3 is the default; its outage parameters show for Send Agent Reply only, from version 3', () => {
		const { description } = new SlackDmReply();
		expect(description.version).toEqual([1, 2, 3]);
		expect(description.defaultVersion).toBe(3);
		expect(description.outputs).toBe(REPLY_OUTAGE_OUTPUTS);
		const names = replyOutageProperties.map((p) => p.name);
		expect(names).toEqual(['waitOutOutages', 'outageGiveUpMinutes', 'outageMaxWaitSeconds']);
		for (const property of replyOutageProperties as INodeProperties[]) {
			expect(property.displayOptions?.show).toMatchObject({ operation: ['reply'], '@version': [{ _cnd: { gte: 3 } }] });
			expect(description.properties.map((p) => p.name)).toContain(property.name);
		}
		expect(replyOutageProperties[0].default).toBe(true);
	});

	it('the Service Unavailable output exists for a reply with the option on, never for alerts or notices', () => {
		expect(REPLY_OUTAGE_OUTPUTS).toMatch(/\$parameter\.operation !== "alert" && \$parameter\.operation !== "notice"/);
		expect(REPLY_OUTAGE_OUTPUTS).toMatch(/\$parameter\.waitOutOutages === true \? \[.*"Service Unavailable"/);
	});

	it('settings only for a version 3 reply with the option on (versions 1-2, alerts, notices, off: none)', () => {
		const on = { operation: 'reply', waitOutOutages: true, outageGiveUpMinutes: 30, outageMaxWaitSeconds: 120 };
		expect(replyOutageSettings(ctx(3, on))).toEqual({ giveUpMs: 30 * 60_000, maxWaitSeconds: 120 });
		expect(replyOutageSettings(ctx(2, on))).toBeUndefined();
		expect(replyOutageSettings(ctx(3, { ...on, operation: 'alert' }))).toBeUndefined();
		expect(replyOutageSettings(ctx(3, { ...on, operation: 'notice' }))).toBeUndefined();
		expect(replyOutageSettings(ctx(3, { ...on, waitOutOutages: false }))).toBeUndefined();
	});
});
