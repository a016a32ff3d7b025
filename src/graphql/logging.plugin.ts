import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context';

/** One debug line per HTTP operation: its name, duration and error count, under the request id. */
export function loggingPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return Promise.resolve({
        willSendResponse({ operationName, errors }) {
          const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
          contextValue.log.debug({ operationName, durationMs, errors: errors?.length ?? 0 }, 'graphql request');
          return Promise.resolve();
        },
      });
    },
  };
}
