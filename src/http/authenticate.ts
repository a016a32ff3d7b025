import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { parseBearer, type ApiKeyService, type AuthResult } from '../auth/api-key.service';
import { withDeadline } from '../db/deadline';
import type { RateLimits } from '../shared/rate-limit';
import { sendRateLimited } from './graphql-response';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the authenticate hook. */
    auth?: AuthResult;
    /** When the request must have been answered (epoch ms, REQUEST_TIMEOUT_MS after it arrived). */
    deadline?: number;
  }
}

/**
 * An onRequest hook: runs once per request, before the body is read, so a
 * flood of keyless or over-budget requests costs a key lookup, not a parse
 * or an execution. Spends the key's budget, or the client address's when
 * there is no valid key; a spent budget answers 429 with Retry-After.
 */
export function authenticate(
  apiKeys: ApiKeyService,
  rateLimits: RateLimits,
  requestTimeoutMs: number,
): onRequestAsyncHookHandler {
  return async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    const deadline = Date.now() + requestTimeoutMs;
    request.deadline = deadline;
    const auth = await withDeadline(deadline, () => apiKeys.authenticate(parseBearer(request.headers.authorization)));
    // request.ip is undefined once the client has hung up.
    const decision = auth.ok
      ? await rateLimits.consumeKey(auth.auth.apiKeyId)
      : await rateLimits.consumeUnauthenticated(request.ip ?? 'unknown');
    if (!decision.ok) {
      return sendRateLimited(request, reply, decision);
    }
    request.auth = auth;
  };
}

/** The caller the hook resolved; a route without the hook is a wiring mistake. */
export function authOf(request: FastifyRequest): AuthResult {
  if (!request.auth) throw new Error(`${request.url} is served without the authenticate hook`);
  return request.auth;
}
