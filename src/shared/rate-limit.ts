import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitConfig } from '../config';
import type { AppMetrics } from '../metrics/metrics';

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

const ALLOW: RateDecision = { ok: true };

/** Who a budget is spent for: the caller's key and workspace, and whether the key is public (isPublicKey). */
export interface RateCaller {
  apiKeyId: string;
  workspaceId: string;
  isPublic: boolean;
}

/**
 * The request budgets. Every HTTP request and every WebSocket operation
 * spends one point:
 *
 * - a key that is not public, of its own per-key budget;
 * - a public key (the chat widget's, copied into every page) of a budget per
 *   key and client address, under a much higher ceiling for all public
 *   traffic of the workspace: one visitor hammering the API spends its own
 *   budget, not the key's, so it cannot lock every real widget out; and each
 *   recording or identification also spends one point per visitor id;
 * - a request without a valid key (and a failed WebSocket connection_init)
 *   of a budget per client address, which a flood of key guesses exhausts
 *   before it reaches the database.
 *
 * With Redis the budgets are shared by all instances; if Redis is unreachable
 * each instance falls back to its own in-memory budget rather than failing
 * requests.
 */
export class RateLimits {
  private readonly perKey?: RateLimiterAbstract;
  private readonly perIp?: RateLimiterAbstract;
  private readonly publicPerIp?: RateLimiterAbstract;
  private readonly publicPerVisitor?: RateLimiterAbstract;
  private readonly publicPerWorkspace?: RateLimiterAbstract;

  constructor(
    config: RateLimitConfig,
    redis?: Redis,
    private readonly metrics?: AppMetrics,
  ) {
    const make = (points: number, duration: number, keyPrefix: string): RateLimiterAbstract | undefined => {
      if (points <= 0) return undefined;
      const memory = new RateLimiterMemory({ points, duration, keyPrefix });
      return redis
        ? new RateLimiterRedis({
            storeClient: redis,
            points,
            duration,
            keyPrefix,
            insuranceLimiter: memory,
            rejectIfRedisNotReady: true,
          })
        : memory;
    };
    this.perKey = make(config.perKeyPerSecond, 1, 'rl:key');
    this.perIp = make(config.unauthenticatedPerIpPerMinute, 60, 'rl:ip');
    this.publicPerIp = make(config.publicPerIpPerSecond, 1, 'rl:pub:ip');
    this.publicPerVisitor = make(config.publicPerVisitorPerSecond, 1, 'rl:pub:visitor');
    this.publicPerWorkspace = make(config.publicPerWorkspacePerSecond, 1, 'rl:pub:ws');
  }

  /** One request or operation of an authenticated caller from `ip`. */
  async consumeCaller(caller: RateCaller, ip: string): Promise<RateDecision> {
    if (!caller.isPublic) return this.counted('key', await RateLimits.consume(this.perKey, caller.apiKeyId));
    const own = await RateLimits.consume(this.publicPerIp, `${caller.apiKeyId}:${ip}`);
    if (!own.ok) return this.counted('public_ip', own);
    return this.counted('public_workspace', await RateLimits.consume(this.publicPerWorkspace, caller.workspaceId));
  }

  /** One recording or identification of `visitorId` by a public key (a key that is not public spends nothing). */
  async consumeVisitor(caller: RateCaller, visitorId: string): Promise<RateDecision> {
    if (!caller.isPublic) return ALLOW;
    return this.counted(
      'public_visitor',
      await RateLimits.consume(this.publicPerVisitor, `${caller.apiKeyId}:${visitorId}`),
    );
  }

  async consumeUnauthenticated(ip: string): Promise<RateDecision> {
    return this.counted('ip', await RateLimits.consume(this.perIp, ip));
  }

  private counted(budget: Parameters<AppMetrics['rateLimitRejected']>[0], decision: RateDecision): RateDecision {
    if (!decision.ok) this.metrics?.rateLimitRejected(budget);
    return decision;
  }

  /** Whether `ip`'s unauthenticated budget is already spent, without spending any: checked before a key lookup (a refusal here counts as an `ip` rejection). */
  async unauthenticatedSpent(ip: string): Promise<RateDecision> {
    if (!this.perIp) return ALLOW;
    try {
      const state = await this.perIp.get(ip);
      if (!state || state.remainingPoints > 0) return ALLOW;
      return this.counted('ip', { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)) });
    } catch {
      return ALLOW;
    }
  }

  private static async consume(limiter: RateLimiterAbstract | undefined, key: string): Promise<RateDecision> {
    if (!limiter) return ALLOW;
    try {
      await limiter.consume(key);
      return ALLOW;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
      // A store failure must not take the API down: let the request through.
      return ALLOW;
    }
  }
}
