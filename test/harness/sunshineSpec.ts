/**
 * OpenAPI validation of Sunshine Conversations traffic: every request that reaches the Sunshine
 * emulator under `/sc/v2/` and every answer it gives is checked against the vendored Conversations
 * API spec (specs/sunshine-conversations/openapi.yaml, OpenAPI 3.0.2): the operation exists, path
 * and deepObject query parameters (`page[after]`, `filter[userId]`) are declared and valid, JSON
 * bodies match their schemas with no undeclared field, and the status is documented (error statuses
 * the spec documents once for the whole API are checked against `errorResponse`). Webhook payloads
 * the emulator sends are checked against the spec's `x-webhooks` request body with
 * `sunshineWebhookProblems`. The spec guard (specGuard.ts) attaches this to every Sunshine emulator.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as yaml from 'js-yaml';

import { errorsText, HTTP_METHODS, jsonSchemaOf, templateRegex } from './openApi';
import type { Json, Operation } from './openApi';
import type { CallRecord } from '../../emulators/common/server';
import { SUNSHINE_SPEC_DIR } from './specsDir';

export interface SunshineViolation {
	where: 'operation' | 'request' | 'response';
	message: string;
}

interface LoadedSpec {
	operations: Operation[];
	schemas: Json;
	webhookBody: Json;
	ajv: Ajv;
}

const REF = /^#\/components\/(schemas|parameters)\/(.+)$/;

/**
 * OpenAPI 3.0 → JSON Schema for Ajv: `nullable` becomes a null branch, examples go, and a
 * `discriminator` over `oneOf` becomes if/then per mapped type (the branches declare `type` without
 * `const`, so plain oneOf would match several of them).
 */
function normalize(node: unknown): unknown {
	if (Array.isArray(node)) return node.map(normalize);
	if (!node || typeof node !== 'object') return node;
	const src = node as Json;
	const out: Json = {};
	for (const [key, value] of Object.entries(src)) {
		if (['example', 'examples', 'nullable', 'discriminator', 'readOnly', 'writeOnly', 'x-resourceId'].includes(key))
			continue;
		if (key === '$ref' && typeof value === 'string') {
			out.$ref = `sc#/components/schemas/${REF.exec(value)?.[2] ?? value}`;
			continue;
		}
		out[key] = normalize(value);
	}
	const discriminator = src.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
	if (discriminator?.mapping && Array.isArray(src.oneOf)) {
		const prop = discriminator.propertyName;
		delete out.oneOf;
		out.allOf = [
			{ type: 'object', required: [prop], properties: { [prop]: { enum: Object.keys(discriminator.mapping) } } },
			...Object.entries(discriminator.mapping).map(([tag, ref]) => ({
				if: { properties: { [prop]: { const: tag } } },
				then: { $ref: `sc#/components/schemas/${REF.exec(ref)?.[2]}` },
			})),
		];
	}
	if (src.nullable === true) return { anyOf: [out, { type: 'null' }] };
	return out;
}

let cached: LoadedSpec | undefined;

export function loadSunshineSpec(): LoadedSpec {
	if (cached) return cached;
	const doc = yaml.load(fs.readFileSync(path.join(SUNSHINE_SPEC_DIR, 'openapi.yaml'), 'utf8')) as Json;
	const components = doc.components as Json;
	const schemas = components.schemas as Json;
	const parameters = components.parameters as Json;
	const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
	addFormats(ajv);
	for (const name of ['binary', 'int64', 'int32', 'float', 'double', 'byte', 'password'])
		if (!ajv.formats[name]) ajv.addFormat(name, true);
	ajv.addSchema({ $id: 'sc', components: { schemas: normalize(schemas) } }, 'sc');
	const operations: Operation[] = [];
	for (const [template, raw] of Object.entries(doc.paths as Json)) {
		const item = raw as Json;
		for (const method of HTTP_METHODS) {
			const op = item[method] as Json | undefined;
			if (!op) continue;
			const params = [...((item.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])].map((p) => {
				const ref = typeof p.$ref === 'string' ? REF.exec(p.$ref) : null;
				return ref ? (parameters[ref[2]] as Json) : p;
			});
			operations.push({
				method: method.toUpperCase(),
				template,
				regex: templateRegex(template),
				op,
				parameters: params,
			});
		}
	}
	operations.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
	const hook = ((doc['x-webhooks'] as Json)['Webhook Event'] as Json).post as Json;
	const webhookBody = (((hook.requestBody as Json).content as Json)['application/json'] as Json).schema as Json;
	cached = { operations, schemas, webhookBody, ajv };
	return cached;
}

