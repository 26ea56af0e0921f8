/**
 * Debian's Chromium driven by playwright-core (no browser download). The flags keep Chromium
 * off the network (background services, QUIC): without them its connections are refused here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

import { REPO_ROOT } from '../harness/n8nRuntime';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test', 'artifacts', 'browser');
export const README_SCREENSHOTS_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');

const FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export interface Browser {
	context: BrowserContext;
	close(): Promise<void>;
}

/** A fresh browser with an empty profile, removed on close. */
export async function launchChromium(viewport = { width: 1440, height: 900 }): Promise<Browser> {
	if (!fs.existsSync(CHROMIUM_PATH)) {
		throw new Error(
			`Chromium not found at ${CHROMIUM_PATH}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`,
		);
	}
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM_PATH,
		headless: true,
		args: FLAGS,
		viewport,
	});
	return {
		context,
		close: async () => {
			await context.close().catch(() => undefined);
			fs.rmSync(profile, { recursive: true, force: true });
		},
	};
}

/**
 * Where a screenshot goes: always test/artifacts/browser/<name>.png; with
 * N8N_DM_UPDATE_SCREENSHOTS=1 also docs/screenshots/<readmeName>.png (committed, shown in README).
 */
export function screenshotPaths(name: string, readmeName?: string): string[] {
	fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
	const paths = [path.join(ARTIFACTS_DIR, `${name}.png`)];
	if (readmeName && process.env.N8N_DM_UPDATE_SCREENSHOTS === '1') {
		fs.mkdirSync(README_SCREENSHOTS_DIR, { recursive: true });
		paths.push(path.join(README_SCREENSHOTS_DIR, `${readmeName}.png`));
	}
	return paths;
}
