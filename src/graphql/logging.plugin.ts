import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context';

/** One debug line per HTTP operation: its name, duration and error count, under the request id. */
export function loggingPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, errors }) {
          const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
          contextValue.log.debug({ operationName, durationMs, errors: errors?.length ?? 0 }, 'graphql request');
        },
      };
    },
  };
}