const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(spec: LoadedSpec, schema: Json): ValidateFunction {
	let validate = compiled.get(schema);
	if (!validate) {
		validate = spec.ajv.compile(normalize(schema) as Json);
		compiled.set(schema, validate);
	}
	return validate;
}

/** Schemas that may describe `value`: $refs resolved, allOf/anyOf/oneOf and discriminator mappings followed. */
function branchesOf(schemas: unknown[], spec: LoadedSpec, value: unknown, seen = new Set<unknown>()): Json[] {
	const out: Json[] = [];
	for (const raw of schemas) {
		if (!raw || typeof raw !== 'object' || seen.has(raw)) continue;
		seen.add(raw);
		const schema = raw as Json;
		if (typeof schema.$ref === 'string') {
			out.push(...branchesOf([spec.schemas[REF.exec(schema.$ref)?.[2] ?? '']], spec, value, seen));
			continue;
		}
		out.push(schema);
		for (const key of ['allOf', 'anyOf', 'oneOf'])
			if (Array.isArray(schema[key])) out.push(...branchesOf(schema[key] as unknown[], spec, value, seen));
		const d = schema.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
		const tag = d && value && typeof value === 'object' ? (value as Json)[d.propertyName] : undefined;
		if (d?.mapping && typeof tag === 'string' && d.mapping[tag])
			out.push(...branchesOf([{ $ref: d.mapping[tag] }], spec, value, seen));
	}
	return out;
}

/** Fields of `value` no branch of `schema` declares (objects that list properties are closed; `additionalProperties` keeps one open). */
export function undeclaredSunshineFields(schema: unknown, value: unknown, at = ''): string[] {
	const spec = loadSunshineSpec();
	const found: string[] = [];
	const walk = (branches: Json[], item: unknown, where: string): void => {
		if (Array.isArray(item)) {
			const items = branches.map((b) => b.items).filter((i) => i !== undefined);
			for (const element of item) if (items.length > 0) walk(branchesOf(items, spec, element), element, `${where}[]`);
			return;
		}
		if (!item || typeof item !== 'object') return;
		if (branches.some((b) => b.additionalProperties !== undefined && b.additionalProperties !== false)) return;
		const declared = new Map<string, unknown[]>();
		for (const b of branches)
			for (const [key, sub] of Object.entries((b.properties ?? {}) as Json))
				declared.set(key, [...(declared.get(key) ?? []), sub]);
		if (declared.size === 0) return;
		for (const [key, child] of Object.entries(item as Json)) {
			const subs = declared.get(key);
			const p = where ? `${where}.${key}` : key;
			if (!subs) found.push(p);
			else walk(branchesOf(subs, spec, child), child, p);
		}
	};
	walk(branchesOf([schema], spec, value), value, at);
	return found;
}

function checkParameters(
	operation: Operation,
	specPath: string,
	call: CallRecord,
	report: (message: string) => void,
): void {
	const spec = loadSunshineSpec();
	const query = call.request.query;
	const used = new Set<string>();
	for (const param of operation.parameters) {
		const name = String(param.name);
		if (param.in === 'path') {
			const index = operation.template.split('/').indexOf(`{${name}}`);
			if (index >= 0 && !specPath.split('/')[index]) report(`missing path parameter "${name}"`);
			continue;
		}
		if (param.in !== 'query') continue;
		let value: unknown = query[name];
		if (param.style === 'deepObject') {
			const entries = Object.entries(query).filter(([k]) => k.startsWith(`${name}[`) && k.endsWith(']'));
			for (const [k] of entries) used.add(k);
			value =
				entries.length > 0 ? Object.fromEntries(entries.map(([k, v]) => [k.slice(name.length + 1, -1), v])) : undefined;
			if (value && (param.schema as Json).$ref) {
				const schema = spec.schemas[REF.exec(String((param.schema as Json).$ref))?.[2] ?? ''] as Json;
				const coerced = Object.fromEntries(
					Object.entries(value as Json).map(([k, v]) => [k, /^\d+$/.test(String(v)) && k === 'size' ? Number(v) : v]),
				);
				const validate = validatorFor(spec, schema);
				if (!validate(coerced)) report(`query parameter "${name}": ${errorsText(validate)}`);
			}
		} else if (value !== undefined) {
			used.add(name);
		}
		if (value === undefined && param.required === true) report(`missing required query parameter "${name}"`);
	}
	for (const name of Object.keys(query))
		if (!used.has(name)) report(`query parameter "${name}" is not documented for this operation`);
}

