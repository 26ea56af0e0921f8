/** Pure helpers of the real-n8n harness and the sandbox: flatted parsing, node type and credential rewiring. */
import { adaptWorkflow, nodeTypeFor } from '../../harness/realN8n';

describe('node types per load mode', () => {
	const workflow = {
		nodes: [
			{ type: 'n8n-nodes-slack-dm-zendesk.slackDmTrigger' },
			{ type: 'CUSTOM.slackDmReply' },
			{ type: 'n8n-nodes-base.switch' },
		],
		connections: {},
	};

	it("rewrites only this package's nodes to the prefix of the mode", () => {
		expect(adaptWorkflow(workflow, 'custom-extensions').nodes.map((n) => n.type)).toEqual([
			'CUSTOM.slackDmTrigger',
			'CUSTOM.slackDmReply',
			'n8n-nodes-base.switch',
		]);
		expect(adaptWorkflow(workflow, 'community-package').nodes.map((n) => n.type)).toEqual([
			'n8n-nodes-slack-dm-zendesk.slackDmTrigger',
			'n8n-nodes-slack-dm-zendesk.slackDmReply',
			'n8n-nodes-base.switch',
		]);
		expect(nodeTypeFor('community-package', 'profileLinker')).toBe('n8n-nodes-slack-dm-zendesk.profileLinker');
	});
});
