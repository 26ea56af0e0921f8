import type { IDataObject, IWebhookDescription } from 'n8n-workflow';

/**
 * n8n (2.41+) keeps native resolvers for webhook-description fields under this global symbol
 * (`WEBHOOK_RESOLVERS` in n8n-workflow). A field that carries one is read straight from the
 * node's parameters instead of through the expression engine, which under the default
 * `N8N_EXPRESSION_ENGINE=vm` costs a fresh V8 isolate per request. Older n8n versions ignore
 * the symbol and evaluate the template, with the same result. Symbol.for rather than the
 * import: n8n-workflow before 2.41 does not export it, and the package must load there too.
 */
const WEBHOOK_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

/**
 * Description fields that read one node parameter each (with a fallback for an empty value),
 * as the template string the editor needs plus the resolver the backend uses.
 */
export function parameterFields(
	fields: Record<string, { parameter: string; fallback: string }>,
): Partial<IWebhookDescription> {
	const templates: Record<string, string> = {};
	const resolvers: Record<string, { template: string; resolve: (parameters: IDataObject) => unknown }> = {};
	for (const [field, { parameter, fallback }] of Object.entries(fields)) {
		// Same text and the same `||` truthiness as n8n-workflow's fromParameter().
		const template = `={{$parameter["${parameter}"] || ${JSON.stringify(fallback)}}}`;
		templates[field] = template;
		resolvers[field] = { template, resolve: (parameters) => parameters[parameter] || fallback };
	}
	return { ...templates, [WEBHOOK_RESOLVERS]: resolvers } as Partial<IWebhookDescription>;
}
