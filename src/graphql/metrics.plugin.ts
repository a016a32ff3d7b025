import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { AppMetrics, OperationType } from '../metrics/metrics';
import type { RequestContext } from './context';

/** The code clients see for the first error (formatted by format-error.ts), or undefined for none. */
export function firstErrorCode(errors: readonly GraphQLFormattedError[] | undefined): string | undefined {
  if (!errors?.length) return undefined;
  const code = errors[0].extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * graphql_operations_total and graphql_operation_duration_seconds for GraphQL
 * over HTTP: one sample per request, labelled with the operation's name
 * (bounded, see AppMetrics), its type and the code of its first error as the
 * client sees it. An operation that never resolved (a parse or validation
 * error, an unknown operation name) is of type `unknown` and named `other`.
 */
export function metricsPlugin(metrics: AppMetrics): ApolloServerPlugin<RequestContext> {
  return {
    requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      let type: OperationType = 'unknown';
      let name: string | null = null;
      return Promise.resolve({
        didResolveOperation({ operation, operationName }) {
          type = operation?.operation ?? 'unknown';
          name = operationName;
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          metrics.operation({
            transport: 'http',
            name,
            trusted: type !== 'unknown' && contextValue.auth !== null,
            type,
            errorCode: firstErrorCode(errors),
            seconds: Number(process.hrtime.bigint() - started) / 1e9,
          });
          return Promise.resolve();
        },
      });
    },
  };
}
