import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

interface CredentialReader {
	getCredentials(type: string, itemIndex?: number): Promise<ICredentialDataDecryptedObject>;
}

const readsByContext = new WeakMap<object, Map<string, Promise<ICredentialDataDecryptedObject>>>();

/**
 * A credential's data, read once per n8n context (one node run, one webhook request, one
 * activation step). n8n loads, decrypts and resolves a credential on every getCredentials call,
 * and in a webhook it also builds a fresh expression isolate for it; a context's credentials
 * cannot change while it runs, so a second read only costs time. A failed read is not kept.
 */
export async function credentialData(ctx: CredentialReader, type: string): Promise<ICredentialDataDecryptedObject> {
	let reads = readsByContext.get(ctx);
	if (!reads) {
		reads = new Map();
		readsByContext.set(ctx, reads);
	}
	let read = reads.get(type);
	if (!read) {
		read = ctx.getCredentials(type);
		reads.set(type, read);
		read.catch(() => reads?.delete(type));
	}
	return await read;
}
