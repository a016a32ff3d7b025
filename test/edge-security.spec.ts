import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { RawWsClient } from './helpers/raw-ws';
import { recordMutation } from './helpers/record';
import { NO_RATE_LIMITS, startTestServer, subscribe, type TestServer } from './helpers/server';

const VIEWER = '{ viewer { apiKey { name } } }';
const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };
const goal = (visitorId: string) => ({ type: 'GOAL_ACHIEVED', goal: 'g', visitorId, sessionId: 's', chat });

/** A POST as a browser page at `origin` (or a server, without) would send it. */
async function post(
  server: TestServer,
  key: string,
  query: string,
  headers: Record<string, string> = {},
  variables = {},
) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe('origin allow-lists', () => {
  let server: TestServer;
  let shopKey: string;
  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimits: { ...NO_RATE_LIMITS } } });
    const created = await server.gql(
      'mutation { createApiKey(name: "shop widget", scopes: [RECORD, SUBSCRIBE], allowedOrigins: ["https://Shop.example.com:443/", "http://localhost:8080"]) { secret apiKey { allowedOrigins } } }',
    );
    expect(created.data.createApiKey.apiKey.allowedOrigins).toEqual([
      'https://shop.example.com',
      'http://localhost:8080',
    ]);
    shopKey = created.data.createApiKey.secret;
  });
  afterAll(() => server.stop());

  it('on HTTP: an allowed origin and no origin pass, another origin is FORBIDDEN (ORIGIN_NOT_ALLOWED)', async () => {
    expect(
      (await post(server, shopKey, VIEWER, { origin: 'https://shop.example.com' })).body.data.viewer.apiKey.name,
    ).toBe('shop widget');
    expect((await post(server, shopKey, VIEWER)).body.data.viewer.apiKey.name).toBe('shop widget');
    const refused = await post(server, shopKey, VIEWER, { origin: 'https://evil.example.net' });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ORIGIN_NOT_ALLOWED' });
    expect(refused.body.data).toBeUndefined();
    // A look-alike is another origin.
    expect((await post(server, shopKey, VIEWER, { origin: 'https://shop.example.com.evil.net' })).status).toBe(403);
  });

  it('at the WebSocket handshake: allowed and absent pass, another origin is closed 4403', async () => {
    for (const [origin, expected] of [
      ['https://shop.example.com', 'connection_ack'],
      [undefined, 'connection_ack'],
      ['https://evil.example.net', 4403],
    ] as const) {
      const client = await RawWsClient.open(server.wsUrl, origin ? { origin } : {});
      const answer = await client.init({ authorization: `Bearer ${shopKey}` });
      if (expected === 'connection_ack') expect(answer).toMatchObject({ type: 'connection_ack' });
      else expect(answer).toEqual({ code: 4403, reason: 'Forbidden: origin not allowed' });
      client.close();
    }
  });

  it('refuses an origin that is not one, and setApiKeyOrigins replaces the list at once', async () => {
    const bad = await server.gql(
      'mutation { createApiKey(name: "x", scopes: [RECORD], allowedOrigins: ["https://a.example/path"]) { secret } }',
    );
    expect(bad.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'ALLOWED_ORIGINS_INVALID',
      field: ['allowedOrigins', '0'],
    });
    const keys = await server.gql('{ apiKeys { id name } }');
    const id = keys.data.apiKeys.find((k: any) => k.name === 'shop widget').id;
    const set = await server.gql(
      'mutation($id: ID!) { setApiKeyOrigins(id: $id, allowedOrigins: ["https://evil.example.net"]) { allowedOrigins } }',
      { id },
    );
    expect(set.data.setApiKeyOrigins.allowedOrigins).toEqual(['https://evil.example.net']);
    expect((await post(server, shopKey, VIEWER, { origin: 'https://evil.example.net' })).status).toBe(200);
    expect((await post(server, shopKey, VIEWER, { origin: 'https://shop.example.com' })).status).toBe(403);
  });
});

