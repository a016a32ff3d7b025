import { createConnection } from 'mysql2/promise';
import { poolCounts } from '../src/db/mysql-driver';
import { createTestDatabase, TEST_MYSQL_URL, type TestDatabase } from './helpers/database';
import { RECORD } from './helpers/record';
import { NO_RATE_LIMITS, startTestServer, type TestServer } from './helpers/server';
import { TcpProxy } from './helpers/tcp-proxy';

const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };
const input = (visitorId: string) => ({ type: 'GOAL_ACHIEVED', goal: 'g', visitorId, sessionId: 's', chat });
const REQUEST_TIMEOUT_MS = 1_500;
/** Room for the answer to travel and the machine to be busy: "within the deadline" is the deadline plus this. */
const SLACK_MS = 2_000;
const QUERY = '{ people(first: 5) { totalCount edges { node { id } } } }';

// A database server that stalls, refuses or locks: SQLite is a local file with nothing of the kind.
const withServer = TEST_MYSQL_URL ? describe : describe.skip;

withServer('deadlines on every database call', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  let n = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.config.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
    const viaProxy = new URL(database.config.url);
    viaProxy.port = String(await proxy.start());
    server = await startTestServer({
      database: {
        ...database,
        config: {
          ...database.config,
          url: viaProxy.toString(),
          poolSize: 4,
          statementTimeoutMs: 1_000,
          acquireTimeoutMs: 500,
        },
      },
      config: {
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        rateLimits: { ...NO_RATE_LIMITS, subscriptionsPerConnection: 10 },
      },
    });
  });
  afterAll(async () => {
    await server.stop();
    await proxy.stop();
    await database.drop();
  });

  const pool = () => poolCounts((server.app.dataSource.driver as unknown as { pool: unknown }).pool);
  /** No connection left checked out, nobody waiting: what a stuck statement would break. */
  const settledPool = async () => {
    // Callers that gave up waiting leave mysql2's queue as the connection attempts made for them end
    // (each within the acquire deadline): give them a few of those.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const counts = pool();
      if (counts.all === counts.free && counts.waiting === 0) return counts;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return pool();
  };
  const timed = async <T>(work: () => Promise<T>) => {
    const started = Date.now();
    const result = await work();
    return { result, ms: Date.now() - started };
  };
  /** A load of writes and reads at once, more than the pool holds. */
  const load = () =>
    Promise.all([
      ...Array.from({ length: 6 }, () => timed(() => server.gql(RECORD, { input: input(`v-${n++}`) }))),
      ...Array.from({ length: 6 }, () => timed(() => server.gql(QUERY))),
    ]);
  const expectUnavailable = (answers: Awaited<ReturnType<typeof load>>) => {
    for (const { result, ms } of answers) {
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
      expect(result.status).toBe(503);
      expect(result.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(result.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    }
  };
  const expectServing = async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await server.gql(RECORD, { input: input(`v-${n++}`) });
      if (res.data?.recordChatActivity?.outcome === 'RECORDED') break;
      if (Date.now() > deadline) throw new Error(`not serving again: ${JSON.stringify(res.errors)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await server.gql(QUERY)).errors).toBeUndefined();
  };

  it('answers SERVICE_UNAVAILABLE within the deadline while the database is a black hole, keeps no connection stuck, and recovers', async () => {
    await expectServing();
    proxy.blackhole();
    expectUnavailable(await load());
    // Still a black hole: answered as fast again, not queued behind the first round.
    expectUnavailable(await load());
    proxy.heal();
    await expectServing();
    // Every connection a timed-out statement was running on was destroyed, never handed out again: none is
    // left checked out, nobody waits, and the pool holds no more than its size.
    const counts = await settledPool();
    expect(counts).toMatchObject({ waiting: 0 });
    expect(counts.all).toBe(counts.free);
    expect(counts.all).toBeLessThanOrEqual(4);
    const ready = await fetch(server.url.replace('/graphql', '/ready'));
    expect(ready.status).toBe(200);
  }, 60_000);

  it('answers SERVICE_UNAVAILABLE within the deadline while the database refuses connections, and recovers', async () => {
    await expectServing();
    await proxy.stop();
    expectUnavailable(await load());
    await proxy.start();
    await expectServing();
    expect(await settledPool()).toMatchObject({ waiting: 0 });
  }, 60_000);

  it('answers within the deadline while a table lock holds the writes, and records again once it is released', async () => {
    await expectServing();
    const locker = await createConnection(database.config.url);
    try {
      await locker.query('LOCK TABLES activity WRITE');
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => timed(() => server.gql(RECORD, { input: input(`locked-${n++}`) }))),
      );
      expectUnavailable(answers);
    } finally {
      await locker.query('UNLOCK TABLES');
      await locker.end();
    }
    await expectServing();
    expect(await settledPool()).toMatchObject({ waiting: 0 });
    // The server side is not left with connections of the timed-out statements either.
    const admin = await createConnection(database.config.url);
    try {
      const [rows] = await admin.query(
        'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()',
      );
      expect(Number((rows as Array<{ n: number }>)[0].n)).toBeLessThanOrEqual(4);
    } finally {
      await admin.end();
    }
  }, 60_000);
});

describe('/ready tells the truth', () => {
  it('is 503 with the schema dropped', async () => {
    const server = await startTestServer();
    try {
      const ready = () => fetch(server.url.replace('/graphql', '/ready')).then((r) => r.status);
      expect(await ready()).toBe(200);
      await server.app.dataSource.query('DROP TABLE migrations');
      expect(await ready()).toBe(503);
    } finally {
      await server.stop();
    }
  });

  (TEST_MYSQL_URL ? it : it.skip)('is 503 while a table lock holds it past its deadline, and 200 after', async () => {
    const server = await startTestServer();
    const locker = await createConnection(server.database.config.url);
    try {
      const ready = () => fetch(server.url.replace('/graphql', '/ready')).then((r) => r.status);
      expect(await ready()).toBe(200);
      await locker.query('LOCK TABLES migrations WRITE');
      expect(await ready()).toBe(503);
      await locker.query('UNLOCK TABLES');
      expect(await ready()).toBe(200);
    } finally {
      await locker.end();
      await server.stop();
    }
  });
});
