/** What the two OpenAPI spec guards (zendeskSpec.ts, sunshineSpec.ts) read the same way. */
import type { ValidateFunction } from 'ajv';

export type Json = Record<string, unknown>;

/** One operation of a spec: its method, path template (and the regex matching it) and definition. */
export interface Operation {
	method: string;
	template: string;
	regex: RegExp;
	op: Json;
	parameters: Json[];
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** `/v2/apps/{appId}/users` → a regex matching one path segment per `{…}`, the rest literally. */
export function templateRegex(template: string): RegExp {
	const source = template
		.split('/')
		.map((segment) => segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+'))
		.join('/');
	return new RegExp(`^${source}$`);
}

/** Ajv's first five errors, one line, with the allowed values of an enum. */
export function errorsText(validate: ValidateFunction): string {
	return (validate.errors ?? [])
		.slice(0, 5)
		.map(
			(e) =>
				`${e.instancePath || '/'} ${e.message}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`,
		)
		.join('; ');
}

/** The JSON schema of a request body or response `content`. */
export function jsonSchemaOf(content: unknown): Json | undefined {
	const c = (content ?? {}) as Json;
	const entry = (c['application/json'] ?? c['application/json; charset=utf-8']) as Json | undefined;
	return entry?.schema as Json | undefined;
}
