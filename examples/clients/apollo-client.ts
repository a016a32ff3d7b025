// Apollo Client 4 for this API: HTTP for queries and mutations, graphql-ws for subscriptions.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition, relayStylePagination } from '@apollo/client/utilities';
import { Kind, OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
// Generated with the schema (`npm run schema`): which types implement Activity and Node.
import { possibleTypes } from '../../schema/possible-types.json';

/** A missing or revoked key (4401, 4403) does not get better by retrying. */
const keyRefused = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && 'code' in event && [4401, 4403].includes(Number(event.code));

export function createApolloClient(options: {
  httpUrl: string;
  wsUrl: string;
  apiKey: string;
  /** Browsers have WebSocket; in Node pass the `ws` package. */
  webSocketImpl?: unknown;
}): ApolloClient {
  const authorization = `Bearer ${options.apiKey}`;
  const http = new HttpLink({ uri: options.httpUrl, headers: { authorization } });
  const ws = new GraphQLWsLink(
    createClient({
      url: options.wsUrl,
      webSocketImpl: options.webSocketImpl,
      connectionParams: { authorization },
      retryAttempts: 10,
      shouldRetry: (event) => !keyRefused(event),
    }),
  );
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.SUBSCRIPTION;
    },
    ws,
    http,
  );
  return new ApolloClient({
    link,
    cache: new InMemoryCache({
      // Without it, fields read through a fragment on Activity (or Node) are dropped from cache reads.
      possibleTypes,
      typePolicies: {
        // Pages of one timeline merge into one list (forward with after, backward with before); filter starts another.
        Person: { fields: { activities: relayStylePagination(['filter']) } },
      },
    }),
  });
}
