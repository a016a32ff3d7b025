import { rawOf } from './helpers/ids';
import { randomUUID } from 'node:crypto';
import { activeCampaign, DELETE_CAMPAIGN, goal, unique } from './helpers/campaign-fixtures';
import { createTestDatabase, databaseKind, type TestDatabase } from './helpers/database';
import { eventually, startReceiver } from './helpers/delivery-receiver';
import { parseScrape, scrape } from './helpers/metrics';
import { record } from './helpers/record';
import { connected, startTestServer, subscribe, type TestServer } from './helpers/server';

const VIEWER = 'query Viewer { viewer { workspace { id } } }';
const LIVE = 'subscription Live { activityRecorded { id } }';
const OPS = 'graphql_operations_total';
const DURATION = 'graphql_operation_duration_seconds_count';

/** Every metric is scraped through GET /metrics of a real server, before and after the event that moves it. */
describe('Prometheus metrics', () => {
  let database: TestDatabase;
  let server: TestServer;
  let metricsUrl: string;
  const metrics = () => scrape(metricsUrl);

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer({
      database,
      config: {
        database: { ...database.config, poolSize: 3 },
        metrics: { enabled: true, maxOperationNames: 6, maxCampaigns: 1 },
        delivery: { pollMs: 50, maxAttempts: 3, timeoutMs: 1_000, backoffBaseMs: 10, concurrency: 4 },
        rateLimits: { perKeyPerSecond: 0, unauthenticatedPerIpPerMinute: 0, subscriptionsPerConnection: 10 },
      },
    });
    metricsUrl = server.url.replace(/\/graphql$/, '/metrics');
  });
  afterAll(async () => {
    await server.stop();
    await database.drop();
  });

  it('serves the text format with Node process metrics, and counts its own responses by route and status', async () => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const first = await metrics();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ])
      expect(first.has(name)).toBe(true);
    await fetch(server.url.replace(/\/graphql$/, '/no-such-route'));
    const after = await metrics();
    expect(after.value('http_responses_total', { route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(after.value('http_responses_total', { route: 'other', status: '404' })).toBe(
      first.value('http_responses_total', { route: 'other', status: '404' }) + 1,
    );
  });

  it('counts GraphQL operations over HTTP by name, type and outcome, with their durations', async () => {
    const before = await metrics();
    const ok = { transport: 'http', operation: 'Viewer', type: 'query', outcome: 'ok' };
    expect((await server.gql(VIEWER)).status).toBe(200);
    await server.gql(VIEWER);
    // An input error, an unauthenticated caller (its name is not trusted with a label), a syntax error.
    const bad = await server.gql('mutation Bad { recordChatActivities(inputs: []) { index } }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await server.gql('query Anonymous { viewer { workspace { id } } }', {}, 'dca_not_a_key');
    await server.gql('query Broken {');
    const after = await metrics();
    const delta = (labels: Record<string, string>) => after.value(OPS, labels) - before.value(OPS, labels);
    expect(delta(ok)).toBe(2);
    expect(after.value(DURATION, { operation: 'Viewer', type: 'query', outcome: 'ok' })).toBe(
      before.value(DURATION, { operation: 'Viewer', type: 'query', outcome: 'ok' }) + 2,
    );
    expect(delta({ transport: 'http', operation: 'Bad', type: 'mutation', outcome: 'BAD_USER_INPUT' })).toBe(1);
    expect(delta({ transport: 'http', operation: 'other', type: 'query', outcome: 'UNAUTHENTICATED' })).toBe(1);
    expect(delta({ transport: 'http', operation: 'other', type: 'unknown', outcome: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    expect(after.value('http_responses_total', { route: '/graphql', status: '200' })).toBeGreaterThan(
      before.value('http_responses_total', { route: '/graphql', status: '200' }),
    );
    expect(after.value('http_responses_total', { route: '/graphql', status: '400' })).toBe(
      before.value('http_responses_total', { route: '/graphql', status: '400' }) + 1,
    );
  });

  it('counts open WebSocket connections, streaming subscriptions and WebSocket operations', async () => {
    const before = await metrics();
    const client = server.wsClient();
    const live = subscribe(client, LIVE);
    await connected(client).catch(() => undefined);
    const sub = await eventually(async () => {
      const now = await metrics();
      return now.value('websocket_subscriptions_active') === 1 ? now : null;
    });
    expect(sub.value('websocket_connections')).toBe(before.value('websocket_connections') + 1);
    expect(sub.value(OPS, { transport: 'ws', operation: 'Live', type: 'subscription', outcome: 'ok' })).toBe(1);

    const query = subscribe(client, 'query WsViewer { viewer { workspace { id } } }');
    await query.waitFor(1);
    const refused = subscribe(client, 'query WsBroken { nope }');
    await refused.waitFor(1).catch(() => undefined);
    const ops = await metrics();
    expect(ops.value(OPS, { transport: 'ws', operation: 'WsViewer', type: 'query', outcome: 'ok' })).toBe(1);
    expect(ops.value(OPS, { transport: 'ws', type: 'unknown', outcome: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);

    live.unsubscribe();
    await eventually(async () => (await metrics()).value('websocket_subscriptions_active') === 0);
    await client.dispose();
    await eventually(
      async () => (await metrics()).value('websocket_connections') === before.value('websocket_connections'),
    );
  });

  it('reports the write coalescer: the size of each batch and the wait of each call', async () => {
    const before = await metrics();
    await Promise.all([1, 2, 3, 4].map((i) => record(server, goal(`coalesced-${i}`))));
    const after = await metrics();
    const batches = after.value('activity_write_batch_size_count') - before.value('activity_write_batch_size_count');
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThanOrEqual(4);
    expect(after.value('activity_write_batch_size_sum') - before.value('activity_write_batch_size_sum')).toBe(4);
    expect(
      after.value('activity_write_queue_wait_seconds_count') - before.value('activity_write_queue_wait_seconds_count'),
    ).toBe(4);
  });

  it('counts campaign runs by campaign (bounded, deleted campaigns dropped) and delivery attempts by result', async () => {
    let calls = 0;
    // The first POST fails, the retry succeeds.
    const receiver = await startReceiver(() => ({ status: calls++ === 0 ? 503 : 200 }));
    try {
      const campaignId = await activeCampaign(server, {
        triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['metrics'] } } }],
        flow: [{ action: 'WEBHOOK', webhookUrl: receiver.url }],
      });
      const before = await metrics();
      await record(server, goal(unique('visitor'), 'metrics'));
      await record(server, goal(unique('visitor'), 'metrics'));
      await receiver.waitFor(3);
      const after = await eventually(async () => {
        const now = await metrics();
        return now.value('delivery_attempts_total', { kind: 'WEBHOOK', result: 'delivered' }) -
          before.value('delivery_attempts_total', { kind: 'WEBHOOK', result: 'delivered' }) ===
          2
          ? now
          : null;
      });
      expect(after.value('campaign_runs_total', { campaign: rawOf(campaignId) })).toBe(2);
      expect(
        after.value('delivery_attempts_total', { kind: 'WEBHOOK', result: 'retry' }) -
          before.value('delivery_attempts_total', { kind: 'WEBHOOK', result: 'retry' }),
      ).toBe(1);

      // METRICS_MAX_CAMPAIGNS is 1: a second campaign counts as `other` while the first exists.
      const second = await activeCampaign(server, {
        triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['metrics-2'] } } }],
      });
      await record(server, goal(unique('visitor'), 'metrics-2'));
      const bounded = await metrics();
      expect(bounded.value('campaign_runs_total', { campaign: 'other' })).toBe(1);
      expect(bounded.value('campaign_runs_total', { campaign: rawOf(second) })).toBe(0);

      // Deleted: its label goes at the next scrape and its place is free again.
      expect((await server.gql(DELETE_CAMPAIGN, { id: campaignId })).errors).toBeUndefined();
      await metrics();
      await record(server, goal(unique('visitor'), 'metrics-2'));
      const pruned = await metrics();
      expect(pruned.series('campaign_runs_total').map((labels) => labels.campaign)).not.toContain(rawOf(campaignId));
      expect(pruned.value('campaign_runs_total', { campaign: rawOf(second) })).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('reads the outbox at scrape time: PENDING and DEAD rows, and how long the oldest due delivery has waited', async () => {
    const before = await metrics();
    const now = Date.now();
    const insert = (status: string, nextAttemptAt: number | null, leaseUntil: number | null) =>
      server.app.dataSource.query(
        `INSERT INTO delivery (id, workspace_id, kind, status, url, payload, attempts, next_attempt_at, created_at, lease_owner, lease_until)
         VALUES (?, ?, 'WEBHOOK', ?, 'http://127.0.0.1:9/none', '{}', 0, ?, ?, ?, ?)`,
        [randomUUID(), server.workspaceId, status, nextAttemptAt, now, leaseUntil ? 'elsewhere' : null, leaseUntil],
      );
    // Due for a minute, but leased by another (imaginary) instance for an hour: the worker leaves it alone.
    await insert('PENDING', now - 60_000, now + 3_600_000);
    await insert('DEAD', null, null);
    const after = await metrics();
    expect(after.value('delivery_outbox_rows', { status: 'PENDING' })).toBe(
      before.value('delivery_outbox_rows', { status: 'PENDING' }) + 1,
    );
    expect(after.value('delivery_outbox_rows', { status: 'DEAD' })).toBe(
      before.value('delivery_outbox_rows', { status: 'DEAD' }) + 1,
    );
    expect(after.value('delivery_oldest_due_age_seconds')).toBeGreaterThanOrEqual(60);
  });

  it('counts rate-limit rejections and the 429s they answer', async () => {
    const limited = await startTestServer({
      config: { rateLimits: { perKeyPerSecond: 2, unauthenticatedPerIpPerMinute: 1, subscriptionsPerConnection: 10 } },
    });
    try {
      const url = limited.url.replace(/\/graphql$/, '/metrics');
      const before = await scrape(url);
      const answers = await Promise.all(Array.from({ length: 6 }, () => limited.gql(VIEWER)));
      const rejected = answers.filter((r) => r.status === 429).length;
      await Promise.all(Array.from({ length: 3 }, () => limited.gql(VIEWER, {}, null)));
      const after = await scrape(url);
      expect(rejected).toBe(4);
      expect(
        after.value('rate_limit_rejections_total', { limit: 'key' }) -
          before.value('rate_limit_rejections_total', { limit: 'key' }),
      ).toBe(4);
      expect(after.value('rate_limit_rejections_total', { limit: 'ip' })).toBe(2);
      expect(after.value('http_responses_total', { route: '/graphql', status: '429' })).toBe(6);
    } finally {
      await limited.stop();
    }
  });

  it('gives at most METRICS_MAX_OPERATION_NAMES names a label of their own; the rest share `other`', async () => {
    for (const name of ['N1', 'N2', 'N3', 'N4', 'N5', 'N6'])
      await server.gql(`query ${name} { viewer { workspace { id } } }`);
    const names = new Set((await metrics()).series(OPS).map((labels) => labels.operation));
    // Viewer, Bad, Live and WsViewer were admitted by the tests above; six names fit.
    expect([...names].filter((name) => name !== 'other')).toHaveLength(6);
    expect(names.has('N2')).toBe(true);
    expect(names.has('N3')).toBe(false);
    expect(names.has('other')).toBe(true);
  });

  const onMysql = databaseKind() === 'mysql' ? it : it.skip;
  const onSqlite = databaseKind() === 'sqlite' ? it : it.skip;

  onMysql('reports the MySQL pool: connections open, in use and callers waiting', async () => {
    const idle = await metrics();
    expect(idle.value('db_pool_connections_max')).toBe(3);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding: Array<Promise<unknown>> = [];
    let started = 0;
    for (let i = 0; i < 3; i += 1)
      holding.push(
        server.app.dataSource.transaction(async (tx) => {
          await tx.query('SELECT 1');
          started += 1;
          await held;
        }),
      );
    await eventually(() => Promise.resolve(started === 3));
    const waiting = server.app.dataSource.query('SELECT 1');
    try {
      const busy = parseScrape((await server.app.metrics.scrape()).body);
      expect(busy.value('db_pool_connections_in_use')).toBe(3);
      expect(busy.value('db_pool_connections_open')).toBe(3);
      expect(busy.value('db_pool_waiting')).toBeGreaterThanOrEqual(1);
    } finally {
      release();
      await Promise.all([...holding, waiting]);
    }
    expect((await metrics()).value('db_pool_waiting')).toBe(0);
  });

  onSqlite('has no pool metrics on SQLite (one connection, used synchronously)', async () => {
    expect((await metrics()).has('db_pool_connections_in_use')).toBe(false);
  });
});

describe('metrics settings', () => {
  it('METRICS=false serves no /metrics; METRICS_PORT serves it on a port of its own only', async () => {
    const off = await startTestServer({
      config: { metrics: { enabled: false, maxOperationNames: 10, maxCampaigns: 10 } },
    });
    try {
      expect((await fetch(off.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
    } finally {
      await off.stop();
    }
    const own = await startTestServer({
      config: { metrics: { enabled: true, port: 0, maxOperationNames: 10, maxCampaigns: 10 } },
    });
    try {
      expect((await fetch(own.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
      const address = own.app.metricsAddress()!;
      const scraped = await scrape(`http://127.0.0.1:${address.port}/metrics`);
      expect(scraped.has(OPS)).toBe(true);
      expect((await fetch(`http://127.0.0.1:${address.port}/other`)).status).toBe(404);
    } finally {
      await own.stop();
    }
  });
});
