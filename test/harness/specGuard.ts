/**
 * Spec guard (jest `setupFilesAfterEnv` of the integration and e2e projects): every emulator server
 * started in a test file, by the test or by anything it starts (pipeline harness, sandbox), gets the
 * matching spec check attached — Zendesk Support OpenAPI (zendeskSpec.ts), Slack Web API
 * OpenAPI + api-samples (slackSpec.ts) or Sunshine Conversations OpenAPI (sunshineSpec.ts). Every request the package sends and every answer the
 * emulator gives is checked; after each test (and after each afterAll hook) the test fails when
 * one did not conform.
 *
 * Deliberate non-conforming traffic opts out narrowly, for the current test only:
 *   specGuard.expectViolations(2, 'chat.postMessage');      // exactly 2 on that route
 *   specGuard.allow(/\/api\/v2\/tickets/, 'injected 503');  // ignore these in this test
 * A spec that is demonstrably wrong gets an exception (reason + source) in
 * emulators/<slack|zendesk>/SPEC_EXCEPTIONS.md instead.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { CallLogLine, CallRecord, EmulatorKind } from '../../emulators/common/server';
import { CALL_LOG_ENV, EmulatorServer } from '../../emulators/common/server';
import { callSpecProblems } from './slackSpec';
import { validateSunshineCall } from './sunshineSpec';
import { validateZendeskCall } from './zendeskSpec';

export interface GuardViolation {
	kind: EmulatorKind;
	route: string;
	method: string;
	path: string;
	status: number;
	problem: string;
}

/** A route name (`chat.postMessage`, `POST /api/v2/tickets.json`), or a pattern tested against the route name and `METHOD /path`. */
export type RouteMatch = string | RegExp;

const EXCEPTION_LISTS: Record<EmulatorKind, string> = {
	slack: 'emulators/slack/SPEC_EXCEPTIONS.md (machine-readable: SPEC_EXCEPTIONS in test/harness/slackSpec.ts)',
	zendesk: 'emulators/zendesk/SPEC_EXCEPTIONS.md (fixes in emulators/zendesk/spec-supplement/)',
	sunshine: 'emulators/sunshine/SPEC_EXCEPTIONS.md',
};

export function emulatorKind(server: { kind?: EmulatorKind; label: string }): EmulatorKind | undefined {
	if (server.kind) return server.kind;
	if (/slack/i.test(server.label)) return 'slack';
	if (/zendesk/i.test(server.label)) return 'zendesk';
	if (/sunshine/i.test(server.label)) return 'sunshine';
	return undefined;
}

/** The spec problems of one call, as the guard reports them. */
export function specViolationsOf(kind: EmulatorKind, call: CallRecord): GuardViolation[] {
	const base = { kind, route: call.route, method: call.method, path: call.path, status: call.status };
	if (kind === 'zendesk')
		return validateZendeskCall(call).map((v) => ({ ...base, problem: `[${v.where}] ${v.message}` }));
	if (kind === 'sunshine')
		return validateSunshineCall(call).map((v) => ({ ...base, problem: `[${v.where}] ${v.message}` }));
	// callSpecProblems skips routes outside the Web API; a call to a method Slack lacks is still the sender's error.
	if (call.route === 'unknown_method')
		return [{ ...base, problem: `[request] ${call.path} is not a Slack Web API method` }];
	return callSpecProblems(call).map((problem) => ({ ...base, problem }));
}

function matches(match: RouteMatch | undefined, v: GuardViolation): boolean {
	if (match === undefined) return true;
	if (typeof match === 'string') return v.route === match || `${v.method} ${v.path}` === match;
	return match.test(v.route) || match.test(`${v.method} ${v.path}`);
}

interface Expectation {
	count: number;
	where?: RouteMatch;
	reason?: string;
}

interface Allowance {
	where: RouteMatch;
	reason: string;
}

const attached = new WeakSet<EmulatorServer>();
let pending: GuardViolation[] = [];
let seenThisTest: GuardViolation[] = [];
let expectations: Expectation[] = [];
let allowances: Allowance[] = [];
let checkedCalls = 0;

/** Calls logged by emulators in child processes (CALL_LOG_ENV), read up to here. */
let childLog: { file: string; offset: number } | undefined;

function record(kind: EmulatorKind, call: CallRecord): void {
	checkedCalls += 1;
	let found: GuardViolation[];
	try {
		found = specViolationsOf(kind, call);
	} catch (error) {
		// Observers run inside the emulator's request handler: never let a checker crash break the answer.
		found = [
			{
				kind,
				route: call.route,
				method: call.method,
				path: call.path,
				status: call.status,
				problem: `spec check failed: ${(error as Error).message}`,
			},
		];
	}
	pending.push(...found);
	seenThisTest.push(...found);
}

function readChildLog(): void {
	if (!childLog || !fs.existsSync(childLog.file)) return;
	const data = fs.readFileSync(childLog.file);
	const end = data.lastIndexOf(0x0a) + 1;
	if (end <= childLog.offset) return;
	const text = data.subarray(childLog.offset, end).toString('utf8');
	childLog.offset = end;
	for (const json of text.split('\n')) {
		if (!json) continue;
		const line = JSON.parse(json) as CallLogLine;
		const kind = emulatorKind(line);
		if (!kind) throw new Error(`spec guard: a child process's emulator "${line.label}" has no kind (slack | zendesk)`);
		record(kind, line.call);
	}
}

