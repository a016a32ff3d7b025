import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { parseBearer, type ApiKeyService, type AuthResult } from '../auth/api-key.service';
import { withDeadline } from '../db/deadline';
import { admit } from './admission';
import type { RateLimits } from '../shared/rate-limit';
import { sendGraphQLErrors, sendRateLimited } from './graphql-response';

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
 * flood of keyless or over-budget requests costs at most a key lookup, not a
 * parse or an execution (admission.ts). A spent budget answers 429 with
 * Retry-After; a key used from an origin it does not allow, 403.
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
    const admission = await withDeadline(deadline, () =>
      admit(apiKeys, rateLimits, {
        secret: parseBearer(request.headers.authorization),
        // request.ip is undefined once the client has hung up.
        ip: request.ip ?? 'unknown',
        origin: request.headers.origin,
      }),
    );
    if ('limited' in admission) return sendRateLimited(request, reply, admission.limited);
    if ('forbidden' in admission) {
      const error = admission.forbidden;
      return sendGraphQLErrors(request, reply, 403, [
        { message: error.message, extensions: { code: error.code, reason: error.reason } },
      ]);
    }
    request.auth = admission.auth;
  };
}

/** The caller the hook resolved; a route without the hook is a wiring mistake. */
export function authOf(request: FastifyRequest): AuthResult {
  if (!request.auth) throw new Error(`${request.url} is served without the authenticate hook`);
  return request.auth;
}
