import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql, type ApolloClient } from '@apollo/client';
import WebSocket from 'ws';
import { createApolloClient } from '../examples/clients/apollo-client';
import { activeCampaign } from './helpers/campaign-fixtures';
import { startTestServer, type TestServer } from './helpers/server';

const ACTIVITY_FIELDS = gql`
  fragment TimelineActivity on Activity {
    id
    type
    occurredAt
    chat {
      id
      widgetId
      kind
      name
    }
    person {
      id
    }
    ... on GoalAchievedActivity {
      goal
    }
    ... on AgentEngagedActivity {
      agent {
        id
        widgetId
        name
      }
    }
  }
`;

const TIMELINE = gql`
  query Timeline($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    person(id: $id) {
      id
      activities(first: $first, after: $after, last: $last, before: $before) {
        edges {
          cursor
          node {
            ...TimelineActivity
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
      }
    }
  }
  ${ACTIVITY_FIELDS}
`;

const RECORD_MANY = gql`
  mutation Record($inputs: [RecordChatActivityInput!]!) {
    recordChatActivities(inputs: $inputs) {
      index
      error {
        code
        field
      }
      payload {
        outcome
        activity {
          ...TimelineActivity
        }
      }
    }
  }
  ${ACTIVITY_FIELDS}
`;

const RUNS = gql`
  subscription Runs($campaignId: ID!) {
    campaignTriggered(campaignId: $campaignId) {
      id
      cursor
      campaign {
        id
        name
      }
      activity {
        ...TimelineActivity
      }
    }
  }
  ${ACTIVITY_FIELDS}
`;

const PAGE = 4;
const TOTAL = 13;

interface TimelineData {
  person: {
    id: string;
    activities: {
      edges: Array<{ cursor: string; node: { id: string; chat: { name: string } } & Record<string, unknown> }>;
      pageInfo: {
        hasNextPage: boolean;
        hasPreviousPage: boolean;
        startCursor: string | null;
        endCursor: string | null;
      };
    };
  };
}

