import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitConfig } from '../config';
import type { AppMetrics } from '../metrics/metrics';

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

const ALLOW: RateDecision = { ok: true };

/**
 * Per-API-key request budget (every HTTP request and every WebSocket
 * operation spends one point) and a per-IP budget for requests without a
 * valid key. With Redis the budgets are shared by all instances; if Redis is
 * unreachable each instance falls back to its own in-memory budget rather
 * than failing requests.
 */
export class RateLimits {
  private readonly perKey?: RateLimiterAbstract;
  private readonly perIp?: RateLimiterAbstract;

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
  }

  async consumeKey(apiKeyId: string): Promise<RateDecision> {
    const decision = await RateLimits.consume(this.perKey, apiKeyId);
    if (!decision.ok) this.metrics?.rateLimitRejected('key');
    return decision;
  }

  async consumeUnauthenticated(ip: string): Promise<RateDecision> {
    const decision = await RateLimits.consume(this.perIp, ip);
    if (!decision.ok) this.metrics?.rateLimitRejected('ip');
    return decision;
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
