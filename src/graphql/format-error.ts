import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { asDatabaseUnavailable } from '../db/deadline';
import { AppError, ErrorCode, REQUEST_ERROR_CODES } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { isTokenLimitError } from './limits';

/** Codes whose messages are safe to show: they describe the request, not the server. */
const CLIENT_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  ...REQUEST_ERROR_CODES,
]);

export function originalOf(error: unknown): unknown {
  let current = error;
  // Resolver errors are wrapped in GraphQLError (possibly more than once, e.g. by Apollo); find the cause.
  while (current instanceof GraphQLError && current.originalError && current.originalError !== current) {
    current = current.originalError;
  }
  return current;
}

function appErrorExtensions(error: AppError): Record<string, unknown> {
  return {
    code: error.code,
    ...(error.field ? { field: [...error.field] } : {}),
    ...(error.reason ? { reason: error.reason } : {}),
    ...(error.details ?? {}),
  };
}

/**
 * The one place errors become what clients see, used by Apollo's formatError
 * (HTTP) and by the graphql-ws hooks (WebSocket) alike:
 * - domain errors (AppError) → their code, field path and reason;
 * - GraphQL's own request errors (parse, validation, coercion) → kept, with a code;
 * - anything else → logged with the request id and masked as INTERNAL_SERVER_ERROR.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: Logger,
  requestId?: string,
): GraphQLFormattedError {
  const original = originalOf(error);
  const base = {
    message: formatted.message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };

  // A database that is away or too slow: the request may simply be sent again (Retry-After on HTTP).
  const unavailable = original instanceof AppError ? null : asDatabaseUnavailable(original);
  if (unavailable) {
    log.warn({ err: original, requestId, path: formatted.path }, 'database unavailable');
    return { ...base, message: unavailable.message, extensions: appErrorExtensions(unavailable) };
  }
  if (original instanceof AppError) {
    return { ...base, message: original.message, extensions: appErrorExtensions(original) };
  }
  const code = formatted.extensions?.code;
  if (code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitError(formatted.message)) {
    return { ...base, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } };
  }
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    return { ...base, message: withoutEchoedValue(base.message), extensions: { code } };
  }
  // A request-level GraphQLError without a cause comes from the framework
  // (e.g. a persisted-query hash mismatch), not from a resolver: it describes
  // the request. Apollo gives such errors INTERNAL_SERVER_ERROR by default.
  if (
    original instanceof GraphQLError &&
    !original.originalError &&
    !formatted.path &&
    (code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR)
  ) {
    return { ...base, extensions: { code: 'BAD_REQUEST' } };
  }
  log.error({ err: original, requestId, path: formatted.path }, 'unexpected error');
  return {
    message: 'Internal server error',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
  };
}

const ECHOED_VARIABLE = /^Variable "(\$[^"]+)" got invalid value [\s\S]*?(?: at "([^"]+)")?; ([^;]*)$/;

/**
 * graphql-js refuses a variable with a message that prints the value sent
 * ("Variable "$input" got invalid value { email: "ceo@…" } at "input.person";
 * …"): an e-mail or a name would come back in the answer, and then in logs
 * and monitoring. The same message, without the value.
 */
export function withoutEchoedValue(message: string): string {
  const match = ECHOED_VARIABLE.exec(message);
  if (!match) return message;
  const [, variable, at, reason] = match;
  return at
    ? `Variable "${variable}" has an invalid value at "${at}": ${reason}`
    : `Variable "${variable}" has an invalid value: ${reason}`;
}
