/**
 * Sunshine Conversations error answers: `{"errors":[{"code","title"}]}` (the spec's introduction,
 * "Errors", and `components.schemas.errorResponse`). Thrown by the emulator's operations.
 */
export class SunshineError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		readonly title: string,
		readonly headers: Record<string, string> = {},
	) {
		super(`${status} ${code}: ${title}`);
	}

	get body(): { errors: Array<{ code: string; title: string }> } {
		return { errors: [{ code: this.code, title: this.title }] };
	}
}

export const badRequest = (title: string): SunshineError => new SunshineError(400, 'bad_request', title);

export const notFound = (
	what:
		| 'app'
		| 'user'
		| 'conversation'
		| 'message'
		| 'integration'
		| 'webhook'
		| 'switchboard'
		| 'switchboardIntegration'
		| 'attachment',
): SunshineError =>
	new SunshineError(
		404,
		`${what.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_not_found`,
		`${what.charAt(0).toUpperCase()}${what.slice(1).replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} not found`,
	);
