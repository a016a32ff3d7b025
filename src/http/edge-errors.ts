import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { asDatabaseUnavailable } from '../db/deadline';
import type { Logger } from '../shared/logger';
import { sendGraphQLErrors } from './graphql-response';

/**
 * Fastify's error handler, for failures outside GraphQL execution (body too
 * large or malformed, the database down while authenticating): they answer
 * as GraphQL responses (graphql-response.ts), and unexpected ones are masked
 * and logged with the request id. Errors inside execution never get here:
 * Apollo formats them.
 */
export function edgeErrors(bodyLimit: string, log: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status < 500) {
      const [message, reason] =
        status === 413
          ? [`Request body is larger than ${bodyLimit}`, 'BODY_TOO_LARGE']
          : ['Malformed request body', 'MALFORMED_BODY'];
      return sendGraphQLErrors(request, reply, status, [{ message, extensions: { code: 'BAD_REQUEST', reason } }]);
    }
    const unavailable = asDatabaseUnavailable(error);
    if (unavailable) {
      log.warn({ err: error, requestId: request.id }, 'database unavailable before execution');
      reply.header('Retry-After', String(unavailable.retryAfterSeconds));
      return sendGraphQLErrors(request, reply, 503, [
        {
          message: unavailable.message,
          extensions: {
            code: unavailable.code,
            reason: unavailable.reason,
            retryAfterSeconds: unavailable.retryAfterSeconds,
            requestId: request.id,
          },
        },
      ]);
    }
    log.error({ err: error, requestId: request.id }, 'request failed before execution');
    return sendGraphQLErrors(request, reply, 500, [
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: request.id } },
    ]);
  };
}
