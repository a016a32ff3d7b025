import type { ApolloServerPlugin } from '@apollo/server';
import { asDatabaseUnavailable } from '../db/deadline';
import { AppError, ErrorCode } from '../shared/errors';
import { originalOf } from './format-error';

/** Codes that mean "try again later", with the HTTP status that says so. */
const RETRYABLE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.RATE_LIMITED]: 429,
};

/**
 * An operation that failed as a whole for a reason worth retrying (the
 * database away or too slow: 503; a rate limit inside execution, e.g. one
 * visitor's budget: 429) answers that status with Retry-After, so clients
 * and proxies retry it. One that still has data keeps its 200 (the error,
 * with its code, is in the body either way).
 */
export function errorStatusPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ response, errors }) => {
          if (!errors?.length || response.body.kind !== 'single' || response.body.singleResult.data) {
            return Promise.resolve();
          }
          for (const error of errors) {
            const original = originalOf(error);
            const appError = original instanceof AppError ? original : asDatabaseUnavailable(original);
            const status = appError ? RETRYABLE[appError.code] : undefined;
            if (appError && status !== undefined) {
              response.http.status = status;
              response.http.headers.set('retry-after', String(Number(appError.details?.retryAfterSeconds ?? 1)));
              break;
            }
          }
          return Promise.resolve();
        },
      }),
  };
}
