/**
 * Slack spec conformance for tests:
 * - sample checks: every key in an actual payload must exist in the vendor sample (samples are
 *   field supersets with blanked values) and have the same JSON type (null is accepted anywhere:
 *   Slack sends null for optional ids, samples cannot say so);
 * - OpenAPI checks against web-api-openapi-v2.json (Swagger 2.0, 2021) for the methods it defines:
 *   request arguments known and required ones present, response body valid for its schema.
 * Known gaps of the vendor files are listed once in SPEC_EXCEPTIONS below; emulators/slack/SPEC_EXCEPTIONS.md
 * gives the reason and the source of each. test/harness/specGuard.ts applies callSpecProblems to
 * every Slack emulator of every integration and e2e test automatically.
 */
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { CallRecord } from '../../emulators/common/server';
import { FIXTURE_IDS } from '../../emulators/slack/fixtures';

import { SLACK_SPECS_DIR } from './specsDir';

export { SLACK_SPECS_DIR };

const cache = new Map<string, unknown>();

function loadJson(file: string): unknown {
	if (!cache.has(file)) cache.set(file, JSON.parse(fs.readFileSync(path.join(SLACK_SPECS_DIR, file), 'utf8')));
	return cache.get(file);
}

export function loadApiSample(method: string): unknown {
	return loadJson(`api-samples/${method}.json`);
}

export function loadEventSample(name: string): unknown {
	return loadJson(`event-samples/${name}.json`);
}

export function hasApiSample(method: string): boolean {
	return fs.existsSync(path.join(SLACK_SPECS_DIR, `api-samples/${method}.json`));
}

/** Paths (exact or prefix) where the emulator sends what Slack sends but the vendor file lacks. */
export const SPEC_EXCEPTIONS = {
	/** api-samples/<method>.json */
	apiSamples: {
		// Slack's envelope on any successful call: `warning` plus `response_metadata.warnings` (e.g. missing_charset).
		'*': ['$.warning', '$.response_metadata.warnings'],
		'conversations.info': ['$.channel.user', '$.channel.is_user_deleted', '$.channel.priority'],
		// Block Kit blocks are echoed from the request; the sample only holds an `actions` block.
		'chat.postMessage': ['$.message.blocks'],
	} as Record<string, string[]>,
	/** event-samples/<name>.json */
	eventSamples: {
		'*': [
			'$.event.blocks[type=rich_text]',
			'$.event.message.blocks[type=rich_text]',
			'$.event.previous_message.blocks[type=rich_text]',
		],
		MessagePayload: ['$.event.user_team', '$.event.source_team', '$.event.app_id', '$.event.username'],
		MessageFileSharePayload: [
			'$.event.team',
			'$.event.client_msg_id',
			'$.event.user_team',
			'$.event.source_team',
			'$.event.bot_id',
			'$.event.app_id',
			'$.event.bot_profile',
		],
		MessageMePayload: ['$.event.inviter'],
	} as Record<string, string[]>,
	/** web-api-openapi-v2.json: method -> paths in the response (`<method>:error` for error bodies). */
	openApi: {
		// Slack's envelope on any successful call (warnings such as missing_charset); the 2021 per-method schemas forbid extra keys.
		'*': ['$.warning', '$.response_metadata'],
		'chat.postMessage': ['$.message.app_id', '$.message.blocks'],
		'conversations.history': ['$.messages[].app_id'],
		'files.info': ['$.file.file_access', '$.file.has_more_shares', '$.file.media_display_type', '$.file.shares'],
		'team.info': ['$.team.url', '$.team.is_verified', '$.team.lob_sales_home_enabled'],
		// Slack adds `needed`/`provided` to missing_scope errors (api-samples have them); the 2021 error schemas do not.
		'*:error': ['$.needed', '$.provided'],
		'team.info:error': ['$.error'],
	} as Record<string, string[]>,
	/**
	 * The seeded workspace uses short readable ids (T0ACME, B0BRIDGE): Slack's own are 9+ characters,
	 * which the spec's id patterns encode. Pattern errors on these values are not emulator errors.
	 */
	fixtureIds: new Set<string>(Object.values(FIXTURE_IDS)),
	/** The same readable style for ids a test gives addChannel/addUser (`C0ALERTS`): letter, `0`, capitals. */
	readableId: /^[A-Z]0[A-Z0-9]+$/,
	/**
	 * Lists the 2021 spec requires non-empty that Slack answers empty: conversations.history for a
	 * window (`oldest`/`latest`) without messages answers `messages: []`.
	 */
	emptyArrays: { 'conversations.history': ['$.messages'] } as Record<string, string[]>,
	/** Errors any method can answer (Slack's common errors), missing from most 2021 per-method enums. */
	commonErrors: new Set(['missing_scope', 'not_allowed_token_type', 'ratelimited', 'invalid_json']),
};

