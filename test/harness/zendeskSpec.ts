/**
 * OpenAPI validation of Zendesk traffic: every request that reaches the Zendesk emulator and every
 * response it returns is checked against Zendesk's spec (the split copies in
 * specs/zendesk (this repository) plus emulators/zendesk/spec-supplement, which fills their gaps; see
 * emulators/zendesk/SPEC_EXCEPTIONS.md). Hooks EmulatorServer.observers, so requests sent by the
 * package's nodes are checked too.
 *
 *   const validator = attachZendeskSpecValidator(emulator);
 *   ... traffic ...
 *   expectNoSpecViolations(validator);
 *
 * Integration and e2e tests need not do this: test/harness/specGuard.ts attaches the same check to
 * every emulator automatically and fails the test on a violation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as yaml from 'js-yaml';

import { errorsText, HTTP_METHODS, jsonSchemaOf, templateRegex } from './openApi';
import type { Json, Operation } from './openApi';
import type { CallRecord, EmulatorServer } from '../../emulators/common/server';
import { ZENDESK_SPEC_DIR } from './specsDir';

const SPEC_DIR = ZENDESK_SPEC_DIR;
const SUPPLEMENT_DIR = path.resolve(__dirname, '../../emulators/zendesk/spec-supplement');

export interface SpecViolation {
	route: string;
	method: string;
	path: string;
	status: number;
	where: 'operation' | 'request' | 'response';
	message: string;
}

interface LoadedSpec {
	operations: Operation[];
	components: Json;
	/** Query parameters documented for many operations at once (pagination, sideloads). */
	globalQuery: Array<{ name: string; methods?: string[] }>;
	/** Pagination fields every GET list answer may carry at its top level. */
	listEnvelope: Json;
	/** `$ref`s that point at nothing even after the supplement (reported for served operations). */
	unresolved: Set<string>;
	ajv: Ajv;
}

function readYaml(file: string): Json {
	return yaml.load(fs.readFileSync(file, 'utf8')) as Json;
}

function specFiles(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.yml') && !f.includes('asyncapi'))
		.sort()
		.map((f) => path.join(dir, f));
}

/** OpenAPI 3.0 `nullable` → JSON Schema type lists; component refs → the shared `zd` document. */
function normalize(node: unknown, components: Json, unresolved: Set<string>): unknown {
	if (Array.isArray(node)) return node.map((n) => normalize(n, components, unresolved));
	if (!node || typeof node !== 'object') return node;
	const src = node as Json;
	const out: Json = {};
	for (const [key, value] of Object.entries(src)) {
		if (key === 'example' || key === 'examples' || key === 'nullable') continue;
		if (key === '$ref' && typeof value === 'string') {
			const match = /^#\/components\/schemas\/(.+)$/.exec(value);
			const schemas = (components.schemas ?? {}) as Json;
			if (match && schemas[match[1]] !== undefined) out.$ref = `zd#/components/schemas/${match[1]}`;
			else unresolved.add(value);
			continue;
		}
		out[key] = normalize(value, components, unresolved);
	}
	if (src.nullable === true) {
		if (typeof out.type === 'string') out.type = [out.type, 'null'];
		else if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
		else return { anyOf: [out, { type: 'null' }] };
		if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
	}
	return out;
}

let cached: LoadedSpec | undefined;

