import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startChildServer, type ChildServer } from './helpers/child-server';
import { CAMPAIGN_TRIGGERED } from './helpers/campaign-fixtures';
import { createTestDatabase, TEST_MYSQL_URL, TEST_REDIS_URL, type TestDatabase } from './helpers/database';
import { rawOf } from './helpers/ids';
import { eventually, startReceiver } from './helpers/delivery-receiver';
import { RECORD, RECORD_MANY, type Recorded, type RecordedItem } from './helpers/record';
import { subscribe } from './helpers/server';

const KEY = `dca_test_${randomBytes(16).toString('hex')}`;
const FROM_START = Buffer.from(JSON.stringify([0])).toString('base64url');
const INSTANCES = 3;
const LISTENERS_PER_INSTANCE = 2;
/** Per instance: single recordings and batches, a third of them triggering the campaign. */
const SINGLES = 45;
const BATCHES = 6;
const BATCH_SIZE = 5;

const withMariaDbAndRedis = TEST_MYSQL_URL && TEST_REDIS_URL ? describe : describe.skip;

async function gql<T>(server: ChildServer, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

/** Runs `tasks` with at most `limit` at a time. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

/**
 * The scale-out the README describes, as deployed: three server processes
 * (src/main.ts) on one MariaDB database and one Redis, recording load spread
 * over all three, campaign listeners on each, webhook deliveries to one
 * receiver. Every run reaches every listener once, every delivery is sent
 * once, and the totals agree with the database.
 */
withMariaDbAndRedis('three instances on one MariaDB and one Redis', () => {
  let database: TestDatabase;
  const servers: ChildServer[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      REDIS_URL: TEST_REDIS_URL!,
      BOOTSTRAP_API_KEY: KEY,
      SECRETS_KEY: randomBytes(32).toString('hex'),
      DELIVERY_POLL_MS: '100',
      RATE_LIMIT_PER_KEY_PER_SECOND: '0',
      DATABASE_POOL_SIZE: '8',
    };
    // The first migrates and bootstraps; the others find the schema and the key in place.
    servers.push(await startChildServer(database.config, env));
    const others = Array.from({ length: INSTANCES - 1 }, () => startChildServer(database.config, env));
    servers.push(...(await Promise.all(others)));
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map(async (client) => client.dispose()));
    await Promise.all(
      servers.map((server) => {
        server.process.kill('SIGTERM');
        return server.exited;
      }),
    );
    await database?.drop();
  });

  it('every run reaches every listener once, every delivery is sent once, and the totals match', async () => {
    const receiver = await startReceiver();
    try {
      const { createCampaign } = await gql<{ createCampaign: { id: string } }>(
        servers[0],
        'mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: 'scale-out',
            triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['scale'] } } }],
            flow: [
              { action: 'CHANGE_SCORE', scoreDelta: 1 },
              { action: 'WEBHOOK', webhookUrl: receiver.url },
            ],
          },
        },
      );
      const campaignId = createCampaign.id;
      await gql(servers[1], 'mutation($id: ID!) { activateCampaign(id: $id) { id } }', { id: campaignId });

      const listeners = servers.flatMap((server) =>
        Array.from({ length: LISTENERS_PER_INSTANCE }, () => {
          const client = createClient({
            url: server.url.replace(/^http/, 'ws'),
            webSocketImpl: WebSocket,
            connectionParams: { authorization: `Bearer ${KEY}` },
            retryAttempts: 0,
          });
          clients.push(client);
          return subscribe<{ campaignTriggered: { id: string; cursor: string } }>(client, CAMPAIGN_TRIGGERED, {
            campaignId,
            after: FROM_START,
          });
        }),
      );

      let n = 0;
      const input = () => {
        const i = n++;
        return {
          type: 'GOAL_ACHIEVED',
          goal: i % 3 === 0 ? 'scale' : 'other',
          visitorId: `visitor-${i % 40}`,
          sessionId: `session-${i}`,
          clientEventId: `scale-${i}`,
          chat: { kind: 'DIALOGUE', id: 'c', name: 'C' },
        };
      };
      // The load, spread over the three instances: singles (coalesced per instance) and batches.
      const tasks: Array<() => Promise<Array<{ outcome: string; goal: string }>>> = [];
      for (let round = 0; round < SINGLES + BATCHES; round += 1)
        for (const server of servers) {
          if (round % Math.ceil((SINGLES + BATCHES) / BATCHES) === 0) {
            const inputs = Array.from({ length: BATCH_SIZE }, input);
            tasks.push(async () => {
              const data = await gql<{ recordChatActivities: RecordedItem[] }>(server, RECORD_MANY, { inputs });
              return data.recordChatActivities.map((item, i) => ({
                outcome: item.payload?.outcome ?? item.error!.code,
                goal: inputs[i].goal,
              }));
            });
          } else {
            const one = input();
            tasks.push(async () => {
              const data = await gql<{ recordChatActivity: Recorded }>(server, RECORD, { input: one });
              return [{ outcome: data.recordChatActivity.outcome, goal: one.goal }];
            });
          }
        }
      const acknowledged = (await pool(tasks, 24)).flat();
      const recorded = acknowledged.filter((a) => a.outcome === 'RECORDED');
      const triggering = recorded.filter((a) => a.goal === 'scale').length;
      expect(recorded).toHaveLength(acknowledged.length);
      expect(triggering).toBeGreaterThan(0);

      // Every listener, on every instance, gets every run, once, in order.
      const received = await Promise.all(listeners.map((listener) => listener.waitFor(triggering, 60_000)));
      const expectedIds = received[0].map((r) => r.data!.campaignTriggered.id);
      expect(new Set(expectedIds).size).toBe(triggering);
      for (const results of received) {
        expect(results.map((r) => r.data!.campaignTriggered.id)).toEqual(expectedIds);
      }
      // Nothing more arrives after the last run (no repeat).
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const listener of listeners) expect(listener.received).toHaveLength(triggering);

      const conn = await createConnection(database.config.url);
      try {
        const count = async (sql: string, params: unknown[] = []) => {
          const [rows] = await conn.query(sql, params);
          return Number((rows as Array<{ n: number | string }>)[0].n);
        };
        expect(await count('SELECT COUNT(*) AS n FROM activity')).toBe(recorded.length);
        expect(await count('SELECT COUNT(*) AS n FROM campaign_run WHERE campaign_id = ?', [rawOf(campaignId)])).toBe(
          triggering,
        );
        // Each run's webhook is delivered, by whichever instance claimed it, and received once.
        await eventually(
          async () => (await count("SELECT COUNT(*) AS n FROM delivery WHERE status = 'DELIVERED'")) === triggering,
          60_000,
        );
        expect(await count("SELECT COUNT(*) AS n FROM delivery WHERE status <> 'DELIVERED'")).toBe(0);
        const ids = receiver.received.map((r) => String(r.headers['x-delivery-id']));
        expect(new Set(ids).size).toBe(triggering);
        // A healthy receiver answers every POST at once: no lease expires, so no at-least-once repeat either.
        expect(ids).toHaveLength(triggering);
        expect(await count('SELECT COUNT(*) AS n FROM delivery WHERE attempts <> 1')).toBe(0);
      } finally {
        await conn.end();
      }
    } finally {
      await receiver.close();
    }
  });
});