/** Checks one recorded call; returns the violations (empty when it conforms). Only `/sc/v2/` is the API. */
export function validateSunshineCall(call: CallRecord): SunshineViolation[] {
	if (!call.path.startsWith('/sc/v2/')) return [];
	const spec = loadSunshineSpec();
	const violations: SunshineViolation[] = [];
	const report = (where: SunshineViolation['where']) => (message: string) => violations.push({ where, message });
	const specPath = call.path.slice('/sc'.length);
	const operation = spec.operations.find((o) => o.method === call.method && o.regex.test(specPath));
	if (!operation)
		return [{ where: 'operation', message: `no ${call.method} ${specPath} in the Sunshine Conversations spec` }];
	const reached = ![401, 413, 429].includes(call.status);
	if (reached) {
		checkParameters(operation, specPath, call, report('request'));
		const contentType = String(
			Object.entries(call.request.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '',
		);
		const requestBody = operation.op.requestBody as Json | undefined;
		const bodySchema = jsonSchemaOf(requestBody?.content);
		const hasBody = Object.keys(call.request.body ?? {}).length > 0;
		if (hasBody && !requestBody) report('request')('the operation takes no request body');
		if (hasBody && bodySchema && /json/i.test(contentType)) {
			const validate = validatorFor(spec, bodySchema);
			if (!validate(call.request.body)) report('request')(`request body: ${errorsText(validate)}`);
			for (const field of undeclaredSunshineFields(bodySchema, call.request.body))
				report('request')(`request body field "${field}" is not in the spec`);
		}
	}
	if (call.fault) return violations;
	const responses = (operation.op.responses ?? {}) as Json;
	const documented = responses[String(call.status)] as Json | undefined;
	if (!documented && call.status < 400)
		return [
			...violations,
			{ where: 'response', message: `status ${call.status} is not documented for this operation` },
		];
	// Error statuses the spec documents once for the API ("Errors": a JSON object with an array of errors).
	const schema = documented ? jsonSchemaOf(documented.content) : (spec.schemas.errorResponse as Json);
	if (!schema) return violations;
	const validate = validatorFor(spec, schema);
	if (!validate(call.response.body)) report('response')(`response body: ${errorsText(validate)}`);
	for (const field of undeclaredSunshineFields(schema, call.response.body))
		report('response')(`response field "${field}" is not in the spec`);
	return violations;
}

/** Problems of a webhook payload the emulator sent (the spec's `x-webhooks` "Webhook Event" body). */
export function sunshineWebhookProblems(body: unknown): string[] {
	const spec = loadSunshineSpec();
	const validate = validatorFor(spec, spec.webhookBody);
	const problems = validate(body) ? [] : [`webhook payload: ${errorsText(validate)}`];
	const events = ((body as Json)?.events ?? []) as Json[];
	const titles = (spec.webhookBody.properties as Json).events as Json;
	const candidates = ((titles.items as Json).anyOf as Json[]).map(
		(ref) => spec.schemas[REF.exec(String(ref.$ref))?.[2] ?? ''] as Json,
	);
	for (const event of events) {
		const schema = candidates.find((c) => c.title === event.type);
		if (!schema) {
			problems.push(`event type "${String(event.type)}" is not in the spec`);
			continue;
		}
		// The body's anyOf lets any event match some permissive schema: check the one its type names.
		const own = validatorFor(spec, schema);
		const conforms: boolean = own(event);
		if (!conforms) problems.push(`event ${String(event.type)}: ${errorsText(own)}`);
		for (const field of undeclaredSunshineFields(schema, event))
			problems.push(`event ${String(event.type)}: field "${field}" is not in the spec`);
	}
	return problems;
}