function attach(server: EmulatorServer): void {
	if (attached.has(server)) return;
	const kind = emulatorKind(server);
	if (!kind)
		throw new Error(
			`spec guard: emulator "${server.label}" has no kind (slack | zendesk); pass it to new EmulatorServer(label, kind)`,
		);
	attached.add(server);
	server.observers.push((call) => record(kind, call));
}

export function formatGuardViolations(violations: GuardViolation[]): string {
	return violations
		.map((v) => `  [${v.kind}] ${v.method} ${v.path} → ${v.status} (route ${v.route}): ${v.problem}`)
		.join('\n');
}

/** Applies this test's opt-outs to what was seen since the last check; throws on what remains. */
function check(when: string): void {
	readChildLog();
	let left = pending;
	pending = [];
	const currentExpectations = expectations;
	const currentAllowances = allowances;
	expectations = [];
	allowances = [];
	left = left.filter((v) => !currentAllowances.some((a) => matches(a.where, v)));
	const problems: string[] = [];
	for (const e of currentExpectations) {
		const taken = left.filter((v) => matches(e.where, v));
		left = left.filter((v) => !matches(e.where, v));
		if (taken.length !== e.count) {
			problems.push(
				`expected ${e.count} spec violation(s)${e.where ? ` on ${String(e.where)}` : ''}${e.reason ? ` (${e.reason})` : ''}, saw ${taken.length}${taken.length ? `:\n${formatGuardViolations(taken)}` : ''}`,
			);
		}
	}
	if (left.length > 0) {
		const kinds = [...new Set(left.map((v) => v.kind))];
		problems.push(
			[
				`${left.length} request(s)/response(s) do not conform to the vendor spec:`,
				formatGuardViolations(left),
				'Fix the sender (a package request Slack/Zendesk would refuse) or the emulator (an answer the real service would not give).',
				`Only where the spec is demonstrably wrong, record an exception with reason and source in ${kinds.map((k) => EXCEPTION_LISTS[k]).join(' / ')}.`,
				'Deliberately non-conforming traffic: specGuard.expectViolations(n, route) or specGuard.allow(route, reason) in that test.',
			].join('\n'),
		);
	}
	if (problems.length > 0) throw new Error(`Spec guard (${when}): ${problems.join('\n')}`);
}

export const specGuard = {
	/** This test deliberately causes exactly `count` violations (on `where`, if given); they do not fail it, a different count does. */
	expectViolations(count: number, where?: RouteMatch, reason?: string): void {
		expectations.push({ count, where, reason });
	},
	/** Ignore violations on `where` for the rest of this test only (e.g. an injected fault body). */
	allow(where: RouteMatch, reason: string): void {
		allowances.push({ where, reason });
	},
	/** Violations seen during the current test so far (before opt-outs). */
	seen(): readonly GuardViolation[] {
		readChildLog();
		return [...seenThisTest];
	},
};

/** Runs the check the hooks run, now (for the guard's own tests); opt-outs set so far are used up. */
export function specGuardCheckNow(): void {
	check('checked now');
}

type HookFn = (() => unknown) | ((done: (error?: unknown) => void) => unknown);

/**
 * jest gives each test file a copy of process.env, but child processes inherit the process's real
 * one. Buffer comes from the outer realm, so its Function constructor evaluates there.
 */
function outerProcessEnv(): NodeJS.ProcessEnv {
	return (Buffer.constructor as FunctionConstructor)('return process.env')() as NodeJS.ProcessEnv;
}

function install(): void {
	EmulatorServer.startHooks.push(attach);
	// Child processes (e.g. the benchmark) inherit this and log their emulators' calls for us.
	const file = path.join(
		os.tmpdir(),
		`spec-guard-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`,
	);
	process.env[CALL_LOG_ENV] = file;
	outerProcessEnv()[CALL_LOG_ENV] = file;
	childLog = { file, offset: 0 };
	beforeEach(() => {
		seenThisTest = [];
	});
	afterEach(() =>
		check(`test "${expect.getState().currentTestName ?? '?'}" (with any hook traffic since the previous check)`),
	);
	afterAll(() => {
		try {
			check('after the tests');
		} finally {
			fs.rmSync(file, { force: true });
			if (process.env.SPEC_GUARD_STATS)
				process.stderr.write(
					`spec guard: ${checkedCalls} emulator call(s) checked in ${expect.getState().testPath ?? '?'}\n`,
				);
		}
	});
	// The file's own afterAll hooks run after ours (jest runs hooks in declaration order): check
	// again after each of them, so cleanup traffic is covered too.
	const original = globalThis.afterAll;
	const wrapped = (fn: HookFn, timeout?: number): void => {
		if (fn.length > 0) return original(fn as never, timeout);
		original(async () => {
			await (fn as () => unknown)();
			check('in an afterAll hook');
		}, timeout);
	};
	globalThis.afterAll = wrapped as typeof afterAll;
}

if (typeof beforeEach === 'function' && typeof afterEach === 'function' && typeof afterAll === 'function') install();
