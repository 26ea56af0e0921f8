/** Three projects: unit (pure, fast), integration (emulators + in-process n8n-core), e2e (real n8n). */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
/** Checks every emulator request/response against the vendor specs (test/harness/specGuard.ts). */
const specGuard = '<rootDir>/test/harness/specGuard.ts';
const base = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
	// Emulator I/O on a loaded 2-core machine can take several seconds: a bound, not a speed target
	// (speed targets live in the benchmark). Jest's default of 5 s timed out 11 healthy integration
	// tests in a .ci/run that ran beside other work (2026-12-06). Jest 29 reads it globally only;
	// e2e files set their own, longer one.
	testTimeout: 60_000,
	projects: [
		{ ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{
			...base,
			displayName: 'integration',
			testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
			setupFilesAfterEnv: [specGuard],
		},
		{ ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], setupFilesAfterEnv: [specGuard] },
	],
};
