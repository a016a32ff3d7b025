import type { ApolloServerPlugin } from '@apollo/server';
import { asDatabaseUnavailable } from '../db/deadline';
import { AppError, ErrorCode } from '../shared/errors';
import { originalOf } from './format-error';

/**
 * An operation that failed as a whole because the database was away or too
 * slow answers 503 with Retry-After, so clients and proxies retry it; one
 * that still has data keeps its 200 (the error, SERVICE_UNAVAILABLE, is in
 * the body either way).
 */
export function serviceUnavailablePlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ response, errors }) => {
          if (!errors?.length || response.body.kind !== 'single' || response.body.singleResult.data) {
            return Promise.resolve();
          }
          const retryAfter = errors
            .map((error) => {
              const original = originalOf(error);
              if (original instanceof AppError && original.code === ErrorCode.SERVICE_UNAVAILABLE) {
                return Number(original.details?.retryAfterSeconds ?? 1);
              }
              return asDatabaseUnavailable(original)?.retryAfterSeconds;
            })
            .find((seconds) => seconds !== undefined);
          if (retryAfter !== undefined) {
            response.http.status = 503;
            response.http.headers.set('retry-after', String(retryAfter));
          }
          return Promise.resolve();
        },
      }),
  };
}
