/** Pure helpers of the real-n8n harness and the sandbox: flatted parsing, node type and credential rewiring. */
import { wireCredentials } from '../../../scripts/start';

describe('sandbox credential wiring', () => {
	it('points template credential placeholders of known types at the sandbox credentials', () => {
		const workflow = {
			nodes: [
				{ type: 'x.a', credentials: { slackDmApi: { id: 'PLACEHOLDER', name: 'Slack' } } },
				{ type: 'x.b', credentials: { otherApi: { id: 'keep', name: 'Other' } } },
				{ type: 'x.c' },
			],
			connections: {},
		};
		const wired = wireCredentials(workflow, [{ id: 'sb1', name: 'Slack (sandbox)', type: 'slackDmApi', data: {} }]);
		expect(wired.nodes.map((n) => n.credentials)).toEqual([
			{ slackDmApi: { id: 'sb1', name: 'Slack (sandbox)' } },
			{ otherApi: { id: 'keep', name: 'Other' } },
			undefined,
		]);
	});
});
