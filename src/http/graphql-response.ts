import type { GraphQLFormattedError } from 'graphql';
import Negotiator from 'negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { budgetSpentError } from '../graphql/rate-limited';
import type { RateDecision } from '../shared/rate-limit';

export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';
export const APPLICATION_JSON = 'application/json; charset=utf-8';

/**
 * The media type of a GraphQL answer to this request, negotiated exactly as
 * Apollo Server does for the answers it writes itself: the client's
 * preference among application/json and application/graphql-response+json,
 * application/json when the Accept header names neither (an error answer is
 * still sent rather than a 406). Under application/graphql-response+json a
 * client reads a non-2xx answer as a GraphQL response (Apollo Client 4 does);
 * under application/json it may treat it as a transport failure.
 */
export function graphqlMediaType(accept: string | string[] | undefined): string {
  const header = Array.isArray(accept) ? accept.join(', ') : accept;
  if (!header) return APPLICATION_JSON;
  return new Negotiator({ headers: { accept: header } }).mediaType([APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]) ===
    GRAPHQL_RESPONSE_JSON
    ? GRAPHQL_RESPONSE_JSON
    : APPLICATION_JSON;
}

/**
 * Answers a request that never reached execution (rate limit, body limit,
 * malformed body, deadline, database away) as a GraphQL response: `{ errors }`
 * each with `extensions.code`, in the negotiated media type. The body is
 * serialized here so the content type set is the one sent.
 */
export function sendGraphQLErrors(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  errors: ReadonlyArray<GraphQLFormattedError>,
): FastifyReply {
  return reply
    .code(status)
    .header('content-type', graphqlMediaType(request.headers.accept))
    .send(JSON.stringify({ errors }));
}

/** 429 for a spent budget: RATE_LIMITED with `retryAfterSeconds`, and the same hint in Retry-After. */
export function sendRateLimited(
  request: FastifyRequest,
  reply: FastifyReply,
  decision: Extract<RateDecision, { ok: false }>,
): FastifyReply {
  reply.header('Retry-After', String(decision.retryAfterSeconds));
  return sendGraphQLErrors(request, reply, 429, [budgetSpentError(decision).toJSON()]);
}
