import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';

import { TtlMap } from '../state/ttlCache';

interface CredentialReader {
	getCredentials(type: string, itemIndex?: number): Promise<ICredentialDataDecryptedObject>;
}

interface WebhookCredentialReader extends CredentialReader {
	getNode(): INode;
}

const readsByContext = new WeakMap<object, Map<string, Promise<ICredentialDataDecryptedObject>>>();

/** The reads of one n8n context, by credential type. */
function readsOf(ctx: object): Map<string, Promise<ICredentialDataDecryptedObject>> {
	let reads = readsByContext.get(ctx);
	if (!reads) {
		reads = new Map();
		readsByContext.set(ctx, reads);
	}
	return reads;
}

/**
 * A credential's data, read once per n8n context (one node run, one webhook request, one
 * activation step). n8n loads, decrypts and resolves a credential on every getCredentials call,
 * and in a webhook it also builds a fresh expression isolate for it; a context's credentials
 * cannot change while it runs, so a second read only costs time. A failed read is not kept.
 */
export async function credentialData(ctx: CredentialReader, type: string): Promise<ICredentialDataDecryptedObject> {
	const reads = readsOf(ctx);
	let read = reads.get(type);
	if (!read) {
		read = ctx.getCredentials(type);
		reads.set(type, read);
		read.catch(() => reads.delete(type));
	}
	return await read;
}

/**
 * How long a webhook may use a credential read by an earlier request. Each read inside a webhook
 * costs n8n a database read, a decryption and a fresh V8 isolate (tens of milliseconds of CPU),
 * which is most of what a trigger's request costs. An edited credential takes effect within this,
 * or at once where the caller re-reads on a mismatch (`webhookCredentialData`'s `fresh`).
 */
export const WEBHOOK_CREDENTIAL_MAX_AGE_MS = 60_000;

/** Credentials kept across webhook requests, by type and credential id (never by content). */
const webhookCredentials = new TtlMap<ICredentialDataDecryptedObject>({
	ttlMs: WEBHOOK_CREDENTIAL_MAX_AGE_MS,
	maxEntries: 200,
	clock: () => Date.now(),
});

export interface WebhookCredential {
	data: ICredentialDataDecryptedObject;
	/** Whether the data came from an earlier request's read (it may predate an edit). */
	remembered: boolean;
}

/**
 * A trigger's credential in a webhook request: the data an earlier request read, if it is recent
 * enough, else a fresh read (`fresh: true` forces one, e.g. when a signature fails with remembered
 * data: the secret may just have been changed). Later `credentialData` calls of the same request
 * get the same data. Without a credential id (nothing to key on) every request reads.
 */
export async function webhookCredentialData(
	ctx: WebhookCredentialReader,
	type: string,
	options: { fresh?: boolean } = {},
): Promise<WebhookCredential> {
	const id = ctx.getNode().credentials?.[type]?.id;
	const key = id ? `${type}|${id}` : undefined;
	const remembered = key && !options.fresh ? webhookCredentials.get(key) : undefined;
	if (remembered) {
		readsOf(ctx).set(type, Promise.resolve(remembered));
		return { data: remembered, remembered: true };
	}
	const data = await ctx.getCredentials(type);
	readsOf(ctx).set(type, Promise.resolve(data));
	if (key) webhookCredentials.set(key, data);
	return { data, remembered: false };
}

/** Forget credentials kept across webhook requests (tests). */
export function forgetWebhookCredentials(): void {
	webhookCredentials.clear();
}
