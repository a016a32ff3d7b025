import { gql, type Client } from '@urql/core';
import { buildSchema, isObjectType } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createUrqlClient, EMBEDDED_TYPES } from '../examples/clients/urql-client';
import { startTestServer, type TestServer } from './helpers/server';

const TIMELINE = gql`
  query UrqlTimeline($id: ID!, $first: Int, $after: String) {
    person(id: $id) {
      id
      activities(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            type
            chat {
              id
              widgetId
              name
            }
            ... on GoalAchievedActivity {
              goal
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

const RECORD_MANY = gql`
  mutation UrqlRecord($inputs: [RecordChatActivityInput!]!) {
    recordChatActivities(inputs: $inputs) {
      index
      payload {
        outcome
        activity {
          id
          person {
            id
          }
        }
      }
    }
  }
`;

describe('urql with graphcache against the server', () => {
  let server: TestServer;
  let client: Client;
  const warnings: unknown[][] = [];
  const warn = console.warn;

  beforeAll(async () => {
    server = await startTestServer();
    client = createUrqlClient({
      httpUrl: server.url,
      wsUrl: server.wsUrl,
      apiKey: server.adminKey,
      webSocketImpl: WebSocket,
    });
    // graphcache warns (in development) about a type it cannot key or a fragment it cannot match: there must be none.
    console.warn = (...args: unknown[]) => warnings.push(args);
  });
  afterAll(async () => {
    console.warn = warn;
    await server.stop();
  });

  it('keys embedded types exactly as the schema has them: every object type that is not a Node', () => {
    const schema = buildSchema(readFileSync(join(__dirname, '..', 'schema', 'schema.graphql'), 'utf8'));
    const node = schema.getType('Node')!;
    const roots = new Set(['Query', 'Mutation', 'Subscription']);
    const embedded = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && !t.name.startsWith('__') && !roots.has(t.name))
      .filter((t) => isObjectType(t) && !t.getInterfaces().includes(node as never))
      .map((t) => t.name)
      .sort();
    expect(EMBEDDED_TYPES).toEqual(embedded);
  });

  it('records, then reads a timeline page by page: relayPagination merges them as the server lists them', async () => {
    const inputs = Array.from({ length: 7 }, (_, i) => ({
      type: 'GOAL_ACHIEVED',
      goal: `goal-${i}`,
      visitorId: 'urql-visitor',
      sessionId: 's',
      occurredAt: new Date(Date.now() - (10 - i) * 60_000).toISOString(),
      chat: { kind: 'DIALOGUE', id: 'urql-chat', name: i < 4 ? 'Before' : 'After' },
    }));
    const recorded = await client.mutation(RECORD_MANY, { inputs }).toPromise();
    expect(recorded.error).toBeUndefined();
    const personId = recorded.data.recordChatActivities[0].payload.activity.person.id as string;

    let result = await client.query(TIMELINE, { id: personId, first: 3 }).toPromise();
    expect(result.error).toBeUndefined();
    while (result.data.person.activities.pageInfo.hasNextPage) {
      const after = result.data.person.activities.pageInfo.endCursor as string;
      await client.query(TIMELINE, { id: personId, first: 3, after }).toPromise();
      // The first page's query now reads every page merged, from the cache.
      result = await client.query(TIMELINE, { id: personId, first: 3 }, { requestPolicy: 'cache-only' }).toPromise();
    }
    const merged = result.data.person.activities.edges;
    expect(merged).toHaveLength(7);
    expect(merged.every((e: any) => e.node.chat.name === 'After')).toBe(true);
    const fromServer = await client
      .query(TIMELINE, { id: personId, first: 100 }, { requestPolicy: 'network-only' })
      .toPromise();
    expect(merged).toEqual(fromServer.data.person.activities.edges);
    expect(warnings).toEqual([]);
  });

  it('is the configuration the README shows', () => {
    const root = join(__dirname, '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(join(root, 'examples', 'clients', 'urql-client.ts'), 'utf8').trim());
  });
});
