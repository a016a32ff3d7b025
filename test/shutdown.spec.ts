import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startChildServer } from './helpers/child-server';
import { createTestDatabase, type TestDatabase } from './helpers/database';

describe('graceful shutdown (the real process)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('on SIGTERM completes the in-flight request, closes WebSocket clients with 1001 and exits 0', async () => {
    const key = `dca_test_${randomBytes(16).toString('hex')}`;
    const server = await startChildServer(database.config, { BOOTSTRAP_API_KEY: key, SHUTDOWN_GRACE_MS: '5000' });
    try {
      // A WebSocket client with a live subscription-capable connection.
      const closeCodes: number[] = [];
      const client = createClient({
        url: `ws://127.0.0.1:${server.port}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${key}` },
        retryAttempts: 0,
        lazy: false,
        // The close is expected here; the default handler would print it as an error.
        onNonLazyError: () => undefined,
        on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
      });
      await new Promise<void>((resolve, reject) => {
        client.on('connected', () => resolve());
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        client.on('closed', (event) => reject(event));
      });

      // An in-flight HTTP request: headers and half of the body are sent before SIGTERM, the rest after.
      const body = JSON.stringify({ query: '{ viewer { workspace { id } } }' });
      const half = Math.floor(body.length / 2);
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(server.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${key}`,
          },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, half));
        setTimeout(() => {
          server.process.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(half)), 300);
        }, 100);
      });

      const result = await response;
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body).data.viewer.workspace.id).toBeTruthy();
      expect(await server.exited).toBe(0);
      expect(closeCodes).toEqual([1001]);
      await client.dispose();
      expect(server.output()).toContain('"msg":"stopped"');
      expect(server.output()).not.toContain(key);
    } finally {
      if (server.process.exitCode === null) server.process.kill('SIGKILL');
    }
  });

  it('prints a generated admin key once on first start and never again', async () => {
    const fresh = await createTestDatabase();
    try {
      const first = await startChildServer(fresh.config, { BOOTSTRAP_API_KEY: '' });
      const secret = /\n\s+(dca_[A-Za-z0-9_-]{43})\n/.exec(first.output())?.[1];
      expect(secret).toBeDefined();
      const res = await fetch(first.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: '{ viewer { apiKey { name scopes } } }' }),
      });
      expect(((await res.json()) as { data: { viewer: { apiKey: unknown } } }).data.viewer.apiKey).toEqual({
        name: 'admin',
        scopes: ['RECORD', 'READ', 'SUBSCRIBE', 'MANAGE'],
      });
      first.process.kill('SIGINT');
      expect(await first.exited).toBe(0);

      const second = await startChildServer(fresh.config, { BOOTSTRAP_API_KEY: '' });
      expect(second.output()).not.toMatch(/dca_[A-Za-z0-9_-]{43}/);
      second.process.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await fresh.drop();
    }
  });
});
