import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { asDatabaseUnavailable } from '../db/deadline';
import type { Logger } from '../shared/logger';

/**
 * Fastify's error handler, for failures outside GraphQL execution (body too
 * large or malformed, the database down while authenticating): they answer
 * as GraphQL-shaped JSON, and unexpected ones are masked and logged with the
 * request id. Errors inside execution never get here: Apollo formats them.
 */
export function edgeErrors(bodyLimit: string, log: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status < 500) {
      const message = status === 413 ? `Request body is larger than ${bodyLimit}` : 'Malformed request body';
      return reply.code(status).send({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
    }
    const unavailable = asDatabaseUnavailable(error);
    if (unavailable) {
      log.warn({ err: error, requestId: request.id }, 'database unavailable before execution');
      return reply
        .code(503)
        .header('Retry-After', String(unavailable.retryAfterSeconds))
        .send({
          errors: [
            {
              message: unavailable.message,
              extensions: {
                code: unavailable.code,
                reason: unavailable.reason,
                retryAfterSeconds: unavailable.retryAfterSeconds,
                requestId: request.id,
              },
            },
          ],
        });
    }
    log.error({ err: error, requestId: request.id }, 'request failed before execution');
    return reply.code(500).send({
      errors: [
        { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: request.id } },
      ],
    });
  };
}
