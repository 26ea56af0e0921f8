/**
 * Counts every HTTP call the package makes, per service and route, in this process.
 * Tests and the benchmark read it to assert call budgets (the emulators count too).
 */

/** The services the package calls. */
export type TransportService = 'slack' | 'zendesk' | 'sunshine';

const counts = new Map<string, number>();

export function countCall(service: TransportService, route: string): void {
	const key = `${service} ${route}`;
	counts.set(key, (counts.get(key) ?? 0) + 1);
}

export function transportCallCounts(): Record<string, number> {
	return Object.fromEntries(counts);
}

export function totalTransportCalls(service?: TransportService): number {
	let total = 0;
	for (const [key, value] of counts) if (!service || key.startsWith(`${service} `)) total += value;
	return total;
}

export function resetTransportCallCounts(): void {
	counts.clear();
}