export function loadZendeskSpec(): LoadedSpec {
	if (cached) return cached;
	const docs = specFiles(SPEC_DIR).map(readYaml);
	if (docs.length === 0) throw new Error(`No Zendesk spec files in ${SPEC_DIR}`);
	const supplements = specFiles(SUPPLEMENT_DIR).map(readYaml);
	const components: Json = { schemas: {}, parameters: {} };
	for (const doc of [...docs, ...supplements]) {
		const c = (doc.components ?? {}) as Json;
		for (const kind of ['schemas', 'parameters']) Object.assign(components[kind] as Json, (c[kind] ?? {}) as Json);
	}
	const paths = new Map<string, Json>();
	for (const doc of docs) {
		for (const [p, item] of Object.entries((doc.paths ?? {}) as Json))
			paths.set(p, { ...(paths.get(p) ?? {}), ...(item as Json) });
	}
	for (const doc of supplements) {
		for (const [p, item] of Object.entries((doc.paths ?? {}) as Json)) {
			const merged: Json = { ...(paths.get(p) ?? {}) };
			for (const [key, value] of Object.entries(item as Json)) {
				if (HTTP_METHODS.includes(key) && merged[key]) {
					const base = merged[key] as Json;
					const over = value as Json;
					const params = new Map<string, Json>();
					for (const prm of [...((base.parameters as Json[]) ?? []), ...((over.parameters as Json[]) ?? [])])
						params.set(String(prm.$ref ?? `${prm.in}:${prm.name}`), prm);
					merged[key] = { ...base, ...over, parameters: [...params.values()] };
				} else {
					merged[key] = value;
				}
			}
			paths.set(p, merged);
		}
	}
	const unresolved = new Set<string>();
	const normalizedComponents = { schemas: normalize(components.schemas, components, unresolved) };
	const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
	addFormats(ajv);
	for (const name of [
		'datetime',
		'string',
		'url',
		'binary',
		'int64',
		'int32',
		'integer',
		'float',
		'double',
		'byte',
		'password',
	]) {
		if (!ajv.formats[name]) ajv.addFormat(name, true);
	}
	ajv.addSchema({ $id: 'zd', components: normalizedComponents }, 'zd');
	const operations: Operation[] = [];
	for (const [template, item] of paths) {
		const shared = ((item.parameters as Json[]) ?? []).slice();
		for (const method of HTTP_METHODS) {
			const op = item[method] as Json | undefined;
			if (!op) continue;
			const parameters = [...shared, ...((op.parameters as Json[]) ?? [])]
				.map((p) => {
					const ref = typeof p.$ref === 'string' ? /^#\/components\/parameters\/(.+)$/.exec(p.$ref) : null;
					if (!ref) return p;
					const resolved = (components.parameters as Json)[ref[1]] as Json | undefined;
					if (!resolved) unresolved.add(String(p.$ref));
					return resolved;
				})
				.filter((p): p is Json => !!p);
			operations.push({ method: method.toUpperCase(), template, regex: templateRegex(template), op, parameters });
		}
	}
	// Literal segments before parameters: /users/search wins over /users/{user_id}.
	operations.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
	const globalQuery = supplements.flatMap(
		(doc) => (doc['x-query-parameters-everywhere'] ?? []) as Array<{ name: string; methods?: string[] }>,
	);
	const listEnvelope = (supplements.map((doc) => doc['x-list-response-envelope']).find((e) => e) ?? {}) as Json;
	cached = { operations, components, unresolved, ajv, globalQuery, listEnvelope };
	return cached;
}

const compiled = new WeakMap<object, { validate: ValidateFunction; unresolved: string[] }>();

function validatorFor(spec: LoadedSpec, schema: Json): { validate: ValidateFunction; unresolved: string[] } {
	let entry = compiled.get(schema);
	if (!entry) {
		const unresolved = new Set<string>();
		const normalized = normalize(schema, spec.components, unresolved) as Json;
		entry = { validate: spec.ajv.compile(normalized), unresolved: [...unresolved] };
		compiled.set(schema, entry);
	}
	return entry;
}

function isJson(contentType: string | undefined): boolean {
	return !contentType || /json/i.test(contentType);
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
	return key ? String(headers[key]) : undefined;
}

/**
 * Fields of `value` that no branch of `schema` declares, as JSON paths (`ticket.comment.foo`).
 * Ajv with these schemas allows any extra field, so an invented field would pass; this closes
 * every object whose schema lists its properties. An object schema that lists none (`metadata:
 * {type: object}`) or says `additionalProperties` stays open, as Zendesk documents it.
 * allOf/anyOf/oneOf branches are merged: a field is known when any branch declares it.
 */
export function undeclaredFields(schema: unknown, value: unknown, components: Json, at = ''): string[] {
	const found = new Set<string>();
	walkDeclared(branchesOf([schema], components), value, components, at, found);
	return [...found];
}