describe('WebSocket authentication is the HTTP rule', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimits: { ...NO_RATE_LIMITS } } });
  });
  afterAll(() => server.stop());

  it.each([
    ['no key', {}],
    ['an unknown key', { authorization: 'Bearer dca_nope' }],
    ['a raw secret without "Bearer"', { authorization: 'SECRET' }],
    ['a number', { authorization: 42 }],
    ['an object', { authorization: { bearer: 'x' } }],
  ])('closes with 4401 Unauthorized for %s', async (_what, params) => {
    const client = await RawWsClient.open(server.wsUrl);
    expect(await client.init(params)).toEqual({ code: 4401, reason: 'Unauthorized' });
  });

  it('accepts exactly what the Authorization header accepts', async () => {
    const client = await RawWsClient.open(server.wsUrl);
    expect(await client.init({ authorization: `bearer   ${server.adminKey}` })).toMatchObject({
      type: 'connection_ack',
    });
    client.close();
    const http = await post(server, server.adminKey, VIEWER);
    expect(http.status).toBe(200);
  });

  it('a real graphql-ws client with retries on reports a bad key at once, without retrying', async () => {
    let connects = 0;
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: 'Bearer dca_not-a-key' },
      retryAttempts: 5,
      on: { connecting: () => (connects += 1) },
    });
    try {
      const failure = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: VIEWER }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
      });
      expect(failure).toMatchObject({ code: 4401 });
      expect(connects).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  it('a key without SUBSCRIBE gets FORBIDDEN on the subscription, not a closed socket', async () => {
    const sub = subscribe(
      server.wsClient(await server.createKey(server.workspaceId, ['READ'])),
      'subscription { activityRecorded { id } }',
    );
    const [result] = await sub.waitFor(1);
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the WebSocket handshake is budgeted and connections are capped', () => {
  it('spends the per-address budget on failed connection_inits, and refuses without a lookup once it is spent', async () => {
    const server = await startTestServer({ config: { rateLimits: { unauthenticatedPerIpPerMinute: 5 } } });
    try {
      const lookups = jest.spyOn(server.app.services.apiKeys, 'authenticate');
      const codes: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        const client = await RawWsClient.open(server.wsUrl);
        const answer = await client.init({ authorization: `Bearer dca_guess_${i}` });
        codes.push((answer as { code: number }).code);
      }
      expect(codes.slice(0, 5)).toEqual([4401, 4401, 4401, 4401, 4401]);
      expect(codes.slice(5).every((code) => code === 4429)).toBe(true);
      // Past the budget a guess costs no key lookup (nor a database query).
      expect(lookups.mock.calls.length).toBeLessThanOrEqual(6);
      // HTTP from the same address shares the budget.
      const http = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer dca_guess_http' },
        body: JSON.stringify({ query: VIEWER }),
      });
      expect(http.status).toBe(429);
      lookups.mockRestore();
    } finally {
      await server.stop();
    }
  });

  it('caps open connections per address and per key (4429)', async () => {
    const server = await startTestServer({
      config: { rateLimits: { ...NO_RATE_LIMITS, wsConnectionsPerIp: 3, wsConnectionsPerKey: 2 } },
    });
    try {
      const open: RawWsClient[] = [];
      const outcomes: unknown[] = [];
      for (let i = 0; i < 3; i += 1) {
        const client = await RawWsClient.open(server.wsUrl);
        open.push(client);
        outcomes.push(await client.init({ authorization: `Bearer ${server.adminKey}` }));
      }
      expect(outcomes.slice(0, 2).every((o) => (o as { type?: string }).type === 'connection_ack')).toBe(true);
      expect(outcomes[2]).toEqual({ code: 4429, reason: 'Too many connections' });
      // Another key from the same address: the address cap (3) still has room for one (the refused one closed).
      const other = await server.createKey(server.workspaceId, ['READ']);
      const fourth = await RawWsClient.open(server.wsUrl);
      open.push(fourth);
      expect(await fourth.init({ authorization: `Bearer ${other}` })).toMatchObject({ type: 'connection_ack' });
      const fifth = await RawWsClient.open(server.wsUrl);
      await fifth.until(() => fifth.closed !== null);
      expect(fifth.closed).toEqual({ code: 4429, reason: 'Too many connections' });
      // Closing frees the place.
      open[0].close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const again = await RawWsClient.open(server.wsUrl);
      expect(await again.init({ authorization: `Bearer ${server.adminKey}` })).toMatchObject({
        type: 'connection_ack',
      });
      for (const client of [...open, again]) client.close();
    } finally {
      await server.stop();
    }
  });
});

describe('a public key is limited per visitor and per address, under a workspace ceiling', () => {
  it('one visitor hammering the API from one address does not lock out the real widgets', async () => {
    const server = await startTestServer({
      config: {
        trustProxy: true,
        rateLimits: {
          perKeyPerSecond: 30,
          publicPerIpPerSecond: 20,
          publicPerVisitorPerSecond: 5,
          publicPerWorkspacePerSecond: 10_000,
        },
      },
    });
    try {
      const widget = await server.createKey(server.workspaceId, ['RECORD']);
      const as = (ip: string) => ({ 'x-forwarded-for': ip });
      let stop = false;
      let flooded = 0;
      let refused = 0;
      const flood = async () => {
        while (!stop) {
          const res = await post(server, widget, '{ __typename }', as('203.0.113.66'));
          flooded += 1;
          if (res.status === 429) refused += 1;
        }
      };
      const flooders = Array.from({ length: 8 }, flood);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // 20 real widget calls, each from its own visitor and address, during the flood.
      const real = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(server, widget, recordMutation('outcome'), as(`198.51.100.${i + 1}`), { input: goal(`real-${i}`) }),
        ),
      );
      stop = true;
      await Promise.all(flooders);
      expect(refused).toBeGreaterThan(0);
      expect(flooded).toBeGreaterThan(refused);
      expect(real.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(real.every((r) => r.body.data.recordChatActivity.outcome === 'RECORDED')).toBe(true);

      // One visitor id, whatever address it comes from, has a budget of its own.
      const sameVisitor = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          post(server, widget, recordMutation('outcome'), as(`192.0.2.${i + 1}`), { input: goal('chatty') }),
        ),
      );
      const limited = sameVisitor.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0].headers.get('retry-after')).toMatch(/^\d+$/);
      expect(limited[0].body.errors[0].extensions).toMatchObject({
        code: 'RATE_LIMITED',
        reason: 'VISITOR_RATE_LIMITED',
      });
      // A key that is not public keeps its own per-key budget, whatever the address.
      const statuses = await Promise.all(
        Array.from({ length: 40 }, () => post(server, server.adminKey, '{ __typename }')),
      );
      expect(statuses.filter((s) => s.status === 429).length).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });
});
