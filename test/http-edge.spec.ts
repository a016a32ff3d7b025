import net from 'node:net';
import { globalId } from './helpers/ids';
import { NO_RATE_LIMITS, startTestServer, type TestServer } from './helpers/server';

const VIEWER = JSON.stringify({ query: '{ viewer { workspace { id } } }' });
const NO_LIMITS = { ...NO_RATE_LIMITS, subscriptionsPerConnection: 10 };

function post(server: TestServer, body: string, headers: Record<string, string> = {}) {
  return fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

/** Sends `head` on a raw connection, runs `between`, then ends the request and reads the whole answer. */
function splitRequest(port: number, head: string, rest: string, between: () => Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(head, () => {
      between().then(() => socket.write(rest), reject);
    });
  });
}

describe('the HTTP edge: before and around GraphQL execution', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimits: { ...NO_LIMITS, unauthenticatedPerIpPerMinute: 2 } } });
  });
  afterAll(() => server.stop());

  it('authenticates before reading the body: an address over its keyless budget gets 429, not a parse error', async () => {
    for (let i = 0; i < 2; i += 1) {
      const spent = await post(server, '{"query":');
      expect(spent.status).toBe(400);
    }
    const limited = await post(server, '{"query":', { 'x-request-id': 'flood-1' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('x-request-id')).toBe('flood-1');
    expect(
      ((await limited.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code,
    ).toBe('RATE_LIMITED');
    // A valid key has its own budget: the same body is read, and refused as malformed.
    const keyed = await post(server, '{"query":', { authorization: `Bearer ${server.adminKey}` });
    expect(keyed.status).toBe(400);
    expect(await keyed.json()).toEqual({
      errors: [{ message: 'Malformed request body', extensions: { code: 'BAD_REQUEST', reason: 'MALFORMED_BODY' } }],
    });
  });

  it('answers GraphQL without ETag or X-Powered-By, and other methods than GET and POST with 405', async () => {
    const res = await post(server, VIEWER, { authorization: `Bearer ${server.adminKey}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
    const put = await fetch(server.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` },
      body: VIEWER,
    });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });

  it('leaves a form post to Apollo, which refuses it as a possible cross-site request', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${server.adminKey}` },
      body: VIEWER,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
  });

  it('answers /ready with 503 while draining, on a connection that is still being served', async () => {
    const port = Number(new URL(server.url).port);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
    const head =
      'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Authorization: Bearer ${server.adminKey}\r\nContent-Length: ${Buffer.byteLength(VIEWER)}\r\n\r\n`;
    // The request in flight holds the drain open; /ready is pipelined behind it on the same connection.
    const rest = `${VIEWER}GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    const answer = await splitRequest(port, head, rest, async () => {
      await pause();
      void server.app.stop();
      await pause();
    });
    const [first, second] = answer.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(first).toContain(globalId('Workspace', server.workspaceId));
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toContain('{"status":"draining"}');
  });
});

describe('CORS_ORIGINS and TRUST_PROXY', () => {
  it('allows only the listed origins', async () => {
    const server = await startTestServer({
      config: { corsOrigins: 'https://app.example, https://admin.example', rateLimits: NO_LIMITS },
    });
    try {
      const from = (origin: string) =>
        fetch(server.url, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      const allowed = await from('https://admin.example');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example');
      expect(allowed.headers.get('vary')).toMatch(/origin/i);
      const other = await from('https://elsewhere.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.stop();
    }
  });

  it('budgets keyless requests per forwarded client address only behind a trusted proxy (a hop count)', async () => {
    const rateLimits = { ...NO_LIMITS, unauthenticatedPerIpPerMinute: 1 };
    const statuses = async (server: TestServer) => {
      const out: number[] = [];
      for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
        out.push((await post(server, VIEWER, { 'x-forwarded-for': client })).status);
      return out;
    };
    const direct = await startTestServer({ config: { rateLimits } });
    try {
      // Not trusted: the header is ignored and the three share the connection's address.
      expect(await statuses(direct)).toEqual([200, 429, 429]);
    } finally {
      await direct.stop();
    }
    const proxied = await startTestServer({ config: { rateLimits, trustProxy: 1 } });
    try {
      expect(await statuses(proxied)).toEqual([200, 200, 200]);
    } finally {
      await proxied.stop();
    }
  });
});
