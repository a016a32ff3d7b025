import { GraphQLError } from 'graphql';
import type { RateDecision } from '../shared/rate-limit';

/** RATE_LIMITED, the same on HTTP (with a 429 and Retry-After) and on graphql-ws. */
export function rateLimitedError(message: string, retryAfterSeconds?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'RATE_LIMITED', ...(retryAfterSeconds ? { retryAfterSeconds } : {}) },
  });
}

/** The error for a spent budget, with its retry hint. */
export function budgetSpentError(decision: Extract<RateDecision, { ok: false }>): GraphQLError {
  return rateLimitedError(`Rate limit exceeded: retry in ${decision.retryAfterSeconds} s`, decision.retryAfterSeconds);
}