function valueAt(body: unknown, instancePath: string): unknown {
	let node = body;
	for (const part of instancePath.split('/').slice(1)) {
		if (node === null || typeof node !== 'object') return undefined;
		node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
	}
	return node;
}

function kind(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

const ID_KEY = /^[A-Z][A-Z0-9_]{7,}$/;

function allowedBy(problemPath: string, allowed: string[]): boolean {
	return allowed.some((a) => problemPath === a || problemPath.startsWith(`${a}.`) || problemPath.startsWith(`${a}[`));
}

/** Problems of `actual` against a field-superset sample (empty list: conforms). */
export function sampleProblems(actual: unknown, sample: unknown, at = '$', allowed: string[] = []): string[] {
	if (allowedBy(at, allowed)) return [];
	if (actual === null || actual === undefined || sample === null) return [];
	const actualKind = kind(actual);
	const sampleKind = kind(sample);
	if (actualKind !== sampleKind) return [`${at}: ${actualKind} where the sample has ${sampleKind}`];
	if (actualKind === 'array') {
		const candidates = sample as unknown[];
		if (candidates.length === 0) return [];
		const problems: string[] = [];
		for (const element of actual as unknown[]) {
			const type = element && typeof element === 'object' ? (element as { type?: unknown }).type : undefined;
			let pool = candidates;
			let elementPath = `${at}[]`;
			if (typeof type === 'string' && candidates.every((c) => c && typeof c === 'object' && 'type' in (c as object))) {
				elementPath = `${at}[type=${type}]`;
				pool = candidates.filter((c) => (c as { type: unknown }).type === type);
				if (pool.length === 0) {
					if (!allowedBy(elementPath, allowed)) problems.push(`${elementPath}: element type not in the sample`);
					continue;
				}
			}
			const results = pool.map((c) => sampleProblems(element, c, elementPath, allowed));
			problems.push(...results.reduce((best, r) => (r.length < best.length ? r : best)));
		}
		return problems;
	}
	if (actualKind === 'object') {
		const sampleObject = sample as Record<string, unknown>;
		const sampleKeys = Object.keys(sampleObject);
		if (sampleKeys.length === 0) return [];
		const isMap = sampleKeys.every((k) => ID_KEY.test(k));
		const problems: string[] = [];
		for (const [key, value] of Object.entries(actual as Record<string, unknown>)) {
			if (isMap) {
				problems.push(...sampleProblems(value, sampleObject[sampleKeys[0]], `${at}.*`, allowed));
				continue;
			}
			const childPath = `${at}.${key}`;
			if (!(key in sampleObject)) {
				if (!allowedBy(childPath, allowed)) problems.push(`${childPath}: not in the sample`);
				continue;
			}
			problems.push(...sampleProblems(value, sampleObject[key], childPath, allowed));
		}
		return problems;
	}
	return [];
}

export function apiSampleProblems(method: string, body: unknown): string[] {
	return sampleProblems(body, loadApiSample(method), '$', [
		...(SPEC_EXCEPTIONS.apiSamples['*'] ?? []),
		...(SPEC_EXCEPTIONS.apiSamples[method] ?? []),
	]);
}

export function eventSampleProblems(sampleName: string, payload: unknown): string[] {
	const allowed = [...(SPEC_EXCEPTIONS.eventSamples['*'] ?? []), ...(SPEC_EXCEPTIONS.eventSamples[sampleName] ?? [])];
	return sampleProblems(payload, loadEventSample(sampleName), '$', allowed);
}

/** Which event sample describes an inner event (by type and subtype). */
export function eventSampleFor(event: { type?: unknown; subtype?: unknown; bot_id?: unknown; user?: unknown }): string {
	if (event.type === 'app_mention') return 'AppMentionPayload';
	switch (event.subtype) {
		case 'file_share':
			return 'MessageFileSharePayload';
		case 'message_changed':
			return 'MessageChangedPayload';
		case 'message_deleted':
			return 'MessageDeletedPayload';
		case 'bot_message':
			return 'MessageBotPayload';
		case 'me_message':
			return 'MessageMePayload';
		case 'thread_broadcast':
			return 'MessageThreadBroadcastPayload';
		case 'message_replied':
			return 'MessageRepliedPayload';
		default:
			// No sample exists for channel_join and the other system subtypes; me_message is the closest
			// system message (subtype, user, text) — see SPEC_EXCEPTIONS.md.
			return event.subtype ? 'MessageMePayload' : 'MessagePayload';
	}
}

// ---- OpenAPI (Swagger 2.0) ---------------------------------------------------------------------

interface SwaggerParameter {
	name: string;
	in: string;
	required?: boolean;
	type?: string;
}

interface SwaggerOperation {
	parameters?: SwaggerParameter[];
	responses: Record<string, { schema?: Record<string, unknown> }>;
}

function swagger(): { paths: Record<string, Record<string, SwaggerOperation>>; definitions: Record<string, unknown> } {
	return loadJson('web-api-openapi-v2.json') as never;
}

export function openApiOperation(method: string): { verb: string; operation: SwaggerOperation } | undefined {
	const item = swagger().paths[`/${method}`];
	if (!item) return undefined;
	const verb = Object.keys(item).find((v) => ['get', 'post'].includes(v));
	return verb ? { verb, operation: item[verb] } : undefined;
}

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function rewriteRefs(node: unknown): unknown {
	if (Array.isArray(node)) return node.map(rewriteRefs);
	if (node && typeof node === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(node)) {
			if (key === '$ref' && typeof value === 'string')
				out[key] = value.replace('#/definitions/', 'slack-web-api#/definitions/');
			else if (!key.startsWith('x-')) out[key] = rewriteRefs(value);
		}
		return out;
	}
	return node;
}

