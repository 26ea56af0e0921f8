/**
 * Sunshine Conversations ids are 24 hex characters (the spec's examples, e.g. `5e552ef595e5206375bb835d`;
 * `page[after]` / `page[before]` cursors are record ids of exactly 24 characters). These are built as
 * MongoDB-style ObjectIds: 4 bytes of seconds, then a counter, so a later id sorts after an earlier one.
 */
let counter = Math.floor(Math.random() * 0xffffff);

export function newId(nowMs: number): string {
	counter = (counter + 1) % 0xffffffffffff;
	const seconds = Math.floor(nowMs / 1000)
		.toString(16)
		.padStart(8, '0')
		.slice(-8);
	return `${seconds}${counter.toString(16).padStart(16, '0')}`;
}

export function isId(value: string): boolean {
	return /^[0-9a-f]{24}$/.test(value);
}
