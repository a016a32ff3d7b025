import { createTestDatabase, TEST_REDIS_URL } from './helpers/database';
import { startTestServer, subscribe, type TestServer } from './helpers/server';

const VIEWER = '{ viewer { workspace { id } } }';

async function burst(server: TestServer, count: number, key: string | null) {
  return Promise.all(Array.from({ length: count }, () => server.gql(VIEWER, {}, key)));
}

describe('rate limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      config: { rateLimits: { perKeyPerSecond: 5, unauthenticatedPerIpPerMinute: 4, subscriptionsPerConnection: 2 } },
    });
  });
  afterAll(() => server.stop());

  it('answers requests over a key budget with 429, RATE_LIMITED and a retry hint, and spares other keys', async () => {
    const results = await burst(server, 12, server.adminKey);
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(limited).toHaveLength(7);
    expect(limited[0].errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(limited[0].headers.get('retry-after')).toBe('1');

    const otherKey = await server.createKey(server.workspaceId, ['READ']);
    expect((await server.gql(VIEWER, {}, otherKey)).status).toBe(200);
  });

  it('limits requests without a valid key per client address', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const results = await burst(server, 6, 'dca_invalid');
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'UNAUTHENTICATED')).toHaveLength(4);
    expect(results.filter((r) => r.status === 429 && r.errors?.[0].extensions?.code === 'RATE_LIMITED')).toHaveLength(
      2,
    );
  });

  it('spends the key budget on WebSocket operations too', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const client = server.wsClient();
    const subs = Array.from({ length: 8 }, () => subscribe(client, VIEWER));
    const outcomes = await Promise.all(
      subs.map((sub) =>
        sub.waitFor(1).then(
          () => 'ok',
          () => sub.error,
        ),
      ),
    );
    const limited = outcomes.filter((o): o is Array<{ extensions: { code: string } }> => Array.isArray(o));
    expect(outcomes.filter((o) => o === 'ok').length).toBeLessThanOrEqual(5);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(limited[0][0].extensions.code).toBe('RATE_LIMITED');
  });

  it('sends security headers and answers CORS preflights', async () => {
    const preflight = await fetch(server.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://customer.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const res = await server.gql(VIEWER, {}, await server.createKey(server.workspaceId, ['READ']));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

const withRedis = TEST_REDIS_URL ? describe : describe.skip;

withRedis('rate limits shared through Redis', () => {
  it('spends one budget per key across instances', async () => {
    const database = await createTestDatabase();
    const config = {
      redisUrl: TEST_REDIS_URL,
      rateLimits: { perKeyPerSecond: 6, unauthenticatedPerIpPerMinute: 100, subscriptionsPerConnection: 10 },
    };
    const a = await startTestServer({ database, config });
    const b = await startTestServer({ database, config, adminKey: a.adminKey });
    try {
      const key = await a.createKey(a.workspaceId, ['READ']);
      const results = [...(await burst(a, 5, key)), ...(await burst(b, 5, key))];
      expect(results.filter((r) => r.status === 200)).toHaveLength(6);
      expect(results.filter((r) => r.status === 429)).toHaveLength(4);
    } finally {
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });
});
