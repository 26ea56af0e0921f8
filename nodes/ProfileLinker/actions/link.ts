import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { handleTeamIdOf, linkOptionsFrom, participantsToLink } from '../helpers/linkParameters';
import { linkSlackUser, UnknownParticipantTeamError } from '../helpers/profileLinking';
import { slackAccount } from '../../shared/transport/accounts';
import { fromItemJson, hasSlackSender, toItemJson } from '../../shared/n8n/itemJson';
import type { SlackDmItem } from '../../shared/types';
import { withEarlierMessages } from './earlierMessages';
import type { ZendeskTarget } from './linkerPorts';
import { linkerState, linkPorts } from './linkerPorts';

/** "Link Slack User": the sender's Zendesk end user, and the group DM participants'. */
export async function link(
	ctx: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
	zendesk: ZendeskTarget,
): Promise<IDataObject> {
	if (!hasSlackSender(json)) {
		throw new NodeOperationError(
			ctx.getNode(),
			'The item is not a Slack DM Trigger item: user.id and user.teamId are missing',
			{
				itemIndex,
				description:
					'Connect the Profile Linker after the Slack DM Trigger, or use "Link to Existing Profile" with explicit ids.',
			},
		);
	}
	const item = fromItemJson<SlackDmItem>(json);
	const rawOptions = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const options = linkOptionsFrom(rawOptions);
	const slack = await slackAccount(ctx);
	const ports = linkPorts(ctx, zendesk.credentialType);
	const base = {
		zendeskAccount: zendesk.account,
		slackAccount: slack.baseUrl,
		handleTeamId: handleTeamIdOf(item),
		handleEnterpriseId: item.enterpriseId,
	};

	const zendeskUser = await linkSlackUser(
		linkerState,
		ports,
		{ ...base, userId: item.user.id, teamId: item.user.teamId || item.teamId, markedExternal: item.user.isExternal },
		options,
	);
	const result: IDataObject = { ...json, zendeskUser: toItemJson(zendeskUser) };

	const participants = participantsToLink(item, rawOptions.linkParticipants);
	if (participants.length > 0) {
		const linked = [];
		// One at a time: create_or_update user is limited to 1 request per second per account.
		for (const userId of participants) {
			const participant = await linkSlackUser(linkerState, ports, { ...base, userId }, options).catch(
				(error: unknown) => {
					// A participant whose team is unknown is left out (not CC'd) rather than given a wrong key.
					if (!(error instanceof UnknownParticipantTeamError)) throw error;
					ports.warn(error.message);
					return undefined;
				},
			);
			if (participant) linked.push(participant);
		}
		result.zendeskParticipants = linked.map(toItemJson);
	}
	return rawOptions.earlierMessages === false ? result : await withEarlierMessages(ctx, item, result);
}