function branchesOf(schemas: unknown[], components: Json, seen = new Set<unknown>()): Json[] {
	const out: Json[] = [];
	for (const raw of schemas) {
		if (!raw || typeof raw !== 'object' || seen.has(raw)) continue;
		seen.add(raw);
		const schema = raw as Json;
		if (typeof schema.$ref === 'string') {
			const match = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref);
			const target = match ? ((components.schemas ?? {}) as Json)[match[1]] : undefined;
			// An unresolved $ref is reported elsewhere; it leaves the object open here.
			if (target === undefined) out.push({ additionalProperties: true });
			else out.push(...branchesOf([target], components, seen));
			continue;
		}
		out.push(schema);
		for (const key of ['allOf', 'anyOf', 'oneOf'])
			if (Array.isArray(schema[key])) out.push(...branchesOf(schema[key] as unknown[], components, seen));
	}
	return out;
}

function walkDeclared(branches: Json[], value: unknown, components: Json, at: string, found: Set<string>): void {
	if (Array.isArray(value)) {
		const items = branches.map((b) => b.items).filter((i) => i !== undefined);
		if (items.length === 0) return;
		const itemBranches = branchesOf(items, components);
		for (const item of value) walkDeclared(itemBranches, item, components, `${at}[]`, found);
		return;
	}
	if (!value || typeof value !== 'object') return;
	if (branches.some((b) => b.additionalProperties !== undefined && b.additionalProperties !== false)) return;
	const declared = new Map<string, unknown[]>();
	for (const branch of branches) {
		for (const [key, sub] of Object.entries((branch.properties ?? {}) as Json))
			declared.set(key, [...(declared.get(key) ?? []), sub]);
	}
	if (declared.size === 0) return;
	for (const [key, child] of Object.entries(value as Json)) {
		const path = at ? `${at}.${key}` : key;
		const subs = declared.get(key);
		if (!subs) found.add(path);
		else walkDeclared(branchesOf(subs, components), child, components, path, found);
	}
}

/**
 * Query parameters Zendesk documents once for many operations rather than per operation
 * (`x-query-parameters-everywhere` in spec-supplement/components.yml, each with its source).
 */
function documentedElsewhere(spec: LoadedSpec, method: string, name: string): boolean {
	return spec.globalQuery.some((g) => g.name === name && (!g.methods || g.methods.includes(method)));
}

