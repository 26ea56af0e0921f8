/** Nodes that take a Slack and a Zendesk credential label each slot by its service in the editor. */
import type { INodeType } from 'n8n-workflow';

import { AttachmentAllowlist } from '../../nodes/AttachmentAllowlist/AttachmentAllowlist.node';
import { ProfileLinker } from '../../nodes/ProfileLinker/ProfileLinker.node';
import { SlackDmReply } from '../../nodes/SlackDmReply/SlackDmReply.node';
import { SlackDmTrigger } from '../../nodes/SlackDmTrigger/SlackDmTrigger.node';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { ZendeskReplyTrigger } from '../../nodes/ZendeskReplyTrigger/ZendeskReplyTrigger.node';

const NODES: INodeType[] = [
	new AttachmentAllowlist(),
	new ProfileLinker(),
	new SlackDmReply(),
	new SlackDmTrigger(),
	new ZendeskMessagingUpsert(),
	new ZendeskReplyTrigger(),
];
const serviceOf = (credentialType: string) =>
	credentialType.startsWith('slack') ? 'Slack' : credentialType.startsWith('zendesk') ? 'Zendesk' : credentialType;
describe('credential slot labels', () => {
	const twoServices = NODES.filter(
		(node) => new Set((node.description.credentials ?? []).map((c) => serviceOf(c.name))).size > 1,
	);

	it('applies to the nodes that take both a Slack and a Zendesk credential', () => {
		expect(twoServices.map((node) => node.description.name).sort()).toEqual(['profileLinker', 'slackDmReply']);
	});

	it.each(twoServices.map((node) => [node.description.name, node] as const))(
		'%s names each slot after its service',
		(_name, node) => {
			for (const credential of node.description.credentials ?? []) {
				expect({ type: credential.name, label: credential.displayName }).toEqual({
					type: credential.name,
					label: `${serviceOf(credential.name)} Credential`,
				});
			}
		},
	);
});
