/** A Zendesk API error answer; thrown by the emulator's operations and turned into the response. */
export class ZendeskError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
		readonly headers: Record<string, string> = {},
	) {
		super(
			typeof body === 'object' && body && 'error' in body
				? String((body as { error: unknown }).error)
				: `HTTP ${status}`,
		);
	}
}

/** 422 RecordInvalid with Zendesk's details shape: {"details":{"field":[{"description":…}]}}. */
export function recordInvalid(field: string, description: string, error?: string): ZendeskError {
	return new ZendeskError(422, {
		error: 'RecordInvalid',
		description: 'Record validation errors',
		details: { [field]: [{ description, ...(error ? { error } : {}) }] },
	});
}

export function notFound(): ZendeskError {
	return new ZendeskError(404, { error: 'RecordNotFound', description: 'Not found' });
}

export function badRequest(description: string, error = 'InvalidValue'): ZendeskError {
	return new ZendeskError(400, { error, description });
}

export const UNAUTHENTICATED = { error: "Couldn't authenticate you" };

export const FORBIDDEN = {
	error: 'Forbidden',
	description:
		'You do not have access to this page. Please contact the account owner of this help desk for further help.',
};