/** Checks one recorded call; returns the violations (empty when it conforms). */
export function validateZendeskCall(call: CallRecord): SpecViolation[] {
	if (!call.path.startsWith('/api/v2/')) return [];
	const spec = loadZendeskSpec();
	const violations: SpecViolation[] = [];
	const report = (where: SpecViolation['where'], message: string) =>
		violations.push({ route: call.route, method: call.method, path: call.path, status: call.status, where, message });
	const specPath = call.path.replace(/\.json$/, '');
	const operation = spec.operations.find((o) => o.method === call.method && o.regex.test(specPath));
	if (!operation) {
		report('operation', `no ${call.method} ${specPath} in the Zendesk spec`);
		return violations;
	}
	// Requests whose auth or rate limit failed never reached the operation; their bodies are still Zendesk errors.
	const reachedOperation = call.status !== 401 && call.status !== 429;

	// ---- request ----
	if (reachedOperation) {
		for (const param of operation.parameters) {
			const name = String(param.name);
			const schema = (param.schema ?? {}) as Json;
			let value: string | undefined;
			if (param.in === 'query') value = call.request.query[name];
			else if (param.in === 'path') {
				// Some copies list path parameters of sibling paths; only the template's own count.
				const index = operation.template.split('/').findIndex((seg) => seg === `{${name}}`);
				if (index < 0) continue;
				value = specPath.split('/')[index];
			} else continue;
			if (value === undefined) {
				if (param.required === true) report('request', `missing required ${param.in} parameter "${name}"`);
				continue;
			}
			if (schema.type === 'integer' && !/^-?\d+$/.test(value))
				report('request', `${param.in} parameter "${name}" must be an integer, got "${value}"`);
		}
		const declaredQuery = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => String(p.name)));
		for (const name of Object.keys(call.request.query)) {
			if (!declaredQuery.has(name) && !documentedElsewhere(spec, call.method, name))
				report('request', `query parameter "${name}" is not documented for this operation`);
		}
		const requestBody = operation.op.requestBody as Json | undefined;
		const hasBody = Object.keys(call.request.body ?? {}).length > 0;
		const contentType = headerValue(call.request.headers as Record<string, unknown>, 'content-type');
		const bodySchema = jsonSchemaOf(requestBody?.content);
		if (requestBody?.required === true && !hasBody && bodySchema) report('request', 'request body is required');
		if (hasBody && !requestBody && (call.method === 'GET' || call.method === 'DELETE'))
			report('request', 'the operation takes no request body');
		if (hasBody && bodySchema && isJson(contentType)) {
			const { validate, unresolved } = validatorFor(spec, bodySchema);
			for (const ref of unresolved) report('request', `request schema references undefined ${ref}`);
			if (!validate(call.request.body)) report('request', `request body: ${errorsText(validate)}`);
			for (const field of undeclaredFields(bodySchema, call.request.body, spec.components))
				report('request', `request body field "${field}" is not documented by Zendesk`);
		}
	}

	// ---- response ----
	if (call.fault) return violations; // an injected reset/timeout: no answer to check
	const responses = (operation.op.responses ?? {}) as Json;
	const documented = (responses[String(call.status)] ?? responses.default) as Json | undefined;
	const contentType = headerValue(call.response.headers, 'content-type');
	if (!documented) {
		if (call.status < 400) {
			report('response', `status ${call.status} is not documented for this operation`);
			return violations;
		}
		// Error statuses are documented once for the whole API, not per operation (SPEC_EXCEPTIONS.md).
		if (!isJson(contentType)) return violations;
		const errorSchema = (spec.components.schemas as Json).ZendeskErrorResponse as Json;
		const { validate } = validatorFor(spec, errorSchema);
		if (!validate(call.response.body)) report('response', `error body: ${errorsText(validate)}`);
		for (const field of undeclaredFields(errorSchema, call.response.body, spec.components))
			report('response', `error body field "${field}" is not documented by Zendesk`);
		return violations;
	}
	const schema = jsonSchemaOf(documented.content);
	if (!schema) {
		if (call.response.body !== undefined && call.status === 204) report('response', '204 must not have a body');
		return violations;
	}
	if (!isJson(contentType)) {
		report('response', `expected a JSON body, got ${contentType}`);
		return violations;
	}
	const { validate, unresolved } = validatorFor(spec, schema);
	for (const ref of unresolved) report('response', `response schema references undefined ${ref}`);
	if (!validate(call.response.body)) report('response', `response body: ${errorsText(validate)}`);
	const declared = call.method === 'GET' ? { allOf: [schema, spec.listEnvelope] } : schema;
	for (const field of undeclaredFields(declared, call.response.body, spec.components))
		report('response', `response field "${field}" is not documented by Zendesk for this object`);
	return violations;
}

export interface ZendeskSpecValidator {
	readonly violations: SpecViolation[];
	/** Calls checked so far (API calls only). */
	readonly checked: number;
	detach(): void;
}

const attached = new Set<ZendeskSpecValidator>();

export function attachZendeskSpecValidator(emulator: { server: EmulatorServer }): ZendeskSpecValidator {
	loadZendeskSpec();
	const violations: SpecViolation[] = [];
	let checked = 0;
	const observer = (call: CallRecord) => {
		if (!call.path.startsWith('/api/v2/')) return;
		checked += 1;
		violations.push(...validateZendeskCall(call));
	};
	emulator.server.observers.push(observer);
	const validator: ZendeskSpecValidator = {
		violations,
		get checked() {
			return checked;
		},
		detach() {
			const index = emulator.server.observers.indexOf(observer);
			if (index >= 0) emulator.server.observers.splice(index, 1);
			attached.delete(validator);
		},
	};
	attached.add(validator);
	return validator;
}

export function formatViolations(violations: SpecViolation[]): string {
	return violations.map((v) => `${v.method} ${v.path} → ${v.status} [${v.where}] ${v.message}`).join('\n');
}

/** Throws when the validator (or, without an argument, any attached validator) saw a mismatch. */
export function expectNoSpecViolations(validator?: ZendeskSpecValidator): void {
	const all = validator ? validator.violations : [...attached].flatMap((v) => v.violations);
	if (all.length > 0) throw new Error(`Zendesk spec violations (${all.length}):\n${formatViolations(all)}`);
}
