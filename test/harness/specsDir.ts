/**
 * Where the vendor specs live: `specs/` inside this repository (see specs/README.md). Each
 * vendor's folder can be pointed at another copy by an environment variable; nothing reads a
 * path outside the repository by default.
 */
import * as path from 'node:path';

export const REPO_SPECS_DIR = path.resolve(__dirname, '..', '..', 'specs');

export const SLACK_SPECS_DIR = process.env.SLACK_SPECS_DIR ?? path.join(REPO_SPECS_DIR, 'slack');
export const ZENDESK_SPEC_DIR = process.env.ZENDESK_SPEC_DIR ?? path.join(REPO_SPECS_DIR, 'zendesk');
export const SUNSHINE_SPEC_DIR = process.env.SUNSHINE_SPEC_DIR ?? path.join(REPO_SPECS_DIR, 'sunshine-conversations');
