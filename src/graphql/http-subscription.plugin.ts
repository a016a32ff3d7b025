import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, OperationTypeNode } from 'graphql';

export const SUBSCRIPTION_OVER_HTTP_MESSAGE =
  'Subscriptions are not served over HTTP: open a WebSocket to this URL with the graphql-ws protocol ' +
  '(graphql-transport-ws) and send the API key as connectionParams.authorization';

/**
 * Subscriptions are served over WebSocket only. Apollo would execute one
 * sent by POST as a query, running the subscription's per-event resolver on
 * no event (a 500), and answers one sent by GET with a 405 that points to
 * POST: both are a 400 instead, saying where to send it.
 */
export function subscriptionOverHttpPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ operation }) => {
          if (operation?.operation !== OperationTypeNode.SUBSCRIPTION) return Promise.resolve();
          throw new GraphQLError(SUBSCRIPTION_OVER_HTTP_MESSAGE, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        },
        // Apollo refuses a GET of anything but a query before any plugin hook can see the operation.
        willSendResponse: ({ request, operation, response }) => {
          if (request.http?.method === 'GET' && operation?.operation === OperationTypeNode.SUBSCRIPTION) {
            response.http.status = 400;
            response.http.headers.delete('allow');
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [{ message: SUBSCRIPTION_OVER_HTTP_MESSAGE, extensions: { code: 'BAD_REQUEST' } }],
              },
            };
          }
          return Promise.resolve();
        },
      }),
  };
}
