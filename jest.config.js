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
	projects: [
		{ ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], setupFilesAfterEnv: [specGuard] },
		{ ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], setupFilesAfterEnv: [specGuard] },
	],
};
