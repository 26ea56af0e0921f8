import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { userExternalId } from '../../shared/externalIds';
import { existingProfileTarget, profileLinkSummary } from '../helpers/linkParameters';
import { toItemJson } from '../../shared/n8n/itemJson';
import { decideMerge, toLinkedUser, userWithExternalId } from '../helpers/users';
import { findUsersByExternalIds, getUser, mergeUsers, setUserExternalId } from '../transport/usersApi';
import type { ZendeskTarget } from './linkerPorts';
import { linkerState } from './linkerPorts';

/** "Link to Existing Profile": merge the Slack user's profile into an existing end user. */
export async function linkToExisting(
	ctx: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
	zendesk: ZendeskTarget,
): Promise<IDataObject> {
	const target = existingProfileTarget(
		ctx.getNodeParameter('slackUserId', itemIndex),
		ctx.getNodeParameter('slackTeamId', itemIndex),
		ctx.getNodeParameter('targetUserId', itemIndex),
	);
	if (!target) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Slack User ID, Slack Team ID and Existing Zendesk User ID are all required',
			{ itemIndex },
		);
	}
	const externalId = userExternalId(target.slackTeamId, target.slackUserId);
	const source = userWithExternalId(
		await findUsersByExternalIds(ctx, zendesk.credentialType, [externalId]),
		externalId,
	);
	const existing = await getUser(ctx, zendesk.credentialType, target.targetUserId);
	const decision = decideMerge(source, existing, externalId);
	if (decision.action === 'refuse') throw new NodeOperationError(ctx.getNode(), decision.reason, { itemIndex });

	let kept = existing!;
	if (decision.action === 'merge')
		kept = await mergeUsers(ctx, zendesk.credentialType, decision.sourceId, decision.targetId);
	if (decision.action !== 'nothing' && decision.setExternalIdOnTarget) {
		kept = await setUserExternalId(ctx, zendesk.credentialType, decision.targetId, externalId);
	}
	linkerState.forgetLink(zendesk.account, externalId);
	return {
		...json,
		zendeskUser: toItemJson(toLinkedUser(kept, externalId, 'externalId')),
		profileLink: profileLinkSummary(decision),
	};
}