describe('Apollo Client 4 against the server (InMemoryCache with the shipped possibleTypes)', () => {
  let server: TestServer;
  let client: ApolloClient;
  let personId: string;

  beforeAll(async () => {
    server = await startTestServer({
      config: { rateLimits: { perKeyPerSecond: 0, unauthenticatedPerIpPerMinute: 0, subscriptionsPerConnection: 100 } },
    });
    client = createApolloClient({
      httpUrl: server.url,
      wsUrl: server.wsUrl,
      apiKey: server.adminKey,
      webSocketImpl: WebSocket,
    });
  });
  afterAll(async () => {
    client.stop();
    await server.stop();
  });

  /** The same query from the server, bypassing the cache (and then writing it, so read the cache first). */
  const fromServer = async <T>(query: typeof TIMELINE, variables: Record<string, unknown>) =>
    (await client.query<T>({ query, variables, fetchPolicy: 'network-only' })).data as T;

  it('records activities of a chat that is renamed half-way, through the client', async () => {
    const inputs = Array.from({ length: TOTAL }, (_, i) => ({
      type: i % 3 === 0 ? 'ENGAGED_WITH_AGENT' : 'GOAL_ACHIEVED',
      ...(i % 3 === 0 ? { agent: { id: 'agent-kim', name: i < 6 ? 'Kim' : 'Kim Lee' } } : { goal: `goal-${i}` }),
      visitorId: 'apollo-visitor',
      sessionId: `s-${i}`,
      occurredAt: new Date(Date.now() - (TOTAL - i) * 60_000).toISOString(),
      chat: { kind: 'DIALOGUE', id: 'demo-dialogue', name: i < 6 ? 'Book a demo' : 'Renamed dialogue' },
    }));
    // Two calls: the rename lands in the second.
    for (const batch of [inputs.slice(0, 6), inputs.slice(6)]) {
      const result = await client.mutate<{
        recordChatActivities: Array<{ payload: { outcome: string; activity: any } | null }>;
      }>({
        mutation: RECORD_MANY,
        variables: { inputs: batch },
      });
      expect(result.error).toBeUndefined();
      expect(result.data!.recordChatActivities.every((r) => r.payload?.outcome === 'RECORDED')).toBe(true);
      personId = result.data!.recordChatActivities[0].payload!.activity.person.id;
    }
    // The cache holds one Chat, as the server has it now.
    const cached = client.cache.extract() as Record<string, { __typename?: string; name?: string }>;
    const chats = Object.values(cached).filter((o) => o.__typename === 'Chat');
    expect(chats).toEqual([
      expect.objectContaining({ widgetId: 'demo-dialogue', kind: 'DIALOGUE', name: 'Renamed dialogue' }),
    ]);
  });

  it("reads a timeline through fetchMore forward, and the cache read equals the server's answer", async () => {
    const watched = client.watchQuery<TimelineData>({ query: TIMELINE, variables: { id: personId, first: PAGE } });
    const subscription = watched.subscribe(() => undefined);
    try {
      let { data } = await watched.refetch();
      let pages = 1;
      while (data!.person.activities.pageInfo.hasNextPage) {
        const after = data!.person.activities.pageInfo.endCursor;
        await watched.fetchMore({ variables: { after } });
        data = client.readQuery<TimelineData>({ query: TIMELINE, variables: { id: personId, first: PAGE } })!;
        pages += 1;
        expect(pages).toBeLessThan(10);
      }
      expect(pages).toBe(Math.ceil(TOTAL / PAGE));
      const cached = client.readQuery<TimelineData>({ query: TIMELINE, variables: { id: personId, first: PAGE } })!;
      expect(cached.person.activities.edges).toHaveLength(TOTAL);
      // Every activity of the chat shows its current name: fragment fields on Activity were not dropped.
      expect(cached.person.activities.edges.every((e) => e.node.chat.name === 'Renamed dialogue')).toBe(true);
      const server = await fromServer<TimelineData>(TIMELINE, { id: personId, first: 100 });
      expect(cached.person.activities.edges).toEqual(server.person.activities.edges);
    } finally {
      subscription.unsubscribe();
    }
  });

  it("reads a timeline through fetchMore backward (last/before), and the cache read equals the server's answer", async () => {
    await client.clearStore();
    const watched = client.watchQuery<TimelineData>({ query: TIMELINE, variables: { id: personId, last: PAGE } });
    const subscription = watched.subscribe(() => undefined);
    try {
      let { data } = await watched.refetch();
      let pages = 1;
      while (data!.person.activities.pageInfo.hasPreviousPage) {
        await watched.fetchMore({ variables: { before: data!.person.activities.pageInfo.startCursor } });
        data = client.readQuery<TimelineData>({ query: TIMELINE, variables: { id: personId, last: PAGE } })!;
        pages += 1;
        expect(pages).toBeLessThan(10);
      }
      const cached = client.readQuery<TimelineData>({ query: TIMELINE, variables: { id: personId, last: PAGE } })!;
      expect(cached.person.activities.edges).toHaveLength(TOTAL);
      const server = await fromServer<TimelineData>(TIMELINE, { id: personId, first: 100 });
      expect(cached.person.activities.edges).toEqual(server.person.activities.edges);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('reads every normalized object back as the server answers it by node(id)', async () => {
    const cached = client.cache.extract() as Record<string, { __typename?: string; id?: string }>;
    const identified = Object.values(cached).filter((o) => o.id && o.__typename);
    expect(identified.length).toBeGreaterThan(TOTAL);
    const NODE_FIELDS = gql`
      fragment NodeFields on Node {
        id
        ... on Chat {
          widgetId
          kind
          name
        }
        ... on Agent {
          widgetId
          name
        }
        ...TimelineActivity
      }
      ${ACTIVITY_FIELDS}
    `;
    const NODE = gql`
      query Node($id: ID!) {
        node(id: $id) {
          ...NodeFields
        }
      }
      ${NODE_FIELDS}
    `;
    for (const object of identified) {
      const fromCache = client.readFragment({
        id: client.cache.identify(object as { __typename: string; id: string }),
        fragment: NODE_FIELDS,
        fragmentName: 'NodeFields',
      });
      const answer = await client.query<{ node: unknown }>({
        query: NODE,
        variables: { id: object.id },
        fetchPolicy: 'no-cache',
      });
      expect(fromCache).toEqual(answer.data!.node);
    }
  });

  it('subscribes to campaignTriggered over graphql-ws and receives a run', async () => {
    const campaignId = await activeCampaign(server);
    const received: any[] = [];
    const subscription = client.subscribe({ query: RUNS, variables: { campaignId } }).subscribe({
      next: (result) => received.push(result),
    });
    try {
      // Subscribing is asynchronous: trigger until the run arrives.
      for (let i = 0; i < 50 && received.length === 0; i += 1) {
        await client.mutate({
          mutation: RECORD_MANY,
          variables: {
            inputs: [
              {
                type: 'GOAL_ACHIEVED',
                goal: 'live',
                visitorId: 'apollo-visitor',
                sessionId: `live-${i}`,
                chat: { kind: 'DIALOGUE', id: 'demo-dialogue', name: 'Renamed dialogue' },
              },
            ],
          },
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(received.length).toBeGreaterThan(0);
      const run = received[0].data.campaignTriggered;
      expect(run).toMatchObject({
        campaign: { id: campaignId },
        activity: { __typename: 'GoalAchievedActivity', goal: 'live', chat: { name: 'Renamed dialogue' } },
      });
    } finally {
      subscription.unsubscribe();
    }
  });

  it('gives up at once on a refused key instead of retrying (shouldRetry)', async () => {
    const refused = createApolloClient({
      httpUrl: server.url,
      wsUrl: server.wsUrl,
      apiKey: 'dca_not_a_key',
      webSocketImpl: WebSocket,
    });
    try {
      const error = await new Promise<unknown>((resolve) => {
        refused.subscribe({ query: RUNS, variables: { campaignId: 'x' } }).subscribe({
          next: (result) => resolve(result.error),
          error: resolve,
        });
      });
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error as object))).toMatch(/440[13]/);
    } finally {
      refused.stop();
    }
  });

  it('is the configuration the README shows', () => {
    const root = join(__dirname, '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(join(root, 'examples', 'clients', 'apollo-client.ts'), 'utf8').trim());
  });
});