function responseValidator(method: string, which: '200' | 'default'): ValidateFunction | undefined {
	const key = `${method} ${which}`;
	if (validators.has(key)) return validators.get(key);
	const op = openApiOperation(method);
	const schema = op?.operation.responses[which]?.schema;
	if (!schema) return undefined;
	if (!ajv) {
		ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
		ajv.addSchema({ $id: 'slack-web-api', definitions: rewriteRefs(swagger().definitions) as Record<string, unknown> });
	}
	const validate = ajv.compile(rewriteRefs(schema) as Record<string, unknown>);
	validators.set(key, validate);
	return validate;
}

function ajvPath(instancePath: string): string {
	return `$${instancePath.replace(/\/(\d+)(?=\/|$)/g, '[]').replace(/\//g, '.')}`;
}

/** Response problems against the method's OpenAPI schema; undefined when the spec lacks the method. */
export function openApiResponseProblems(method: string, body: unknown): string[] | undefined {
	const okBody = Boolean(body && typeof body === 'object' && (body as { ok?: unknown }).ok === true);
	const validate = responseValidator(method, okBody ? '200' : 'default');
	if (!validate) return undefined;
	if (validate(body)) return [];
	const allowed = okBody
		? [...(SPEC_EXCEPTIONS.openApi['*'] ?? []), ...(SPEC_EXCEPTIONS.openApi[method] ?? [])]
		: [...(SPEC_EXCEPTIONS.openApi['*:error'] ?? []), ...(SPEC_EXCEPTIONS.openApi[`${method}:error`] ?? [])];
	const problems = new Set<string>();
	for (const error of validate.errors ?? []) {
		let at = ajvPath(error.instancePath);
		if (error.keyword === 'additionalProperties')
			at = `${at}.${(error.params as { additionalProperty: string }).additionalProperty}`;
		if (error.keyword === 'required') at = `${at}.${(error.params as { missingProperty: string }).missingProperty}`;
		if (error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
		if (
			error.keyword === 'enum' &&
			at === '$.error' &&
			SPEC_EXCEPTIONS.commonErrors.has(String(valueAt(body, error.instancePath)))
		)
			continue;
		if (
			error.keyword === 'minItems' &&
			(SPEC_EXCEPTIONS.emptyArrays[method] ?? []).includes(at) &&
			Array.isArray(valueAt(body, error.instancePath)) &&
			(valueAt(body, error.instancePath) as unknown[]).length === 0
		)
			continue;
		if (error.keyword === 'pattern') {
			const value = String(valueAt(body, error.instancePath));
			if (SPEC_EXCEPTIONS.fixtureIds.has(value) || SPEC_EXCEPTIONS.readableId.test(value)) continue;
		}
		if (allowedBy(at, allowed) || allowed.some((a) => a.startsWith(`${at}.`))) continue;
		problems.add(
			`${at}: ${error.message ?? error.keyword}${error.keyword === 'enum' ? ` (${JSON.stringify(error.params)})` : ''}`,
		);
	}
	return [...problems];
}

/** Request problems: unknown arguments, missing required ones, wrong scalar types. */
export function openApiRequestProblems(method: string, args: Record<string, unknown>): string[] | undefined {
	const op = openApiOperation(method);
	if (!op) return undefined;
	const params = (op.operation.parameters ?? []).filter((p) => p.in !== 'header');
	const byName = new Map(params.map((p) => [p.name, p]));
	const problems: string[] = [];
	for (const [name, value] of Object.entries(args)) {
		if (name === 'token') continue;
		const param = byName.get(name);
		if (!param) {
			problems.push(`request.${name}: not an argument of ${method}`);
			continue;
		}
		const text = typeof value === 'string' ? value : JSON.stringify(value);
		if (param.type === 'integer' && !/^-?\d+$/.test(text)) problems.push(`request.${name}: not an integer`);
		if (param.type === 'number' && Number.isNaN(Number(text))) problems.push(`request.${name}: not a number`);
		if (param.type === 'boolean' && !['true', 'false', '0', '1'].includes(text))
			problems.push(`request.${name}: not a boolean`);
	}
	for (const param of params)
		if (param.required && param.name !== 'token' && !(param.name in args))
			problems.push(`request.${param.name}: required`);
	const allowed = SPEC_EXCEPTIONS.openApi[method] ?? [];
	return problems.filter((p) => !allowed.includes(p.split(':')[0]));
}

/** Every spec problem of one recorded emulator call (for EmulatorServer observers). */
export function callSpecProblems(call: CallRecord): string[] {
	const method = call.route;
	if (
		!method.includes('.') ||
		method.startsWith('files.download') ||
		method === 'files.upload_url' ||
		method === 'files.permalink' ||
		method === 'login.page'
	)
		return [];
	const problems: string[] = [];
	const args = { ...call.request.query, ...call.request.body };
	const request = openApiRequestProblems(method, args);
	if (request) problems.push(...request);
	// 429 and 5xx are HTTP-level answers (ratelimited, outage); the spec only describes HTTP 200 bodies.
	// An injected reset/timeout (status 0) gave no answer to check.
	if (call.fault) {
		// request checked above; nothing was answered
	} else if (call.status === 200) {
		const response = openApiResponseProblems(method, call.response.body);
		if (response) problems.push(...response);
		if (hasApiSample(method)) problems.push(...apiSampleProblems(method, call.response.body));
	} else if (call.status !== 429 && call.status < 500) {
		problems.push(`response: HTTP ${call.status}; Slack answers Web API errors as HTTP 200 {ok:false}`);
	}
	return problems.map((p) => `${method}: ${p}`);
}
