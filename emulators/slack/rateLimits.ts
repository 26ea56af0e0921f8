/**
 * Slack Web API rate limits, per app per workspace per method (docs.slack.dev/apis/web-api/rate-limits):
 * Tier 1 1+/min, Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min. chat.postMessage is "special":
 * about one message per second per channel, short bursts allowed (emulated as 10 per 10 s window).
 * Over the limit Slack answers HTTP 429, `Retry-After: <seconds>`, `{ok:false,error:'ratelimited'}`.
 */
export type Tier = 1 | 2 | 3 | 4;

export const METHOD_TIERS: Record<string, Tier | 'postMessage'> = {
	'auth.test': 4,
	'users.info': 4,
	'team.info': 3,
	'conversations.open': 3,
	'conversations.info': 3,
	'chat.postMessage': 'postMessage',
	'chat.postEphemeral': 4,
	'reactions.add': 3,
	'files.info': 4,
	'files.getUploadURLExternal': 4,
	'files.completeUploadExternal': 4,
};

export const TIER_PER_MINUTE: Record<Tier, number> = { 1: 1, 2: 20, 3: 50, 4: 100 };

export const POST_MESSAGE_WINDOW = { count: 10, windowMs: 10_000 };

export class RateLimiter {
	private readonly windows = new Map<string, number[]>();

	constructor(private readonly now: () => number = Date.now) {}

	/** Records the call when allowed; returns the Retry-After seconds when it is over the limit. */
	take(
		method: string,
		teamId: string,
		channel?: string,
	): { limited: false } | { limited: true; retryAfterSeconds: number } {
		const tier = METHOD_TIERS[method];
		if (!tier) return { limited: false };
		const [key, limit, windowMs] =
			tier === 'postMessage'
				? [`${teamId}:${method}:${channel ?? ''}`, POST_MESSAGE_WINDOW.count, POST_MESSAGE_WINDOW.windowMs]
				: [`${teamId}:${method}`, TIER_PER_MINUTE[tier], 60_000];
		const now = this.now();
		const recent = (this.windows.get(key) ?? []).filter((at) => at > now - windowMs);
		if (recent.length >= limit) {
			this.windows.set(key, recent);
			return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil((recent[0] + windowMs - now) / 1000)) };
		}
		recent.push(now);
		this.windows.set(key, recent);
		return { limited: false };
	}

	reset(): void {
		this.windows.clear();
	}
}
