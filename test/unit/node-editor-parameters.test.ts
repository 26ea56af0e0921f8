/**
 * Which parameters n8n's editor shows in a node's panel. Besides displayOptions, the editor hides
 * "authentication related" parameters: it takes every parameter named in a credential slot's
 * `displayOptions.show` as an authentication field, moves the main one (`authentication`) into
 * the credential section, and hides every parameter named in an authentication field's own
 * `displayOptions.show` (n8n-io/n8n packages/frontend/editor-ui: nodeTypesUtils getNodeAuthFields,
 * getMainAuthField, isAuthRelatedParameter, used by shouldDisplayNodeParameter; the same code is
 * in n8n 2.41.1's editor bundle). Slack DM Reply's Operation selector vanished this way.
 */
import type { INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { AttachmentAllowlist } from '../../nodes/AttachmentAllowlist/AttachmentAllowlist.node';
import { ProfileLinker } from '../../nodes/ProfileLinker/ProfileLinker.node';
import { SlackDmReply } from '../../nodes/SlackDmReply/SlackDmReply.node';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';

function authFields(description: INodeTypeDescription): INodeProperties[] {
	const names = new Set(
		(description.credentials ?? []).flatMap((credential) => Object.keys(credential.displayOptions?.show ?? {})),
	);
	return description.properties.filter((property) => names.has(property.name));
}

/** The parameters n8n's editor hides because it takes them for part of the authentication. */
function hiddenAsAuthentication(description: INodeTypeDescription): string[] {
	const fields = authFields(description);
	const main = fields.find((field) => field.name === 'authentication');
	return description.properties
		.filter(
			(property) =>
				property === main ||
				fields.some((field) => field.displayOptions?.show !== undefined && property.name in field.displayOptions.show),
		)
		.map((property) => property.name);
}

/** A slot without `show`, or shown by the main authentication field, is offered that field's credential types. */
function takenForAuthenticationChoice(description: INodeTypeDescription, credentialName: string): boolean {
	const credential = (description.credentials ?? []).find((entry) => entry.name === credentialName);
	if (!credential?.displayOptions?.show) return true;
	return 'authentication' in credential.displayOptions.show;
}

const NODES: INodeType[] = [
	new AttachmentAllowlist(),
	new ProfileLinker(),
	new SlackDmReply(),
	new ZendeskMessagingUpsert(),
];

describe("parameters n8n's editor shows", () => {
	it.each(NODES.map((node) => [node.description.name, node] as const))(
		'%s: only `authentication` moves into the credential section',
		(_name, node) => {
			const hidden = hiddenAsAuthentication(node.description);
			expect(hidden.filter((name) => name !== 'authentication')).toEqual([]);
		},
	);

	it('Slack DM Reply shows its Operation selector with the three operations', () => {
		const { description } = new SlackDmReply();
		expect(hiddenAsAuthentication(description)).not.toContain('operation');
		expect(hiddenAsAuthentication(description)).not.toContain('sendAttachments');
		const operation = description.properties.find((property) => property.name === 'operation');
		expect(operation).toMatchObject({ type: 'options', noDataExpression: true });
		expect(operation?.displayOptions).toBeUndefined();
		expect((operation?.options ?? []).map((option) => ('value' in option ? option.value : undefined))).toEqual([
			'alert',
			'reply',
			'notice',
		]);
	});

	it.each([
		['slackDmReply', new SlackDmReply()],
		['profileLinker', new ProfileLinker()],
	] as const)('%s: the Slack slot offers Slack credentials, not the Zendesk authentication choices', (_name, node) => {
		expect(takenForAuthenticationChoice(node.description, 'slackDmApi')).toBe(false);
	});

	it('action names keep no lower-cased product names', () => {
		for (const node of NODES) {
			const operation = node.description.properties.find((property) => property.name === 'operation');
			for (const option of operation?.options ?? []) {
				const action = 'action' in option ? String(option.action) : '';
				expect(action).not.toMatch(/\b(slack|zendesk)\b/);
			}
		}
	});

	it('number fields show their defaults as written: no numberPrecision turning 50 into "50.000"', () => {
		const numbers = (properties: INodeProperties[]): INodeProperties[] =>
			properties.flatMap((property) => [
				...(property.type === 'number' ? [property] : []),
				...numbers(
					((property.options ?? []) as INodeProperties[]).filter(
						(option) => typeof option === 'object' && 'type' in option,
					),
				),
			]);
		for (const node of NODES) {
			for (const property of numbers(node.description.properties)) {
				const precision = property.typeOptions?.numberPrecision ?? 0;
				const shown = Number(property.default).toFixed(precision);
				expect({ node: node.description.name, field: property.name, shown }).toEqual({
					node: node.description.name,
					field: property.name,
					shown: String(property.default),
				});
			}
		}
	});

	it('Attachment Allowlist labels its slot like the other nodes do', () => {
		expect(new AttachmentAllowlist().description.credentials).toEqual([
			expect.objectContaining({ name: 'slackDmApi', displayName: 'Slack Credential' }),
		]);
	});
});
