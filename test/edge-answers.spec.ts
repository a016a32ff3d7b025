import { captureLogs } from './helpers/logs';
import { startTestServer, subscribe, type TestServer } from './helpers/server';

/** What Apollo Client 4's HttpLink sends. */
const GRAPHQL_ACCEPT = 'application/graphql-response+json,application/json;q=0.9';
const GRAPHQL_RESPONSE = 'application/graphql-response+json; charset=utf-8';
const JSON_RESPONSE = 'application/json; charset=utf-8';
const NO_LIMITS = { perKeyPerSecond: 0, unauthenticatedPerIpPerMinute: 0, subscriptionsPerConnection: 10 };
const VIEWER = JSON.stringify({ query: '{ viewer { workspace { id } } }' });

function post(server: TestServer, body: string, headers: Record<string, string> = {}) {
  return fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

interface GraphQLBody {
  data?: unknown;
  errors?: Array<{ message: string; path?: unknown; extensions?: Record<string, unknown> }>;
}

async function answer(res: Response) {
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as GraphQLBody };
}

/** A jest asymmetric matcher, typed for use inside expected objects. */
const like = (matcher: unknown): unknown => matcher;

describe('answers outside execution are GraphQL responses in the media type the client accepts', () => {
  it('a spent budget: 429 RATE_LIMITED with Retry-After', async () => {
    const server = await startTestServer({
      config: { rateLimits: { ...NO_LIMITS, unauthenticatedPerIpPerMinute: 1 } },
    });
    try {
      expect((await post(server, VIEWER)).status).toBe(200);
      const limited = await post(server, VIEWER, { accept: GRAPHQL_ACCEPT });
      const retryAfter = limited.headers.get('retry-after');
      expect(retryAfter).toMatch(/^[1-9]\d*$/);
      expect(await answer(limited)).toEqual({
        status: 429,
        contentType: GRAPHQL_RESPONSE,
        body: {
          errors: [
            {
              message: `Rate limit exceeded: retry in ${retryAfter} s`,
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: Number(retryAfter) },
            },
          ],
        },
      });
      // application/json when the client asks for it first, or names neither.
      for (const accept of ['application/json', 'application/json, application/graphql-response+json', '*/*']) {
        const res = await post(server, VIEWER, { accept });
        expect([res.status, res.headers.get('content-type')]).toEqual([429, JSON_RESPONSE]);
        expect((await answer(res)).body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
      }
    } finally {
      await server.stop();
    }
  });

  describe('bodies', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ config: { bodyLimit: '1kb', rateLimits: NO_LIMITS } });
    });
    afterAll(() => server.stop());
    const auth = () => ({ authorization: `Bearer ${server.adminKey}` });

    it('a body over BODY_LIMIT: 413 BAD_REQUEST (BODY_TOO_LARGE)', async () => {
      const big = JSON.stringify({ query: `{ viewer { workspace { id } } } # ${'x'.repeat(2048)}` });
      const expected = {
        errors: [
          { message: 'Request body is larger than 1kb', extensions: { code: 'BAD_REQUEST', reason: 'BODY_TOO_LARGE' } },
        ],
      };
      expect(await answer(await post(server, big, { ...auth(), accept: GRAPHQL_ACCEPT }))).toEqual({
        status: 413,
        contentType: GRAPHQL_RESPONSE,
        body: expected,
      });
      expect(await answer(await post(server, big, { ...auth(), accept: 'application/json' }))).toEqual({
        status: 413,
        contentType: JSON_RESPONSE,
        body: expected,
      });
    });

    it('a body that is not JSON: 400 BAD_REQUEST (MALFORMED_BODY)', async () => {
      const expected = {
        errors: [{ message: 'Malformed request body', extensions: { code: 'BAD_REQUEST', reason: 'MALFORMED_BODY' } }],
      };
      expect(await answer(await post(server, '{"query":', { ...auth(), accept: GRAPHQL_ACCEPT }))).toEqual({
        status: 400,
        contentType: GRAPHQL_RESPONSE,
        body: expected,
      });
      expect(await answer(await post(server, '{"query":', auth()))).toEqual({
        status: 400,
        contentType: JSON_RESPONSE,
        body: expected,
      });
    });
  });
});

