/**
 * Zendesk's rate limits (https://developer.zendesk.com/api-reference/introduction/rate-limits/):
 * requests per minute by plan; ticket updates 30 per 10 minutes per user per ticket and 100 per
 * minute per account; create_or_update user 1 per second per account and 5 per minute per user.
 * Sliding windows on the emulator clock, so tests advance time instead of waiting.
 */
export type Plan = 'team' | 'growth' | 'professional' | 'enterprise' | 'enterprisePlus';

export const PLAN_REQUESTS_PER_MINUTE: Record<Plan, number> = {
	team: 200,
	growth: 400,
	professional: 400,
	enterprise: 700,
	enterprisePlus: 2500,
};

export interface WindowDecision {
	allowed: boolean;
	limit: number;
	remaining: number;
	/** Seconds until a slot frees up (Retry-After) or the window resets. */
	resetSeconds: number;
}

/** A sliding-window counter per key. */
export class SlidingWindow {
	private readonly hits = new Map<string, number[]>();

	constructor(
		readonly limit: number,
		readonly windowMs: number,
	) {}

	private live(key: string, now: number): number[] {
		const list = (this.hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
		this.hits.set(key, list);
		return list;
	}

	/** Counts a hit when allowed; a refused hit is not counted. */
	take(key: string, now: number): WindowDecision {
		const list = this.live(key, now);
		if (list.length >= this.limit) {
			const resetMs = list[0] + this.windowMs - now;
			return { allowed: false, limit: this.limit, remaining: 0, resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)) };
		}
		list.push(now);
		const resetMs = list[0] + this.windowMs - now;
		return {
			allowed: true,
			limit: this.limit,
			remaining: this.limit - list.length,
			resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
		};
	}

	clear(): void {
		this.hits.clear();
	}
}

export class ZendeskRateLimits {
	readonly account: SlidingWindow;
	readonly ticketUpdatesPerUserPerTicket = new SlidingWindow(30, 10 * 60_000);
	readonly ticketUpdatesPerAccount = new SlidingWindow(100, 60_000);
	readonly createOrUpdateUserPerAccount = new SlidingWindow(1, 1_000);
	readonly createOrUpdateUserPerUser = new SlidingWindow(5, 60_000);

	constructor(readonly plan: Plan) {
		this.account = new SlidingWindow(PLAN_REQUESTS_PER_MINUTE[plan], 60_000);
	}

	clear(): void {
		for (const w of [
			this.account,
			this.ticketUpdatesPerUserPerTicket,
			this.ticketUpdatesPerAccount,
			this.createOrUpdateUserPerAccount,
			this.createOrUpdateUserPerUser,
		]) {
			w.clear();
		}
	}
}
