/**
 * Domain errors, free of GraphQL: services throw these and
 * `src/graphql/format-error.ts` turns them into `extensions.code` (+ `field`).
 * Each feature has its own `*.errors.ts` with a reason enum so clients can
 * tell cases apart without parsing messages.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  RATE_LIMITED = 'RATE_LIMITED',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** A subscription ended because its reader fell too far behind; resume with `after`. */
  SUBSCRIBER_TOO_SLOW = 'SUBSCRIBER_TOO_SLOW',
  /** The database did not answer within its deadline: retry after `retryAfterSeconds`. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** The codes Apollo Server gives a request that fails before execution (parse, validation, APQ, a bad body). */
export const REQUEST_ERROR_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
] as const;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Path of the offending input field, e.g. ["input", "chat", "id"]. */
    readonly field?: ReadonlyArray<string>,
    /** Finer, feature-specific reason (e.g. API_KEY_REVOKED). */
    readonly reason?: string,
    /** Extra machine-readable hints for the client (e.g. retryAfterSeconds). */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class UserInputError extends AppError {
  constructor(message: string, field: ReadonlyArray<string>, reason = 'INVALID_INPUT') {
    super(ErrorCode.BAD_USER_INPUT, message, field, reason);
  }
}

export function notFound(what: string, id: string, reason = 'NOT_FOUND'): AppError {
  return new AppError(ErrorCode.NOT_FOUND, `${what} ${JSON.stringify(id)} not found`, undefined, reason);
}