describe('GraphQL over HTTP: subscriptions, masked errors, logs and CORS', () => {
  let server: TestServer;
  const logs = captureLogs('debug');
  beforeAll(async () => {
    server = await startTestServer({ log: logs.log, config: { rateLimits: NO_LIMITS } });
  });
  afterAll(() => server.stop());
  const auth = () => ({ authorization: `Bearer ${server.adminKey}` });

  it('a subscription sent over HTTP is a 400 that says to use graphql-ws, POST and GET alike, and runs nothing', async () => {
    const query = 'subscription Live { activityRecorded { id } }';
    const byPost = await answer(await post(server, JSON.stringify({ query }), { ...auth(), accept: GRAPHQL_ACCEPT }));
    expect(byPost).toEqual({
      status: 400,
      contentType: GRAPHQL_RESPONSE,
      body: {
        errors: [{ message: like(expect.stringMatching(/graphql-ws/)), extensions: { code: 'BAD_REQUEST' } }],
      },
    });
    const get = await fetch(`${server.url}?query=${encodeURIComponent(query)}`, {
      headers: { ...auth(), accept: GRAPHQL_ACCEPT, 'apollo-require-preflight': 'true' },
    });
    expect(get.headers.get('allow')).toBeNull();
    expect(await answer(get)).toEqual(byPost);
    // A query over GET is still served.
    const viewer = await fetch(`${server.url}?query=${encodeURIComponent('{ viewer { workspace { id } } }')}`, {
      headers: { ...auth(), 'apollo-require-preflight': 'true' },
    });
    expect(viewer.status).toBe(200);
    expect(logs.lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('a masked internal error carries the request id, and so does its log line', async () => {
    // A table gone from under the server: an error no resolver expects (not the database being away).
    await server.app.dataSource.query('ALTER TABLE campaign RENAME TO campaign_gone');
    try {
      const res = await post(server, JSON.stringify({ query: '{ campaigns(first: 1) { edges { node { id } } } }' }), {
        ...auth(),
        'x-request-id': 'masked-error-1',
      });
      const { body } = await answer(res);
      expect(res.headers.get('x-request-id')).toBe('masked-error-1');
      expect(body.errors).toEqual([
        {
          message: 'Internal server error',
          locations: like(expect.any(Array)),
          path: ['campaigns'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'masked-error-1' },
        },
      ]);
      const logged = logs.lines.filter((line) => line.msg === 'unexpected error');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 50, requestId: 'masked-error-1', path: ['campaigns'] });
      expect(logged[0].err?.message).toMatch(/campaign/);
    } finally {
      await server.app.dataSource.query('ALTER TABLE campaign_gone RENAME TO campaign');
    }
  });

  it('logs WebSocket operations at debug with the fields of HTTP ones', async () => {
    const before = logs.lines.length;
    const http = await post(server, JSON.stringify({ query: 'query OverHttp { viewer { workspace { id } } }' }), {
      ...auth(),
      'x-request-id': 'logged-over-http',
    });
    expect(http.status).toBe(200);
    const client = server.wsClient();
    const query = subscribe(client, 'query OverWs { viewer { workspace { id } } }');
    await query.waitFor(1);
    const invalid = subscribe(client, '{ noSuchField }');
    await expect(invalid.waitFor(1)).rejects.toBeDefined();
    const live = subscribe(client, 'subscription Live { activityRecorded { id } }');
    // The subscription is live once the server answers a later operation on the same socket.
    await subscribe(client, '{ viewer { workspace { id } } }').waitFor(1);
    live.unsubscribe();
    await waitUntil(() => requestLines(before).some((line) => line.operationName === 'Live'));

    const lines = requestLines(before);
    const overHttp = lines.find((line) => line.requestId === 'logged-over-http');
    const overWs = lines.find((line) => line.operationName === 'OverWs');
    expect(overHttp).toMatchObject({ level: 20, operationName: 'OverHttp', errors: 0 });
    expect(overWs).toMatchObject({ level: 20, requestId: like(expect.stringMatching(/^ws:/)), errors: 0 });
    expect(Object.keys(overWs!).sort()).toEqual(Object.keys(overHttp!).sort());
    expect(overWs!.durationMs).toEqual(expect.any(Number));
    expect(lines.find((line) => line.operationName === 'Live')).toMatchObject({
      errors: 0,
      durationMs: like(expect.any(Number)),
    });
    // Refused before execution: no request id yet, one error.
    expect(lines.filter((line) => line.operationName === null && line.errors === 1)).toHaveLength(1);
  });

  function requestLines(from: number) {
    return logs.lines.slice(from).filter((line) => line.msg === 'graphql request');
  }

  it('allows cross-origin requests with trace context and Apollo Client headers', async () => {
    const headers = [
      'authorization',
      'content-type',
      'traceparent',
      'tracestate',
      'apollographql-client-name',
      'apollographql-client-version',
      'x-apollo-operation-name',
      'apollo-require-preflight',
    ];
    const preflight = await fetch(server.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': headers.join(','),
      },
    });
    expect(preflight.status).toBe(204);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase());
    expect(allowed).toEqual(expect.arrayContaining(headers));
    const res = await post(server, VIEWER, {
      ...auth(),
      origin: 'https://app.example',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
