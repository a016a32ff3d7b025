// urql with graphcache for this API: normalized by global id, interfaces from the schema's possibleTypes.
import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { createClient } from 'graphql-ws';
import { possibleTypes } from '../../schema/possible-types.json';

/** The object types without an identity of their own (pages, edges, parts of definitions): embedded in their parent. */
export const EMBEDDED_TYPES = [
  'ActivityConnection',
  'ActivityConstraints',
  'ActivityEdge',
  'AgentConnection',
  'AgentEdge',
  'AnySmartListFilter',
  'CampaignConnection',
  'CampaignEdge',
  'CampaignRunConnection',
  'CampaignRunEdge',
  'CampaignTrigger',
  'ChatConnection',
  'ChatEdge',
  'CreatedApiKey',
  'DateOfActivity',
  'DeliveryConnection',
  'DeliveryEdge',
  'DocumentConnection',
  'DocumentEdge',
  'Duration',
  'FlowStep',
  'FlowStepResult',
  'IdentifyVisitorPayload',
  'IdentityVerificationSettings',
  'Link',
  'Meeting',
  'MemberOfSmartListFilter',
  'PageInfo',
  'PersonConnection',
  'PersonEdge',
  'PersonFilter',
  'Qualification',
  'RecordChatActivityPayload',
  'RecordChatActivityResult',
  'RotatedIdentitySecret',
  'SalesInsightSettings',
  'ScoreRange',
  'SmartListConnection',
  'SmartListEdge',
  'SmartListFilter',
  'TextMatch',
  'UpdateConversationPayload',
  'UserError',
  'Viewer',
  'WasInCampaignFilter',
];

export function createUrqlClient(options: {
  httpUrl: string;
  wsUrl: string;
  apiKey: string;
  /** Browsers have WebSocket; in Node pass the `ws` package. */
  webSocketImpl?: unknown;
}): Client {
  const authorization = `Bearer ${options.apiKey}`;
  const ws = createClient({
    url: options.wsUrl,
    webSocketImpl: options.webSocketImpl,
    connectionParams: { authorization },
  });
  return new Client({
    url: options.httpUrl,
    fetchOptions: { headers: { authorization } },
    // urql sends queries as GET by default; the API refuses a GET without Apollo-Require-Preflight (CSRF).
    preferGetMethod: false,
    exchanges: [
      cacheExchange({
        possibleTypes,
        // Every Node id is unique across types, so the id alone is the cache key.
        globalIDs: true,
        keys: Object.fromEntries(EMBEDDED_TYPES.map((type) => [type, () => null])),
        resolvers: { Person: { activities: relayPagination() } },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
}
