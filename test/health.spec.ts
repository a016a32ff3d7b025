import { createTestDatabase, TEST_MYSQL_URL } from './helpers/database';
import { globalId } from './helpers/ids';
import { recordMutation } from './helpers/record';
import { NO_RATE_LIMITS, startTestServer, type TestServer } from './helpers/server';
import { TcpProxy } from './helpers/tcp-proxy';

const base = (server: TestServer) => server.url.replace(/\/graphql$/, '');
// The outcome alone: the outage load classifies answers by it and by their error.
const RECORD = recordMutation('outcome');
const input = (visitorId: string) => ({
  type: 'GOAL_ACHIEVED',
  goal: 'g',
  visitorId,
  sessionId: 's',
  chat: { kind: 'DIALOGUE', id: 'c', name: 'C' },
});

async function poll(url: string, expected: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await fetch(url)).status;
    if (status === expected) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return status;
}

describe('/health and /ready', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('answers /health while the process lives and /ready when the database answers', async () => {
    const health = await fetch(`${base(server)}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base(server)}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-123' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    const other = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

// The embedded SQLite database is a local file with no network to lose; the
// unreachable-database case exists with a database server.
const withServer = TEST_MYSQL_URL ? describe : describe.skip;

withServer('/ready with an unreachable database server', () => {
  it('goes 503 when the database is unreachable and back to 200 when it returns, without a restart', async () => {
    const database = await createTestDatabase();
    const target = new URL(database.config.url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
    const proxyPort = await proxy.start();
    const viaProxy = new URL(database.config.url);
    viaProxy.port = String(proxyPort);
    const server = await startTestServer({
      database: { ...database, config: { ...database.config, url: viaProxy.toString() } },
    });
    try {
      expect((await fetch(`${base(server)}/ready`)).status).toBe(200);

      await proxy.stop();
      expect(await poll(`${base(server)}/ready`, 503)).toBe(503);
      expect((await fetch(`${base(server)}/health`)).status).toBe(200);
      const during = await server.gql('{ viewer { workspace { id } } }');
      // A clean, retryable error: the client learns nothing about the infrastructure but when to try again.
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('1');
      expect(during.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 });
      expect(during.errors?.[0].message).toMatch(/^The database did not answer in time/);
      expect(JSON.stringify(during.errors)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|mysql/i);
      expect(during.data?.viewer ?? null).toBeNull();

      await proxy.start();
      expect(await poll(`${base(server)}/ready`, 200)).toBe(200);
      const recovered = await server.gql(RECORD, { input: input('after-outage') });
      expect(recovered.data.recordChatActivity.outcome).toBe('RECORDED');
      const after = await server.gql('{ viewer { workspace { id } } }');
      expect(after.errors).toBeUndefined();
      expect(after.data.viewer.workspace.id).toBe(globalId('Workspace', server.workspaceId));
    } finally {
      await server.stop();
      await proxy.stop();
      await database.drop();
    }
  });
});

withServer('a database outage under write load', () => {
  it('answers clean, retryable SERVICE_UNAVAILABLE errors while the database is gone and recovers without a restart', async () => {
    const database = await createTestDatabase();
    const target = new URL(database.config.url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
    const viaProxy = new URL(database.config.url);
    viaProxy.port = String(await proxy.start());
    const server = await startTestServer({
      database: { ...database, config: { ...database.config, url: viaProxy.toString() } },
      config: { rateLimits: { ...NO_RATE_LIMITS, subscriptionsPerConnection: 10 } },
    });
    const outcomes: Array<{ phase: string; status: number; code?: string; message?: string; outcome?: string }> = [];
    let phase = 'before';
    let running = true;
    let n = 0;
    const writer = async () => {
      while (running) {
        const res = await server.gql(RECORD, { input: input(`load-${n++ % 20}`) });
        outcomes.push({
          phase,
          status: res.status,
          code: res.errors?.[0]?.extensions?.code,
          message: res.errors?.[0]?.message,
          outcome: res.data?.recordChatActivity?.outcome,
        });
      }
    };
    try {
      const writers = Array.from({ length: 16 }, writer);
      await new Promise((resolve) => setTimeout(resolve, 500));
      phase = 'outage';
      await proxy.stop();
      expect(await poll(`${base(server)}/ready`, 503)).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await proxy.start();
      phase = 'recovering';
      expect(await poll(`${base(server)}/ready`, 200)).toBe(200);
      phase = 'after';
      await new Promise((resolve) => setTimeout(resolve, 500));
      running = false;
      await Promise.all(writers);

      const failed = outcomes.filter((o) => !o.outcome);
      expect(outcomes.filter((o) => o.phase === 'before' && o.outcome === 'RECORDED').length).toBeGreaterThan(0);
      expect(failed.length).toBeGreaterThan(0);
      // Every failure is a retryable SERVICE_UNAVAILABLE (503) saying only that: nothing about the infrastructure leaks.
      for (const failure of failed) {
        expect(failure.code).toBe('SERVICE_UNAVAILABLE');
        expect(failure.status).toBe(503);
        expect(failure.message).toMatch(/^The database did not answer in time \([a-z ]+\): retry in \d+ s$/);
      }
      const after = outcomes.filter((o) => o.phase === 'after');
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((o) => o.outcome === 'RECORDED')).toBe(true);
    } finally {
      running = false;
      await server.stop();
      await proxy.stop();
      await database.drop();
    }
  });
});
