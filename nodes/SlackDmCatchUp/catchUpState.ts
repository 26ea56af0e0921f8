/**
 * Process-wide state of the Slack DM Catch-up: the messages this process handed to a trigger
 * lately. A worker that stops takes several executions with it, and n8n runs the error workflow
 * for each: the catch-ups after the first skip what it handed over already (a catch-up in another
 * process hands it over again; the Upsert finds it in Zendesk then).
 */
import { TtlMap } from '../shared/state/ttlCache';

const REMEMBER_MS = 2 * 60 * 60 * 1000;

/** Keys `<trigger URL>|<channel>|<ts>`. */
export const handedOverHere = new TtlMap<true>({ ttlMs: REMEMBER_MS, maxEntries: 20_000 });
